"""Every page on the year that matters today (portal/standards/years.py), with the clock set by
patching ``django.utils.timezone.localdate``: in a collection window, after it, on 1 January."""

import re
from datetime import date

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.models import ContributionStandard, Enrollment, Payment, Resident

pytestmark = pytest.mark.django_db


@pytest.fixture
def clock(monkeypatch):
    def set_to(day: date) -> None:
        monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: day)

    return set_to


def selected_year(html: str, name: str = "year") -> int:
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S).group(0)
    return int(re.search(r'<option value="(\d+)"[^>]*selected', select).group(1))


@pytest.mark.parametrize(("today", "year"), [
    (date(2021, 10, 15), 2022),  # in 2022's window
    (date(2022, 1, 1), 2022),  # coverage starts
    (date(2022, 6, 1), 2022),  # after the window, 2022 in force
    (date(2021, 6, 1), 2021),  # before 2022's window: 2021 in force
])
def test_station_pages_default_to_the_year_that_matters(clerk_client, clock, today, year):
    clock(today)
    assert selected_year(clerk_client.get("/station/").content.decode()) == year
    assert f"{year} 年度追缴名单" in clerk_client.get("/station/follow-up/").content.decode()


@pytest.mark.parametrize(("today", "year"), [(date(2021, 6, 1), 2021), (date(2022, 6, 1), 2022),
                                             (date(2026, 12, 7), 2022)])
def test_the_estimator_defaults_to_the_coverage_year_in_force(client, demo_policies, clock, today, year):
    clock(today)
    assert selected_year(client.get("/estimate/").content.decode()) == year


def test_the_enrolment_form_offers_only_years_open_today(clerk_client, clock):
    clock(date(2022, 3, 1))  # after 2022's window: late registration for 2022 only
    resident = Resident.objects.get(name="赵伟")
    html = clerk_client.get(f"/station/residents/{resident.pk}/enroll/").content.decode()
    select = re.search(r'<select[^>]*name="year".*?</select>', html, re.S).group(0)
    assert re.findall(r'<option value="(\d+)"', select) == ["2022"]


def test_a_follow_up_list_after_a_year_without_enrollments_says_so(clerk_client, clock):
    clock(date(2022, 6, 1))
    Payment.objects.filter(enrollment__year=2021).delete()
    Enrollment.objects.filter(year=2021).delete()
    Enrollment.objects.filter(year=2022, paid_at__isnull=True).delete()
    html = clerk_client.get("/station/follow-up/", {"year": 2022}).content.decode()
    assert "没有 2021 年度的参保记录" in html and "都已缴费" not in html


def test_the_lookup_shows_a_gap_year_as_not_enrolled(client, demo, clock):
    clock(date(2024, 5, 1))  # 王秀兰: 2021 and 2022 enrolled; 2023 and 2024 nothing
    html = client.post("/lookup/", {"name": "王秀兰", "id_number": "370303195203151223"}).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    for year in (2024, 2023):
        assert re.search(rf"{year} 年度(（本年度）)? 未参保。", text), year
    assert "2023 年度 未参保。 这一年度已经结束" in text
    assert text.index("2024 年度") < text.index("2023 年度") < text.index("2022 年度") < text.index("2021 年度")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=date(2020, 8, 1), max_value=date(2023, 2, 1)))
def test_every_year_offered_for_registration_is_one_the_rules_accept(demo, day):
    """The form offers a year only if an ordinary adult registering that day is accepted."""
    from enrollment.rules import premium_for
    from enrollment.selectors import registration_years
    from portal.network.models import Region
    from portal.shared.vocabulary import Category

    village = Region.objects.get(code="370303001001")
    for year in registration_years(village, day):
        standard = ContributionStandard.objects.published().get(year=year)
        premium_for(standard.snapshot(), category=Category.ADULT, assistance=None, birth_date=date(1980, 1, 1), on=day)
