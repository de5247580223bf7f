"""Issuing a 参保证明 (my_insurance.proofs.services.proof_issue): only enrolled, paid, unrefunded
years of the person's own, stated as they stand; refusals write nothing."""

import json
import uuid
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from enrollment import services as enrollment_services
from enrollment.models import Enrollment, Refund
from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.services import proof_issue
from tests.my_insurance.proofs.helpers import NOW, enrollment_of, person

pytestmark = pytest.mark.django_db


def refused(resident, years) -> str:
    before = InsuranceProof.objects.count()
    with pytest.raises(ValidationError) as error:
        proof_issue(resident=resident, years=years, now=NOW)
    assert InsuranceProof.objects.count() == before
    return " ".join(error.value.messages)


def test_a_proof_states_each_chosen_year_as_it_stands(demo):
    wang = person("王秀兰")
    proof = proof_issue(resident=wang, years=[2022, 2021], now=NOW)

    enrollment = enrollment_of("王秀兰", 2022)
    assert proof.years == "2021,2022" and proof.issued_at == NOW and proof.resident == wang
    assert [entry["year"] for entry in proof.statement] == [2021, 2022]
    assert proof.statement[1] == {
        "year": 2022, "enrollment": enrollment.pk, "pooling_region": "淄博市",
        "place": "山东省淄博市张店区车站街道华光路社区", "category": "adult", "paid_on": "2021-10-10",
        "coverage_start": "2022-01-01", "coverage_end": "2022-12-31",
    }


def test_the_statement_holds_no_name_and_no_id_number(demo):
    proof = proof_issue(resident=person("王秀兰"), years=[2022], now=NOW)
    kept = json.dumps(proof.statement, ensure_ascii=False)
    assert "王秀兰" not in kept and "1223" not in kept


def test_each_proof_gets_its_own_random_url_safe_code(demo):
    first = proof_issue(resident=person("王秀兰"), years=[2022], now=NOW)
    second = proof_issue(resident=person("王秀兰"), years=[2021], now=NOW)
    assert first.verification_code != second.verification_code
    for code in (first.verification_code, second.verification_code):
        assert len(code) == 22 and set(code) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_an_unpaid_year_is_refused_with_its_reason(demo):
    assert "2022 年度未缴费" in refused(person("刘桂英"), [2022])


def test_a_year_without_enrollment_is_refused_as_not_enrolled(demo):
    # 赵伟 paid for 2021 and never enrolled for 2022, a year others paid for.
    assert "2022 年度未参保" in refused(person("赵伟"), [2022])


def test_years_the_person_has_no_record_of_are_refused(demo):
    # 李秀梅's first enrollment is 2022: 2021 was someone else's year, not hers.
    assert "2021 年度没有您的参保记录" in refused(person("李秀梅"), [2021])
    assert "2030 年度没有您的参保记录" in refused(person("王秀兰"), [2030])


def test_one_bad_year_refuses_the_whole_proof(demo):
    message = refused(person("刘桂英"), [2021, 2022])
    assert "2022 年度未缴费" in message and "2021" not in message.replace("2022", "")


def test_refunded_and_cancelled_years_are_refused(demo, clerk_chezhan, officer):
    refund = enrollment_services.refund_request(enrollment=enrollment_of("张建国", 2022), reason=Refund.Reason.OTHER,
                                                note="重复参保", clerk=clerk_chezhan)
    assert "2022 年度已申请退费" in refused(person("张建国"), [2022])
    enrollment_services.refund_approve(refund=refund, approver=officer)
    assert "2022 年度已退费" in refused(person("张建国"), [2022])
    Enrollment.objects.filter(pk=enrollment_of("刘桂英", 2022).pk).update(status=Enrollment.Status.CANCELLED)
    assert "2022 年度已注销" in refused(person("刘桂英"), [2022])


def test_a_year_enrolled_again_after_a_cancellation_proves_the_new_enrollment(demo, clerk_chezhan):
    cancelled = enrollment_of("刘桂英", 2022)
    Enrollment.objects.filter(pk=cancelled.pk).update(status=Enrollment.Status.CANCELLED)
    again = enrollment_services.enrollment_register(resident=person("刘桂英"), year=2022, category="adult",
                                                    clerk=clerk_chezhan, on=date(2021, 10, 20))
    enrollment_services.payment_record(enrollment=again, amount=again.payable, method="cash", token=uuid.uuid4(),
                                       clerk=clerk_chezhan)

    proof = proof_issue(resident=person("刘桂英"), years=[2022], now=NOW)
    assert proof.statement[0]["enrollment"] == again.pk


def test_no_year_and_values_that_are_not_years_are_refused(demo):
    wang = person("王秀兰")
    assert "请至少选择一个年度" in refused(wang, [])
    assert "请从列表中选择年度" in refused(wang, ["2022"])
    assert "请从列表中选择年度" in refused(wang, [True])


def test_the_same_years_again_the_same_day_give_the_same_proof(demo):
    """A double submit or a reload makes one proof: a second, identical one would only clutter
    the person's list (both would verify alike, so it would be harmless, but it is not made)."""
    wang = person("王秀兰")
    first = proof_issue(resident=wang, years=[2021, 2022], now=NOW)
    again = proof_issue(resident=wang, years=[2022, 2021], now=NOW + timedelta(seconds=1))
    assert again.pk == first.pk and InsuranceProof.objects.filter(resident=wang).count() == 1


def test_other_years_another_day_or_a_changed_statement_give_a_new_proof(demo):
    wang = person("王秀兰")
    first = proof_issue(resident=wang, years=[2022], now=NOW)
    assert proof_issue(resident=wang, years=[2021, 2022], now=NOW).pk != first.pk
    assert proof_issue(resident=wang, years=[2022], now=NOW + timedelta(days=1)).pk != first.pk
    Enrollment.objects.filter(pk=enrollment_of("王秀兰", 2022).pk).update(coverage_start=date(2022, 2, 1))
    changed = proof_issue(resident=wang, years=[2022], now=NOW)
    assert changed.pk != first.pk and changed.statement[0]["coverage_start"] == "2022-02-01"
