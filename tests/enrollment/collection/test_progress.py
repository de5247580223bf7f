"""参保缴费进度: the worked example of the demo's 2022 collection in 车站街道, who counts as
expected, the year's target, the collection curve, one query per chart, the pages and exports."""

import io
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from enrollment import selectors
from enrollment.collection.progress import collection_curve, scope_progress
from enrollment.models import ContributionStandard, Enrollment, InsuredElsewhere, Resident
from portal.network.models import Region
from tests.enrollment.views.test_station_query_counts import add_crowd
from tests.factories import staff_user

pytestmark = pytest.mark.django_db

TODAY = date(2021, 10, 15)  # inside the demo's 2022 collection window (2021-09-01 to 2021-12-31)
CHEZHAN = "370303001000"
HUAGUANG, GONGQINGTUAN, XIER = "370303001001", "370303001002", "370303001003"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def progress_of(code: str, year: int = 2022, today: date = TODAY):
    return scope_progress(Region.objects.get(code=code), year=year, today=today)


def by_code(result) -> dict:
    return {region.code: region for region in result.regions}


def test_the_demo_township_in_2022_worked_example(demo):
    """Seven residents in 车站街道; 赵伟 never enrolled for 2022; 刘桂英 and 陈志强 have not paid.
    Payables (DESIGN.md section 7, 2022: adult 410, student 310): 王秀兰 410 - 200 (低保) = 210,
    张建国 410, 刘桂英 410, 张小雨 310, 陈志强 410, 李秀梅 410."""
    result = progress_of(CHEZHAN)
    totals = result.scope
    assert (totals.expected, totals.enrolled, totals.paid) == (7, 6, 4)
    assert totals.rate == Decimal("0.8571") and totals.below_target and totals.target == Decimal("0.950")
    assert totals.due == Decimal("2160.00")
    assert totals.collected == Decimal("210.00") + Decimal("410.00") + Decimal("310.00") + Decimal("410.00")
    assert totals.outstanding == Decimal("820.00") and totals.subsidies == Decimal("200.00")
    villages = by_code(result)
    assert list(villages) == [HUAGUANG, GONGQINGTUAN, XIER]
    assert (villages[HUAGUANG].expected, villages[HUAGUANG].enrolled, villages[HUAGUANG].paid) == (4, 4, 3)
    assert villages[HUAGUANG].rate == Decimal("1.0000") and not villages[HUAGUANG].below_target
    assert (villages[GONGQINGTUAN].enrolled, villages[GONGQINGTUAN].paid) == (2, 1)
    assert villages[XIER].rate == Decimal("0.0000") and villages[XIER].below_target
    # The regions add up to the scope.
    assert sum(v.expected for v in villages.values()) == totals.expected
    assert sum((v.due for v in villages.values()), Decimal("0")) == totals.due


def test_the_county_and_city_see_their_townships_and_counties(demo):
    county = progress_of("370303000000")
    townships = by_code(county)
    assert townships[CHEZHAN].expected == 7
    assert townships["370303002000"].expected == 2  # 公园街道: 孙丽 paid, 周强 not
    assert townships["370303002000"].paid == 1
    assert county.scope.expected == 9
    city = by_code(progress_of("370300000000"))
    assert city["370303000000"].expected == 9 and city["370302000000"].expected == 0
    assert city["370302000000"].rate is None and not city["370302000000"].below_target


def test_a_village_is_its_own_only_row(demo):
    result = progress_of(XIER)
    assert [r.code for r in result.regions] == [XIER]
    assert result.scope.expected == result.regions[0].expected == 1


def test_insured_elsewhere_the_dead_and_the_enrolled_elsewhere_count_as_they_should(demo, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")
    InsuredElsewhere.objects.create(resident=zhao, year=2022, scheme="employee", recorded_by=clerk_chezhan)
    assert progress_of(CHEZHAN).scope.expected == 6
    assert progress_of(CHEZHAN, year=2021).scope.expected == 7  # only 2022 is recorded
    # Dead before the count's day: not expected; dead during a past year: expected for that year.
    chen = Resident.objects.get(name="陈志强")
    Resident.objects.filter(pk=chen.pk).update(date_of_death=date(2021, 10, 1))
    assert progress_of(CHEZHAN).scope.expected == 5
    assert progress_of(CHEZHAN, year=2021).scope.expected == 7
    # Nobody is counted as enrolled who is not expected: the rate never passes 100%.
    now = progress_of(CHEZHAN).scope
    assert now.enrolled <= now.expected and now.enrolled == 5


def test_a_cancelled_enrollment_is_not_counted(demo):
    liu = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    Enrollment.objects.filter(pk=liu.pk).update(status=Enrollment.Status.CANCELLED)
    assert progress_of(CHEZHAN).scope.enrolled == 5


def test_the_years_target_comes_from_its_standard(demo):
    ContributionStandard.objects.filter(year=2022).update(participation_target=Decimal("0.800"))
    totals = progress_of(CHEZHAN).scope
    assert totals.target == Decimal("0.800") and not totals.below_target  # 85.71% >= 80%
    assert by_code(progress_of(CHEZHAN))[XIER].below_target


def test_the_collection_curve_against_the_same_day_last_year(demo):
    township = Region.objects.get(code=CHEZHAN)
    windows = {window.year: window for window in selectors.collection_windows(township)}
    curve = collection_curve(township, year=2022, windows=windows, today=TODAY)
    assert curve[0].date == date(2021, 9, 1) and curve[-1].date == TODAY and len(curve) == 45
    by_day = {point.date: point for point in curve}
    # 2022: 王秀兰 paid 10-10, 张建国 10-11, 张小雨 10-13, 李秀梅 10-15 (Beijing dates).
    assert [by_day[date(2021, 10, d)].paid for d in range(9, 16)] == [0, 1, 1, 0, 1, 0, 1]
    assert by_day[TODAY].cumulative == 4 and by_day[date(2021, 10, 12)].cumulative == 2
    # 2021's window also opened on 1 September: 6 of the township paid from 2020-10-10 to 10-16
    # (赵伟 on the 16th), so by the same day 5.
    assert by_day[TODAY].last_year_date == date(2020, 10, 15) and by_day[TODAY].last_year_cumulative == 5
    # Counted on the Beijing date: a payment at 00:30 Beijing time is that day's, not the day before's.
    zhang = Enrollment.objects.get(resident__name="刘桂英", year=2022)
    Enrollment.objects.filter(pk=zhang.pk).update(paid_at=datetime.combine(date(2021, 10, 14), time(0, 30), SHANGHAI))
    curve = collection_curve(township, year=2022, windows=windows, today=TODAY)
    assert {p.date: p for p in curve}[date(2021, 10, 14)].paid == 1


def test_a_year_without_its_window_started_has_no_curve(demo):
    township = Region.objects.get(code=CHEZHAN)
    windows = {window.year: window for window in selectors.collection_windows(township)}
    assert collection_curve(township, year=2023, windows=windows, today=TODAY) == []


def test_each_chart_reads_its_numbers_in_one_query_whatever_the_size(demo, clerk_chezhan):
    township = Region.objects.get(code=CHEZHAN)
    windows = {window.year: window for window in selectors.collection_windows(township)}

    def enrollment_queries(run) -> int:
        with CaptureQueriesContext(connection) as queries:
            run()
        return sum('"enrollment_enrollment"' in q["sql"] or "enrollment_enrollment" in q["sql"] for q in queries)

    regions = lambda: scope_progress(township, year=2022, today=TODAY)  # noqa: E731
    curve = lambda: collection_curve(township, year=2022, windows=windows, today=TODAY)  # noqa: E731
    small = (enrollment_queries(regions), enrollment_queries(curve))
    add_crowd(clerk_chezhan)
    assert small == (1, 1)
    assert (enrollment_queries(regions), enrollment_queries(curve)) == small


def test_the_page_costs_the_same_with_many_more_people(demo, clerk_chezhan, client, monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)
    client.force_login(clerk_chezhan)
    with CaptureQueriesContext(connection) as before:
        assert client.get("/station/progress/").status_code == 200
    add_crowd(clerk_chezhan)
    with CaptureQueriesContext(connection) as after:
        response = client.get("/station/progress/")
    assert len(after) == len(before)
    assert "85.71%" not in response.content.decode()  # the crowd changed the figures


@pytest.fixture
def on_today(monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: TODAY)


def test_the_clerks_page_shows_the_figures_the_regions_and_the_chart_data(demo, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    response = client.get("/station/progress/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "2022 年度参保缴费进度 · 车站街道" in html and "85.71%" in html and "低于目标" in html
    assert 'id="chart-data"' in html and "<canvas" in html and "chartjs/chart.umd" in html
    assert "?region=370303001003&amp;year=2022" in html  # one click down to the village
    assert "/station/uninsured/?region=370303001003&amp;year=2022" in html  # and to its list
    # The chart is fed through json_script: no inline script for the CSP to refuse.
    assert "<script>" not in html and '<script id="chart-data" type="application/json">' in html


def test_the_officer_sees_the_city_and_drills_down(demo, officer_client, on_today):
    html = officer_client.get("/station/progress/").content.decode()
    assert "参保缴费进度 · 淄博市" in html and "张店区" in html
    village = officer_client.get("/station/progress/", {"region": XIER, "year": 2022}).content.decode()
    assert "西二路社区" in village and "淄博市" in village  # the path back up
    assert officer_client.get("/station/progress/", {"year": 2021}).status_code == 200


def test_a_region_outside_the_scope_or_not_a_code_is_not_found(demo, clerk_other, client, on_today):
    client.force_login(clerk_other)  # 公园街道
    assert client.get("/station/progress/", {"region": HUAGUANG}).status_code == 404
    assert client.get("/station/progress/", {"region": "x' or 1=1"}).status_code == 404
    assert client.get("/station/uninsured/", {"region": HUAGUANG}).status_code == 404
    assert client.get("/station/progress/", {"region": "370303002001", "year": "abc"}).status_code == 200


def test_who_may_see_the_page(demo, client):
    assert client.get("/station/progress/").status_code == 302  # to sign in
    without_scope = staff_user(role="clerk", scope=None)
    client.force_login(without_scope)
    assert client.get("/station/progress/").status_code == 403


def test_the_tables_export_to_xlsx_with_typed_cells(demo, clerk_chezhan, client, on_today):
    client.force_login(clerk_chezhan)
    response = client.get("/station/progress/", {"year": 2022, "table": "regions", "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:6] == ("区划代码", "区域", "应参保人数", "已参保登记", "已缴费", "参保率")
    xier = next(row for row in rows if row[0] == XIER)
    assert xier[2:5] == (1, 0, 0) and xier[8] == "是"
    huaguang = next(row for row in rows if row[0] == HUAGUANG)
    assert huaguang[5] == 1 and huaguang[9] == 210 + 410 + 410 + 310
    curve = client.get("/station/progress/", {"year": 2022, "table": "curve", "format": "xlsx"})
    rows = list(load_workbook(io.BytesIO(curve.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "缴费期第几天" and rows[-1][3] == 4 and rows[-1][5] == 5


def test_the_admin_home_links_the_officer_to_the_progress(demo, officer_client):
    html = officer_client.get("/admin/").content.decode()
    assert 'href="/station/progress/"' in html and 'href="/station/uninsured/"' in html


def test_an_officer_who_has_not_passed_the_second_factor_is_sent_to_it(demo, officer, client):
    from tests.logins import force_login_password_only

    force_login_password_only(client, officer)
    for path in ("/station/progress/", "/station/uninsured/"):
        response = client.get(path)
        assert response.status_code == 302 and "/accounts/login/code/" in response["Location"]
