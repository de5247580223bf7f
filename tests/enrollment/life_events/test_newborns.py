"""Newborns registered with their birth certificate (出生一件事) at a station or a hospital's newborn
desk, enrolled with the newborn rule, and given their ID number later."""

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from enrollment.elsewhere import elsewhere_message
from enrollment.life_events.newborns import (
    CertificateError,
    certificate_key,
    certificate_parse,
    id_number_add,
    newborn_register,
)
from enrollment.models import Resident
from enrollment.services import RegisteredElsewhere, resident_register
from portal.accounts.models import StaffProfile
from portal.network.demo import NEWBORN_DESK
from portal.network.models import Region, ServicePoint
from portal.privacy.id_numbers import make_id_number, mask_id_number
from portal.privacy.id_vault import id_decrypt, id_digest
from portal.privacy.models import AccessLogEntry
from tests.factories import staff_user
from tests.test_no_full_id_numbers import url_patterns

CHEN = make_id_number("370303", date(1980, 1, 15), 33)  # 陈志强, 车站街道 共青团路社区 (the demo)
SUN = make_id_number("370303", date(1986, 12, 12), 66)  # 孙丽, 公园街道 金晶社区
CERTIFICATE = "R370012345"
NEWBORN_PAGES = {"station:newborns", "station:newborn_create", "station:newborn"}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def parent(number: str = CHEN) -> Resident:
    return Resident.objects.get(id_digest=id_digest(number))


def register(clerk, *, today: date, birth_date: date, certificate: str = CERTIFICATE, of: str = CHEN, **kwargs):
    defaults = {"name": "陈小满", "gender": "male", "born_at": None}
    return newborn_register(certificate=certificate, birth_date=birth_date, parent=parent(of), clerk=clerk,
                            today=today, **(defaults | kwargs))


@pytest.fixture
def desk(demo_network):
    return ServicePoint.objects.get(name=NEWBORN_DESK[1])


@pytest.fixture
def hospital(demo_network):
    return User.objects.get(username="hospital")


@pytest.fixture
def hospital_client(hospital):
    client = Client()
    client.force_login(hospital)
    return client


@pytest.fixture
def on_2022_03_01(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2022, 3, 1))
    return date(2022, 3, 1)


# --- the birth certificate number ------------------------------------------------------------


@pytest.mark.parametrize(("typed", "stored"), [
    ("P370012345", "P370012345"), ("p370012345", "P370012345"), (" P37 0012 345 ", "P370012345"),
    ("Ｐ３７００１２３４５", "P370012345"),
])
def test_a_certificate_number_is_one_letter_and_nine_digits_stored_uppercase(typed, stored):
    assert certificate_parse(typed) == stored


@pytest.mark.parametrize(("typed", "says"), [
    ("", "请输入出生医学证明编号"),
    ("P37001234", "应为 10 位（1 位字母加 9 位数字），您输入了 9 位"),
    ("3370012345", "第 1 位应为英文字母"),
    ("P37001234X", "第 10 位“X”不符合"),
    ("370303195203151223", "您输入了 18 位"),
])
def test_a_wrong_certificate_number_is_refused_saying_what_is_wrong(typed, says):
    with pytest.raises(CertificateError) as refused:
        certificate_parse(typed)
    assert says in refused.value.message


def test_the_certificate_is_kept_encrypted_digested_and_masked(demo, clerk_chezhan):
    child = register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10),
                     certificate="r370012345").resident
    child.refresh_from_db()
    assert id_decrypt(child.birth_certificate_encrypted) == CERTIFICATE
    assert child.birth_certificate_digest == child.id_digest == certificate_key(CERTIFICATE)
    assert child.birth_certificate_masked == "R37*****45" and child.id_masked == "出生证R37*****45"
    assert not child.has_id_number and child.id_number == ""
    readable = [str(getattr(child, field.attname)) for field in Resident._meta.concrete_fields
                if field.attname != "birth_certificate_encrypted"]
    assert not any(CERTIFICATE in value for value in readable)
    assert not any(CERTIFICATE in str(row.__dict__) for row in child.history.all())


# --- the newborn rule ------------------------------------------------------------------------


def test_a_newborn_within_the_grace_period_is_covered_from_birth_without_a_late_charge(demo, clerk_chezhan):
    enrollment = register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10))
    assert (enrollment.year, enrollment.category, enrollment.newborn, enrollment.late) == (2022, "student_child", True, False)
    assert enrollment.coverage_start == date(2022, 2, 10) and enrollment.coverage_end == date(2022, 12, 31)
    assert enrollment.payable == Decimal("310.00")
    child = enrollment.resident
    chen = parent()
    assert (child.household_id, child.region_id) == (chen.household_id, chen.region_id)


def test_a_december_baby_is_enrolled_for_its_birth_year_while_next_year_is_collected(demo, clerk_chezhan):
    # On 2021-12-20 the 2022 collection is open; the 2021 enrollment is what covers the birth.
    enrollment = register(clerk_chezhan, today=date(2021, 12, 20), birth_date=date(2021, 12, 10))
    assert enrollment.year == 2021 and enrollment.newborn
    assert enrollment.coverage_start == date(2021, 12, 10) and enrollment.payable == Decimal("270.00")


def test_past_the_grace_period_a_newborn_enrols_as_a_late_registration(demo, clerk_chezhan):
    enrollment = register(clerk_chezhan, today=date(2022, 3, 15), birth_date=date(2021, 12, 1))
    assert enrollment.year == 2022 and not enrollment.newborn and enrollment.late
    assert enrollment.coverage_start == date(2022, 6, 13)
    assert enrollment.payable == Decimal("920.00")  # 310 and the fiscal subsidy of 610


@pytest.mark.parametrize(("birth_date", "says"), [
    (date(2022, 3, 2), "晚于今天"),
    (date(2021, 2, 28), "距今已超过一年"),
])
def test_a_birth_date_in_the_future_or_over_a_year_ago_is_refused(demo, clerk_chezhan, birth_date, says):
    with pytest.raises(ValidationError) as refused:
        register(clerk_chezhan, today=date(2022, 3, 1), birth_date=birth_date)
    assert says in " ".join(refused.value.messages)
    assert not Resident.objects.filter(birth_certificate_digest=certificate_key(CERTIFICATE)).exists()


def test_a_certificate_registered_once_is_refused_the_second_time(demo, clerk_chezhan):
    register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10))
    with pytest.raises(ValidationError) as refused:
        register(clerk_chezhan, today=date(2022, 3, 2), birth_date=date(2022, 2, 10), name="另一个")
    assert "已登记过新生儿参保" in refused.value.message_dict["certificate"][0]


def test_a_deceased_parent_or_one_without_an_id_number_is_refused(demo, clerk_chezhan):
    chen = parent()
    Resident.objects.filter(pk=chen.pk).update(date_of_death=date(2022, 1, 5))
    with pytest.raises(ValidationError, match="已登记死亡"):
        register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10))
    Resident.objects.filter(pk=chen.pk).update(date_of_death=None)
    child = register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10)).resident
    with pytest.raises(ValidationError, match="尚未登记身份证号"):
        newborn_register(certificate="P370099999", name="甲", gender="male", birth_date=date(2022, 2, 20),
                         parent=child, clerk=clerk_chezhan, today=date(2022, 3, 1))


def test_a_refused_enrollment_registers_nobody(demo, clerk_chezhan):
    # 2023 has no standard in the session's demo: on 2023-02-01 nothing can be enrolled.
    with pytest.raises(ValidationError):
        register(clerk_chezhan, today=date(2023, 2, 1), birth_date=date(2023, 1, 20))
    assert not Resident.objects.filter(birth_certificate_digest=certificate_key(CERTIFICATE)).exists()


def test_a_clerk_registers_no_newborn_of_a_parent_outside_the_scope(demo, clerk_other):
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        register(clerk_other, today=date(2022, 3, 1), birth_date=date(2022, 2, 10))


# --- adding the ID number --------------------------------------------------------------------


@pytest.fixture
def baby(demo, clerk_chezhan):
    return register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10)).resident


def test_the_id_number_added_makes_an_ordinary_resident_and_keeps_the_certificate(baby, clerk_chezhan):
    number = make_id_number("370303", date(2022, 2, 10), 17)
    resident = id_number_add(resident=baby, id_number=number.lower(), clerk=clerk_chezhan, today=date(2022, 4, 1))
    resident.refresh_from_db()
    assert resident.has_id_number and resident.id_number == number
    assert resident.id_digest == id_digest(number) and resident.id_masked == mask_id_number(number)
    assert resident.birth_certificate_digest == certificate_key(CERTIFICATE)
    assert id_decrypt(resident.birth_certificate_encrypted) == CERTIFICATE
    with pytest.raises(ValidationError, match="已有身份证号"):
        id_number_add(resident=resident, id_number=number, clerk=clerk_chezhan, today=date(2022, 4, 1))


def test_the_child_brought_back_with_its_new_number_is_sent_to_add_it_not_registered_twice(baby, clerk_chezhan):
    number = make_id_number("370303", date(2022, 2, 10), 17)
    with pytest.raises(ValidationError) as refused:
        resident_register(id_number=number, name=baby.name, region=baby.region, clerk=clerk_chezhan,
                          today=date(2022, 4, 1))
    assert "已凭出生医学证明" in refused.value.message_dict["id_number"][0]
    assert Resident.objects.filter(name=baby.name, birth_date=baby.birth_date).count() == 1


@pytest.mark.parametrize(("number", "says"), [
    (make_id_number("370303", date(2022, 2, 11), 17), "出生日期 2022-02-11 与登记的出生日期 2022-02-10 不符"),
    (make_id_number("370303", date(2022, 2, 10), 18), "性别为女，登记的性别为男"),
    ("37030320220210017", "身份证号应为 18 位"),
])
def test_an_id_number_that_does_not_fit_the_newborn_is_refused(baby, clerk_chezhan, number, says):
    with pytest.raises(ValidationError) as refused:
        id_number_add(resident=baby, id_number=number, clerk=clerk_chezhan, today=date(2022, 4, 1))
    assert says in refused.value.message_dict["id_number"][0]
    baby.refresh_from_db()
    assert not baby.has_id_number


def test_a_number_that_belongs_to_someone_else_is_refused(baby, clerk_chezhan):
    other = register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 10),
                     certificate="P370054321", name="陈二满").resident
    number = make_id_number("370303", date(2022, 2, 10), 17)
    id_number_add(resident=other, id_number=number, clerk=clerk_chezhan, today=date(2022, 4, 1))
    with pytest.raises(ValidationError) as refused:
        id_number_add(resident=baby, id_number=number, clerk=clerk_chezhan, today=date(2022, 4, 1))
    assert refused.value.message_dict["id_number"] == ["此身份证号已登记给另一位居民，不能添加；请核对号码。"]
    assert "陈二满" not in str(refused.value)


def test_a_number_registered_outside_the_scope_gets_the_elsewhere_answer(baby, clerk_chezhan, clerk_other,
                                                                         on_2022_03_01):
    number = make_id_number("370303", date(2022, 2, 10), 17)
    elsewhere = newborn_register(certificate="P370054321", name="孙小满", gender="male", birth_date=date(2022, 2, 10),
                                 parent=parent(SUN), clerk=clerk_other, today=date(2022, 3, 1)).resident
    id_number_add(resident=elsewhere, id_number=number, clerk=clerk_other, today=date(2022, 3, 1))
    with pytest.raises(RegisteredElsewhere):
        id_number_add(resident=baby, id_number=number, clerk=clerk_chezhan, today=date(2022, 3, 1))

    client = Client()
    client.force_login(clerk_chezhan)
    response = client.post(reverse("station:resident_id_number", args=[baby.pk]), {"id_number": number})
    assert response.status_code == 200
    assert elsewhere_message(elsewhere.region) in text_of(response) and "孙小满" not in text_of(response)
    assert AccessLogEntry.objects.filter(user=clerk_chezhan, action="check_out_of_scope",
                                         subject_digest=id_digest(number)).exists()


# --- the hospital's newborn desk -------------------------------------------------------------


def desk_form(**overrides) -> dict:
    return {"parent_id_number": SUN, "parent_name": "孙丽", "certificate": CERTIFICATE, "name": "孙小满",
            "gender": "male", "birth_date": "2022-02-20", **overrides}


def test_a_hospital_clerk_lands_on_the_newborn_list_after_signing_in(hospital_client):
    assert hospital_client.get(reverse("staff_home"))["Location"] == reverse("station:newborns")


def test_the_desk_registers_a_newborn_of_any_village_of_the_city(demo, hospital, hospital_client, desk, on_2022_03_01):
    response = hospital_client.post(reverse("station:newborn_create"), desk_form())
    child = Resident.objects.get(birth_certificate_digest=certificate_key(CERTIFICATE))
    assert response.status_code == 302 and response["Location"] == reverse("station:newborn", args=[child.pk])
    assert child.born_at == desk and child.region == parent(SUN).region  # 公园街道, not the hospital's
    page = text_of(hospital_client.get(response["Location"]))
    assert "个人应缴 310.00 元" in page
    assert "金晶社区医保服务点" in page or "公园街道医保工作站" in page  # where to pay
    assert CERTIFICATE not in page and "R37*****45" in page
    assert "孙小满" in text_of(hospital_client.get(reverse("station:newborns")))


def test_a_wrong_name_answers_exactly_as_an_unknown_number_and_each_lookup_is_logged(demo, hospital,
                                                                                      hospital_client, on_2022_03_01):
    before = AccessLogEntry.objects.filter(user=hospital, action="find_parent").count()
    wrong_name = hospital_client.post(reverse("station:newborn_create"), desk_form(parent_name="孙莉"))
    unknown = hospital_client.post(reverse("station:newborn_create"), desk_form(
        parent_name="孙莉", parent_id_number=make_id_number("370303", date(1988, 5, 5), 99)))
    assert wrong_name.status_code == unknown.status_code == 200
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    assert token.sub("", wrong_name.content.decode()) == token.sub("", unknown.content.decode())
    assert "未找到身份证号和姓名都相符的参保居民" in text_of(wrong_name)
    assert AccessLogEntry.objects.filter(user=hospital, action="find_parent").count() == before + 2
    assert not Resident.objects.filter(birth_certificate_digest=certificate_key(CERTIFICATE)).exists()


def test_the_desk_sees_only_the_newborns_of_its_own_point(demo, hospital, hospital_client, clerk_chezhan, desk,
                                                           on_2022_03_01):
    own = register(hospital, today=date(2022, 3, 1), birth_date=date(2022, 2, 10), born_at=desk).resident
    at_station = register(clerk_chezhan, today=date(2022, 3, 1), birth_date=date(2022, 2, 11),
                          certificate="P370054321", name="陈二满").resident
    other_desk = ServicePoint.objects.create(name="另一医院新生儿参保服务点", kind=ServicePoint.Kind.NEWBORN_DESK,
                                             region=desk.region)
    other = staff_user(role="hospital_clerk", scope=Region.objects.get(code="370300000000"))
    StaffProfile.objects.filter(user=other).update(home_service_point=other_desk)
    other_client = Client()
    other_client.force_login(other)

    listed = text_of(hospital_client.get(reverse("station:newborns")))
    assert "陈小满" in listed and "陈二满" not in listed
    assert hospital_client.get(reverse("station:newborn", args=[at_station.pk])).status_code == 404
    assert other_client.get(reverse("station:newborn", args=[own.pk])).status_code == 404
    assert "陈小满" not in text_of(other_client.get(reverse("station:newborns")))


def test_the_desk_cannot_name_a_parent_by_record_number(demo, hospital_client, on_2022_03_01):
    chen = parent()
    page = text_of(hospital_client.get(reverse("station:newborn_create"), {"parent": chen.pk}))
    assert "陈志强" not in page and "父亲或母亲的身份证号" in page


def test_a_hospital_clerk_reaches_no_other_station_page(demo, hospital_client):
    problems = []
    for name, params in url_patterns().items():
        if not name.startswith(("station:", "assistance:", "treatment:")) or name in NEWBORN_PAGES:
            continue
        url = reverse(name, kwargs={param: 1 for param in params})
        for method in ("get", "post"):
            status = getattr(hospital_client, method)(url).status_code
            if status not in (403, 405) or (method == "post" and status != 403):
                problems.append(f"{method.upper()} {url}: {status}")
    assert not problems, problems


def test_a_desk_account_without_a_desk_sees_nothing(demo, on_2022_03_01):
    user = staff_user(role="hospital_clerk", scope=Region.objects.get(code="370300000000"))
    client = Client()
    client.force_login(user)
    assert client.get(reverse("station:newborns")).status_code == 403
    assert client.post(reverse("station:newborn_create"), desk_form()).status_code == 403


# --- the township flow -----------------------------------------------------------------------


def test_a_township_clerk_registers_from_the_parents_page_and_adds_the_id_number(demo, clerk_chezhan, clerk_other,
                                                                                  on_2022_03_01):
    client = Client()
    client.force_login(clerk_chezhan)
    chen = parent()
    resident_page = client.get(reverse("station:resident", args=[chen.pk])).content.decode()
    form_url = f"{reverse('station:newborn_create')}?parent={chen.pk}"
    assert form_url.replace("&", "&amp;") in resident_page
    assert "新生儿参保" in text_of(client.get(form_url))
    response = client.post(reverse("station:newborn_create"), {
        "parent": chen.pk, "certificate": CERTIFICATE, "name": "陈小满", "gender": "male", "birth_date": "2022-02-10"})
    child = Resident.objects.get(birth_certificate_digest=certificate_key(CERTIFICATE))
    assert response["Location"] == reverse("station:newborn", args=[child.pk]) and child.born_at is None
    assert "陈小满" in text_of(client.get(reverse("station:newborns")))

    outsider = Client()
    outsider.force_login(clerk_other)
    assert outsider.get(reverse("station:newborn", args=[child.pk])).status_code == 404
    assert "陈小满" not in text_of(outsider.get(reverse("station:newborns")))

    detail = text_of(client.get(reverse("station:resident", args=[child.pk])))
    assert "尚未办理" in detail and "R37*****45" in detail and CERTIFICATE not in detail
    number = make_id_number("370303", date(2022, 2, 10), 17)
    done = client.post(reverse("station:resident_id_number", args=[child.pk]), {"id_number": number})
    assert done["Location"] == reverse("station:resident", args=[child.pk])
    child.refresh_from_db()
    assert child.id_number == number
    assert number in text_of(client.get(reverse("station:resident", args=[child.pk])))  # the full record, logged


def test_a_form_answered_with_an_error_does_not_echo_the_certificate(demo, clerk_chezhan, on_2022_03_01):
    client = Client()
    client.force_login(clerk_chezhan)
    response = client.post(reverse("station:newborn_create"), {
        "parent": parent().pk, "certificate": CERTIFICATE, "name": "陈小满", "gender": "male",
        "birth_date": "2023-01-01"})
    assert response.status_code == 200 and "晚于今天" in text_of(response)
    assert CERTIFICATE not in response.content.decode()


# --- two desks at once -----------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
def test_two_clerks_registering_one_certificate_at_once_make_one_resident(demo, clerk_chezhan, hospital, desk):
    clerks = [(clerk_chezhan, None), (hospital, desk)] * 5
    barrier = threading.Barrier(len(clerks))
    outcomes: list = [None] * len(clerks)

    def worker(index: int) -> None:
        clerk, point = clerks[index]
        try:
            barrier.wait()
            outcomes[index] = register(clerk, today=date(2022, 3, 1), birth_date=date(2022, 2, 10), born_at=point)
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(clerks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == len(clerks) - 1, outcomes
    assert all("certificate" in r.message_dict for r in refused)
    assert Resident.objects.filter(birth_certificate_digest=certificate_key(CERTIFICATE)).count() == 1


# --- imports ---------------------------------------------------------------------------------


def test_a_roll_naming_a_newborn_without_its_id_number_yet_is_refused_that_row(demo, clerk_chezhan, on_2022_window,
                                                                              settings, tmp_path):
    from tests.enrollment.imports.test_page import csv_upload

    settings.ROLL_UPLOAD_DIR = tmp_path / "rolls"
    child = register(clerk_chezhan, today=date(2021, 10, 15), birth_date=date(2021, 10, 1)).resident
    number = make_id_number("370303", date(2021, 10, 1), 17)
    client = Client()
    client.force_login(clerk_chezhan)
    response = client.post(reverse("station:roll_import"), {
        "year": 2022, "roll": csv_upload([number, "陈小满", "", child.region.code, "学生儿童"])})
    assert "已凭出生医学证明登记、尚未添加身份证号" in text_of(response)
    assert not Resident.objects.filter(id_digest=id_digest(number)).exists()
