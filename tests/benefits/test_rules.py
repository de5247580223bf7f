"""Worked examples of the benefit engine (DESIGN.md section 6) on the demo policy (section 7).

Every expected amount is computed by hand in the comment above it. Amounts are compared as
strings so that a wrong number of decimal places fails too. Demo policy in short: inpatient
level 1/2/3 deductible adult 100/300/700, student_child 100, rates 85/70/60%; admission factors
1, 0.5, 0; basic cap 200,000; chronic 500 then 65%; outpatient 50 then 50%, cap 200; two
diseases 60%, cap 500; maternity 1,000/1,500/3,000; catastrophic above 15,000: 60% up to
100,000, 65% up to 200,000, 70% beyond, cap 400,000 (poorest: 7,500, +5 points, no cap);
assistance 70% no deductible (poorest three) or 50% above 3,000, cap 30,000; re-assistance 70%
above 5,000, cap 20,000.
"""

import re
from dataclasses import replace
from decimal import Decimal

import pytest

from benefits.demo import demo_policy_2021, demo_policy_2022
from benefits.policy import CatastrophicTier, format_rate
from benefits.rules import Visit, VisitKind, estimate
from portal.shared.vocabulary import AssistanceCategory, Category

POLICY = demo_policy_2022()
# Basic insurance pays nothing for inpatient and chronic care, so the catastrophic layer sees the
# whole policy range: the simplest way to put its accumulated amount exactly on a boundary.
NO_BASIC = replace(POLICY, basic_annual_cap=Decimal("0.00"))

EXTREME = AssistanceCategory.EXTREME_POVERTY
MINIMUM = AssistanceCategory.MINIMUM_LIVING
RETURNED = AssistanceCategory.RETURNED_TO_POVERTY
EDGE = AssistanceCategory.LOW_INCOME_EDGE
MONITORED = AssistanceCategory.MONITORED


def inpatient(policy_range, level, total=None):
    return Visit(VisitKind.INPATIENT, Decimal(total or policy_range), Decimal(policy_range), level=level)


def visit(kind, policy_range, total=None, **extra):
    return Visit(kind, Decimal(total or policy_range), Decimal(policy_range), **extra)


def run(*visits, category=Category.ADULT, assistance=None, policy=POLICY):
    return estimate(policy, category=category, assistance=assistance, visits=visits)


def amounts(result):
    """basic, catastrophic, assistance, reassistance, out of pocket of one visit, as text."""
    return tuple(
        str(amount)
        for amount in (
            result.basic, result.catastrophic, result.assistance, result.reassistance,
            result.out_of_pocket,
        )
    )


def explained(result):
    """The visit's explanation has a line per layer and names every amount it computed."""
    text = "\n".join(result.explanation)
    for prefix in ("基本医保", "大病保险", "医疗救助", "再救助", "个人负担"):
        assert any(line.startswith(prefix) for line in result.explanation), (prefix, text)
    for amount in amounts(result):
        assert f"{amount} 元" in text, (amount, text)
    # Money always shows two decimals.
    for number in re.findall(r"([\d.]+) 元", text):
        assert re.fullmatch(r"\d+\.\d\d", number), (number, text)
    return text


# --- the request of DESIGN.md section 9 -----------------------------------------------------


def test_design_example_of_an_inpatient_stay_and_a_second_birth():
    result = run(
        inpatient("18000.00", level=3, total="20000.00"),
        visit(VisitKind.MATERNITY, "3600", total="4000", child_order=2),
    )
    stay, birth = result.visits
    # Level 3, first admission, adult: (18000 − 700) × 60% = 10380.00; U = 7620 below the
    # catastrophic deductible 15000, no assistance category: 20000 − 10380 = 9620.00.
    assert amounts(stay) == ("10380.00", "0.00", "0.00", "0.00", "9620.00")
    assert "基本医保：三级医院 第1次住院 起付线 700.00 元，(18000.00 − 700.00) × 60% = 10380.00 元" in explained(stay)
    # Second child: min(1500, 3600) = 1500.00; 4000 − 1500 = 2500.00.
    assert amounts(birth) == ("1500.00", "0.00", "0.00", "0.00", "2500.00")
    explained(birth)
    totals = result.totals
    assert (totals.total, totals.policy_range) == (Decimal("24000.00"), Decimal("21600.00"))
    assert (totals.basic, totals.catastrophic, totals.assistance, totals.reassistance) == (
        Decimal("11880.00"), Decimal("0.00"), Decimal("0.00"), Decimal("0.00"))
    assert (totals.reimbursed, totals.out_of_pocket) == (Decimal("11880.00"), Decimal("12120.00"))
    # 11880 / 24000 = 0.495
    assert totals.reimbursed_share == Decimal("0.4950")


def test_no_visits_reimburse_nothing():
    result = run()
    assert result.visits == ()
    assert result.totals.total == result.totals.reimbursed == Decimal("0.00")
    assert result.totals.reimbursed_share == Decimal("0")


def test_the_2021_demo_policy_differs_from_2022_only_where_seed_004_dates_a_raise():
    policy_2021, policy_2022 = demo_policy_2021(), demo_policy_2022()
    assert policy_2021.two_diseases_rate == Decimal("0.50") and policy_2022.two_diseases_rate == Decimal("0.60")
    caps_2021 = {category: rule.cap for category, rule in policy_2021.assistance_rules.items()}
    assert caps_2021 == {EXTREME: Decimal("10000.00"), MINIMUM: Decimal("10000.00"), RETURNED: Decimal("10000.00"),
                         EDGE: Decimal("30000.00"), MONITORED: Decimal("30000.00")}
    as_2022 = replace(policy_2021, two_diseases_rate=Decimal("0.60"), assistance_rules=policy_2022.assistance_rules)
    assert as_2022 == policy_2022


def test_a_two_diseases_visit_reimburses_half_in_2021_and_sixty_percent_in_2022():
    # 400 × 50% = 200.00 (2021); 400 × 60% = 240.00 (2022); no other layer for an adult without
    # an assistance category.
    two_diseases = visit(VisitKind.TWO_DISEASES, "400.00")
    (in_2021,) = run(two_diseases, policy=demo_policy_2021()).visits
    (in_2022,) = run(two_diseases, policy=demo_policy_2022()).visits
    assert amounts(in_2021) == ("200.00", "0.00", "0.00", "0.00", "200.00")
    assert amounts(in_2022) == ("240.00", "0.00", "0.00", "0.00", "160.00")


def test_a_minimum_living_adults_assistance_is_capped_at_10000_in_2021_and_30000_in_2022():
    # 低保 adult, level 3, 200,000 (180,000 in the policy range), no deductible (exempt):
    # B = 180,000 × 60% = 108,000.00; U = 72,000.
    # Catastrophic (poorest: deductible 7,500, 65% to 100,000 above it): 64,500 × 65% = 41,925.00.
    # Assistance on U − C = 30,075: 70% = 21,052.50 under 2022's cap of 30,000, 10,000.00 under 2021's.
    # Two diseases 400: 2022 B = 240, U = 160, A: G(30,235) = 21,164.50 − 21,052.50 = 112.00;
    # 2021 B = 200, U = 200, A: G(30,275) = min(21,192.50, 10,000) − 10,000 = 0.00.
    visits = (inpatient("180000.00", level=3, total="200000.00"), visit(VisitKind.TWO_DISEASES, "400.00"))
    in_2022 = run(*visits, assistance=MINIMUM, policy=demo_policy_2022())
    in_2021 = run(*visits, assistance=MINIMUM, policy=demo_policy_2021())
    assert [amounts(v)[:3] for v in in_2022.visits] == [("108000.00", "41925.00", "21052.50"), ("240.00", "0.00", "112.00")]
    assert [amounts(v)[:3] for v in in_2021.visits] == [("108000.00", "41925.00", "10000.00"), ("200.00", "0.00", "0.00")]
    assert str(in_2022.totals.assistance) == "21164.50"
    assert str(in_2021.totals.assistance) == "10000.00"


# --- basic insurance: inpatient ---------------------------------------------------------------


def test_first_admission_pays_the_full_deductible():
    # Level 2, adult: (1000 − 300) × 70% = 490.00; OOP 1000 − 490 = 510.00.
    (stay,) = run(inpatient("1000.00", level=2)).visits
    assert amounts(stay) == ("490.00", "0.00", "0.00", "0.00", "510.00")


def test_second_admission_halves_the_deductible():
    first, second = run(inpatient("1000.00", level=2), inpatient("1000.00", level=2)).visits
    # Deductible 300 × 0.5 = 150: (1000 − 150) × 70% = 595.00.
    assert second.basic == Decimal("595.00")
    assert "二级医院 第2次住院 起付线 150.00 元（300.00 × 0.5），(1000.00 − 150.00) × 70% = 595.00 元" in explained(second)


def test_third_and_fourth_admissions_have_no_deductible():
    visits = run(*[inpatient("1000.00", level=2)] * 4).visits
    # 490.00, 595.00, then 1000 × 70% = 700.00 twice.
    assert [v.basic for v in visits] == [Decimal(x) for x in ("490.00", "595.00", "700.00", "700.00")]
    assert "第3次住院 起付线 0.00 元（300.00 × 0），1000.00 × 70% = 700.00 元" in explained(visits[2])
    assert "第4次住院 起付线 0.00 元（300.00 × 0）" in explained(visits[3])


def test_admissions_are_counted_across_levels_and_not_by_outpatient_visits():
    result = run(
        inpatient("1000.00", level=3),
        visit(VisitKind.CHRONIC, "100.00"),
        inpatient("1000.00", level=1),
    )
    # Second admission at level 1: 100 × 0.5 = 50: (1000 − 50) × 85% = 807.50.
    assert result.visits[2].basic == Decimal("807.50")
    assert "一级医院 第2次住院 起付线 50.00 元（100.00 × 0.5）" in explained(result.visits[2])


@pytest.mark.parametrize(
    ("category", "basic"),
    [
        # Level 3: (1000 − 700) × 60% = 180.00 for an adult, (1000 − 100) × 60% = 540.00 for a child.
        (Category.ADULT, "180.00"),
        (Category.STUDENT_CHILD, "540.00"),
    ],
)
def test_inpatient_deductible_depends_on_the_category(category, basic):
    (stay,) = run(inpatient("1000.00", level=3), category=category).visits
    assert str(stay.basic) == basic


def test_policy_range_below_the_deductible_gets_no_basic_payment():
    (stay,) = run(inpatient("500.00", level=3, total="650.00")).visits
    # 500 < 700: nothing; 650 out of pocket.
    assert amounts(stay) == ("0.00", "0.00", "0.00", "0.00", "650.00")
    assert "政策范围内费用 500.00 元未超过起付线，0.00 元" in explained(stay)


@pytest.mark.parametrize("assistance", [EXTREME, MINIMUM])
def test_deductible_exempt_categories_pay_no_inpatient_deductible(assistance):
    (stay,) = run(inpatient("1000.00", level=3), assistance=assistance).visits
    # 1000 × 60% = 600.00; U 400, below the halved catastrophic deductible 7500;
    # assistance 400 × 70% = 280.00; re-assistance on 120, below 5000; OOP 120.00.
    assert amounts(stay) == ("600.00", "0.00", "280.00", "0.00", "120.00")
    assert f"起付线 0.00 元（{assistance.label}免起付线），1000.00 × 60% = 600.00 元" in explained(stay)


def test_returned_to_poverty_pays_the_inpatient_deductible():
    (stay,) = run(inpatient("1000.00", level=3), assistance=RETURNED).visits
    # (1000 − 700) × 60% = 180.00; U 820; assistance 820 × 70% = 574.00; OOP 246.00.
    assert amounts(stay) == ("180.00", "0.00", "574.00", "0.00", "246.00")


# --- basic insurance: chronic, outpatient, two diseases, maternity ---------------------------


def test_chronic_annual_deductible_is_consumed_across_visits():
    visits = run(
        visit(VisitKind.CHRONIC, "300.00"),
        visit(VisitKind.CHRONIC, "400.00"),
        visit(VisitKind.CHRONIC, "1000.00"),
    ).visits
    # 300 all deductible (200 left): 0.00; 200 deductible: (400 − 200) × 65% = 130.00;
    # deductible used up: 1000 × 65% = 650.00.
    assert [v.basic for v in visits] == [Decimal("0.00"), Decimal("130.00"), Decimal("650.00")]
    assert "年度起付线 500.00 元，本次扣除 300.00 元（尚余 200.00 元）" in explained(visits[0])
    assert "本次扣除 200.00 元（尚余 0.00 元），(400.00 − 200.00) × 65% = 130.00 元" in explained(visits[1])
    assert "门诊慢特病 年度起付线 500.00 元已扣完，1000.00 × 65% = 650.00 元" in explained(visits[2])


def test_chronic_deductible_also_applies_to_deductible_exempt_categories():
    # DESIGN.md exempts these categories from the inpatient deductible only.
    (chronic,) = run(visit(VisitKind.CHRONIC, "1000.00"), assistance=EXTREME).visits
    # (1000 − 500) × 65% = 325.00.
    assert chronic.basic == Decimal("325.00")


def test_outpatient_deductible_is_annual_and_its_cap_cuts_a_visit():
    visits = run(
        visit(VisitKind.OUTPATIENT, "30.00"),
        visit(VisitKind.OUTPATIENT, "100.00"),
        visit(VisitKind.OUTPATIENT, "300.00"),
        visit(VisitKind.OUTPATIENT, "200.00"),
    ).visits
    # 30 into the deductible: 0.00; (100 − 20) × 50% = 40.00; 300 × 50% = 150.00 (paid 190);
    # 200 × 50% = 100.00 but only 10.00 left under the cap of 200.
    assert [v.basic for v in visits] == [Decimal(x) for x in ("0.00", "40.00", "150.00", "10.00")]
    assert "已达普通门诊统筹年度封顶线 200.00 元，本次支付 10.00 元" in explained(visits[3])
    # Outpatient care is not catastrophic-insured.
    assert "大病保险：普通门诊不属大病保险支付范围，0.00 元" in explained(visits[3])


def test_two_diseases_have_no_deductible_and_their_own_cap():
    visits = run(
        visit(VisitKind.TWO_DISEASES, "500.00"),
        visit(VisitKind.TWO_DISEASES, "400.00"),
        visit(VisitKind.TWO_DISEASES, "100.00"),
    ).visits
    # 500 × 60% = 300.00; 400 × 60% = 240.00 cut to the 200.00 left of 500; then nothing.
    assert [v.basic for v in visits] == [Decimal("300.00"), Decimal("200.00"), Decimal("0.00")]
    assert "基本医保：两病门诊用药不设起付线，500.00 × 60% = 300.00 元" in explained(visits[0])
    assert "已达两病门诊用药年度封顶线 500.00 元，本次支付 200.00 元" in explained(visits[1])
    assert "本次支付 0.00 元" in explained(visits[2])


@pytest.mark.parametrize(
    ("child_order", "basic"),
    [(1, "1000.00"), (2, "1500.00"), (3, "3000.00"), (4, "3000.00")],
)
def test_maternity_pays_the_lump_sum_of_the_child_order(child_order, basic):
    (birth,) = run(visit(VisitKind.MATERNITY, "4000.00", total="5000.00", child_order=child_order)).visits
    assert str(birth.basic) == basic
    # 5000 − lump sum out of pocket.
    assert birth.out_of_pocket == Decimal("5000.00") - Decimal(basic)
    text = explained(birth)
    assert f"第{child_order}孩" in text
    if child_order == 4:
        assert "第4孩（按第3孩及以上）" in text


def test_maternity_pays_no_more_than_the_policy_range():
    (birth,) = run(visit(VisitKind.MATERNITY, "1200.00", total="1300.00", child_order=2)).visits
    # min(1500, 1200) = 1200.00
    assert amounts(birth) == ("1200.00", "0.00", "0.00", "0.00", "100.00")


def test_maternity_takes_no_part_in_the_later_layers_nor_their_running_totals():
    birth, pills = run(
        visit(VisitKind.MATERNITY, "4000.00", total="5000.00", child_order=1),
        visit(VisitKind.TWO_DISEASES, "100.00"),
        assistance=EXTREME,
    ).visits
    # Birth: 1000 lump sum and nothing else, even for 特困人员: 4000.00 out of pocket.
    assert amounts(birth) == ("1000.00", "0.00", "0.00", "0.00", "4000.00")
    assert "医疗救助：生育不属医疗救助范围，0.00 元" in explained(birth)
    # Pills: 100 × 60% = 60.00; assistance on 40 only (not 3040): 40 × 70% = 28.00; OOP 12.00.
    assert amounts(pills) == ("60.00", "0.00", "28.00", "0.00", "12.00")
    assert "本年累计大病保险后自付 40.00 元" in explained(pills)


def test_inpatient_and_chronic_share_the_basic_cap_reached_mid_visit():
    visits = run(
        inpatient("200100.00", level=1),
        visit(VisitKind.CHRONIC, "50500.00"),
        visit(VisitKind.OUTPATIENT, "250.00"),
        inpatient("10000.00", level=1),
    ).visits
    # Stay: (200100 − 100) × 85% = 170000.00. U 30100: catastrophic (30100 − 15000) × 60% = 9060.00.
    assert amounts(visits[0]) == ("170000.00", "9060.00", "0.00", "0.00", "21040.00")
    # Chronic: (50500 − 500) × 65% = 32500, only 30000.00 left of 200000. U 20500, accumulated
    # 50600: (50600 − 15000) × 60% = 21360, less 9060 before = 12300.00; OOP 8200.00.
    assert amounts(visits[1]) == ("30000.00", "12300.00", "0.00", "0.00", "8200.00")
    text = explained(visits[1])
    assert "已达基本医保年度封顶线 200000.00 元（住院和门诊慢特病合计），本次支付 30000.00 元" in text
    assert "此前已付 9060.00 元，本次 12300.00 元" in text
    # Outpatient has its own cap: (250 − 50) × 50% = 100.00.
    assert visits[2].basic == Decimal("100.00")
    # Second stay: (10000 − 50) × 85% = 8457.50 but the cap is used up: 0.00. U 10000,
    # accumulated 60600: 45600 × 60% = 27360, less 21360 = 6000.00; OOP 4000.00.
    assert amounts(visits[3]) == ("0.00", "6000.00", "0.00", "0.00", "4000.00")
    assert "(10000.00 − 50.00) × 85% = 8457.50 元" in explained(visits[3])


# --- catastrophic insurance ------------------------------------------------------------------


def test_catastrophic_tiers_at_exactly_100000_and_200000_above_the_deductible():
    visits = run(
        visit(VisitKind.CHRONIC, "115000.00"),
        visit(VisitKind.CHRONIC, "100000.00"),
        visit(VisitKind.CHRONIC, "10.00"),
        policy=NO_BASIC,
    ).visits
    # 115000 − 15000 = 100000 exactly: 100000 × 60% = 60000.00.
    assert visits[0].catastrophic == Decimal("60000.00")
    assert "超过起付线 15000.00 元部分 100000.00 元按段支付 100000.00 × 60% = 60000.00 元" in explained(visits[0])
    # 200000 above: 60000 + 100000 × 65% = 125000, less 60000 = 65000.00.
    assert visits[1].catastrophic == Decimal("65000.00")
    assert "100000.00 × 60% + 100000.00 × 65% = 125000.00 元" in explained(visits[1])
    # 10 beyond 200000: 125000 + 10 × 70% = 125007, less 125000 = 7.00.
    assert visits[2].catastrophic == Decimal("7.00")
    assert "100000.00 × 60% + 100000.00 × 65% + 10.00 × 70% = 125007.00 元" in explained(visits[2])


def test_catastrophic_below_the_deductible_pays_nothing():
    (chronic,) = run(visit(VisitKind.CHRONIC, "15000.00"), policy=NO_BASIC).visits
    assert chronic.catastrophic == Decimal("0.00")
    assert "本年累计基本医保后自付 15000.00 元（本次 15000.00 元），未超过起付线 15000.00 元，0.00 元" in explained(chronic)


def test_catastrophic_cap_is_reached_mid_visit():
    visits = run(
        visit(VisitKind.CHRONIC, "215010.00"),
        visit(VisitKind.INPATIENT, "400000.00", level=2),
        visit(VisitKind.CHRONIC, "1000.00"),
        policy=NO_BASIC,
    ).visits
    # 215010: 60000 + 65000 + 10 × 70% = 125007.00.
    assert visits[0].catastrophic == Decimal("125007.00")
    # 615010: 125000 + 400010 × 70% = 405007 > 400000: 400000 − 125007 = 274993.00.
    assert visits[1].catastrophic == Decimal("274993.00")
    assert "= 405007.00 元，已达大病保险年度封顶线 400000.00 元，此前已付 125007.00 元，本次 274993.00 元" in explained(visits[1])
    assert visits[2].catastrophic == Decimal("0.00")


@pytest.mark.parametrize("assistance", [EXTREME, MINIMUM, RETURNED])
def test_poorest_categories_get_a_halved_deductible_higher_rates_and_no_cap(assistance):
    first, second = run(
        visit(VisitKind.CHRONIC, "115000.00"),
        visit(VisitKind.CHRONIC, "500010.00"),
        assistance=assistance,
        policy=NO_BASIC,
    ).visits
    # Deductible 15000 × 0.5 = 7500; 107500 above: 100000 × 65% + 7500 × 70% = 70250.00.
    assert first.catastrophic == Decimal("70250.00")
    text = explained(first)
    assert f"大病保险：{assistance.label}起付线 15000.00 × 0.5 = 7500.00 元，各段比例提高 5 个百分点，不设年度封顶线" in text
    assert "100000.00 × 65% + 7500.00 × 70% = 70250.00 元" in text
    # 615010 − 7500 = 607510: 65000 + 70000 + 407510 × 75% = 440632.50, above 400000 and
    # still paid: 440632.50 − 70250 = 370382.50.
    assert second.catastrophic == Decimal("370382.50")


@pytest.mark.parametrize("assistance", [EDGE, MONITORED, None])
def test_other_residents_get_the_standard_catastrophic_terms(assistance):
    (chronic,) = run(visit(VisitKind.CHRONIC, "115000.00"), assistance=assistance, policy=NO_BASIC).visits
    assert chronic.catastrophic == Decimal("60000.00")


def test_poorest_terms_are_settings_of_the_policy():
    plain = replace(
        NO_BASIC, poorest_deductible_factor=Decimal("1"), poorest_rate_bonus=Decimal("0"),
        poorest_uncapped=False,
    )
    first, second = run(
        visit(VisitKind.CHRONIC, "115000.00"),
        visit(VisitKind.CHRONIC, "500010.00"),
        assistance=MINIMUM,
        policy=plain,
    ).visits
    # Same as everyone: 60000.00, then capped at 400000: 340000.00.
    assert (first.catastrophic, second.catastrophic) == (Decimal("60000.00"), Decimal("340000.00"))


def test_catastrophic_f_is_rounded_half_up_to_cents():
    terms = POLICY.catastrophic_terms(poorest=False)
    # 0.01 above 15000: 0.006 -> 0.01. 0.10 into the 65% tier: 60000 + 0.065 = 60000.065 ->
    # 60000.07 (half-even would give 60000.06).
    assert terms.payable_for(Decimal("15000.01")) == Decimal("0.01")
    assert terms.payable_for(Decimal("115000.10")) == Decimal("60000.07")
    assert terms.payable_for(Decimal("14999.99")) == Decimal("0.00")


# --- medical assistance and re-assistance ----------------------------------------------------

# One level 2 stay of 60000 with 50000 in the policy range, for every assistance category.
CATEGORY_CASES = [
    # (50000 − 300) × 70% = 34790.00; U 15210: (15210 − 15000) × 60% = 126.00;
    # 60000 − 34790 − 126 = 25084.00.
    (None, ("34790.00", "126.00", "0.00", "0.00", "25084.00")),
    # Exempt: 50000 × 70% = 35000.00; U 15000 − 7500 = 7500 × 65% = 4875.00; assistance
    # 10125 × 70% = 7087.50; re-assistance on 3037.50, below 5000; OOP 13037.50.
    (EXTREME, ("35000.00", "4875.00", "7087.50", "0.00", "13037.50")),
    (MINIMUM, ("35000.00", "4875.00", "7087.50", "0.00", "13037.50")),
    # Not exempt: 34790.00; (15210 − 7500) × 65% = 5011.50; (15210 − 5011.50) × 70% = 7138.95;
    # 3059.55 below 5000; OOP 60000 − 34790 − 5011.50 − 7138.95 = 13059.55.
    (RETURNED, ("34790.00", "5011.50", "7138.95", "0.00", "13059.55")),
    # 34790.00; 126.00; (15084 − 3000) × 50% = 6042.00; (15084 − 6042 − 5000) × 70% = 2829.40;
    # OOP 60000 − 34790 − 126 − 6042 − 2829.40 = 16212.60.
    (EDGE, ("34790.00", "126.00", "6042.00", "2829.40", "16212.60")),
    (MONITORED, ("34790.00", "126.00", "6042.00", "2829.40", "16212.60")),
]


@pytest.mark.parametrize(("assistance", "expected"), CATEGORY_CASES)
def test_each_assistance_category_on_one_stay(assistance, expected):
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=assistance).visits
    assert amounts(stay) == expected
    text = explained(stay)
    if assistance is None:
        assert "医疗救助：未认定医疗救助身份，0.00 元" in text
        assert "再救助：未认定医疗救助身份，0.00 元" in text


def test_assistance_texts_name_the_rule():
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=EDGE).visits
    text = explained(stay)
    assert ("医疗救助（低保边缘家庭成员）：本年累计大病保险后自付 15084.00 元（本次 15084.00 元），"
            "(15084.00 − 3000.00) × 50% = 6042.00 元，此前已付 0.00 元，本次 6042.00 元") in text
    assert ("再救助（低保边缘家庭成员）：本年累计医疗救助后自付 9042.00 元（本次 9042.00 元），"
            "(9042.00 − 5000.00) × 70% = 2829.40 元") in text
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=EXTREME).visits
    assert "不设起付线，10125.00 × 70% = 7087.50 元" in explained(stay)


def test_assistance_and_reassistance_caps_are_reached_mid_visit():
    pills, clinic, later = run(
        visit(VisitKind.TWO_DISEASES, "10000.00"),
        visit(VisitKind.OUTPATIENT, "60000.00"),
        visit(VisitKind.OUTPATIENT, "1000.00"),
        assistance=EDGE,
    ).visits
    # Pills: 10000 × 60% = 6000 cut to the cap of 500.00. U 9500; assistance
    # (9500 − 3000) × 50% = 3250.00; re-assistance (6250 − 5000) × 70% = 875.00; OOP 5375.00.
    assert amounts(pills) == ("500.00", "0.00", "3250.00", "875.00", "5375.00")
    # Clinic: (60000 − 50) × 50% = 29975 cut to the cap of 200.00. U 59800, accumulated 69300:
    # (69300 − 3000) × 50% = 33150 > 30000: 30000 − 3250 = 26750.00. Re-assistance on
    # 6250 + 59800 − 26750 = 39300: (39300 − 5000) × 70% = 24010 > 20000: 20000 − 875 = 19125.00.
    # OOP 60000 − 200 − 26750 − 19125 = 13925.00.
    assert amounts(clinic) == ("200.00", "0.00", "26750.00", "19125.00", "13925.00")
    text = explained(clinic)
    assert "= 33150.00 元，已达医疗救助年度限额 30000.00 元，此前已付 3250.00 元，本次 26750.00 元" in text
    assert "= 24010.00 元，已达再救助年度限额 20000.00 元，此前已付 875.00 元，本次 19125.00 元" in text
    # Every cap used up: the whole bill is out of pocket.
    assert amounts(later) == ("0.00", "0.00", "0.00", "0.00", "1000.00")


def test_reassistance_only_for_the_categories_of_its_rule():
    policy = replace(POLICY, reassistance=replace(POLICY.reassistance, categories=frozenset({EXTREME})))
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=EDGE, policy=policy).visits
    # As in CATEGORY_CASES but without the 2829.40 of re-assistance: OOP 19042.00.
    assert amounts(stay) == ("34790.00", "126.00", "6042.00", "0.00", "19042.00")
    assert "再救助：低保边缘家庭成员不属再救助对象，0.00 元" in explained(stay)


def test_no_assistance_rule_for_a_category_means_no_assistance():
    policy = replace(POLICY, assistance_rules={EXTREME: POLICY.assistance_rules[EXTREME]})
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=EDGE, policy=policy).visits
    # No assistance; re-assistance on (15084 − 5000) × 70% = 7058.80; OOP 25084 − 7058.80 = 18025.20.
    assert amounts(stay) == ("34790.00", "126.00", "0.00", "7058.80", "18025.20")
    assert "医疗救助：本年度政策未设低保边缘家庭成员救助标准，0.00 元" in explained(stay)


def test_each_layer_is_rounded_half_up_to_cents():
    (clinic,) = run(visit(VisitKind.OUTPATIENT, "150.01"), assistance=MONITORED).visits
    # (150.01 − 50) × 50% = 50.005 -> 50.01 (half-even would give 50.00); OOP 100.00.
    assert amounts(clinic) == ("50.01", "0.00", "0.00", "0.00", "100.00")
    (clinic,) = run(visit(VisitKind.TWO_DISEASES, "6000.00"), visit(VisitKind.OUTPATIENT, "200.01"),
                    assistance=EDGE).visits[1:]
    # Before: 6000 × 60% = 3600 -> cap 500.00, U 5500, G = (5500 − 3000) × 50% = 1250.00.
    # Now: (200.01 − 50) × 50% = 75.005 -> 75.01; U 124.99; accumulated 5624.99:
    # (2624.99) × 50% = 1312.495 -> 1312.50, less 1250 = 62.50.
    assert (clinic.basic, clinic.assistance) == (Decimal("75.01"), Decimal("62.50"))


# --- rates, explanations, bad input ----------------------------------------------------------


def test_rates_show_as_percentages():
    assert format_rate(Decimal("0.70")) == "70%"
    assert format_rate(Decimal("0.725")) == "72.5%"
    assert format_rate(Decimal("1")) == "100%"
    assert format_rate(Decimal("0")) == "0%"


def test_out_of_pocket_line_shows_the_subtraction():
    (stay,) = run(inpatient("50000.00", level=2, total="60000.00"), assistance=EDGE).visits
    assert ("个人负担：60000.00 − 34790.00 − 126.00 − 6042.00 − 2829.40 = 16212.60 元"
            "（其中政策范围外自费 10000.00 元）") in stay.explanation


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: visit(VisitKind.INPATIENT, "100.00", total="90.00", level=1), "must not exceed total"),
        (lambda: visit(VisitKind.CHRONIC, "-1.00", total="10.00"), "must not be negative"),
        (lambda: Visit(VisitKind.CHRONIC, 10.0, 10.0), "finite Decimal"),
        (lambda: visit(VisitKind.CHRONIC, "10.005"), "whole number of cents"),
        (lambda: visit("dental", "10.00"), "unknown visit kind"),
        (lambda: visit(VisitKind.INPATIENT, "10.00"), "needs level"),
        (lambda: visit(VisitKind.MATERNITY, "10.00", child_order=0), "needs child_order"),
        (lambda: visit(VisitKind.OUTPATIENT, "10.00", level=2), "applies to inpatient visits only"),
        (lambda: run(inpatient("10.00", level=4)), "no inpatient level 4"),
        (lambda: run(visit(VisitKind.CHRONIC, "10.00"), category="pensioner"), "pensioner"),
        (lambda: run(("chronic", "10.00", "10.00")), "is not a Visit"),
    ],
)
def test_impossible_input_is_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()


def test_visit_kinds_may_be_given_as_codes():
    (clinic,) = run(visit("two_diseases", "100.00")).visits
    assert clinic.visit.kind is VisitKind.TWO_DISEASES
    assert VisitKind.TWO_DISEASES.label == "两病门诊用药"


def test_a_policy_whose_poorest_rates_would_exceed_100_percent_is_refused():
    with pytest.raises(ValueError, match="exceeds 100%"):
        replace(POLICY, catastrophic_tiers=(CatastrophicTier(None, Decimal("0.98")),))


def test_catastrophic_tiers_must_rise_and_end_open():
    with pytest.raises(ValueError, match="tier bounds"):
        replace(POLICY, catastrophic_tiers=(
            CatastrophicTier(Decimal("200000"), Decimal("0.6")),
            CatastrophicTier(Decimal("100000"), Decimal("0.65")),
            CatastrophicTier(None, Decimal("0.7")),
        ))
    with pytest.raises(ValueError, match="tier bounds"):
        replace(POLICY, catastrophic_tiers=(CatastrophicTier(Decimal("100000"), Decimal("0.6")),))
