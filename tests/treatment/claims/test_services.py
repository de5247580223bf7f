"""Manual claims (零星报销): what recording checks, the invoice that is paid once, the workflow
from township pre-review to payment with its refusals, attachments, and the public lookup."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import OuterRef

from enrollment.models import Resident
from tests.treatment.claims.conftest import PDF, step, steps_dated, submit, visit
from tests.treatment.claims.test_pricing import settlement
from treatment.claims import services
from treatment.claims.lookup import LOOKUP_CLAIMS
from treatment.claims.models import Claim, ClaimStep, ClaimVisit

pytestmark = pytest.mark.django_db


def refused(call) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        call()
    return caught.value.messages


# -- recording ------------------------------------------------------------------------------------

def test_recording_writes_the_claim_its_visits_and_the_first_step(zhang, village_clerk):
    claim = submit(zhang, village_clerk, visit(), visit(visited_on=date(2022, 8, 1), left_on=None, kind="outpatient",
                                                       level=None, total="300", policy_range="250",
                                                       invoice_number=" 3700 2200 0000 02 "))
    assert claim.status == "submitted" and claim.recorded_by == village_clerk
    assert list(claim.visits.values_list("line", "invoice_number")) == [(1, "37002200000001"), (2, "37002200000002")]
    [first] = claim.steps.all()
    assert (first.action, first.actor, first.to_status) == ("submit", village_clerk, "submitted")
    assert "11680.00" in first.notes  # 11580.00 for the stay, (250 − 50) × 50% = 100.00 for the visit


def test_a_clerk_cannot_record_a_claim_of_someone_outside_their_scope(zhang, clerk_other):
    assert "管辖范围" in refused(lambda: submit(zhang, clerk_other))[0]
    assert not Claim.objects.exists()


@pytest.mark.parametrize(("overrides", "message"), [
    ({"visited_on": date(2021, 12, 30), "left_on": None}, "不在 2022 年度待遇享受期（2022-01-01 至 2022-12-31）内"),
    ({"visited_on": date(2023, 1, 3), "left_on": None}, "晚于今天"),
    ({"left_on": date(2022, 7, 1)}, "出院日期早于入院日期"),
    ({"policy_range": "23000.00"}, "政策范围内费用 23000.00 元超过医疗总费用 22000.00 元"),
    ({"level": None}, "住院须选择医院等级"),
    ({"kind": "maternity", "level": None}, "生育须填写孩次"),
    ({"outside": True}, "异地就医须填写就医城市"),
    ({"total": "0.00", "policy_range": "0.00"}, "医疗总费用应大于 0 元"),
    ({"invoice_number": "  "}, "请填写发票号码"),
    ({"hospital": ""}, "请填写医疗机构名称"),
])
def test_a_bad_visit_is_refused_with_its_line_and_nothing_is_written(zhang, clerk_chezhan, overrides, message):
    with pytest.raises(ValidationError) as caught:
        submit(zhang, clerk_chezhan, visit(invoice_number="GOOD-1"), visit(**{"invoice_number": "BAD-2", **overrides}),
               today=date(2022, 12, 31))
    assert list(caught.value.message_dict) == ["visit-2"]
    assert caught.value.message_dict["visit-2"][0].startswith("第 2 条就诊记录：")
    assert any(message in problem for problem in caught.value.messages), caught.value.messages
    assert not Claim.objects.exists() and not ClaimVisit.objects.exists()


def test_someone_without_a_paid_enrollment_of_the_year_is_refused(demo, demo_policies, clerk_chezhan):
    zhao = Resident.objects.get(name="赵伟")  # not enrolled for 2022
    assert "没有 2022 年度的有效参保登记" in refused(lambda: submit(zhao, clerk_chezhan))[0]
    liu = Resident.objects.get(name="刘桂英")  # enrolled for 2022, not paid
    assert "个人缴费还没有缴纳" in refused(lambda: submit(liu, clerk_chezhan))[0]


def test_amounts_past_the_largest_a_visit_or_a_claim_holds_are_refused(zhang, clerk_chezhan):
    huge = visit(total="10000000.00", policy_range="10000000.00")
    problems = refused(lambda: submit(zhang, clerk_chezhan, huge))
    assert problems == ["第 1 条就诊记录：医疗总费用 10000000.00 元超过每条就诊记录最多 9,999,999.99 元，请核对。",
                        "第 1 条就诊记录：政策范围内费用 10000000.00 元超过每条就诊记录最多 9,999,999.99 元，请核对。"]
    # Eleven stays of 9,999,999.00 each make 109,999,989.00, past a claim's 99,999,999.99.
    stays = [visit(total="9999999.00", policy_range="9000000.00", invoice_number=f"BIG-{n}") for n in range(11)]
    assert refused(lambda: submit(zhang, clerk_chezhan, *stays)) == [
        "各条就诊记录的医疗总费用合计 109999989.00 元，超过一份申请最多 99,999,999.99 元；请核对金额，或分成几份申请。"]
    assert not Claim.objects.exists()


def test_a_disease_code_is_for_chronic_care_only(zhang, clerk_chezhan):
    assert "只有门诊慢特病填写认定病种" in refused(lambda: submit(zhang, clerk_chezhan, visit(disease_code="M00201")))[0]


def test_care_before_a_death_is_claimed_and_care_after_it_is_refused(zhang, clerk_chezhan):
    Resident.objects.filter(pk=zhang.pk).update(date_of_death=date(2022, 7, 20))
    zhang.refresh_from_db()
    after = visit(visited_on=date(2022, 7, 25), left_on=None, invoice_number="AFTER")
    assert "在登记的死亡日期 2022-07-20 之后" in refused(lambda: submit(zhang, clerk_chezhan, after))[0]
    assert submit(zhang, clerk_chezhan, visit()).status == "submitted"


# -- an invoice is paid once ----------------------------------------------------------------------

def test_the_same_invoice_twice_in_one_claim_is_refused(zhang, clerk_chezhan):
    twice = [visit(invoice_number="INV-1"), visit(visited_on=date(2022, 8, 1), left_on=None, invoice_number=" inv-1 ")]
    messages = refused(lambda: submit(zhang, clerk_chezhan, *twice))
    assert messages == ["第 2 条就诊记录：发票号码 INV-1 与第 1 条重复，同一张发票只能报销一次。"]


def test_an_invoice_of_another_claim_is_refused_with_that_claims_number_and_state(zhang, wang, clerk_chezhan):
    first = submit(zhang, clerk_chezhan, visit(invoice_number="INV-1"))
    messages = refused(lambda: submit(wang, clerk_chezhan, visit(invoice_number="INV-1")))
    assert messages == [f"第 1 条就诊记录：发票号码 INV-1 已在零星报销 {first.number}（已受理，待乡镇初审）中申请，不能重复报销。"]
    assert Claim.objects.count() == 1


def test_an_invoice_settled_at_the_hospital_is_refused_with_where_and_when(zhang, clerk_chezhan):
    settlement(zhang, date(2022, 3, 1), "inpatient", "1000.00", "180.00", invoice="INV-9")
    messages = refused(lambda: submit(zhang, clerk_chezhan, visit(invoice_number="inv-9")))
    assert messages == ["第 1 条就诊记录：发票号码 INV-9 已于 2022年3月1日在淄博市中心医院直接结算，不能再手工报销。"]
    assert not Claim.objects.exists()


def test_the_database_has_the_last_word_when_another_claim_took_the_invoice_meanwhile(
        zhang, wang, clerk_chezhan, monkeypatch):
    first = submit(zhang, clerk_chezhan, visit(invoice_number="INV-1"))
    checks = iter([[]])  # the check before writing misses the other claim, as in a race
    real = services._invoice_problems
    monkeypatch.setattr(services, "_invoice_problems", lambda *args: next(checks, None) or real(*args))
    messages = refused(lambda: submit(wang, clerk_chezhan, visit(invoice_number="INV-1")))
    assert messages == [f"第 1 条就诊记录：发票号码 INV-1 已在零星报销 {first.number}（已受理，待乡镇初审）中申请，不能重复报销。"]
    assert Claim.objects.count() == 1 and ClaimStep.objects.count() == 1


# -- the workflow ---------------------------------------------------------------------------------

@pytest.fixture
def recorded(zhang, village_clerk):
    return submit(zhang, village_clerk, visit(outside=True, treatment_city="北京市"))


def test_the_whole_way_from_recording_to_payment(recorded, clerk_chezhan, county_officer, second_county_officer,
                                                 outbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        step(recorded, "prereview", clerk_chezhan, notes="发票、费用清单、出院小结齐全。")
        claim = step(recorded, "approve", county_officer)
        assert claim.status == "approved" and str(claim.reimbursed) == "7720.00"
        steps_dated(claim, date(2022, 12, 15))
        claim = step(recorded, "pay", second_county_officer, payment_voucher="ZF-2022-0001", paid_on=date(2022, 12, 20))
    assert (claim.status, str(claim.paid_amount), claim.paid_on, claim.payment_voucher) == (
        "paid", "7720.00", date(2022, 12, 20), "ZF-2022-0001")
    assert list(claim.steps.values_list("action", flat=True)) == ["submit", "prereview", "approve", "pay"]
    assert "支付 7720.00 元，支付日期 2022-12-20，凭证号 ZF-2022-0001" in claim.steps.get(action="pay").notes
    approved, paid = [n.message for n in outbox]
    assert approved.startswith("张*国您好，您的零星报销申请") and "应报销 7720.00 元" in approved
    assert "7720.00 元已于 2022年12月20日支付" in paid and "370303" not in approved + paid


def test_the_recorder_may_not_pre_review_their_own_claim(zhang, clerk_chezhan):
    claim = submit(zhang, clerk_chezhan)
    assert "须由其他工作人员办理" in refused(lambda: step(claim, "prereview", clerk_chezhan))[0]


def test_a_village_clerk_may_not_pre_review(recorded, village_clerk):
    other = submit(Resident.objects.get(name="王秀兰"), village_clerk, visit(invoice_number="W-1"))
    assert "乡镇(街道)工作站有初审权限" in refused(lambda: step(other, "prereview", village_clerk))[0]
    assert Claim.objects.get(pk=other.pk).status == "submitted"


def test_the_township_may_not_approve_and_the_county_may_not_skip_pre_review(recorded, clerk_chezhan, county_officer):
    assert "现在可以办理的是" in refused(lambda: step(recorded, "approve", county_officer))[0]
    step(recorded, "prereview", clerk_chezhan)
    assert "县(区)或市医保部门" in refused(lambda: step(recorded, "approve", clerk_chezhan))[0]


def test_whoever_approved_may_not_also_record_the_payment(recorded, clerk_chezhan, county_officer):
    step(recorded, "prereview", clerk_chezhan)
    step(recorded, "approve", county_officer)
    assert "上一步由您本人办理" in refused(lambda: step(recorded, "pay", county_officer, payment_voucher="ZF-1"))[0]


def test_a_payment_needs_its_voucher_and_a_day_between_the_approval_and_today(recorded, clerk_chezhan,
                                                                              county_officer, second_county_officer):
    step(recorded, "prereview", clerk_chezhan)
    step(recorded, "approve", county_officer)
    steps_dated(recorded, date(2022, 12, 15))
    assert refused(lambda: step(recorded, "pay", second_county_officer)) == ["请填写支付凭证号。"]
    assert "晚于今天" in refused(lambda: step(recorded, "pay", second_county_officer, payment_voucher="ZF-1",
                                              paid_on=date(2023, 1, 5)))[0]
    assert refused(lambda: step(recorded, "pay", second_county_officer, payment_voucher="ZF-1",
                                paid_on=date(2022, 12, 14))) == ["支付日期 2022-12-14 早于复审通过的日期 2022-12-15，请核对。"]
    claim = Claim.objects.get(pk=recorded.pk)
    assert (claim.status, claim.paid_amount) == ("approved", None)
    claim = step(recorded, "pay", second_county_officer, payment_voucher="ZF-1", paid_on=date(2022, 12, 15))
    assert (claim.status, claim.paid_on) == ("paid", date(2022, 12, 15))


def test_a_return_needs_what_to_bring_and_the_clerk_resubmits(recorded, clerk_chezhan, village_clerk, outbox,
                                                              django_capture_on_commit_callbacks):
    assert refused(lambda: step(recorded, "return", clerk_chezhan, notes=" ")) == ["请写明需要补充的材料。"]
    with django_capture_on_commit_callbacks(execute=True):
        step(recorded, "return", clerk_chezhan, notes="请补充费用明细清单。")
    assert "需要补充材料：请补充费用明细清单" in outbox[-1].message
    claim = step(recorded, "resubmit", village_clerk, notes="已补充费用清单。")
    assert claim.status == "submitted"
    assert "上一步由您本人办理" not in str(services.steps_open_to(claim, clerk_chezhan))


def test_a_rejection_needs_its_reason_and_tells_the_claimant(recorded, clerk_chezhan, county_officer, outbox,
                                                              django_capture_on_commit_callbacks):
    step(recorded, "prereview", clerk_chezhan)
    assert refused(lambda: step(recorded, "reject", county_officer, notes="")) == ["请写明不予报销的理由。"]
    with django_capture_on_commit_callbacks(execute=True):
        claim = step(recorded, "reject", county_officer, notes="发票为复印件，且医院已直接结算（370303196804020111）。")
    assert claim.status == "rejected"
    assert "未予报销，理由：发票为复印件" in outbox[-1].message
    assert "370303196804020111" not in outbox[-1].message  # a number in the notes is masked in the message


def test_the_steps_open_to_each_person_and_why_not(recorded, clerk_chezhan, village_clerk, county_officer):
    assert services.steps_open_to(recorded, clerk_chezhan) == (["prereview", "return", "withdraw"], {})
    assert services.steps_open_to(recorded, village_clerk) == (["withdraw"], {})  # the recorder may withdraw
    assert services.steps_open_to(recorded, county_officer) == ([], {})
    step(recorded, "prereview", clerk_chezhan)
    claim = Claim.objects.get(pk=recorded.pk)
    assert services.steps_open_to(claim, county_officer) == (["approve", "reject", "return"], {})


# -- an invoice settled at the hospital after the claim was recorded -------------------------------

def test_an_invoice_settled_after_recording_stops_every_step_towards_payment(
        recorded, clerk_chezhan, county_officer, second_county_officer, zhang):
    settled = "第 1 条就诊记录：发票号码 37002200000001 已于 2022年7月20日在淄博市中心医院直接结算，不能再手工报销"

    def import_settlement():
        settlement(zhang, date(2022, 7, 20), "inpatient", "20000.00", "11580.00", invoice="37002200000001")

    import_settlement()
    assert refused(lambda: step(recorded, "prereview", clerk_chezhan))[0].startswith(settled)
    assert Claim.objects.get(pk=recorded.pk).status == "submitted" and recorded.steps.count() == 1
    # Before the import, the claim went on to approval; the import came before the payment.
    from assistance.models import Settlement

    Settlement.objects.all().delete()
    step(recorded, "prereview", clerk_chezhan)
    import_settlement()
    assert refused(lambda: step(recorded, "approve", county_officer))[0].startswith(settled)
    Settlement.objects.all().delete()
    step(recorded, "approve", county_officer)
    import_settlement()
    assert refused(lambda: step(recorded, "pay", second_county_officer, payment_voucher="ZF-1"))[0] == (
        settled + "（受理后导入的就医结算中有这张发票），请核实后退回或不予报销。")
    claim = Claim.objects.get(pk=recorded.pk)
    assert (claim.status, claim.paid_amount, claim.steps.count()) == ("approved", None, 3)
    # Approved but not paid: another officer rejects it.
    claim = step(recorded, "reject", second_county_officer, notes="发票已在医院直接结算。")
    assert claim.status == "rejected"


# -- withdrawing ----------------------------------------------------------------------------------

def test_the_recorder_withdraws_a_claim_with_a_reason_and_its_invoices_are_free_again(
        recorded, village_clerk, clerk_chezhan, zhang):
    assert refused(lambda: step(recorded, "withdraw", village_clerk, notes=" ")) == ["请写明撤回原因。"]
    claim = step(recorded, "withdraw", village_clerk, notes="就医城市填错，重新受理。")
    assert claim.status == "withdrawn" and claim.get_status_display() == "已撤回"
    assert list(claim.visits.values_list("withdrawn", flat=True)) == [True]
    assert services.steps_open_to(claim, clerk_chezhan) == ([], {})
    again = submit(zhang, village_clerk, visit(outside=True, treatment_city="上海市"))  # the same invoice
    assert again.status == "submitted"
    assert ClaimVisit.objects.filter(invoice_number="37002200000001").count() == 2
    [line, _] = LOOKUP_CLAIMS.build(zhang.pk, today=date(2022, 12, 31))["lines"][::-1]
    assert line.endswith("已撤回，如需报销请到医保工作站重新申请")
    assert "已办结" in refused(lambda: services.claim_attachment_add(
        claim=claim, upload=SimpleUploadedFile("y.pdf", PDF), user=village_clerk))[0]


def test_a_returned_claim_is_withdrawn_and_a_reviewed_one_is_not(recorded, village_clerk, clerk_chezhan,
                                                                  county_officer, wang):
    step(recorded, "return", clerk_chezhan, notes="发票金额与清单不符。")
    assert services.steps_open_to(Claim.objects.get(pk=recorded.pk), village_clerk) == (["resubmit", "withdraw"], {})
    assert step(recorded, "withdraw", village_clerk, notes="金额录错，重新受理。").status == "withdrawn"
    # Whoever returned a claim may withdraw it as well: withdrawing decides nothing for anyone.
    returned = submit(wang, village_clerk, visit(invoice_number="W-2"))
    step(returned, "return", clerk_chezhan, notes="缺出院小结。")
    assert step(returned, "withdraw", clerk_chezhan, notes="申请人不再报销。").status == "withdrawn"
    other = submit(wang, village_clerk, visit(invoice_number="W-1"))
    step(other, "prereview", clerk_chezhan)
    assert "现在可以办理的是" in refused(lambda: step(other, "withdraw", village_clerk, notes="撤回"))[0]
    assert Claim.objects.get(pk=other.pk).status == "prereviewed"


# -- attachments ----------------------------------------------------------------------------------

def test_attachments_are_kept_until_the_claim_is_settled(recorded, village_clerk, clerk_other, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    attachment = services.claim_attachment_add(claim=recorded, upload=SimpleUploadedFile("发票.pdf", PDF),
                                               user=village_clerk)
    assert attachment.path.read_bytes() == PDF
    assert "管辖范围" in refused(lambda: services.claim_attachment_add(
        claim=recorded, upload=SimpleUploadedFile("x.pdf", PDF), user=clerk_other))[0]
    Claim.objects.filter(pk=recorded.pk).update(status="rejected")
    assert "已办结" in refused(lambda: services.claim_attachment_add(
        claim=recorded, upload=SimpleUploadedFile("y.pdf", PDF), user=village_clerk))[0]
    assert recorded.attachments.count() == 1


def test_attachments_have_a_limit(recorded, village_clerk, settings, tmp_path, monkeypatch):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    monkeypatch.setattr(services, "MAX_ATTACHMENTS", 1)
    services.claim_attachment_add(claim=recorded, upload=SimpleUploadedFile("a.pdf", PDF), user=village_clerk)
    assert "最多上传 1 个" in refused(lambda: services.claim_attachment_add(
        claim=recorded, upload=SimpleUploadedFile("b.pdf", PDF), user=village_clerk))[0]


# -- the public lookup ----------------------------------------------------------------------------

def test_the_claimant_sees_the_state_and_once_approved_the_amount_without_names(
        recorded, clerk_chezhan, county_officer, zhang):
    assert Resident.objects.filter(pk=zhang.pk).filter(LOOKUP_CLAIMS.applies(OuterRef("pk"))).exists()
    section = LOOKUP_CLAIMS.build(zhang.pk, today=date(2022, 12, 31))
    assert section["title"] == "零星（手工）报销"
    assert f"（编号 {recorded.number}）：已受理，待乡镇初审" in section["lines"][0] and "元" not in section["lines"][0]
    step(recorded, "prereview", clerk_chezhan)
    step(recorded, "approve", county_officer)
    [line] = LOOKUP_CLAIMS.build(zhang.pk, today=date(2022, 12, 31))["lines"]
    assert line.endswith("复审通过，待支付，应报销 7720.00 元") and "张" not in line
    assert not Resident.objects.filter(name="王秀兰").filter(LOOKUP_CLAIMS.applies(OuterRef("pk"))).exists()
