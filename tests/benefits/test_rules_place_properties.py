"""Properties of place of care, recognised diseases and a year continued from what it used
(hypothesis), over the policies of test_rules_properties with the demo's reductions and a
disease list added."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from benefits.policy import ChronicDiseaseRule
from benefits.rules import UsedVisit, VisitKind, estimate
from portal.shared.vocabulary import AssistanceCategory, Category, Place
from tests.benefits.test_rules_properties import FAST, POLICIES, visits

DISEASES = {
    "D1": ChronicDiseaseRule("D1", "通用标准病种"),
    "D2": ChronicDiseaseRule("D2", "自定比例病种", rate=Decimal("0.80")),
    "D3": ChronicDiseaseRule("D3", "自定起付线病种", deductible=Decimal("100.00"), rate=Decimal("0.75")),
}


@st.composite
def policies(draw):
    filed = draw(st.sampled_from([Decimal("0"), Decimal("0.05"), Decimal("0.10")]))
    unfiled = filed + draw(st.sampled_from([Decimal("0"), Decimal("0.15"), Decimal("0.50")]))
    return replace(draw(st.sampled_from(POLICIES)), chronic_diseases=DISEASES,
                   outside_reductions={Place.OUTSIDE_FILED: filed, Place.OUTSIDE_UNFILED: unfiled})


@st.composite
def placed_visits(draw):
    visit = draw(visits())
    extra = {"place": draw(st.sampled_from(list(Place)))}
    if visit.kind is VisitKind.CHRONIC:
        choice = draw(st.sampled_from([None, "D1", "D2", "D3", "unrecognised"]))
        if choice == "unrecognised":
            extra["recognised"] = False
        elif choice:
            extra["disease"] = choice
    return replace(visit, **extra)


def years(min_visits=0):
    return st.fixed_dictionaries({
        "policy": policies(),
        "category": st.sampled_from(list(Category)),
        "assistance": st.sampled_from([None, *AssistanceCategory]),
        "visits": st.lists(placed_visits(), min_size=min_visits, max_size=8),
    })


def run(year, visits=None, earlier=()):
    return estimate(year["policy"], category=year["category"], assistance=year["assistance"],
                    visits=year["visits"] if visits is None else visits, earlier=earlier)


def layers(result):
    return (result.basic, result.catastrophic, result.assistance, result.reassistance)


@FAST
@given(years())
def test_no_layer_is_negative_and_together_they_stay_within_the_policy_range(year):
    result = run(year)
    for v in result.visits:
        assert all(amount >= 0 for amount in layers(v))
        assert sum(layers(v)) <= v.visit.policy_range
        assert v.out_of_pocket == v.visit.total - sum(layers(v))
    assert result.totals.basic <= result.totals.policy_range


@FAST
@given(years(min_visits=1))
def test_care_outside_never_costs_the_person_less_than_at_home_nor_unfiled_less_than_filed(year):
    def everywhere(place):
        return run(year, [replace(v, place=place) for v in year["visits"]]).totals

    local, filed, unfiled = (everywhere(place) for place in Place)
    assert local.out_of_pocket <= filed.out_of_pocket <= unfiled.out_of_pocket
    assert local.basic >= filed.basic >= unfiled.basic


@FAST
@given(years(min_visits=1), st.data())
def test_more_cost_never_means_less_out_of_pocket_wherever_the_care(year, data):
    index = data.draw(st.integers(0, len(year["visits"]) - 1))
    extra = data.draw(st.sampled_from([Decimal("0.01"), Decimal("100.00"), Decimal("25000.00")]))
    visit = year["visits"][index]
    dearer = replace(visit, total=visit.total + extra, policy_range=visit.policy_range + extra)
    before = run(year)
    after = run(year, [*year["visits"][:index], dearer, *year["visits"][index + 1:]])
    assert after.visits[index].out_of_pocket >= before.visits[index].out_of_pocket
    assert after.totals.out_of_pocket >= before.totals.out_of_pocket


@FAST
@given(years(), st.data())
def test_a_year_continued_from_what_it_used_pays_what_the_whole_year_would(year, data):
    cut = data.draw(st.integers(0, len(year["visits"])))
    whole = run(year)
    used = [UsedVisit(r.visit.kind, r.visit.policy_range, r.basic, r.catastrophic, r.assistance, r.visit.disease,
                      r.visit.recognised)
            for r in whole.visits[:cut]]
    continued = run(year, year["visits"][cut:], earlier=used)
    assert [layers(r) for r in continued.visits] == [layers(r) for r in whole.visits[cut:]]
    assert [r.explanation for r in continued.visits] == [r.explanation for r in whole.visits[cut:]]
