"""Worked examples of where care happened (本地 / 异地已备案 / 异地未备案), the recognised chronic
disease a visit is paid under, and a year continued from what it already used.

The demo policy of 2022 (DESIGN.md section 7) with the demo's stated reductions: 5 percentage
points off every basic ratio with a filing, 20 without one. Every expected amount is worked by
hand in the comment above it.
"""

from dataclasses import replace
from decimal import Decimal

import pytest

from benefits.demo import demo_policy_2022
from benefits.policy import BenefitPolicySnapshot, ChronicDiseaseRule
from benefits.rules import UsedVisit, Visit, VisitKind, estimate
from portal.shared.vocabulary import AssistanceCategory, Category, Place

POLICY = replace(
    demo_policy_2022(),
    outside_reductions={Place.OUTSIDE_FILED: Decimal("0.05"), Place.OUTSIDE_UNFILED: Decimal("0.20")},
    chronic_diseases={
        "D1": ChronicDiseaseRule("D1", "高血压（高危）"),
        "D2": ChronicDiseaseRule("D2", "慢性肾功能衰竭（透析）", rate=Decimal("0.80")),
        "D3": ChronicDiseaseRule("D3", "恶性肿瘤门诊放化疗", deductible=Decimal("0.00"), rate=Decimal("0.75")),
    },
)
D = Decimal


def run(*visits, earlier=(), category=Category.ADULT, assistance=None, policy=POLICY):
    return estimate(policy, category=category, assistance=assistance, visits=visits, earlier=earlier)


def inpatient(policy_range, level, place=Place.LOCAL):
    return Visit(VisitKind.INPATIENT, D(policy_range), D(policy_range), level=level, place=place)


def chronic(policy_range, **extra):
    return Visit(VisitKind.CHRONIC, D(policy_range), D(policy_range), **extra)


def test_a_stay_outside_without_a_filing_is_paid_at_the_reduced_ratio_and_says_so():
    # Level 3, adult: deductible 700; 60% − 20 points = 40%; (10,000 − 700) × 40% = 3,720.00.
    # Burden 6,280.00 is below the catastrophic deductible of 15,000: out of pocket 6,280.00.
    visit = run(inpatient("10000", 3, Place.OUTSIDE_UNFILED)).visits[0]
    assert (str(visit.basic), str(visit.catastrophic), str(visit.out_of_pocket)) == ("3720.00", "0.00", "6280.00")
    assert "异地就医（未备案）：基本医保支付比例 60% 降低 20 个百分点，按 40% 支付" in visit.explanation
    assert "基本医保：三级医院 第1次住院 起付线 700.00 元，(10000.00 − 700.00) × 40% = 3720.00 元" in visit.explanation


def test_a_filing_keeps_most_of_the_ratio():
    # 60% − 5 points = 55%; (10,000 − 700) × 55% = 5,115.00.
    assert str(run(inpatient("10000", 3, Place.OUTSIDE_FILED)).visits[0].basic) == "5115.00"
    # Local: (10,000 − 700) × 60% = 5,580.00, and no line about the place.
    local = run(inpatient("10000", 3)).visits[0]
    assert str(local.basic) == "5580.00"
    assert not any("异地" in line for line in local.explanation)


def test_every_ratio_based_kind_is_reduced_and_maternity_is_not():
    # Outpatient: (250 − 50) × (50% − 20 points) = 60.00. Two diseases: 100 × (60% − 20) = 40.00.
    # Maternity pays its lump sum wherever the child was born: min(1,500, 4,000) = 1,500.00.
    result = run(
        Visit(VisitKind.OUTPATIENT, D("250"), D("250"), place=Place.OUTSIDE_UNFILED),
        Visit(VisitKind.TWO_DISEASES, D("100"), D("100"), place=Place.OUTSIDE_UNFILED),
        Visit(VisitKind.MATERNITY, D("4000"), D("4000"), child_order=2, place=Place.OUTSIDE_UNFILED),
    )
    assert [str(v.basic) for v in result.visits] == ["60.00", "40.00", "1500.00"]


def test_a_reduction_larger_than_the_ratio_pays_nothing_rather_than_a_negative_amount():
    policy = replace(POLICY, outside_reductions={Place.OUTSIDE_FILED: D("0.50"), Place.OUTSIDE_UNFILED: D("0.90")})
    # Level 3: 60% − 90 points is below 0, so 0%.
    visit = run(inpatient("10000", 3, Place.OUTSIDE_UNFILED), policy=policy).visits[0]
    assert str(visit.basic) == "0.00"


def test_the_policy_refuses_a_smaller_reduction_without_a_filing_than_with_one():
    with pytest.raises(ValueError, match="must not be less"):
        replace(POLICY, outside_reductions={Place.OUTSIDE_FILED: D("0.20"), Place.OUTSIDE_UNFILED: D("0.10")})
    with pytest.raises(ValueError, match="no reduction"):
        replace(POLICY, outside_reductions={Place.LOCAL: D("0.10")})
    assert isinstance(POLICY, BenefitPolicySnapshot)


def test_a_recognised_disease_with_its_own_ratio():
    # D2: the general deductible 500, its own 80%: (2,000 − 500) × 80% = 1,200.00.
    visit = run(chronic("2000", disease="D2")).visits[0]
    assert str(visit.basic) == "1200.00"
    assert any(line.startswith("基本医保：门诊慢特病（慢性肾功能衰竭（透析）） 年度起付线 500.00 元") for line in visit.explanation)


def test_a_disease_with_its_own_deductible_leaves_the_general_one_untouched():
    # D3: no deductible, 75%: 2,000 × 75% = 1,500.00. Then a general chronic visit still meets
    # the whole general deductible: (600 − 500) × 65% = 65.00.
    first, second = run(chronic("2000", disease="D3"), chronic("600", disease="D1")).visits
    assert (str(first.basic), str(second.basic)) == ("1500.00", "65.00")


def test_diseases_under_the_general_rule_share_its_deductible():
    # D1 then D2, both under the general deductible of 500: the first uses 300 of it and pays 0;
    # the second meets the remaining 200: (1,000 − 200) × 80% = 640.00.
    first, second = run(chronic("300", disease="D1"), chronic("1000", disease="D2")).visits
    assert (str(first.basic), str(second.basic)) == ("0.00", "640.00")


def test_without_a_recognition_a_chronic_visit_is_not_paid_by_basic_or_catastrophic_insurance():
    # Basic pays nothing; the burden of 2,000 is not an insured chronic service, so no
    # catastrophic; a low-income-edge person's assistance still counts it (deductible 3,000: 0).
    visit = run(chronic("2000", recognised=False), assistance=AssistanceCategory.LOW_INCOME_EDGE).visits[0]
    assert (str(visit.basic), str(visit.catastrophic), str(visit.out_of_pocket)) == ("0.00", "0.00", "2000.00")
    assert any("未办理门诊慢特病认定" in line and "请先" in line for line in visit.explanation)
    # Nor does it use up the deductible: a recognised visit after it meets all 500.
    after = run(chronic("2000", recognised=False), chronic("600", disease="D1")).visits[1]
    assert str(after.basic) == "65.00"


def test_an_anonymous_chronic_estimate_uses_the_general_rule_and_says_recognition_comes_first():
    # (2,000 − 500) × 65% = 975.00.
    visit = run(chronic("2000")).visits[0]
    assert str(visit.basic) == "975.00"
    assert any("须先经医保经办机构认定" in line for line in visit.explanation)
    # A policy without a disease list says nothing of it.
    plain = run(chronic("2000"), policy=replace(POLICY, chronic_diseases={})).visits[0]
    assert not any("须先经医保经办机构认定" in line for line in plain.explanation)


def test_a_disease_not_on_the_list_or_on_another_kind_is_refused():
    with pytest.raises(ValueError, match="no chronic disease"):
        run(chronic("2000", disease="X9"))
    with pytest.raises(ValueError, match="chronic visits only"):
        Visit(VisitKind.INPATIENT, D("1"), D("1"), level=1, disease="D1")
    with pytest.raises(ValueError, match="cannot be unrecognised"):
        chronic("1", disease="D1", recognised=False)
    with pytest.raises(ValueError, match="unknown place"):
        Visit(VisitKind.OUTPATIENT, D("1"), D("1"), place="abroad")


def test_an_earlier_admission_makes_the_next_one_the_second():
    # A settled level-2 stay earlier in the year; the claim's level-2 stay is the 2nd admission:
    # deductible 300 × 0.5 = 150; (5,000 − 150) × 70% = 3,395.00.
    earlier = [UsedVisit(VisitKind.INPATIENT, D("5000"), D("3290.00"))]
    visit = run(inpatient("5000", 2), earlier=earlier).visits[0]
    assert str(visit.basic) == "3395.00"
    assert any("第2次住院" in line for line in visit.explanation)


def test_earlier_burden_counts_towards_catastrophic_insurance():
    # Earlier: policy range 20,000, basic 5,000: a burden of 15,000, exactly the deductible.
    # Now level 3, 2nd admission: deductible 350; (2,700 − 350) × 60% = 1,410.00; burden
    # 1,290.00; accumulated 16,290 is 1,290 above the deductible: × 60% = 774.00.
    # Out of pocket 2,700 − 1,410 − 774 = 516.00.
    earlier = [UsedVisit(VisitKind.INPATIENT, D("20000"), D("5000"))]
    visit = run(inpatient("2700", 3), earlier=earlier).visits[0]
    assert (str(visit.basic), str(visit.catastrophic), str(visit.out_of_pocket)) == ("1410.00", "774.00", "516.00")


def test_earlier_use_of_the_basic_cap_and_deductibles_is_carried():
    # The basic cap of 200,000 has 199,705 + 195 = 199,900 used: a chronic visit gets at most 100.00.
    # The chronic deductible was met earlier (policy range 800 of chronic care before).
    earlier = [UsedVisit(VisitKind.INPATIENT, D("250000"), D("199705.00")),
               UsedVisit(VisitKind.CHRONIC, D("800"), D("195.00"))]
    visit = run(chronic("1000", disease="D1"), earlier=earlier).visits[0]
    # 1,000 × 65% = 650.00 without a deductible, cut to the 100.00 left under the cap.
    assert str(visit.basic) == "100.00"
    assert any("已达基本医保年度封顶线 200000.00 元" in line for line in visit.explanation)


def test_the_totals_count_only_the_visits_estimated_not_the_earlier_ones():
    earlier = [UsedVisit(VisitKind.INPATIENT, D("5000"), D("3290.00"))]
    totals = run(inpatient("5000", 2), earlier=earlier).totals
    assert (str(totals.total), str(totals.basic), str(totals.out_of_pocket)) == ("5000.00", "3395.00", "1605.00")


def test_an_earlier_unrecognised_chronic_visit_used_no_deductible_and_no_catastrophic_insurance():
    # Earlier: 20,000 of chronic care without a recognition, paid by no insurance. Now a level-3
    # stay of 30,000: (30,000 − 700) × 60% = 17,580.00; burden 12,420.00, alone below the
    # catastrophic deductible of 15,000: 0.00 (counting the earlier 20,000 would have paid).
    earlier = [UsedVisit(VisitKind.CHRONIC, D("20000"), D("0"), recognised=False)]
    visit = run(inpatient("30000", 3), earlier=earlier).visits[0]
    assert (str(visit.basic), str(visit.catastrophic)) == ("17580.00", "0.00")
    # And the chronic deductible is whole for the first recognised visit: (600 − 500) × 65%.
    assert str(run(chronic("600", disease="D1"), earlier=earlier).visits[0].basic) == "65.00"
