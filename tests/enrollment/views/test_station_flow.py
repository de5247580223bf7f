"""The clerk's path at the counter: find or register, enroll, take the payment, print."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.sessions.exceptions import SessionInterrupted
from django.db import DatabaseError

from enrollment.models import Enrollment, Payment, Refund, Resident
from portal.network.models import Region
from portal.privacy.id_numbers import ID_NUMBER_PATTERN, make_id_number
from portal.privacy.models import AccessLogEntry

pytestmark = pytest.mark.django_db

WANG = "370303195203151223"
NEW_ID = make_id_number("370303", date(1985, 5, 20), 37)


def register(client, **overrides):
    village = Region.objects.get(code="370303001002")
    data = {"id_number": NEW_ID, "name": "韩梅", "phone": "13905330000", "region": village.pk,
            "household_number": "", "household_address": "共青团路 3 号", **overrides}
    return client.post("/station/residents/new/", data)


def test_a_new_resident_is_registered_with_birth_date_and_gender_from_the_id(clerk_client):
    response = register(clerk_client)
    resident = Resident.objects.get(name="韩梅")
    assert response.status_code == 302 and response["Location"] == f"/station/residents/{resident.pk}/"
    assert resident.birth_date == date(1985, 5, 20) and resident.gender == "male"
    assert resident.id_masked == NEW_ID[:6] + "********" + NEW_ID[-4:]
    assert NEW_ID not in resident.id_number_encrypted
    assert resident.household.head == resident


@pytest.mark.parametrize(
    ("id_number", "message"),
    [
        (NEW_ID[:-1], "身份证号应为 18 位"),
        (NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1"), "校验位不符"),
        ("37030319850230001X", "不是有效日期"),
    ],
)
def test_a_wrong_id_number_says_which_part_is_wrong_and_saves_nothing(clerk_client, id_number, message):
    before = Resident.objects.count()
    response = register(clerk_client, id_number=id_number)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert Resident.objects.count() == before


def test_a_village_of_another_township_cannot_be_chosen(clerk_client):
    other_village = Region.objects.get(code="370303002001")
    response = register(clerk_client, region=other_village.pk)
    assert "选择一个有效的选项" in response.content.decode()
    assert not Resident.objects.filter(name="韩梅").exists()


def test_registering_a_known_number_points_to_the_existing_resident(clerk_client):
    response = register(clerk_client, id_number=WANG, name="王秀兰")
    assert "此身份证号已登记" in response.content.decode()


def test_search_by_full_id_number_finds_the_resident_without_putting_it_in_a_url(clerk_client):
    response = clerk_client.post("/station/residents/", {"query": WANG})
    html = response.content.decode()
    assert "王秀兰" in html and "370303********1223" in html
    assert clerk_client.get("/station/residents/", {"query": WANG}).content.decode().count("王秀兰") == 0


def test_search_by_name_stays_in_scope(clerk_client):
    html = clerk_client.post("/station/residents/", {"query": "孙"}).content.decode()
    assert "孙丽" not in html  # 公园街道


def test_the_full_record_shows_the_number_to_the_clerk_and_logs_the_view(clerk_client, clerk_chezhan):
    wang = Resident.objects.get(name="王秀兰")
    html = clerk_client.get(f"/station/residents/{wang.pk}/").content.decode()
    assert WANG in html
    entry = AccessLogEntry.objects.get(action="view_resident")
    assert entry.user == clerk_chezhan and entry.subject_digest == wang.id_digest and entry.action == "view_resident"


def enroll(client, resident, *, action, year=2022, category="adult", transfer=False):
    data = {"year": year, "category": category, "action": action}
    if transfer:
        data["transfer"] = "on"
    return client.post(f"/station/residents/{resident.pk}/enroll/", data)


def test_enrolling_shows_the_amounts_before_the_clerk_confirms(clerk_client, on_2022_window):
    register(clerk_client)
    resident = Resident.objects.get(name="韩梅")
    html = enroll(clerk_client, resident, action="preview").content.decode()
    assert "410.00 元" in html and "2022-01-01 至 2022-12-31" in html
    assert not Enrollment.objects.filter(resident=resident).exists()

    response = enroll(clerk_client, resident, action="confirm")
    enrollment = Enrollment.objects.get(resident=resident)
    assert response["Location"] == f"/station/enrollments/{enrollment.pk}/"
    assert (enrollment.standard_amount, enrollment.subsidy, enrollment.payable) == (
        Decimal("410.00"), Decimal("0.00"), Decimal("410.00"),
    )
    assert enrollment.registered_on == on_2022_window and not enrollment.late


def test_a_second_enrollment_for_the_year_says_where_and_when(clerk_client, on_2022_window):
    wang = Resident.objects.get(name="王秀兰")
    html = enroll(clerk_client, wang, action="preview").content.decode()
    assert "已于 2021-10-10 09:30 在华光路社区登记 2022 年度参保" in html
    enroll(clerk_client, wang, action="confirm")
    assert Enrollment.objects.filter(resident=wang, year=2022).count() == 1


def test_enrolling_after_the_year_is_over_is_refused_with_a_reason(clerk_client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: date(2023, 1, 5))
    register(clerk_client)
    resident = Resident.objects.get(name="韩梅")
    html = enroll(clerk_client, resident, action="confirm").content.decode()
    # 2022 is no longer offered, and posting it anyway is refused with why (the rule's own
    # message, "2022 年度已于 2022-12-31 结束", is tested with the premium rules).
    assert '<option value="2022"' not in html
    assert "不能登记参保" in html or "没有可以登记参保的年度" in html, html[html.find("<main"):][:1500]
    assert not Enrollment.objects.filter(resident=resident).exists()


def test_payment_must_equal_what_is_due(clerk_client):
    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    response = clerk_client.post(
        f"/station/enrollments/{enrollment.pk}/pay/", {"amount": "400.00", "method": "cash", "token": uuid.uuid4()}
    )
    assert response.status_code == 400
    assert "缴费金额须等于个人应缴 410.00 元" in response.content.decode()
    assert not enrollment.payments.exists()


def test_a_double_submitted_payment_is_recorded_once(clerk_client):
    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    form = {"amount": "410.00", "method": "bank_card", "token": str(uuid.uuid4())}
    first = clerk_client.post(f"/station/enrollments/{enrollment.pk}/pay/", form)
    second = clerk_client.post(f"/station/enrollments/{enrollment.pk}/pay/", form)
    payment = Payment.objects.get(enrollment=enrollment)
    assert first["Location"] == second["Location"] == f"/station/payments/{payment.pk}/receipt/"
    enrollment.refresh_from_db()
    assert enrollment.is_paid


def test_a_second_payment_with_a_new_token_is_refused(clerk_client):
    enrollment = Enrollment.objects.get(resident__name="王秀兰", year=2022)
    response = clerk_client.post(
        f"/station/enrollments/{enrollment.pk}/pay/", {"amount": "410.00", "method": "cash", "token": uuid.uuid4()}
    )
    assert "已缴费，收据号" in response.content.decode()
    assert enrollment.payments.count() == 1


def test_the_receipt_is_masked_and_its_qr_code_opens_the_public_check(clerk_client, client):
    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    clerk_client.post(f"/station/enrollments/{enrollment.pk}/pay/",
                      {"amount": "410.00", "method": "cash", "token": str(uuid.uuid4())})
    payment = Payment.objects.get(enrollment=enrollment)
    html = clerk_client.get(f"/station/payments/{payment.pk}/receipt/").content.decode()
    assert payment.receipt_number in html and "<svg" in html
    assert not ID_NUMBER_PATTERN.search(html)
    verify_path = re.search(r"http://testserver(/verify/[^<\s]+/)", html).group(1)
    clerk_client.logout()
    public = client.get(verify_path).content.decode()
    assert "刘*英" in public and "2022 年度" in public and "已缴费" in public
    assert "刘桂英" not in public
    assert client.get("/verify/not-a-code/").status_code == 404


def test_follow_up_lists_last_years_enrollees_who_have_not_paid(clerk_client):
    html = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    for name in ("刘桂英", "陈志强", "赵伟"):
        assert name in html
    for name in ("王秀兰", "张建国", "张小雨", "李秀梅", "孙丽", "周强"):
        assert name not in html


@pytest.mark.parametrize("export_format", ["csv", "xlsx"])
def test_follow_up_exports_have_masked_numbers(clerk_client, export_format):
    response = clerk_client.get("/station/follow-up/", {"year": 2022, "format": export_format})
    assert response.status_code == 200
    body = response.content
    if export_format == "csv":
        text = body.decode("utf-8-sig")
    else:
        import io

        import openpyxl

        sheet = openpyxl.load_workbook(io.BytesIO(body)).active
        text = "\n".join(",".join(str(c or "") for c in row) for row in sheet.iter_rows(values_only=True))
    assert "刘桂英" in text and "********" in text
    assert not ID_NUMBER_PATTERN.search(text)


def test_a_death_before_coverage_starts_asks_to_refund_the_personal_part(clerk_client, officer):
    from enrollment.services import refund_approve

    zhang = Resident.objects.get(name="张建国")
    clerk_client.post(f"/station/residents/{zhang.pk}/death/", {"date_of_death": "2021-11-30"})
    refund = Refund.objects.get(enrollment__resident=zhang)
    assert refund.reason == "death" and refund.amount == Decimal("410.00") and not refund.is_approved
    refund_approve(refund=refund, approver=officer)
    enrollment = Enrollment.objects.get(resident=zhang, year=2022)
    assert enrollment.status == Enrollment.Status.CANCELLED
    # The 2021 coverage had started: nothing to refund there.
    assert Enrollment.objects.get(resident=zhang, year=2021).status == Enrollment.Status.ACTIVE


def test_the_requester_cannot_approve_their_own_refund(clerk_client, clerk_chezhan):
    from django.core.exceptions import ValidationError

    from enrollment.services import refund_approve, refund_request

    enrollment = Enrollment.objects.get(resident__name="王秀兰", year=2022)
    refund = refund_request(enrollment=enrollment, reason="duplicate", clerk=clerk_chezhan)
    with pytest.raises(ValidationError, match="不能由申请人本人审批"):
        refund_approve(refund=refund, approver=clerk_chezhan)


def test_the_dashboard_counts_the_scope(clerk_client):
    html = clerk_client.get("/station/", {"year": 2022}).content.decode()
    counts = dict(re.findall(r'count-label">([^<]+)</span><span class="count-value">([\d.%]+)', html))
    assert counts == {"参保率（目标 95%）": "85.71%", "应参保人数": "7", "已参保登记": "6", "已缴费": "4",
                      "已登记未缴费": "2", "今日登记": "0"}
    assert "低于目标" in html and "未参保名单（1 人）" in html


def test_the_record_links_to_the_estimator_with_the_residents_categories(clerk_client):
    wang = Resident.objects.get(name="王秀兰")
    html = clerk_client.get(f"/station/residents/{wang.pk}/").content.decode()
    assert "/estimate/?category=adult&amp;assistance=&amp;region=370303001001" in html


def test_a_payout_account_is_kept_encrypted_and_shown_masked(clerk_client):
    register(clerk_client, payout_account="6217 0012 3456 7890 123")
    resident = Resident.objects.get(name="韩梅")
    assert "6217001234567890123" not in resident.payout_account_encrypted
    assert (resident.payout_account, resident.payout_account_masked) == ("6217001234567890123", "6217****0123")
    page = clerk_client.get(f"/station/residents/{resident.pk}/").content.decode()
    assert "6217****0123" in page and "6217001234567890123" not in page
    edit = clerk_client.get(f"/station/residents/{resident.pk}/edit/").content.decode()
    assert "已登记 6217****0123" in edit and "6217001234567890123" not in edit
    village = Region.objects.get(code="370303001002")
    clerk_client.post(f"/station/residents/{resident.pk}/edit/", {
        "name": "韩梅", "phone": "", "region": village.pk, "household_number": resident.household.number,
        "household_address": "", "payout_account": "",
    })
    resident.refresh_from_db()
    assert resident.payout_account == "6217001234567890123"  # left empty: unchanged


@pytest.mark.parametrize("account", ["6217-0012", "1234567", "62170012345678901234567890"])
def test_a_wrong_payout_account_is_refused_in_chinese_and_nothing_saved(clerk_client, account):
    response = register(clerk_client, payout_account=account)
    assert response.status_code == 200 and "发放账号只能是数字" in response.content.decode()
    assert not Resident.objects.filter(name="韩梅").exists()


@pytest.mark.parametrize("failure", [DatabaseError("connection lost"), SessionInterrupted("deleted meanwhile")])
def test_a_payment_whose_session_cannot_be_saved_still_shows_its_receipt(clerk_client, monkeypatch, failure):
    from django.contrib.sessions.backends.db import SessionStore

    def lost(self, must_create=False):
        raise failure

    enrollment = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    monkeypatch.setattr(SessionStore, "save", lost)
    response = clerk_client.post(f"/station/enrollments/{enrollment.pk}/pay/",
                                 {"amount": "410.00", "method": "cash", "token": str(uuid.uuid4())})
    payment = Payment.objects.get(enrollment=enrollment)
    assert response.status_code == 302 and response["Location"] == f"/station/payments/{payment.pk}/receipt/"
