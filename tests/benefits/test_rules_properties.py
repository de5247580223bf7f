"""Properties of the benefit engine over random years of visits (hypothesis).

Two policies: the demo one, and a tight one whose small caps and thresholds are reached by
ordinary bills, so that every cap is exercised often.
"""

import re
from dataclasses import replace
from decimal import ROUND_DOWN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benefits.demo import demo_policy_2022
from benefits.policy import AssistanceRule, CatastrophicTier, ReassistanceRule
from benefits.rules import Visit, VisitKind, estimate
from portal.shared.money import CENT
from portal.shared.vocabulary import AssistanceCategory, Category

DEMO = demo_policy_2022()
TIGHT = replace(
    DEMO,
    basic_annual_cap=Decimal("20000.00"),
    outpatient_cap=Decimal("150.00"),
    two_diseases_cap=Decimal("100.00"),
    catastrophic_deductible=Decimal("2000.00"),
    catastrophic_tiers=(
        CatastrophicTier(Decimal("1000.00"), Decimal("0.60")),
        CatastrophicTier(Decimal("3000.00"), Decimal("0.65")),
        CatastrophicTier(None, Decimal("0.70")),
    ),
    catastrophic_cap=Decimal("5000.00"),
    assistance_rules={
        category: AssistanceRule(Decimal("300.00"), Decimal("0.55"), Decimal("1500.00"))
        for category in AssistanceCategory
    },
    reassistance=ReassistanceRule(
        frozenset({AssistanceCategory.EXTREME_POVERTY, AssistanceCategory.LOW_INCOME_EDGE}),
        Decimal("100.00"), Decimal("0.70"), Decimal("800.00"),
    ),
    poorest_uncapped=False,
)
POLICIES = [DEMO, TIGHT, replace(TIGHT, poorest_uncapped=True)]

FAST = settings(max_examples=200, deadline=None)


@st.composite
def amounts(draw):
    """Yuan with cents up to about 300,000: everyday bills as often as long stays.

    A plain st.integers over the whole range would draw mostly tiny amounts.
    """
    thousands = draw(st.integers(0, draw(st.sampled_from([0, 1, 10, 100, 300]))))
    cents = (thousands * 1000 + draw(st.integers(0, 999))) * 100 + draw(st.integers(0, 99))
    return Decimal(cents).scaleb(-2)


@st.composite
def visits(draw):
    kind = draw(st.sampled_from(list(VisitKind)))
    total = draw(amounts())
    # The whole bill in the policy range, or a part of it.
    share = draw(st.one_of(st.just(1000), st.integers(0, 1000)))
    policy_range = (total * share / 1000).quantize(CENT, rounding=ROUND_DOWN)
    return Visit(
        kind,
        total,
        policy_range,
        level=draw(st.integers(1, 3)) if kind is VisitKind.INPATIENT else None,
        child_order=draw(st.integers(1, 5)) if kind is VisitKind.MATERNITY else None,
    )


def years(min_visits=0):
    return st.fixed_dictionaries(
        {
            "policy": st.sampled_from(POLICIES),
            "category": st.sampled_from(list(Category)),
            "assistance": st.sampled_from([None, *AssistanceCategory]),
            "visits": st.lists(visits(), min_size=min_visits, max_size=10),
        }
    )


def run(year, visits=None):
    return estimate(
        year["policy"],
        category=year["category"],
        assistance=year["assistance"],
        visits=year["visits"] if visits is None else visits,
    )


def layers(result):
    return (result.basic, result.catastrophic, result.assistance, result.reassistance)


@FAST
@given(years())
def test_no_layer_is_negative_and_together_they_stay_within_the_policy_range(year):
    result = run(year)
    for visit_result in result.visits:
        assert all(amount >= 0 for amount in layers(visit_result))
        assert sum(layers(visit_result)) <= visit_result.visit.policy_range
    totals = result.totals
    assert totals.reimbursed <= totals.policy_range
    assert totals.reimbursed == sum(layers(totals))


@FAST
@given(years())
def test_out_of_pocket_is_the_rest_and_at_least_the_self_paid_part(year):
    result = run(year)
    for visit_result in result.visits:
        visit = visit_result.visit
        assert visit_result.out_of_pocket == visit.total - sum(layers(visit_result))
        assert visit_result.out_of_pocket >= visit.total - visit.policy_range
    totals = result.totals
    assert totals.out_of_pocket == totals.total - totals.reimbursed
    assert totals.out_of_pocket >= totals.total - totals.policy_range
    # The totals are the sums of the visits.
    for name in ("basic", "catastrophic", "assistance", "reassistance", "out_of_pocket"):
        assert getattr(totals, name) == sum((getattr(v, name) for v in result.visits), Decimal(0))
    assert totals.total == sum((v.visit.total for v in result.visits), Decimal(0))
    assert Decimal(0) <= totals.reimbursed_share <= Decimal(1)


@FAST
@given(years())
def test_yearly_caps_hold(year):
    policy = year["policy"]
    result = run(year)

    def basic_of(*kinds):
        return sum((v.basic for v in result.visits if v.visit.kind in kinds), Decimal(0))

    assert basic_of(VisitKind.INPATIENT, VisitKind.CHRONIC) <= policy.basic_annual_cap
    assert basic_of(VisitKind.OUTPATIENT) <= policy.outpatient_cap
    assert basic_of(VisitKind.TWO_DISEASES) <= policy.two_diseases_cap
    for v in result.visits:
        if v.visit.kind is VisitKind.MATERNITY:
            assert v.basic <= policy.maternity_lump_sums[-1]
            assert layers(v)[1:] == (0, 0, 0)
    totals = result.totals
    poorest = year["assistance"] in policy.poorest_categories
    if not (poorest and policy.poorest_uncapped):
        assert totals.catastrophic <= policy.catastrophic_cap
    rule = policy.assistance_rules.get(year["assistance"])
    assert totals.assistance <= (rule.cap if rule else 0)
    reassistance = policy.reassistance
    if year["assistance"] in reassistance.categories:
        assert totals.reassistance <= reassistance.cap
    else:
        assert totals.reassistance == 0


@FAST
@given(years(), st.data())
def test_appending_visits_never_changes_what_earlier_visits_got(year, data):
    whole = run(year)
    cut = data.draw(st.integers(0, len(year["visits"])))
    assert run(year, year["visits"][:cut]).visits == whole.visits[:cut]


@FAST
@given(years(min_visits=1), st.data())
def test_more_cost_never_means_less_out_of_pocket(year, data):
    index = data.draw(st.integers(0, len(year["visits"]) - 1))
    no_more = st.just(Decimal("0.00"))
    extra_range = data.draw(st.one_of(no_more, amounts()))
    extra_self = data.draw(st.one_of(no_more, amounts()))
    visit = year["visits"][index]
    dearer = replace(
        visit,
        total=visit.total + extra_range + extra_self,
        policy_range=visit.policy_range + extra_range,
    )
    before = run(year)
    after = run(year, [*year["visits"][:index], dearer, *year["visits"][index + 1:]])
    assert after.visits[index].out_of_pocket >= before.visits[index].out_of_pocket
    assert after.totals.out_of_pocket >= before.totals.out_of_pocket
    if not extra_range:
        # Costs outside the policy range are the patient's alone and change no layer.
        assert after.totals.out_of_pocket == before.totals.out_of_pocket + extra_self
        assert after.totals.reimbursed == before.totals.reimbursed


@FAST
@given(years())
def test_every_amount_is_explained_in_cents(year):
    for v in run(year).visits:
        text = "\n".join(v.explanation)
        for prefix in ("基本医保", "大病保险", "医疗救助", "再救助", "个人负担"):
            assert any(line.startswith(prefix) for line in v.explanation)
        for amount in (*layers(v), v.out_of_pocket):
            assert f"{amount} 元" in text
        for number in re.findall(r"([\d.E+-]+) 元", text):
            assert re.fullmatch(r"\d+\.\d\d", number), number
