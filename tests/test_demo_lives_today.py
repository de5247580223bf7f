"""The demo lives today: loaded on any day, it has every year from 2021 to the one that matters,
each later year made by the start-year step and published, and that year works end to end
(premium, enrolment, payment, lookup, estimate). The clock is set by patching
``django.utils.timezone.localdate``, as everywhere."""

import io
import json
import re
import uuid
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from benefits.models import BenefitPolicy
from enrollment.models import ContributionStandard, Enrollment, Resident
from portal.standards.demo import CARRIED_FORWARD, demo_target_year
from tests.logins import otp_login

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.mark.parametrize("today", [date(2026, 12, 7), date(2027, 3, 1), date(2030, 10, 1)])
def test_the_demo_loaded_on_a_day_works_for_the_year_that_matters(demo, clerk_chezhan, monkeypatch, settings,
                                                                  tmp_path, today):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    call_command("load_demo", stdout=io.StringIO())
    year = demo_target_year(today)
    years = set(ContributionStandard.objects.published().values_list("year", flat=True))
    assert years == set(range(2021, year + 1))
    assert set(BenefitPolicy.objects.published().values_list("year", flat=True)) == years
    latest = ContributionStandard.objects.published().get(year=year)
    assert latest.notes.startswith(CARRIED_FORWARD) and latest.contribution_adult == Decimal("410.00")

    # Premium: the year's amounts for a village.
    resident_page = Client()
    premium = text_of(resident_page.get("/premium/", {"region": "370303001001", "year": year, "category": "adult"}))
    assert f"{year} 年度" in premium and "410.00" in premium

    # Enrolment and payment at the station, on the year that matters.
    clerk = otp_login(Client(), clerk_chezhan)
    zhao = Resident.objects.get(name="赵伟")  # never enrolled after 2021
    response = clerk.post(f"/station/residents/{zhao.pk}/enroll/", {"year": year, "category": "adult",
                                                                     "action": "confirm"})
    enrollment = Enrollment.objects.get(resident=zhao, year=year)
    assert response.status_code == 302
    paid = clerk.post(f"/station/enrollments/{enrollment.pk}/pay/", {
        "amount": str(enrollment.payable), "method": "cash", "token": str(uuid.uuid4())})
    assert paid.status_code == 302 and "/receipt/" in paid["Location"]

    # Lookup: 王秀兰 has every year, this one with her 低保 subsidy; 周强's gap year shows.
    wang = text_of(resident_page.post("/lookup/", {"name": "王秀兰", "id_number": "370303195203151223"}))
    assert re.search(rf"{year} 年度\S* 参保登记 已登记（华光路社区，成年居民，低保对象）", wang), wang[:3000]
    assert all(f"{y} 年度" in wang for y in range(2021, year + 1))

    # Estimate: the API estimates the year.
    payload = {"year": year, "region": "370300", "category": "adult", "assistance": None,
               "visits": [{"kind": "inpatient", "level": 2, "total": "20000.00", "policy_range": "18000.00"}]}
    estimate = resident_page.post("/api/v1/benefits/estimate", json.dumps(payload), content_type="application/json")
    assert estimate.status_code == 200, estimate.content


def test_the_demo_has_a_gap_year_to_show(demo, monkeypatch, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2026, 12, 7))
    call_command("load_demo", stdout=io.StringIO())
    zhou = Resident.objects.get(name="周强")
    years = set(Enrollment.objects.filter(resident=zhou).values_list("year", flat=True))
    assert 2024 not in years and {2023, 2025, 2026, 2027} <= years
    # Run again a year later: it adds the new year, finishes the collection that was part way
    # (the crowd's 2027, enrolled up to 2026-12-07 the first time) and changes no finished year.
    def per_year() -> dict[int, int]:
        return dict(Counter(Enrollment.objects.values_list("year", flat=True)))

    before = per_year()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: date(2027, 10, 1))
    call_command("load_demo", stdout=io.StringIO())
    assert set(ContributionStandard.objects.published().values_list("year", flat=True)) == set(range(2021, 2029))
    after = per_year()
    assert {y: n for y, n in after.items() if y <= 2026} == {y: n for y, n in before.items() if y <= 2026}
    assert after[2027] > before[2027] and after[2028] > 0


def test_the_demo_township_collects_toward_95_percent(demo, monkeypatch, settings, tmp_path):
    """车站街道 has a few thousand people: last year about 95% enrolled, this year's collection
    part way on 7 December, one community below the target; a committee's collective payment and
    a tax office's file with rows to reconcile, all through the services a clerk and an officer use."""
    from enrollment.collection.progress import scope_progress
    from enrollment.models import CollectivePayment, TaxVoucher
    from portal.network.models import Region

    settings.PRIVATE_STORAGE_ROOT = tmp_path
    today = date(2026, 12, 7)
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: today)
    call_command("load_demo", stdout=io.StringIO())
    township = Region.objects.get(code="370303001000")
    last_year = scope_progress(township, year=2026, today=today)
    assert last_year.scope.expected > 2500
    assert Decimal("0.93") <= last_year.scope.rate <= Decimal("0.97")
    assert [region.name for region in last_year.regions if region.below_target] == ["西二路社区"]
    this_year = scope_progress(township, year=2027, today=today).scope
    assert Decimal("0.40") <= this_year.rate <= Decimal("0.85") and this_year.paid < this_year.enrolled
    assert CollectivePayment.objects.get().payments.count() == 20
    assert TaxVoucher.objects.filter(payment__isnull=False).count() == 40
    assert sorted(TaxVoucher.objects.to_reconcile().values_list("problem", flat=True)) == [
        "amount_differs", "not_enrolled", "unknown_person"]
