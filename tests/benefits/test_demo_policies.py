"""The demo's benefit policies in the database: 2021 with its own figures (seed 004 dates two of
2022's as raises made that year), used for every estimate of 2021."""

import json
from datetime import date
from decimal import Decimal

import pytest

from benefits import demo
from benefits.models import BenefitPolicy
from portal.network.models import Region
from portal.standards.versioned import standard_publish, standard_revise

pytestmark = pytest.mark.django_db

ZIBO = "370300000000"
POOREST = ("extreme_poverty", "minimum_living", "returned_to_poverty")


def in_force(year: int) -> BenefitPolicy:
    return BenefitPolicy.objects.in_force(year=year, region=Region.objects.get(code=ZIBO), on=date(year, 12, 31))


def estimate(client, year: int, kind: str = "two_diseases", assistance=None) -> dict:
    payload = {"year": year, "region": "370300", "category": "adult", "assistance": assistance,
               "visits": [{"kind": kind, "total": "400.00", "policy_range": "400.00"}]}
    response = client.post("/api/v1/benefits/estimate", json.dumps(payload), content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def test_the_2021_policy_has_the_figures_before_the_raises_and_cites_seed_004(demo_policies):
    policy = in_force(2021)
    assert policy.two_diseases_rate == Decimal("0.50")
    caps = dict(policy.category_rules.values_list("category", "assistance_cap"))
    assert all(caps[category] == Decimal("10000.00") for category in POOREST)
    assert caps["low_income_edge"] == caps["monitored"] == Decimal("30000.00")
    assert "由50%提高到60%" in policy.notes and "年度救助限额由不低于1万元提高到不低于3万元" in policy.notes
    assert in_force(2022).two_diseases_rate == Decimal("0.60")


def test_an_estimate_of_2021_uses_2021s_rate_and_2022_is_unchanged(client, demo_policies):
    assert estimate(client, 2021)["visits"][0]["basic"] == "200.00"
    assert estimate(client, 2022)["visits"][0]["basic"] == "240.00"


def test_a_database_holding_2022s_figures_for_2021_gets_a_revision_with_the_reason(demo_policies, officer):
    # The state of a database loaded before 2021 had its own figures: 2021 in force with 2022's.
    old = standard_revise(standard=in_force(2021), effective_from=date(2021, 1, 1))
    old.two_diseases_rate = Decimal("0.60")
    old.save()
    old.category_rules.filter(category__in=POOREST).update(assistance_cap=Decimal("30000.00"))
    standard_publish(standard=old, officer=officer)
    assert in_force(2021).two_diseases_rate == Decimal("0.60")

    demo.load()
    revised = in_force(2021)
    assert revised.revision == old.revision + 1 and revised.effective_from == date(2021, 1, 2)
    assert revised.two_diseases_rate == Decimal("0.50") and revised.notes.startswith("修订原因：")
    assert set(revised.category_rules.filter(category__in=POOREST).values_list("assistance_cap", flat=True)) == {
        Decimal("10000.00")}
    count = BenefitPolicy.objects.count()
    demo.load()
    assert BenefitPolicy.objects.count() == count  # idempotent
