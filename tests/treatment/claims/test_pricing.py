"""The expected reimbursement of manual claims, worked by hand from DESIGN.md section 7's demo
policy of 2022 and the demo's stated reductions outside the pooling region (5 points with a
filing, 20 without): the same engine as the estimator, continuing from what the year used."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from assistance.models import Settlement
from tests.assistance.case_helpers import set_category
from tests.treatment.claims.conftest import step, submit, visit
from treatment.chronic.models import ChronicRecognition
from treatment.filings.models import Filing

pytestmark = pytest.mark.django_db

STAY_DAY = date(2022, 7, 5)


def settlement(resident, day: date, kind: str, policy_range: str, basic: str, catastrophic: str = "0.00",
               invoice: str = "") -> Settlement:
    """A settlement of the settlement system, as an import writes it."""
    policy_range, basic, catastrophic = Decimal(policy_range), Decimal(basic), Decimal(catastrophic)
    return Settlement.objects.create(
        person_digest=resident.id_digest, id_masked=resident.id_masked, resident=resident, year=day.year,
        settled_on=day, institution="淄博市中心医院", invoice_number=invoice, kind=kind, total=policy_range,
        policy_range=policy_range, basic=basic, catastrophic=catastrophic, assistance=Decimal("0.00"),
        personal=policy_range - basic - catastrophic, fingerprint=uuid.uuid4().hex, imported_at=timezone.now(),
    )


def amounts(claim) -> tuple[str, ...]:
    return tuple(str(getattr(claim, name)) for name in ("basic", "catastrophic", "assistance", "reimbursed"))


def lines(claim) -> str:
    return "\n".join(visit.explanation for visit in claim.visits.all())


# -- where the care happened ---------------------------------------------------------------------

def test_a_stay_outside_without_a_filing_is_paid_at_the_ratio_less_twenty_points(zhang, clerk_chezhan):
    claim = submit(zhang, clerk_chezhan, visit(outside=True, treatment_city="北京市"))
    # Level 3, adult, first admission: (20000 − 700) × (60% − 20%) = 7720.00; the burden after
    # basic, 12280.00, is below the catastrophic deductible of 15000.
    assert amounts(claim) == ("7720.00", "0.00", "0.00", "7720.00")
    assert (str(claim.total), str(claim.out_of_pocket)) == ("22000.00", "14280.00")
    assert claim.visits.get().place == "outside_unfiled"
    assert "异地就医（未备案）：基本医保支付比例 60% 降低 20 个百分点，按 40% 支付" in lines(claim)
    assert "(20000.00 − 700.00) × 40% = 7720.00 元" in lines(claim)
    assert claim.computed_at is not None and claim.category == "adult"


def test_a_filing_valid_on_the_day_reduces_the_ratio_by_five_points_only(zhang, clerk_chezhan):
    Filing.objects.create(resident=zhang, kind="emergency", province="北京市", city="北京市",
                          valid_from=date(2022, 7, 1), valid_until=date(2022, 12, 31),
                          verification_code=uuid.uuid4().hex, recorded_by=clerk_chezhan)
    claim = submit(zhang, clerk_chezhan, visit(outside=True, treatment_city="北京市"))
    # (20000 − 700) × (60% − 5%) = 10615.00
    assert amounts(claim) == ("10615.00", "0.00", "0.00", "10615.00")
    assert claim.visits.get().place == "outside_filed"


def test_a_filing_of_later_days_does_not_cover_the_stay(zhang, clerk_chezhan):
    Filing.objects.create(resident=zhang, kind="emergency", province="北京市", city="北京市",
                          valid_from=date(2022, 8, 1), valid_until=date(2023, 1, 31),
                          verification_code=uuid.uuid4().hex, recorded_by=clerk_chezhan)
    claim = submit(zhang, clerk_chezhan, visit(outside=True, treatment_city="北京市"))
    assert claim.visits.get().place == "outside_unfiled" and str(claim.reimbursed) == "7720.00"


def test_a_filing_for_another_city_does_not_cover_the_stay(zhang, clerk_chezhan):
    Filing.objects.create(resident=zhang, kind="emergency", province="上海市", city="上海市",
                          valid_from=date(2022, 7, 1), valid_until=date(2022, 12, 31),
                          verification_code=uuid.uuid4().hex, recorded_by=clerk_chezhan)
    claim = submit(zhang, clerk_chezhan, visit(outside=True, treatment_city="北京"))
    assert claim.visits.get().place == "outside_unfiled" and str(claim.reimbursed) == "7720.00"


def test_local_care_is_paid_at_the_full_ratio(zhang, clerk_chezhan):
    claim = submit(zhang, clerk_chezhan, visit())
    assert amounts(claim) == ("11580.00", "0.00", "0.00", "11580.00")  # (20000 − 700) × 60%


# -- what the year had used ----------------------------------------------------------------------

def test_every_settlement_of_the_year_counts_also_one_dated_after_the_stay(zhang, clerk_chezhan):
    # March: a level-3 stay settled at the hospital, (30000 − 700) × 60% = 17580.00 basic, burden 12420.00.
    settlement(zhang, date(2022, 3, 1), "inpatient", "30000.00", "17580.00")
    # September, after the claim's July stay: the hospital's second admission, (50000 − 350) × 60%
    # = 29790.00 basic, burden 20210.00; the year's 12420 + 20210 = 32630.00, catastrophic
    # (32630 − 15000) × 60% = 10578.00. It has used the year's deductibles all the same.
    settlement(zhang, date(2022, 9, 1), "inpatient", "50000.00", "29790.00", "10578.00")
    claim = submit(zhang, clerk_chezhan, visit())
    # Third admission: no deductible (factor 0), 20000 × 60% = 12000.00; burden 8000.00, all of it
    # above the catastrophic deductible already passed: 8000 × 60% = 4800.00.
    assert amounts(claim) == ("12000.00", "4800.00", "0.00", "16800.00")
    assert "第3次住院" in lines(claim)
    assert "2 条已导入的就医结算记录" in claim.year_used


def test_a_settlement_imported_after_recording_counts_when_the_claim_is_reviewed(zhang, village_clerk,
                                                                                  clerk_chezhan):
    claim = submit(zhang, village_clerk, visit())
    assert str(claim.reimbursed) == "11580.00"  # (20000 − 700) × 60%, a first admission
    # Imported meanwhile, dated after the stay: (30000 − 700) × 60% = 17580.00 basic, burden 12420.00.
    settlement(zhang, date(2022, 9, 1), "inpatient", "30000.00", "17580.00")
    claim = step(claim, "prereview", clerk_chezhan)
    # Second admission: (20000 − 350) × 60% = 11790.00; burden 8210.00, the year's
    # 12420 + 8210 = 20630.00, (20630 − 15000) × 60% = 3378.00 catastrophic.
    assert amounts(claim) == ("11790.00", "3378.00", "0.00", "15168.00")
    assert "第2次住院 起付线 350.00 元（700.00 × 0.5）" in lines(claim)
    assert "本年累计基本医保后自付 20630.00 元" in lines(claim)


def test_an_outpatient_deductible_used_by_a_settlement_is_not_taken_again(zhang, clerk_chezhan):
    # April: an outpatient visit used the whole annual deductible of 50: (300 − 50) × 50% = 125.00.
    settlement(zhang, date(2022, 4, 11), "outpatient", "300.00", "125.00")
    claim = submit(zhang, clerk_chezhan, visit(kind="outpatient", level=None, left_on=None, total="120.00",
                                               policy_range="100.00"))
    assert str(claim.basic) == "50.00"  # 100 × 50%, where a first visit would pay (100 − 50) × 50% = 25.00
    assert "普通门诊统筹 年度起付线 50.00 元已扣完" in lines(claim)


def test_what_the_year_used_is_stored_with_the_amounts_it_explains(zhang, clerk_chezhan):
    from treatment.claims.services import year_used_before

    settlement(zhang, date(2022, 3, 1), "inpatient", "30000.00", "17580.00")
    claim = submit(zhang, clerk_chezhan, visit())
    _, used = year_used_before(claim)
    assert (used.settlements, used.claims, str(used.policy_range), str(used.basic)) == (1, 0, "30000.00", "17580.00")
    assert claim.year_used == used.summary
    assert "1 条已导入的就医结算记录：政策范围内费用 30000.00 元，基本医保已支付 17580.00 元" in claim.year_used
    # Imported after the pricing: the stored sentence still tells what the amounts were computed from.
    settlement(zhang, date(2022, 4, 1), "outpatient", "300.00", "125.00")
    claim.refresh_from_db()
    assert "1 条已导入的就医结算记录" in claim.year_used


def test_an_approved_claim_counts_and_a_waiting_one_does_not(zhang, clerk_chezhan, village_clerk, county_officer):
    february = submit(zhang, village_clerk, visit(visited_on=date(2022, 2, 1), left_on=date(2022, 2, 9),
                                                  invoice_number="A-0201"))
    july = submit(zhang, village_clerk, visit(invoice_number="A-0705"))
    assert str(july.reimbursed) == "11580.00"  # February's claim is not approved yet: a first admission
    step(february, "prereview", clerk_chezhan)
    step(february, "approve", county_officer)
    july = step(july, "prereview", clerk_chezhan)
    # Re-priced at pre-review: second admission (20000 − 350) × 60% = 11790.00; burdens
    # 20000 − 11580 = 8420 and 8210 make 16630.00, (16630 − 15000) × 60% = 978.00.
    assert amounts(july) == ("11790.00", "978.00", "0.00", "12768.00")
    assert "重新核算：应报销 12768.00 元（原 11580.00 元）" in july.steps.get(action="prereview").notes


# -- chronic care and recognition ------------------------------------------------------------------

CHRONIC = {"kind": "chronic", "level": None, "left_on": None, "total": "3200.00", "policy_range": "3000.00",
           "hospital": "华光路社区卫生服务站"}


def test_chronic_care_without_a_recognition_is_not_paid_by_basic_insurance(zhang, clerk_chezhan):
    claim = submit(zhang, clerk_chezhan, visit(**CHRONIC))
    assert str(claim.basic) == "0.00" and claim.visits.get().disease_code == ""
    assert "未办理门诊慢特病认定，本次不予支付" in lines(claim)


def test_chronic_care_under_a_recognised_disease_is_paid_by_its_rule(zhang, clerk_chezhan):
    ChronicRecognition.objects.create(
        resident=zhang, disease_code="M00201", disease_name="糖尿病", diagnosis="淄博市中心医院 2型糖尿病",
        status="recognised", valid_from=date(2022, 1, 1), valid_until=date(2023, 12, 31),
        recorded_by=clerk_chezhan, decided_by=User.objects.get(username="officer"), decided_at=timezone.now(),
    )
    claim = submit(zhang, clerk_chezhan, visit(**CHRONIC))
    # 糖尿病 follows the general chronic rule: (3000 − 500) × 65% = 1625.00.
    assert str(claim.basic) == "1625.00" and claim.visits.get().disease_code == "M00201"
    assert "门诊慢特病（糖尿病）" in lines(claim)


def recognise(resident, code: str, name: str, valid_from: date = date(2022, 1, 1),
              valid_until: date = date(2023, 12, 31)) -> ChronicRecognition:
    return ChronicRecognition.objects.create(
        resident=resident, disease_code=code, disease_name=name, diagnosis="淄博市中心医院", status="recognised",
        valid_from=valid_from, valid_until=valid_until, recorded_by=User.objects.get(username="clerk_chezhan"),
        decided_by=User.objects.get(username="officer"), decided_at=timezone.now(),
    )


def refusal(call) -> dict[str, list[str]]:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.message_dict


def test_with_several_recognitions_the_clerk_names_the_visits_disease(zhang, clerk_chezhan):
    from treatment.claims.models import Claim

    recognise(zhang, "M00201", "糖尿病")
    recognise(zhang, "M00401", "恶性肿瘤门诊放化疗")
    problems = refusal(lambda: submit(zhang, clerk_chezhan, visit(**CHRONIC)))
    assert problems == {"visit-1": [
        "第 1 条就诊记录：申请人在2022年7月5日有 2 个有效的门诊慢特病认定（M00201 糖尿病、M00401 恶性肿瘤门诊放化疗），"
        "请在“认定病种”中填写本次就诊所属病种的编码。"]}
    assert not Claim.objects.exists()
    claim = submit(zhang, clerk_chezhan, visit(**CHRONIC, disease_code=" m00401 "))
    # 恶性肿瘤门诊放化疗 has no deductible and pays 75%: 3000 × 75% = 2250.00.
    assert str(claim.basic) == "2250.00" and claim.visits.get().disease_code == "M00401"


def test_a_named_disease_must_be_recognised_on_the_visits_day(zhang, clerk_chezhan):
    problems = refusal(lambda: submit(zhang, clerk_chezhan, visit(**CHRONIC, disease_code="M00201")))
    assert "当天没有有效的认定" in problems["visit-1"][0]
    recognise(zhang, "M00201", "糖尿病")
    recognise(zhang, "M00401", "恶性肿瘤门诊放化疗", valid_from=date(2022, 8, 1))  # not yet on 5 July
    problems = refusal(lambda: submit(zhang, clerk_chezhan, visit(**CHRONIC, disease_code="M00401")))
    assert problems == {"visit-1": [
        "第 1 条就诊记录：认定病种 M00401 不是申请人在2022年7月5日有效的门诊慢特病认定；当天有效的认定：M00201 糖尿病。"]}
    # Left blank, the only recognition of the day is taken: (3000 − 500) × 65% = 1625.00.
    assert str(submit(zhang, clerk_chezhan, visit(**CHRONIC)).basic) == "1625.00"


def test_an_earlier_claims_unrecognised_chronic_care_used_no_chronic_deductible(
        zhang, village_clerk, clerk_chezhan, county_officer):
    march = submit(zhang, village_clerk, visit(**CHRONIC, visited_on=date(2022, 3, 1), invoice_number="C-0301"))
    assert str(march.basic) == "0.00"  # no recognition on 1 March
    step(march, "prereview", clerk_chezhan)
    step(march, "approve", county_officer)
    recognise(zhang, "M00201", "糖尿病", valid_from=date(2022, 5, 1))
    july = submit(zhang, village_clerk, visit(**CHRONIC, invoice_number="C-0705"))
    # March's 3000 was paid by no basic insurance and met no deductible: the whole 500 is still
    # to meet, (3000 − 500) × 65% = 1625.00 (not 3000 × 65% = 1950.00).
    assert str(july.basic) == "1625.00"


# -- assistance category held on the day -----------------------------------------------------------

def test_a_minimum_living_category_held_on_the_day_brings_all_three_layers(wang, clerk_chezhan):
    set_category(wang, "minimum_living", valid_from=date(2021, 1, 1))
    claim = submit(wang, clerk_chezhan, visit())
    # 低保: no inpatient deductible, 20000 × 60% = 12000.00; burden 8000.00; catastrophic with the
    # deductible halved to 7500 at 60% + 5 points: (8000 − 7500) × 65% = 325.00; assistance with no
    # deductible at 70%: (8000 − 325) × 70% = 5372.50; re-assistance: 2302.50 left, below 5000.
    assert amounts(claim) == ("12000.00", "325.00", "5372.50", "17697.50")
    assert claim.assistance_category == "minimum_living"


def test_a_category_that_ended_before_the_stay_does_not_apply(wang, clerk_chezhan):
    set_category(wang, "minimum_living", valid_from=date(2021, 1, 1), valid_to=date(2022, 6, 30))
    claim = submit(wang, clerk_chezhan, visit())
    assert amounts(claim) == ("11580.00", "0.00", "0.00", "11580.00") and claim.assistance_category == ""


def test_visits_under_different_assistance_categories_are_claimed_apart(wang, clerk_chezhan):
    from treatment.claims.models import Claim

    set_category(wang, "minimum_living", valid_from=date(2021, 1, 1), valid_to=date(2022, 6, 30))
    june = visit(visited_on=date(2022, 6, 1), left_on=date(2022, 6, 5), invoice_number="W-0601")
    problems = refusal(lambda: submit(wang, clerk_chezhan, june, visit(invoice_number="W-0705")))
    assert problems == {"__all__": [
        "本申请各次就诊时申请人的困难类别不同（2022年6月1日的就诊：低保对象；2022年7月5日的就诊：无困难类别），"
        "一份申请只能按一个困难类别核算。请以 2022年7月5日 为界，把就诊记录分成 2 份申请分别受理。"]}
    assert not Claim.objects.exists()
    assert submit(wang, clerk_chezhan, june).assistance_category == "minimum_living"
