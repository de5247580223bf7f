"""High-cost alerts (高额费用负担患者预警): the burden, the threshold, one alert per person and
township, their handling and where clerks see them."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from assistance.models import HighCostAlert
from assistance.settlements.imports import SettlementRow, settlements_import
from assistance.settlements.rules import SettlementAmounts, alert_threshold_for, annual_burden, raises_alert
from assistance.settlements.services import alert_acknowledge, alert_resolve, alerts_refresh
from portal.shared.vocabulary import AssistanceCategory
from tests.assistance.case_helpers import WANG, set_category, threshold

D = Decimal


# -- The burden (pure) -----------------------------------------------------------------------

def test_the_burden_is_the_policy_range_less_the_three_layers():
    stay = SettlementAmounts("inpatient", D("150000.00"), D("90000.00"), D("34125.00"), D("18112.50"))
    assert stay.burden == D("7762.50")


def test_the_part_outside_the_policy_range_is_not_burden():
    # 10,000 of 自费 outside the catalogue: the same burden as without it.
    visit = SettlementAmounts("inpatient", D("20000.00"), D("12000.00"), D("0.00"), D("0.00"))
    assert visit.burden == D("8000.00")


def test_the_annual_burden_adds_every_visit_kind():
    year = [
        SettlementAmounts("inpatient", D("50000.00"), D("30000.00"), D("1000.00"), D("0.00")),
        SettlementAmounts("outpatient", D("300.00"), D("125.00"), D("0.00"), D("0.00")),
        SettlementAmounts("maternity", D("3600.00"), D("1500.00"), D("0.00"), D("0.00")),
    ]
    assert annual_burden(year) == D("19000.00") + D("175.00") + D("2100.00")
    assert annual_burden([]) == D("0.00")


def test_a_burden_never_goes_below_zero():
    assert SettlementAmounts("inpatient", D("100.00"), D("100.00"), D("10.00"), D("0.00")).burden == D("0.00")


def test_the_assistance_threshold_applies_to_people_with_a_category():
    kwargs = {"for_assistance": D("5000.00"), "for_others": D("20000.00")}
    assert alert_threshold_for(assistance=AssistanceCategory.MONITORED, **kwargs) == D("5000.00")
    assert alert_threshold_for(assistance=None, **kwargs) == D("20000.00")


def test_passing_the_threshold_means_above_it():
    assert not raises_alert(D("5000.00"), D("5000.00"))
    assert raises_alert(D("5000.01"), D("5000.00"))


# -- Alerts in the database ------------------------------------------------------------------

TODAY = date(2022, 12, 31)


def _settle(number: str, day: str, policy_range: str, basic: str, catastrophic="0", assistance="0"):
    total = policy_range
    personal = str(D(total) - D(basic) - D(catastrophic) - D(assistance))
    row = SettlementRow(2, (number, day, "淄博市中心医院", "住院", total, policy_range, basic, catastrophic,
                            assistance, personal))
    report = settlements_import(rows=[row], user=None, today=TODAY, dry_run=False)
    assert report.errors == []
    return report


@pytest.fixture
def alert_world(wang):
    threshold()
    set_category(wang, "minimum_living")
    _settle(WANG, "2022-03-01", "20000.00", "14000.00")  # burden 6000 > 5000
    return wang


@pytest.mark.django_db
def test_a_person_above_their_threshold_gets_one_alert_for_their_township(alert_world):
    report = alerts_refresh(year=2022)
    alert = HighCostAlert.objects.get()
    assert report.opened == 1
    assert (alert.township.code, alert.burden, alert.threshold, alert.status) == (
        "370303001000", D("6000.00"), D("5000.00"), "open")


@pytest.mark.django_db
def test_recomputing_never_opens_a_second_alert_and_keeps_the_status(alert_world, clerk_chezhan):
    alerts_refresh(year=2022)
    alert_acknowledge(alert_id=HighCostAlert.objects.get().pk, clerk=clerk_chezhan)
    _settle(WANG, "2022-06-01", "1000.00", "500.00")
    report = alerts_refresh(year=2022)
    alert = HighCostAlert.objects.get()
    assert (report.opened, report.updated) == (0, 1)
    assert (alert.burden, alert.status) == (D("6500.00"), "acknowledged")


@pytest.mark.django_db
def test_the_database_refuses_a_second_alert_for_the_same_township(alert_world):
    from django.db import IntegrityError, transaction

    alerts_refresh(year=2022)
    alert = HighCostAlert.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        HighCostAlert.objects.create(year=2022, resident=alert.resident, township=alert.township,
                                     burden=D("1"), threshold=D("0"))


@pytest.mark.django_db
def test_people_without_a_category_have_the_higher_threshold(wang):
    threshold()
    _settle(WANG, "2022-03-01", "20000.00", "14000.00")  # 6000: below 20,000
    assert alerts_refresh(year=2022).opened == 0
    _settle(WANG, "2022-04-01", "60000.00", "45000.00")  # 21,000 in all
    assert alerts_refresh(year=2022).opened == 1


@pytest.mark.django_db
def test_no_threshold_no_alert_and_the_command_says_which_region(wang):
    import io

    from django.core.management import call_command

    set_category(wang, "minimum_living")
    _settle(WANG, "2022-03-01", "20000.00", "14000.00")
    out = io.StringIO()
    call_command("recompute_alerts", "--year", "2022", stdout=out)
    assert "370300000000 没有设置 2022 年度预警线" in out.getvalue()
    assert not HighCostAlert.objects.exists()


@pytest.mark.django_db
def test_an_alert_is_acknowledged_then_resolved_with_an_outcome(alert_world, clerk_chezhan):
    alerts_refresh(year=2022)
    pk = HighCostAlert.objects.get().pk
    with pytest.raises(ValidationError, match="请先确认知悉"):
        alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="no_action", notes="x")
    alert_acknowledge(alert_id=pk, clerk=clerk_chezhan)
    with pytest.raises(ValidationError, match="处理说明"):
        alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="no_action", notes=" ")
    with pytest.raises(ValidationError, match="请选择处理结果"):
        alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="unknown", notes="x")
    alert = alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="assistance_granted", notes="已受理依申请救助。")
    assert (alert.status, alert.outcome, alert.resolved_by) == ("resolved", "assistance_granted", clerk_chezhan)
    with pytest.raises(ValidationError, match="已处理完毕"):
        alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="no_action", notes="x")
    assert alert.history.count() == 3


@pytest.mark.django_db
def test_a_clerk_of_another_township_cannot_handle_the_alert(alert_world, clerk_other):
    alerts_refresh(year=2022)
    pk = HighCostAlert.objects.get().pk
    with pytest.raises(ValidationError, match="不在您的管辖范围"):
        alert_acknowledge(alert_id=pk, clerk=clerk_other)
    assert HighCostAlert.objects.get().status == "open"


# -- Pages -----------------------------------------------------------------------------------

@pytest.fixture
def alert(alert_world):
    alerts_refresh(year=2022)
    return HighCostAlert.objects.get()


@pytest.mark.django_db
def test_the_dashboard_shows_the_alerts_of_the_clerks_scope(client, alert, clerk_chezhan, clerk_other, on_2022_window):
    client.force_login(clerk_chezhan)
    page = client.get("/station/").content.decode()
    assert "高额费用预警 待处理" in page and f'/station/assistance/alerts/{alert.pk}/' in page
    client.force_login(clerk_other)
    page = client.get("/station/").content.decode()
    assert "高额费用预警 待处理" in page and f'/station/assistance/alerts/{alert.pk}/' not in page


@pytest.mark.django_db
def test_alert_pages_are_scoped(client, alert, clerk_chezhan, clerk_other):
    assert client.get("/station/assistance/alerts/").status_code == 302
    client.force_login(clerk_other)
    assert client.get(f"/station/assistance/alerts/{alert.pk}/").status_code == 404
    assert client.post(f"/station/assistance/alerts/{alert.pk}/acknowledge/").status_code == 404
    assert "王秀兰" not in client.get("/station/assistance/alerts/").content.decode()
    client.force_login(clerk_chezhan)
    assert "王秀兰" in client.get("/station/assistance/alerts/").content.decode()
    assert "6000.00" in client.get(f"/station/assistance/alerts/{alert.pk}/").content.decode()


@pytest.mark.django_db
def test_a_clerk_handles_an_alert_through_the_pages(client, alert, clerk_chezhan):
    client.force_login(clerk_chezhan)
    client.post(f"/station/assistance/alerts/{alert.pk}/acknowledge/", {"notes": "安排入户核查"})
    response = client.post(f"/station/assistance/alerts/{alert.pk}/resolve/",
                           {"outcome": "already_assisted", "notes": "已享受低保医疗救助。"}, follow=True)
    alert.refresh_from_db()
    assert (alert.status, alert.outcome) == ("resolved", "already_assisted")
    assert "已登记处理结果" in response.content.decode()


@pytest.mark.django_db
def test_the_demo_raises_exactly_one_alert(demo):
    from assistance.demo import load

    load()
    load()  # idempotent
    alert = HighCostAlert.objects.get()
    assert (alert.resident.name, alert.burden) == ("王秀兰", D("7862.50"))


@pytest.mark.django_db
def test_settlements_of_someone_who_registers_later_are_linked_on_recompute(demo, clerk_chezhan):
    import io

    from django.core.management import call_command

    from assistance.models import Settlement
    from enrollment.services import resident_register
    from portal.network.models import Region
    from portal.privacy.id_numbers import make_id_number

    number = make_id_number("370303", date(1955, 5, 5), 41)
    threshold()
    _settle(number, "2022-03-01", "30000.00", "5000.00")  # 25,000: above everyone's threshold
    assert Settlement.objects.get().resident is None
    resident = resident_register(id_number=number, name="韩梅", phone="", region=Region.objects.get(code="370303001002"),
                                 household=None, residence_permit=False, clerk=clerk_chezhan, today=TODAY)
    call_command("recompute_alerts", "--year", "2022", stdout=io.StringIO())
    assert Settlement.objects.get().resident == resident
    assert HighCostAlert.objects.get().resident == resident


@pytest.mark.django_db
def test_resolving_keeps_the_notes_written_at_acknowledgement(alert_world, clerk_chezhan):
    alerts_refresh(year=2022)
    pk = HighCostAlert.objects.get().pk
    alert_acknowledge(alert_id=pk, clerk=clerk_chezhan, notes="下周入户核查")
    alert = alert_resolve(alert_id=pk, clerk=clerk_chezhan, outcome="no_action", notes="已核实，收入高于低保边缘线。")
    assert alert.notes.splitlines() == ["下周入户核查", "处理结果：已核实，收入高于低保边缘线。"]


# -- The category held on the visit's date, never today's -------------------------------------


@pytest.mark.django_db
def test_a_category_that_starts_after_the_years_visits_does_not_lower_their_threshold(wang):
    # 低保 from 2026 (today's category) says nothing of 2022's visits: 6,000 is below 20,000.
    threshold()
    set_category(wang, "minimum_living", valid_from=date(2026, 1, 1))
    _settle(WANG, "2022-03-01", "20000.00", "14000.00")
    assert wang.assistance_category == "minimum_living"
    assert alerts_refresh(year=2022).opened == 0


@pytest.mark.django_db
def test_a_category_held_on_one_visits_date_sets_the_years_threshold(wang):
    # 低保 from 1 March to 31 March 2022 only; the visit of 1 March falls inside it.
    threshold()
    set_category(wang, "minimum_living", valid_from=date(2022, 3, 1), valid_to=date(2022, 3, 31))
    _settle(WANG, "2022-03-01", "20000.00", "14000.00")
    alerts_refresh(year=2022)
    alert = HighCostAlert.objects.get()
    assert (alert.threshold, alert.assistance_category) == (D("5000.00"), "minimum_living")


@pytest.mark.django_db
def test_an_alert_recomputed_after_a_correction_takes_the_category_held(wang):
    # An alert opened while the category was read from today gets the category of its visits.
    threshold()
    set_category(wang, "minimum_living", valid_from=date(2022, 1, 1))
    _settle(WANG, "2022-03-01", "30000.00", "9000.00")  # 21,000: above both thresholds
    alerts_refresh(year=2022)
    HighCostAlert.objects.update(assistance_category="extreme_poverty")
    assert alerts_refresh(year=2022).updated == 1
    assert HighCostAlert.objects.get().assistance_category == "minimum_living"
