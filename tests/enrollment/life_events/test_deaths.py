"""A death recorded once, by a clerk or from the civil-affairs list, with the same effects: the
future enrollments refunded (the person paid) or cancelled, the person off the follow-up lists,
and no assistance-fund subsidy for coverage that had not started (seed 002)."""

import io
import threading
import uuid
from datetime import date
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from assistance.batches.services import batch_generate, batch_mark_paid, batch_push, subsidy_unpaid
from assistance.identities.services import categories_refresh
from assistance.models import SubsidyReversal
from enrollment import services
from enrollment.collection.reminders import reminders_due
from enrollment.collection.uninsured import uninsured
from enrollment.life_events.death_import import deaths_import
from enrollment.life_events.death_list import read_death_list
from enrollment.life_events.deaths import DeathAlreadyRecorded, death_record
from enrollment.life_events.models import Death
from enrollment.life_events.moves import move_out
from enrollment.models import Enrollment, Payment, Refund, Resident
from enrollment.selectors import follow_up
from enrollment.services import enrollment_register, refund_approve, refund_request, resident_register
from portal.network.models import Region
from portal.privacy.id_numbers import make_id_number
from portal.privacy.id_vault import id_digest
from portal.shared.vocabulary import Category
from tests.assistance.identity_helpers import NOBODY, identity, second_officer

pytestmark = pytest.mark.django_db

TODAY = date(2022, 3, 1)
ZHANG = make_id_number("370303", date(1968, 4, 2), 11)  # 张建国: 2021 and 2022 paid
ZHAO_WEI = make_id_number("370303", date(1990, 3, 3), 55)  # 赵伟: not enrolled for 2022 in the demo


def zhang() -> Resident:
    return Resident.objects.get(name="张建国")


def future_of(resident: Resident, day: date):
    return Enrollment.objects.filter(resident=resident, coverage_start__gt=day)


# -- the clerk's record ----------------------------------------------------------------------

def test_a_clerks_death_record_makes_one_death_and_refunds_what_the_person_paid(demo, clerk_chezhan):
    person = zhang()
    paid_future = [e for e in future_of(person, date(2021, 11, 30)).active()
                   if e.payments.filter(payer=Payment.Payer.RESIDENT).exists()]

    refunds = services.death_record(resident=person, date_of_death=date(2021, 11, 30), clerk=clerk_chezhan,
                                    today=TODAY)

    death = Death.objects.get(resident=person)
    assert death.source == Death.Source.CLERK and death.recorded_by == clerk_chezhan and death.death_import is None
    person.refresh_from_db()
    assert person.date_of_death == date(2021, 11, 30)
    assert person.history.first().history_change_reason == "登记死亡"
    assert {r.enrollment_id for r in refunds} == {e.pk for e in paid_future} and paid_future
    refund = next(r for r in refunds if r.enrollment.year == 2022)
    assert refund.reason == Refund.Reason.DEATH and refund.amount == Decimal("410.00") and not refund.is_approved
    # Coverage that had started stays; unpaid future enrollments are cancelled, not refunded.
    assert Enrollment.objects.get(resident=person, year=2021).status == Enrollment.Status.ACTIVE
    unpaid_future = future_of(person, date(2021, 11, 30)).exclude(pk__in=[r.enrollment_id for r in refunds])
    assert all(e.status == Enrollment.Status.CANCELLED for e in unpaid_future)


def test_the_same_death_again_changes_nothing_and_says_so(demo, clerk_chezhan):
    services.death_record(resident=zhang(), date_of_death=date(2021, 11, 30), clerk=clerk_chezhan, today=TODAY)
    refunds = Refund.objects.count()

    with pytest.raises(DeathAlreadyRecorded, match=r"记录死亡（死亡日期 2021-11-30，来源：经办人员登记）.*无需重复登记"):
        services.death_record(resident=zhang(), date_of_death=date(2021, 11, 30), clerk=clerk_chezhan, today=TODAY)
    assert Death.objects.filter(resident=zhang()).count() == 1 and Refund.objects.count() == refunds


def test_a_different_date_is_refused_with_the_recorded_date_and_source(demo, clerk_chezhan, officer):
    Death.objects.create(resident=zhang(), date_of_death=date(2021, 11, 30), source=Death.Source.CIVIL_AFFAIRS,
                         recorded_by=officer)
    Resident.objects.filter(pk=zhang().pk).update(date_of_death=date(2021, 11, 30))

    with pytest.raises(ValidationError, match=r"死亡日期 2021-11-30，来源：民政部门）.*与您填写的 2021-12-05 不同"):
        services.death_record(resident=zhang(), date_of_death=date(2021, 12, 5), clerk=clerk_chezhan, today=TODAY)
    assert zhang().date_of_death == date(2021, 11, 30)


@pytest.mark.parametrize(("day", "message"), [(date(2022, 3, 2), "不能晚于今天"), (date(1968, 4, 1), "不能早于出生日期")])
def test_an_impossible_date_is_refused_and_records_nothing(demo, clerk_chezhan, day, message):
    with pytest.raises(ValidationError, match=message):
        services.death_record(resident=zhang(), date_of_death=day, clerk=clerk_chezhan, today=TODAY)
    assert not Death.objects.filter(resident=zhang()).exists()


def test_a_clerk_cannot_record_the_death_of_someone_outside_their_scope(demo, clerk_other):
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        death_record(resident=zhang(), date_of_death=date(2021, 11, 30), clerk=clerk_other, today=TODAY)
    assert not Death.objects.exists() or not Death.objects.filter(resident=zhang()).exists()


def test_the_station_page_tells_the_clerk_a_death_was_recorded_before(clerk_client, clerk_chezhan):
    person = zhang()
    url = f"/station/residents/{person.pk}/death/"
    clerk_client.post(url, {"date_of_death": "2021-11-30"})
    response = clerk_client.post(url, {"date_of_death": "2021-11-30"}, follow=True)
    assert "无需重复登记" in response.content.decode()
    assert Death.objects.filter(resident=person).count() == 1


# -- lists ---------------------------------------------------------------------------------

def import_csv(text: str, *, user, today: date = TODAY, dry_run: bool = False):
    data = ("身份证号,姓名,死亡日期,来源\n" + text).encode()
    return deaths_import(rows=read_death_list(io.BytesIO(data), "deaths.csv"), filename="deaths.csv", user=user,
                         today=today, dry_run=dry_run)


LIU = make_id_number("370303", date(1975, 11, 20), 22)  # 刘桂英: enrolled for 2022, unpaid


def test_an_imported_death_takes_the_person_off_the_follow_up_and_uninsured_lists(demo, officer):
    chezhan = Region.objects.get(code="370303001000")
    liu, zhao = Resident.objects.get(name="刘桂英"), Resident.objects.get(name="赵伟")
    # 刘桂英 is on the 追缴名单; 赵伟, not enrolled for 2022 and alive when it began, on the 未参保名单.
    assert liu in follow_up(chezhan, year=2022) and zhao in uninsured(chezhan, year=2022, today=TODAY)

    report = import_csv(f"{LIU},刘桂英,2022-01-20,民政\n{ZHAO_WEI},赵伟,2022-02-01,公安\n", user=officer)

    assert report.recorded == 2
    assert liu not in follow_up(chezhan, year=2022) and zhao not in uninsured(chezhan, year=2022, today=TODAY)


def test_an_imported_death_stops_the_collection_reminders(demo, officer):
    chezhan = Region.objects.get(code="370303001000")
    in_window = date(2021, 10, 15)
    assert reminders_due(scope=chezhan, today=in_window).filter(resident__name="刘桂英").exists()

    import_csv(f"{LIU},刘桂英,2021-10-01,民政\n", user=officer, today=in_window)

    assert not reminders_due(scope=chezhan, today=in_window).filter(resident__name="刘桂英").exists()


# -- no subsidy for the dead ------------------------------------------------------------------

@pytest.fixture
def chezhan():
    return Region.objects.get(code="370303001000")


@pytest.fixture
def subsidised(demo, officer, clerk_chezhan, on_2022_window):
    """赵伟 (低保, 200 subsidy) and 马春兰 (特困, the whole 410 subsidised) enrolled for 2022."""
    checker = second_officer()
    identity(ZHAO_WEI, name="赵伟", document="张民低7号", imported_by=officer, verified_by=checker)
    identity(NOBODY, name="马春兰", category="extreme_poverty", document="张民特3号", imported_by=officer,
             verified_by=checker)
    categories_refresh(on=on_2022_window)
    ma = resident_register(id_number=NOBODY, name="马春兰", region=Region.objects.get(code="370303001002"),
                           clerk=clerk_chezhan, today=on_2022_window)
    zhao = Resident.objects.get(id_digest=id_digest(ZHAO_WEI))
    return {person.name: enrollment_register(resident=person, year=2022, category=Category.ADULT, clerk=clerk_chezhan,
                                             on=on_2022_window) for person in (zhao, ma)}


def test_no_special_payment_for_someone_who_died_before_coverage_started(subsidised, clerk_chezhan, officer, chezhan):
    ma = subsidised["马春兰"].resident
    death_record(resident=ma, date_of_death=date(2021, 11, 1), clerk=clerk_chezhan, today=date(2021, 11, 2))

    assert not subsidy_unpaid(year=2022, region=chezhan).filter(resident=ma).exists()
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    assert not batch.items.filter(enrollment__resident=ma).exists() and batch.reversed_total == 0
    # Nothing of her own paid (fully subsidised): the enrollment is cancelled, nothing refunded.
    assert Enrollment.objects.get(pk=subsidised["马春兰"].pk).status == Enrollment.Status.CANCELLED
    assert not Refund.objects.filter(enrollment__resident=ma).exists()


def paid_batch(officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    batch_push(batch=batch, officer=officer)
    batch_mark_paid(batch=batch, officer=officer)
    return batch


def test_a_paid_subsidy_of_someone_who_died_before_coverage_is_reversed_in_the_next_batch(
        subsidised, clerk_chezhan, officer, chezhan, admin_client_of):
    paid_batch(officer, chezhan)
    enrollment = subsidised["马春兰"]
    fund = Payment.objects.get(enrollment=enrollment, payer=Payment.Payer.ASSISTANCE_FUND)
    death_record(resident=enrollment.resident, date_of_death=date(2021, 11, 1), clerk=clerk_chezhan,
                 today=date(2021, 11, 2))
    client = admin_client_of(officer)
    generate_page = client.get("/admin/assistance/paymentbatch/generate/").content.decode()
    assert "待冲销" in generate_page and "<td>410.00</td>" in generate_page

    # Nothing left to pay for: a batch of the reversal alone.
    batch = batch_generate(year=2022, region=chezhan, officer=officer)

    reversal = SubsidyReversal.objects.get(enrollment=enrollment)
    assert reversal.batch == batch and reversal.payment == fund and reversal.amount == Decimal("410.00")
    assert batch.total == 0 and batch.reversed_total == Decimal("410.00") and not batch.items.exists()
    with pytest.raises(ValidationError, match="也没有待冲销的资助"):
        batch_generate(year=2022, region=chezhan, officer=officer)
    assert SubsidyReversal.objects.count() == 1
    page = client.get(f"/admin/assistance/paymentbatch/{batch.pk}/change/").content.decode()
    assert "-410.00" in page
    export = client.get(f"/admin/assistance/paymentbatch/{batch.pk}/export/", {"format": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(export.content)).active
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert [(row[1], row[7]) for row in rows] == [("冲销", -410)]
    assert "*" in rows[0][4]


def test_a_subsidy_for_coverage_that_had_started_is_not_reversed(subsidised, clerk_chezhan, officer, chezhan):
    paid_batch(officer, chezhan)
    enrollment = subsidised["赵伟"]
    death_record(resident=enrollment.resident, date_of_death=date(2022, 2, 1), clerk=clerk_chezhan, today=TODAY)
    with pytest.raises(ValidationError, match="没有待由医疗救助基金缴纳"):
        batch_generate(year=2022, region=chezhan, officer=officer)
    assert not SubsidyReversal.objects.exists()


@pytest.fixture
def admin_client_of(client):
    def signed_in(user):
        client.force_login(user)
        return client
    return signed_in


# -- a clerk and an import at once (PostgreSQL) ----------------------------------------------------

@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL: SQLite serialises all writers")
def test_a_clerks_record_and_an_import_of_the_same_death_at_once_make_one_death_and_one_refund(
        demo, clerk_chezhan, officer):
    person = zhang()
    data = f"身份证号,姓名,死亡日期,来源\n{ZHANG},张建国,2021-11-30,民政\n".encode()
    barrier = threading.Barrier(2)
    outcomes = {}

    def clerk():
        barrier.wait()
        try:
            outcomes["clerk"] = death_record(resident=person, date_of_death=date(2021, 11, 30), clerk=clerk_chezhan,
                                             today=TODAY)
        except Exception as error:  # asserted below
            outcomes["clerk"] = error
        finally:
            connections.close_all()

    def importer():
        barrier.wait()
        try:
            outcomes["import"] = deaths_import(rows=read_death_list(io.BytesIO(data), "d.csv"), filename="d.csv",
                                               user=officer, today=TODAY, dry_run=False)
        except Exception as error:  # asserted below
            outcomes["import"] = error
        finally:
            connections.close_all()

    active_before = list(Enrollment.objects.filter(resident=person).active().values_list("pk", flat=True))
    for _ in range(5):
        threads = [threading.Thread(target=clerk), threading.Thread(target=importer)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        report = outcomes["import"]
        assert not isinstance(report, Exception), report
        assert report.committed and not report.errors
        assert isinstance(outcomes["clerk"], list | DeathAlreadyRecorded), outcomes["clerk"]
        assert report.recorded + (0 if isinstance(outcomes["clerk"], DeathAlreadyRecorded) else 1) == 1
        assert Death.objects.filter(resident=person).count() == 1
        refunds = Refund.objects.filter(enrollment__resident=person, enrollment__year=2022)
        assert refunds.count() == 1 and refunds.get().amount == Decimal("410.00")
        # Again, from the start: undo this round's death.
        Refund.objects.filter(enrollment__resident=person).delete()
        Death.objects.filter(resident=person).delete()
        Resident.objects.filter(pk=person.pk).update(date_of_death=None)
        Enrollment.objects.filter(pk__in=active_before).update(status=Enrollment.Status.ACTIVE)


def test_a_paid_subsidy_of_an_enrollment_cancelled_since_is_reversed_too(subsidised, clerk_chezhan, officer, chezhan):
    paid_batch(officer, chezhan)
    enrollment = subsidised["赵伟"]  # 低保: 200 from the fund, 210 of his own
    Payment.objects.create(enrollment=enrollment, amount=enrollment.payable, method="cash", recorded_by=clerk_chezhan,
                           receipt_number="R-ZHAO-2022", verification_code="zhao-2022", idempotency_token=uuid.uuid4())
    # On the employee insurance's list as well (重复参保): refunded and, once approved, cancelled.
    refund = refund_request(enrollment=enrollment, reason=Refund.Reason.DUPLICATE, clerk=clerk_chezhan)
    refund_approve(refund=refund, approver=officer)

    batch = batch_generate(year=2022, region=chezhan, officer=officer)

    reversal = SubsidyReversal.objects.get(enrollment=enrollment)
    assert reversal.batch == batch and reversal.amount == Decimal("200.00") and "重复参保" in reversal.reason
    assert batch.reversed_total == Decimal("200.00")


def test_a_batch_generated_before_the_death_pays_nothing_for_that_person(subsidised, clerk_chezhan, officer, chezhan):
    batch = batch_generate(year=2022, region=chezhan, officer=officer)
    batch_push(batch=batch, officer=officer)
    ma = subsidised["马春兰"]
    death_record(resident=ma.resident, date_of_death=date(2021, 11, 1), clerk=clerk_chezhan, today=date(2021, 11, 2))

    assert batch_mark_paid(batch=batch, officer=officer) == batch.items.count() - 1  # all but hers
    assert not Payment.objects.filter(enrollment=ma, payer=Payment.Payer.ASSISTANCE_FUND).exists()
    assert Payment.objects.filter(enrollment=subsidised["赵伟"], payer=Payment.Payer.ASSISTANCE_FUND).exists()


def test_a_paid_subsidy_of_someone_who_moved_out_before_coverage_is_reversed(subsidised, clerk_chezhan, officer,
                                                                             chezhan):
    paid_batch(officer, chezhan)
    ma = subsidised["马春兰"]  # 特困: all 410 from the fund, nothing of her own
    move_out(resident=ma.resident, elsewhere="青岛市", reason="随子女迁居", moved_on=date(2021, 11, 20),
             clerk=clerk_chezhan, today=date(2021, 11, 25))

    batch = batch_generate(year=2022, region=chezhan, officer=officer)

    reversal = SubsidyReversal.objects.get(enrollment=ma)
    assert reversal.batch == batch and reversal.amount == Decimal("410.00") and "迁出本统筹区" in reversal.reason


def test_no_special_payment_for_someone_who_moved_out_before_coverage(subsidised, clerk_chezhan, officer, chezhan):
    zhao = subsidised["赵伟"]  # 低保: 200 from the fund; his own 210 paid, so his refund awaits approval
    Payment.objects.create(enrollment=zhao, amount=zhao.payable, method="cash", recorded_by=clerk_chezhan,
                           receipt_number="R-ZHAO-MOVE", verification_code="zhao-move", idempotency_token=uuid.uuid4())
    move_out(resident=zhao.resident, elsewhere="青岛市", reason="工作调动", moved_on=date(2021, 11, 20),
             clerk=clerk_chezhan, today=date(2021, 11, 25))
    assert Enrollment.objects.get(pk=zhao.pk).status == Enrollment.Status.ACTIVE  # until the refund is approved

    assert not subsidy_unpaid(year=2022, region=chezhan).filter(pk=zhao.pk).exists()
