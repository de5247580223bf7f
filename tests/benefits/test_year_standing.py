"""Where a coverage year stands (benefits.rules.year_standing): each annual deductible and limit
with what is used and what is left, worked by hand on the demo policy of 2022 (DESIGN.md section
7; the figures are in tests/benefits/test_rules.py's docstring), and its properties (hypothesis)."""

from dataclasses import replace
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from benefits.demo import demo_policy_2022
from benefits.policy import ChronicDiseaseRule
from benefits.rules import UsedVisit, Visit, VisitKind, estimate, year_standing
from portal.shared.money import CENT
from portal.shared.vocabulary import AssistanceCategory, Category
from tests.benefits.test_rules_properties import POLICIES, amounts

POLICY = demo_policy_2022()
ADULT = Category.ADULT
MINIMUM = AssistanceCategory.MINIMUM_LIVING
EDGE = AssistanceCategory.LOW_INCOME_EDGE


def used(kind, policy_range, basic, catastrophic="0.00", assistance="0.00", **extra):
    return UsedVisit(VisitKind(kind), Decimal(policy_range), Decimal(basic), Decimal(catastrophic),
                     Decimal(assistance), **extra)


def standing(*earlier, category=ADULT, assistance=None, policy=POLICY, diseases=()):
    result = year_standing(policy, category=category, assistance=assistance, earlier=earlier, diseases=diseases)
    return {row.name: row for row in result.rows}, result


def figures(row):
    """(annual, used, left) as text; None where there is no limit."""
    return tuple(None if amount is None else str(amount) for amount in (row.annual, row.used, row.left))


def test_a_year_with_nothing_used_has_every_deductible_and_limit_whole():
    rows, result = standing()
    assert result.admissions == 0
    assert figures(rows["基本医保年度封顶线（住院和门诊慢特病合计）"]) == ("200000.00", "0.00", "200000.00")
    assert figures(rows["普通门诊统筹年度起付线"]) == ("50.00", "0.00", "50.00")
    assert figures(rows["普通门诊统筹年度限额"]) == ("200.00", "0.00", "200.00")
    assert figures(rows["两病门诊用药年度限额"]) == ("500.00", "0.00", "500.00")
    assert figures(rows["门诊慢特病年度起付线"]) == ("500.00", "0.00", "500.00")
    assert figures(rows["大病保险起付线（基本医保后个人负担累计）"]) == ("15000.00", "0.00", "15000.00")
    assert figures(rows["大病保险年度封顶线"]) == ("400000.00", "0.00", "400000.00")
    # Without an assistance category the person has no assistance layers, so no rows of theirs.
    assert not [name for name in rows if "救助" in name]


def test_a_second_level_stay_uses_the_basic_cap_and_counts_towards_the_catastrophic_deductible():
    # Level 2, adult: (20000 − 300) × 70% = 13790.00 of the 200000 cap; burden 20000 − 13790 =
    # 6210.00 of the catastrophic deductible 15000, 8790.00 still to go.
    stay = estimate(POLICY, category=ADULT, assistance=None,
                    visits=[Visit(VisitKind.INPATIENT, Decimal("22000"), Decimal("20000"), level=2)]).visits[0]
    rows, result = standing(used("inpatient", "20000.00", stay.basic, stay.catastrophic))
    assert str(stay.basic) == "13790.00"
    assert figures(rows["基本医保年度封顶线（住院和门诊慢特病合计）"]) == ("200000.00", "13790.00", "186210.00")
    assert figures(rows["大病保险起付线（基本医保后个人负担累计）"]) == ("15000.00", "6210.00", "8790.00")
    assert figures(rows["大病保险年度封顶线"]) == ("400000.00", "0.00", "400000.00")
    assert result.admissions == 1


def test_the_demo_settlements_of_a_minimum_living_adult_leave_what_the_rules_say():
    # 王秀兰's two settlements of 2022 (assistance/demo.py), 低保对象, adult:
    # inpatient: policy range 150000, basic 90000, catastrophic 34125, assistance 18112.50;
    # outpatient: policy range 150, basic 50 (the deductible of 50 taken, (150 − 50) × 50%).
    rows, result = standing(used("inpatient", "150000.00", "90000.00", "34125.00", "18112.50"),
                            used("outpatient", "150.00", "50.00"), assistance=MINIMUM)
    # Basic: 200000 − 90000 = 110000.00 left.
    assert figures(rows["基本医保年度封顶线（住院和门诊慢特病合计）"]) == ("200000.00", "90000.00", "110000.00")
    # Outpatient: deductible used up; cap 200 − 50 = 150.00 left.
    assert figures(rows["普通门诊统筹年度起付线"]) == ("50.00", "50.00", "0.00")
    assert figures(rows["普通门诊统筹年度限额"]) == ("200.00", "50.00", "150.00")
    # Catastrophic for the poorest: deductible 15000 × 0.5 = 7500, met by the burden 60000;
    # no cap, F(60000) = (60000 − 7500) × 65% = 34125.00 paid.
    assert figures(rows["大病保险起付线（基本医保后个人负担累计）"]) == ("7500.00", "7500.00", "0.00")
    assert figures(rows["大病保险年度封顶线"]) == (None, "34125.00", None)
    # Assistance (no deductible, 70%, cap 30000) of the burdens after catastrophic:
    # 60000 − 34125 = 25875 and the outpatient 150 − 50 = 100: (25875 + 100) × 70% = 18182.50,
    # 30000 − 18182.50 = 11817.50 left.
    assert "医疗救助起付线（大病保险后个人负担累计）" not in rows
    assert figures(rows["医疗救助年度限额"]) == ("30000.00", "18182.50", "11817.50")
    # Re-assistance (above 5000, 70%, cap 20000) of the burdens after the assistance the records
    # paid: 25875 − 18112.50 = 7762.50 and 100 make 7862.50; (7862.50 − 5000) × 70% = 2003.75,
    # the amount of her demo grant; 20000 − 2003.75 = 17996.25 left.
    assert figures(rows["再救助起点（医疗救助后个人负担累计）"]) == ("5000.00", "5000.00", "0.00")
    assert figures(rows["再救助年度限额"]) == ("20000.00", "2003.75", "17996.25")
    assert result.admissions == 1


def test_an_edge_family_member_sees_the_assistance_deductible_still_to_meet():
    # 低保边缘: assistance above 3000 at 50%. A chronic visit of 1000: the chronic deductible 500
    # is taken, (1000 − 500) × 65% = 325.00; burden 675.00 of 3000, 2325.00 to go; nothing paid.
    rows, _ = standing(used("chronic", "1000.00", "325.00"), assistance=EDGE)
    assert figures(rows["门诊慢特病年度起付线"]) == ("500.00", "500.00", "0.00")
    assert figures(rows["医疗救助起付线（大病保险后个人负担累计）"]) == ("3000.00", "675.00", "2325.00")
    assert figures(rows["医疗救助年度限额"]) == ("30000.00", "0.00", "30000.00")
    assert "再救助年度限额" in rows


def test_a_disease_with_its_own_deductible_gets_its_own_row_and_leaves_the_general_one_alone():
    own = replace(POLICY, chronic_diseases={
        **POLICY.chronic_diseases, "M09901": ChronicDiseaseRule("M09901", "试验病种", Decimal("300.00"), None)})
    rows, _ = standing(used("chronic", "120.00", "0.00", disease="M09901"), policy=own, diseases=["M09901"])
    assert figures(rows["门诊慢特病（试验病种）年度起付线"]) == ("300.00", "120.00", "180.00")
    assert figures(rows["门诊慢特病年度起付线"]) == ("500.00", "0.00", "500.00")
    # A disease whose deductible is nothing, and one with the general rule, add no row.
    rows, _ = standing(policy=own, diseases=["M00401", "M00101"])
    assert not [name for name in rows if name.startswith("门诊慢特病（")]


def test_records_that_paid_past_a_cap_have_used_all_of_it_and_nothing_is_left():
    # Imported records may exceed this year's cap (a revision lowered it): all used, none left.
    rows, _ = standing(used("inpatient", "300000.00", "250000.00"), used("two_diseases", "1000.00", "600.00"))
    assert figures(rows["基本医保年度封顶线（住院和门诊慢特病合计）"]) == ("200000.00", "200000.00", "0.00")
    assert figures(rows["两病门诊用药年度限额"]) == ("500.00", "500.00", "0.00")


# -- properties ---------------------------------------------------------------------------------

@st.composite
def used_visits(draw):
    """A paid visit as a settlement file could hold it: the layers within its policy range."""
    kind = draw(st.sampled_from(list(VisitKind)))
    policy_range = draw(amounts())
    basic = (policy_range * draw(st.integers(0, 100)) / 100).quantize(CENT)
    catastrophic = ((policy_range - basic) * draw(st.integers(0, 100)) / 100).quantize(CENT)
    assistance = ((policy_range - basic - catastrophic) * draw(st.integers(0, 100)) / 100).quantize(CENT)
    return UsedVisit(kind, policy_range, basic, catastrophic, assistance)


YEARS = st.fixed_dictionaries({
    "policy": st.sampled_from(POLICIES),
    "category": st.sampled_from(list(Category)),
    "assistance": st.sampled_from([None, *AssistanceCategory]),
    "earlier": st.lists(used_visits(), max_size=8),
})


@settings(max_examples=200, deadline=None)
@given(YEARS)
def test_nothing_left_is_ever_negative_and_used_and_left_make_the_annual_amount(year):
    for row in year_standing(**year).rows:
        assert row.used >= 0
        if row.annual is None:
            assert row.left is None
        else:
            assert row.left >= 0, row
            assert row.used + row.left == row.annual, row


@settings(max_examples=200, deadline=None)
@given(YEARS, st.sampled_from([1, 2, 3]), amounts())
def test_the_next_stay_is_paid_no_more_than_the_basic_cap_leaves(year, level, policy_range):
    left = {row.name: row.left for row in year_standing(**year).rows}["基本医保年度封顶线（住院和门诊慢特病合计）"]
    stay = Visit(VisitKind.INPATIENT, policy_range, policy_range, level=level)
    result = estimate(year["policy"], category=year["category"], assistance=year["assistance"], visits=[stay],
                      earlier=year["earlier"])
    assert result.visits[0].basic <= left
