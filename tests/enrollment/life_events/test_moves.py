"""Moves (转移接续): within the city the new township takes a person in and their enrollment stays
valid; out of the city enrollments not yet started are refunded or cancelled and the person
leaves the follow-up lists; into the city the previous insurer is recorded."""

import re
import threading
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from enrollment import selectors, services
from enrollment.collection.progress import expected_residents
from enrollment.collection.reminders import reminders_due
from enrollment.collection.uninsured import uninsured
from enrollment.life_events.models import Move
from enrollment.life_events.moves import move_back_in, move_out, move_within
from enrollment.models import Enrollment, Household, Refund, Resident
from portal.accounts.roles import CLERK
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number, parse_id_number
from portal.privacy.id_vault import id_digest, id_encrypt
from portal.privacy.models import AccessLogEntry
from portal.shared.vocabulary import Category
from tests.factories import region_chain, staff_user
from tests.logins import otp_login

WANG = "370303195203151223"  # 王秀兰 of 华光路社区 (车站街道), enrolled and paid for 2021 and 2022
HUAGUANG, JINJING, RENMIN = "370303001001", "370303002001", "370303002002"
XINGYUAN = "370303003000"  # a third township, with no part in these moves
SPRING = date(2022, 3, 1)  # 2022's coverage is under way


def region(code: str) -> Region:
    return Region.objects.get(code=code)


def wang() -> Resident:
    return Resident.objects.get(name="王秀兰")


@pytest.fixture
def clerk_xingyuan(demo_network):
    return staff_user(role=CLERK, scope=region(XINGYUAN), username="clerk_xingyuan")


def take_in(resident, clerk, *, to=JINJING, moved_on=date(2022, 2, 20), today=SPRING, household=None, **kwargs):
    kwargs.setdefault("expected_from", region(HUAGUANG))
    return move_within(resident=resident, to_region=region(to), household=household, reason="购房迁居",
                       moved_on=moved_on, clerk=clerk, today=today, **kwargs)


# --- within the city: the services --------------------------------------------------------------

@pytest.mark.django_db
def test_a_move_within_the_city_changes_home_and_household_but_not_the_paid_enrollment(demo, clerk_other):
    person = wang()
    old_household = person.household
    enrollment = Enrollment.objects.get(resident=person, year=2022)
    new_household = services.household_create(region=region(JINJING), address="金晶小区 1 号", clerk=clerk_other)

    move = take_in(person, clerk_other, household=new_household)

    person.refresh_from_db()
    old_household.refresh_from_db()
    new_household.refresh_from_db()
    assert (move.kind, move.from_region.code, move.to_region.code) == (Move.Kind.WITHIN, HUAGUANG, JINJING)
    assert person.region.code == JINJING and person.household == new_household
    assert old_household.head_id is None and new_household.head == person  # she was the old one's head
    kept = Enrollment.objects.get(pk=enrollment.pk)
    assert (kept.status, kept.paid_at, kept.payable, kept.coverage_start, kept.coverage_end) == (
        enrollment.status, enrollment.paid_at, enrollment.payable, enrollment.coverage_start, enrollment.coverage_end)
    assert kept.payments.count() == 1


@pytest.mark.django_db
def test_after_the_move_no_gap_and_no_second_payment_is_asked(demo, clerk_other):
    take_in(wang(), clerk_other)
    person, gongyuan = wang(), region("370303002000")

    assert person not in uninsured(gongyuan, year=2022, today=SPRING)
    assert person not in selectors.follow_up(gongyuan, year=2022)
    assert person in expected_residents(gongyuan, year=2022, today=SPRING)  # counted where she lives now
    with pytest.raises(ValidationError, match="同一人同一年度只能参保一次"):
        services.enrollment_register(resident=person, year=2022, category=Category.ADULT, clerk=clerk_other,
                                     on=SPRING)


@pytest.mark.django_db
def test_enrollments_still_to_collect_or_not_yet_in_force_move_to_the_new_township(demo, clerk_other, clerk_chezhan):
    person = wang()
    in_force = Enrollment.objects.get(resident=person, year=2022)
    # Next year's, registered in this autumn's window and not paid yet.
    ahead = Enrollment.objects.get(pk=in_force.pk)
    ahead.pk, ahead.year, ahead.paid_at = None, 2023, None
    ahead.coverage_start, ahead.coverage_end, ahead.registered_on = date(2023, 1, 1), date(2023, 12, 31), date(2022, 2, 1)
    ahead.save()

    take_in(person, clerk_other)

    assert Enrollment.objects.get(pk=in_force.pk).region.code == HUAGUANG  # paid and in force: stays
    assert Enrollment.objects.get(pk=ahead.pk).region.code == JINJING  # the new township collects it
    assert Enrollment.objects.visible_to(clerk_other).filter(pk=ahead.pk).exists()
    assert not Enrollment.objects.visible_to(clerk_chezhan).filter(pk=ahead.pk).exists()


@pytest.mark.django_db
def test_someone_already_taken_in_elsewhere_is_refused_naming_the_township_masked(demo, clerk_other, clerk_xingyuan):
    person = wang()
    take_in(person, clerk_other)

    with pytest.raises(ValidationError) as refused:
        take_in(person, clerk_xingyuan, to="370303003001")

    message = refused.value.messages[0]
    assert "公园街道" in message and "赵*办" in message and "不能重复办理" in message
    assert "金晶社区" not in message and "赵经办" not in message
    assert Move.objects.filter(resident=person).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(("moved_on", "message"), [
    (date(2022, 3, 2), "不能晚于今天"),
    (date(1952, 3, 14), "不能早于出生日期"),
])
def test_the_move_date_is_neither_in_the_future_nor_before_birth(demo, clerk_other, moved_on, message):
    with pytest.raises(ValidationError, match=message):
        take_in(wang(), clerk_other, moved_on=moved_on)
    assert wang().region.code == HUAGUANG


@pytest.mark.django_db
def test_the_move_date_is_not_before_the_last_move(demo, clerk_other, clerk_chezhan):
    take_in(wang(), clerk_other, moved_on=date(2022, 2, 20))
    with pytest.raises(ValidationError, match="不能早于此人上一次迁移的日期（2022-02-20）"):
        take_in(wang(), clerk_chezhan, to=HUAGUANG, moved_on=date(2022, 2, 1), expected_from=region(JINJING))
    take_in(wang(), clerk_chezhan, to=HUAGUANG, moved_on=date(2022, 2, 20), expected_from=region(JINJING))
    assert wang().region.code == HUAGUANG


@pytest.mark.django_db
def test_the_dead_and_the_moved_out_are_not_taken_in(demo, clerk_other, clerk_chezhan):
    move_out(resident=wang(), elsewhere="青岛市城乡居民医保", reason="户口迁出", moved_on=date(2022, 1, 10),
             clerk=clerk_chezhan, today=SPRING)
    with pytest.raises(ValidationError, match="已于 2022-01-10 迁出本统筹区，请按“迁回”办理"):
        take_in(wang(), clerk_other)
    zhao = Resident.objects.get(name="赵伟")
    Resident.objects.filter(pk=zhao.pk).update(date_of_death=date(2022, 1, 5))
    with pytest.raises(ValidationError, match="已于 2022-01-05 登记死亡"):
        take_in(zhao, clerk_other, expected_from=zhao.region)


@pytest.mark.django_db
def test_a_clerk_takes_people_only_into_villages_and_households_of_their_scope(demo, clerk_other):
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        take_in(wang(), clerk_other, to="370303003001")
    chezhan_household = Household.objects.filter(region__code__startswith="370303001").first()
    with pytest.raises(ValidationError, match="本辖区内没有这个家庭户编号"):
        take_in(wang(), clerk_other, household=chezhan_household)
    assert not Move.objects.exists() and wang().region.code == HUAGUANG


# --- within the city: the pages -------------------------------------------------------------------

def find(client, number=WANG, name="王秀兰"):
    return client.post("/station/moves/take-in/", {"id_number": number, "name": name})


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.content.decode())[1]


def confirm(client, token, *, to=JINJING, **overrides):
    data = {"token": token, "to_region": region(to).pk, "household_number": "", "household_address": "金晶小区 2 号",
            "moved_on": "2021-10-10", "reason": "投靠子女", "elsewhere": "", **overrides}
    return client.post("/station/moves/take-in/", data)


@pytest.mark.django_db
def test_the_new_townships_clerk_takes_a_resident_in_by_number_and_name(client, clerk_other, demo, on_2022_window):
    otp_login(client, clerk_other)
    found = find(client)
    page = found.content.decode()
    assert found.status_code == 200 and "370303********1223" in page and "华光路社区" in page
    assert WANG not in page
    entry = AccessLogEntry.objects.filter(user=clerk_other, action="move_lookup").get()
    assert entry.subject_digest == id_digest(WANG)

    done = confirm(client, token_of(found))

    person = wang()
    assert done.status_code == 302 and done["Location"] == f"/station/residents/{person.pk}/"
    assert person.region.code == JINJING and person.household.region.code == JINJING
    record = client.get(done["Location"]).content.decode()
    # Her enrollments stay on her page, registered where she lived then, with the move in her history.
    assert "2022 年度" in record and "2021 年度" in record and "在华光路社区登记" in record
    assert re.search(r"2021-10-10</td>\s*<td>统筹区内迁移</td>\s*<td>华光路社区</td>\s*<td>金晶社区</td>", record)


@pytest.mark.django_db
def test_a_wrong_name_an_unknown_number_and_a_person_of_another_city_get_the_same_answer(client, clerk_other, demo):
    jinan_village = region_chain("37", "3701", "370102", "370102001", "370102001001")[-1]
    other = make_id_number("370102", date(1980, 5, 5), 15)
    parsed = parse_id_number(other, today=date(2021, 1, 1))
    Resident.objects.create(id_number_encrypted=id_encrypt(other), id_digest=id_digest(other), id_masked=parsed.masked,
                            name="钱多多", gender=parsed.gender.value, birth_date=parsed.birth_date, region=jinan_village)
    otp_login(client, clerk_other)

    answers = [find(client, WANG, "王小兰"), find(client, make_id_number("370303", date(1970, 1, 1), 5), "王秀兰"),
               find(client, other, "钱多多")]

    texts = [re.search(r'<div class="alert[^"]*"[^>]*>(.*?)</div>', a.content.decode(), re.S)[1] for a in answers]
    assert len(set(texts)) == 1 and "没有找到身份证号与姓名都相符、登记在淄博市的居民" in texts[0]
    for answer in answers:
        page = answer.content.decode()
        assert 'name="token"' not in page and "华光路" not in page and "济南" not in page
    assert AccessLogEntry.objects.filter(user=clerk_other, action="move_lookup").count() == 3


@pytest.mark.django_db
def test_a_confirmation_with_a_forged_token_moves_nobody(client, clerk_other, demo):
    otp_login(client, clerk_other)
    response = confirm(client, "eyJyZXNpZGVudCI6MX0:forged:token")
    assert response.status_code == 302 and response["Location"] == "/station/moves/take-in/"
    assert wang().region.code == HUAGUANG and not Move.objects.exists()


@pytest.mark.django_db
def test_the_old_township_sees_the_move_out_and_a_third_township_sees_nothing(client, demo, clerk_chezhan, clerk_other,
                                                                              clerk_xingyuan):
    take_in(wang(), clerk_other, moved_on=date(2021, 10, 10), today=date(2021, 10, 15))
    person = wang()

    otp_login(client, clerk_chezhan)
    gone = client.get("/station/moves/", {"tab": "out"}).content.decode()
    assert "王*兰" in gone and "370303********1223" in gone and "金晶社区" in gone and "购房迁居" in gone
    assert "王秀兰" not in gone and f"/station/residents/{person.pk}/" not in gone  # no longer hers to open
    assert client.get(f"/station/residents/{person.pk}/").status_code == 404

    otp_login(client, clerk_other)
    came = client.get("/station/moves/").content.decode()
    assert "王*兰" in came and f"/station/residents/{person.pk}/" in came and "赵*办" in came

    otp_login(client, clerk_xingyuan)
    for tab in ("in", "out"):
        assert "王*兰" not in client.get("/station/moves/", {"tab": tab}).content.decode()
    assert AccessLogEntry.objects.filter(action="view_moves").count() == 4


@pytest.mark.django_db
def test_the_station_navigation_leads_to_the_moves(clerk_client):
    assert '<a class="nav-link" href="/station/moves/">迁移（转移接续）</a>' in clerk_client.get("/station/").content.decode()


# --- out of the city ----------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_move_out_before_coverage_refunds_the_paid_and_cancels_the_unpaid(demo, clerk_chezhan):
    today = date(2021, 11, 20)
    paid = Enrollment.objects.get(resident=wang(), year=2022)
    liu = Resident.objects.get(name="刘桂英")

    result = move_out(resident=wang(), elsewhere="青岛市城乡居民医保", reason="户口迁出", moved_on=today,
                      clerk=clerk_chezhan, today=today)
    unpaid = move_out(resident=liu, elsewhere="北京市职工医保", reason="外地就业", moved_on=today, clerk=clerk_chezhan,
                      today=today)

    (refund,) = result.refunds
    assert (refund.enrollment, refund.reason, refund.amount) == (paid, Refund.Reason.MOVED_OUT, paid.payments.get().amount)
    assert not refund.is_approved  # on the refund list, for an officer to approve
    assert Enrollment.objects.get(resident=liu, year=2022).status == Enrollment.Status.CANCELLED
    assert [e.year for e in unpaid.cancelled] == [2022]
    # The year under way runs to its end, as every year does.
    assert Enrollment.objects.get(resident=wang(), year=2021).status == Enrollment.Status.ACTIVE
    assert wang().moved_out_on == today
    move = Move.objects.get(resident=wang())
    assert (move.kind, move.from_region.code, move.to_region, move.elsewhere) == (
        Move.Kind.OUT, HUAGUANG, None, "青岛市城乡居民医保")


@pytest.mark.django_db
def test_a_move_out_during_coverage_keeps_the_enrollment_to_the_end_of_the_year(demo, clerk_chezhan):
    result = move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=SPRING, clerk=clerk_chezhan,
                      today=SPRING)
    kept = Enrollment.objects.get(resident=wang(), year=2022)
    assert not result.refunds and not result.cancelled
    assert kept.status == Enrollment.Status.ACTIVE and kept.coverage_end == date(2022, 12, 31)


@pytest.mark.django_db
def test_a_move_out_is_recorded_once_and_only_in_the_clerks_scope(demo, clerk_chezhan, clerk_other):
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=SPRING, clerk=clerk_other, today=SPRING)
    move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=SPRING, clerk=clerk_chezhan, today=SPRING)
    with pytest.raises(ValidationError, match="不能重复办理"):
        move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=SPRING, clerk=clerk_chezhan,
                 today=SPRING)
    assert Move.objects.filter(kind=Move.Kind.OUT).count() == 1


@pytest.mark.django_db
def test_the_moved_out_leave_the_expected_uninsured_follow_up_and_reminder_lists(demo, clerk_chezhan):
    chezhan = region("370303001000")
    zhao, liu = Resident.objects.get(name="赵伟"), Resident.objects.get(name="刘桂英")
    today = date(2021, 11, 25)
    assert zhao in uninsured(chezhan, year=2022, today=today) and zhao in selectors.follow_up(chezhan, year=2022)

    move_out(resident=zhao, elsewhere="青岛市", reason="户口迁出", moved_on=date(2021, 11, 20), clerk=clerk_chezhan,
             today=today)

    assert zhao not in expected_residents(chezhan, year=2022, today=today)
    assert zhao in expected_residents(chezhan, year=2021, today=today)  # he lived here all of 2021 but December
    assert zhao not in uninsured(chezhan, year=2022, today=today)

    assert zhao not in selectors.follow_up(chezhan, year=2022)
    # An unpaid enrollment left active (the data of an older record) is not reminded either.
    assert liu.pk in {e.resident_id for e in reminders_due(scope=chezhan, today=today)}
    Resident.objects.filter(pk=liu.pk).update(moved_out_on=date(2021, 11, 1))
    assert liu.pk not in {e.resident_id for e in reminders_due(scope=chezhan, today=today)}


@pytest.mark.django_db
def test_someone_who_moves_out_during_the_year_is_counted_for_it_but_no_longer_followed_up(demo, clerk_chezhan):
    chezhan, zhao, today = region("370303001000"), Resident.objects.get(name="赵伟"), date(2022, 5, 1)
    assert zhao in uninsured(chezhan, year=2022, today=today)

    move_out(resident=zhao, elsewhere="青岛市", reason="户口迁出", moved_on=date(2022, 4, 1), clerk=clerk_chezhan,
             today=today)

    assert zhao in expected_residents(chezhan, year=2022, today=today)  # he lived here when 2022 began
    assert zhao not in uninsured(chezhan, year=2022, today=today)


@pytest.mark.django_db
def test_no_enrollment_is_quoted_for_a_year_after_the_move_out(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")
    move_out(resident=zhao, elsewhere="青岛市", reason="户口迁出", moved_on=date(2021, 10, 1), clerk=clerk_chezhan,
             today=date(2021, 10, 15))
    with pytest.raises(ValidationError, match="已于 2021-10-01 迁出本统筹区，不能在这里登记 2022 年度参保"):
        services.premium_quote(resident=Resident.objects.get(pk=zhao.pk), year=2022, category=Category.ADULT,
                               on=date(2021, 10, 15))


@pytest.mark.django_db
def test_the_move_out_page_records_the_move_and_says_what_became_of_the_enrollments(clerk_client, on_2022_window):
    person = wang()
    page = clerk_client.get(f"/station/residents/{person.pk}/move-out/")
    assert page.status_code == 200 and "2022 年度" in page.content.decode()

    refused = clerk_client.post(f"/station/residents/{person.pk}/move-out/",
                                {"elsewhere": "青岛市", "moved_on": "2021-10-16", "reason": "户口迁出"})
    assert refused.status_code == 200 and "不能晚于今天" in refused.content.decode() and not Move.objects.exists()

    done = clerk_client.post(f"/station/residents/{person.pk}/move-out/",
                             {"elsewhere": "青岛市城乡居民医保", "moved_on": "2021-10-15", "reason": "户口迁出"}, follow=True)
    text = done.content.decode()
    assert "已登记 王秀兰 迁出本统筹区" in text and "已申请退还 2022 年度个人缴费" in text
    assert "已迁出本统筹区" in text and "青岛市城乡居民医保" in text


# --- into the city ------------------------------------------------------------------------------

@pytest.mark.django_db
def test_a_resident_who_moved_out_is_taken_back_in_with_where_from(demo, clerk_chezhan, clerk_other):
    move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=date(2022, 1, 10), clerk=clerk_chezhan,
             today=SPRING)
    with pytest.raises(ValidationError, match="请填写迁自何地"):
        move_back_in(resident=wang(), to_region=region(RENMIN), household=None, elsewhere=" ", reason="返乡",
                     moved_on=date(2022, 2, 1), clerk=clerk_other, today=SPRING)

    move = move_back_in(resident=wang(), to_region=region(RENMIN), household=None, elsewhere="青岛市城乡居民医保",
                        reason="返乡", moved_on=date(2022, 2, 1), clerk=clerk_other, today=SPRING)

    person = wang()
    assert (move.kind, move.from_region, move.to_region.code, move.elsewhere) == (
        Move.Kind.IN, None, RENMIN, "青岛市城乡居民医保")
    assert person.moved_out_on is None and person.region.code == RENMIN
    services.premium_quote(resident=person, year=2022, category=Category.ADULT, on=SPRING)  # may enrol again


@pytest.mark.django_db
def test_the_take_in_page_asks_a_returning_person_where_they_come_from(client, clerk_chezhan, clerk_other, demo,
                                                                      on_2022_window):
    move_out(resident=wang(), elsewhere="青岛市", reason="户口迁出", moved_on=date(2021, 10, 1), clerk=clerk_chezhan,
             today=on_2022_window)
    otp_login(client, clerk_other)
    found = find(client)
    assert "已于 2021-10-01 迁出本统筹区" in found.content.decode()
    token = token_of(found)

    missing = confirm(client, token, to=RENMIN)
    assert missing.status_code == 200 and "请填写迁自何地" in missing.content.decode()
    done = confirm(client, token, to=RENMIN, elsewhere="青岛市城乡居民医保")
    assert done.status_code == 302 and wang().region.code == RENMIN and wang().moved_out_on is None


@pytest.mark.django_db
def test_a_new_person_from_another_region_is_registered_with_where_they_were_insured(clerk_client):
    number = make_id_number("370102", date(1985, 5, 20), 37)
    response = clerk_client.post("/station/residents/new/", {
        "id_number": number, "name": "韩梅", "region": region("370303001002").pk, "household_address": "共青团路 3 号",
        "moved_in_from": "济南市城乡居民医保",
    })
    resident = Resident.objects.get(name="韩梅")
    assert response.status_code == 302
    move = Move.objects.get(resident=resident)
    assert (move.kind, move.to_region.code, move.elsewhere) == (Move.Kind.IN, "370303001002", "济南市城乡居民医保")
    assert "济南市城乡居民医保" in clerk_client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_transfer_enrollment_needs_and_keeps_the_previous_insurer(clerk_client, on_2022_window):
    zhao = Resident.objects.get(name="赵伟")
    form = {"year": 2022, "category": "adult", "transfer": "on", "action": "confirm"}
    assert "转入参保：职工医保或外地城乡居民医保中断 3 个月内转入" in clerk_client.get(
        f"/station/residents/{zhao.pk}/enroll/").content.decode()

    refused = clerk_client.post(f"/station/residents/{zhao.pk}/enroll/", form)
    assert refused.status_code == 200 and "请填写原参保地及险种" in refused.content.decode()
    assert not Enrollment.objects.filter(resident=zhao, year=2022).exists()

    done = clerk_client.post(f"/station/residents/{zhao.pk}/enroll/", {**form, "previous_insurer": "济南市城乡居民医保"})
    enrollment = Enrollment.objects.get(resident=zhao, year=2022)
    assert done.status_code == 302 and enrollment.transfer and enrollment.previous_insurer == "济南市城乡居民医保"
    assert enrollment.payable == Decimal("410.00")
    assert "原参保地及险种：济南市城乡居民医保" in clerk_client.get(done["Location"]).content.decode()


# --- history --------------------------------------------------------------------------------------

@pytest.mark.django_db
def test_the_resident_page_shows_where_the_person_lived_when_newest_first(client, demo, clerk_chezhan, clerk_other):
    take_in(wang(), clerk_other, moved_on=date(2022, 1, 5))
    take_in(wang(), clerk_other, to=RENMIN, moved_on=date(2022, 2, 5), expected_from=region(JINJING))
    otp_login(client, clerk_other)
    page = client.get(f"/station/residents/{wang().pk}/").content.decode()
    history = page[page.index("迁移记录"):]
    assert history.index("2022-02-05") < history.index("2022-01-05")
    assert re.search(r"2022-02-05</td>\s*<td>统筹区内迁移</td>\s*<td>金晶社区</td>\s*<td>人民公园社区</td>", history)


# --- two townships at once (PostgreSQL) -----------------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
def test_two_townships_taking_the_same_person_in_at_once_make_one_move(demo, clerk_other, clerk_xingyuan):
    person, huaguang = wang(), region(HUAGUANG)
    destinations = [(clerk_other, region(JINJING)), (clerk_xingyuan, region("370303003001"))]
    barrier = threading.Barrier(len(destinations))
    outcomes: list = [None] * len(destinations)

    def worker(index: int) -> None:
        clerk, village = destinations[index]
        try:
            barrier.wait()
            outcomes[index] = move_within(resident=person, to_region=village, household=None, reason="购房迁居",
                                          moved_on=date(2022, 2, 20), clerk=clerk, expected_from=huaguang,
                                          today=SPRING)
        except Exception as error:  # collected and asserted on below
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(len(destinations))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    moves = [o for o in outcomes if isinstance(o, Move)]
    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(moves) == 1 and len(refused) == 1, outcomes
    assert Move.objects.filter(resident=person).count() == 1
    winner = moves[0].to_region
    assert wang().region == winner
    township = "公园街道" if winner.code == JINJING else "杏园街道"
    assert township in refused[0].messages[0] and "不能重复办理" in refused[0].messages[0]
