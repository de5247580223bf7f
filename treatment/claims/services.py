"""Writes of manual reimbursement claims (零星（手工）报销): recording, each step, attachments.

The step table and the maker-checker rule are ``treatment.claims.workflow.WORKFLOW``; this
module finds the actor's roles for this claimant, locks the claim, asks the workflow, and
writes the change with its step, or nothing. The expected amounts come from
``treatment.claims.pricing``, inside the same transaction.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assistance.models import Settlement
from benefits.rules import VisitKind
from enrollment.models import Enrollment, Resident
from portal.accounts.scopes import STATION_PERMISSION, staff_scope
from portal.network.codes import Level
from portal.privacy.id_numbers import mask_id_numbers_in, mask_name
from portal.privacy.scans import folder_path, scan_store
from portal.shared.notifications import notify
from portal.shared.vocabulary import Place
from treatment.claims.models import Claim, ClaimAttachment, ClaimStep, ClaimVisit
from treatment.claims.pricing import price_claim, year_used_before  # noqa: F401 (the claims' services)
from treatment.claims.workflow import STATUS_LABELS, WORKFLOW, Action, Role, Status, StepRefused

PREREVIEW_PERMISSION = "treatment.prereview_claim"
DECIDE_PERMISSION = "treatment.decide_claim"
MAX_ATTACHMENTS = 20
INVOICE_LENGTH = ClaimVisit._meta.get_field("invoice_number").max_length
HOSPITAL_LENGTH = ClaimVisit._meta.get_field("hospital").max_length
CITY_LENGTH = ClaimVisit._meta.get_field("treatment_city").max_length
DISEASE_LENGTH = ClaimVisit._meta.get_field("disease_code").max_length
# The largest amounts a visit and a claim may hold: the claim's sums (and the layers the engine
# computes from them) must fit the columns, and a bill above these is a typing error.
LARGEST_VISIT = Decimal("9999999.99")
LARGEST_CLAIM = Decimal("99999999.99")
# The steps the claimant is told of, by text message.
NOTIFIED = frozenset({Action.APPROVE, Action.REJECT, Action.RETURN, Action.PAY})
# Re-priced at each review: what the year used may have changed since the claim was recorded.
REPRICED = frozenset({Action.PREREVIEW, Action.APPROVE})
# Checked again against the settlements imported since: an invoice settled at the hospital is
# never paid a second time by hand.
INVOICES_RECHECKED = frozenset({Action.PREREVIEW, Action.APPROVE, Action.PAY})
# A claim in these states takes no more documents.
CLOSED = frozenset({Status.REJECTED, Status.PAID, Status.WITHDRAWN})


def roles_for(user, resident: Resident) -> frozenset[Role]:
    """What ``user`` may do on this claimant's claims: every role needs a scope containing the
    claimant; pre-review needs a township scope or above, review a county scope or above."""
    scope = staff_scope(user)
    if scope is None or not resident.region.code.startswith(scope.prefix):
        return frozenset()
    roles = set()
    if user.has_perm(STATION_PERMISSION):
        roles.add(Role.CLERK)
        if user.has_perm(PREREVIEW_PERMISSION) and scope.level <= Level.TOWNSHIP:
            roles.add(Role.PREREVIEWER)
    if user.has_perm(DECIDE_PERMISSION) and scope.level <= Level.COUNTY:
        roles.add(Role.DECIDER)
    return frozenset(roles)


# What each role is waiting to do, for the "waiting for me" filter.
WAITING_FOR = {
    Role.CLERK: [Status.RETURNED],
    Role.PREREVIEWER: [Status.SUBMITTED],
    Role.DECIDER: [Status.PREREVIEWED, Status.APPROVED],
}


def statuses_waiting_for(user) -> list[Status]:
    scope = staff_scope(user)
    if scope is None:
        return []
    statuses = []
    if user.has_perm(STATION_PERMISSION):
        statuses += WAITING_FOR[Role.CLERK]
        if user.has_perm(PREREVIEW_PERMISSION) and scope.level <= Level.TOWNSHIP:
            statuses += WAITING_FOR[Role.PREREVIEWER]
    if user.has_perm(DECIDE_PERMISSION) and scope.level <= Level.COUNTY:
        statuses += WAITING_FOR[Role.DECIDER]
    return statuses


# -- Recording -------------------------------------------------------------------------------

@dataclass(frozen=True)
class VisitInput:
    """One visit or stay of a claim as the clerk entered it from the invoice."""

    kind: str
    visited_on: date
    left_on: date | None
    hospital: str
    level: int | None
    child_order: int | None
    outside: bool
    treatment_city: str
    total: Decimal
    policy_range: Decimal
    invoice_number: str
    # The recognised disease (门诊慢特病) the clerk named for a chronic visit; "" lets pricing
    # take the person's only recognition valid on the day.
    disease_code: str = ""


def invoice_normalised(text: str) -> str:
    """Invoice numbers are compared without spaces and in capitals, as printed and as typed."""
    return re.sub(r"\s+", "", text or "").upper()


def _line_key(line: int) -> str:
    return f"visit-{line}"


@transaction.atomic
def claim_submit(*, resident: Resident, clerk, year: int, reason: str, visits: list[VisitInput], today: date) -> Claim:
    """Record a claim with its visits, priced, and its first step. Raises ValidationError
    (Chinese) and writes nothing when anything is wrong: its ``message_dict`` keys the visits'
    problems ``visit-<n>`` (n counts the visits from 1) and the claim's own ``__all__``."""
    if Role.CLERK not in roles_for(clerk, resident):
        raise ValidationError("只能为您管辖范围内的居民受理零星报销。")
    if not visits:
        raise ValidationError("请至少填写一条就诊记录（每张发票一条）。")
    # Locked first: two clerks recording claims of one person (the same invoice, say) take turns,
    # and the second sees the first's invoices below.
    resident = Resident.objects.select_for_update(of=("self",)).select_related("region").get(pk=resident.pk)
    enrollment = Enrollment.objects.active().filter(resident=resident, year=year).first()
    if enrollment is None:
        raise ValidationError(f"{resident.name} 没有 {year} 年度的有效参保登记，不能报销该年度的医疗费用。")
    if not enrollment.is_paid:
        raise ValidationError(f"{resident.name} {year} 年度的个人缴费还没有缴纳，缴费后才能享受医保待遇。")
    visits = [_normalised(visit) for visit in visits]
    problems: dict[str, list[str]] = {}
    for line, visit in enumerate(visits, 1):
        found = _visit_problems(line, visit, resident=resident, enrollment=enrollment, today=today)
        found += _invoice_problems(line, visit.invoice_number, visits)
        if found:
            problems[_line_key(line)] = found
    if not problems and (total := sum(visit.total for visit in visits)) > LARGEST_CLAIM:
        problems[NON_FIELD_ERRORS] = [
            f"各条就诊记录的医疗总费用合计 {total} 元，超过一份申请最多 {LARGEST_CLAIM:,} 元；请核对金额，或分成几份申请。"]
    if problems:
        raise ValidationError(problems)
    try:
        with transaction.atomic():
            claim = _claim_write(resident=resident, clerk=clerk, year=year, reason=reason, visits=visits)
    except IntegrityError:
        # Another claim took one of the invoices a moment ago: say which, as above.
        problems = {_line_key(line): found for line, visit in enumerate(visits, 1)
                    if (found := _invoice_problems(line, visit.invoice_number, visits))}
        raise ValidationError(problems or "发票号码刚刚已被其他报销申请使用，请核对后重新提交。") from None
    return claim


def _normalised(visit: VisitInput) -> VisitInput:
    return VisitInput(
        kind=visit.kind, visited_on=visit.visited_on, left_on=visit.left_on, hospital=(visit.hospital or "").strip(),
        level=visit.level, child_order=visit.child_order, outside=bool(visit.outside),
        treatment_city=(visit.treatment_city or "").strip() if visit.outside else "",
        total=visit.total, policy_range=visit.policy_range, invoice_number=invoice_normalised(visit.invoice_number),
        disease_code=re.sub(r"\s+", "", visit.disease_code or "").upper(),
    )


def _visit_problems(line: int, visit: VisitInput, *, resident: Resident, enrollment: Enrollment,
                    today: date) -> list[str]:
    head = f"第 {line} 条就诊记录："
    problems = []
    if visit.kind not in {kind.value for kind in VisitKind}:
        problems.append("请选择就诊类别")
    if visit.visited_on > today:
        problems.append(f"就诊日期 {visit.visited_on:%Y-%m-%d} 晚于今天，请核对")
    elif resident.date_of_death and visit.visited_on > resident.date_of_death:
        problems.append(f"就诊日期 {visit.visited_on:%Y-%m-%d} 在登记的死亡日期 {resident.date_of_death:%Y-%m-%d} 之后，请核对")
    elif not enrollment.coverage_start <= visit.visited_on <= enrollment.coverage_end:
        problems.append(
            f"就诊日期 {visit.visited_on:%Y-%m-%d} 不在 {enrollment.year} 年度待遇享受期"
            f"（{enrollment.coverage_start:%Y-%m-%d} 至 {enrollment.coverage_end:%Y-%m-%d}）内，不能报销")
    if visit.left_on is not None and visit.left_on < visit.visited_on:
        problems.append("出院日期早于入院日期，请核对")
    if not visit.hospital:
        problems.append("请填写医疗机构名称")
    elif len(visit.hospital) > HOSPITAL_LENGTH:
        problems.append(f"医疗机构名称最多 {HOSPITAL_LENGTH} 个字")
    if visit.kind == VisitKind.INPATIENT.value and visit.level not in (1, 2, 3):
        problems.append("住院须选择医院等级（一级、二级、三级）")
    if visit.kind == VisitKind.MATERNITY.value and not (visit.child_order or 0) >= 1:
        problems.append("生育须填写孩次（第几个孩子）")
    if visit.outside and not visit.treatment_city:
        problems.append("异地就医须填写就医城市")
    elif len(visit.treatment_city) > CITY_LENGTH:
        problems.append(f"就医城市最多 {CITY_LENGTH} 个字")
    if visit.disease_code and visit.kind != VisitKind.CHRONIC.value:
        problems.append("只有门诊慢特病填写认定病种，请核对就诊类别，或清空认定病种")
    elif len(visit.disease_code) > DISEASE_LENGTH:
        problems.append(f"认定病种编码最多 {DISEASE_LENGTH} 位")
    if visit.total <= 0:
        problems.append("医疗总费用应大于 0 元")
    elif visit.total > LARGEST_VISIT:
        problems.append(f"医疗总费用 {visit.total} 元超过每条就诊记录最多 {LARGEST_VISIT:,} 元，请核对")
    if visit.policy_range < 0:
        problems.append("政策范围内费用不能是负数")
    elif visit.policy_range > LARGEST_VISIT:
        problems.append(f"政策范围内费用 {visit.policy_range} 元超过每条就诊记录最多 {LARGEST_VISIT:,} 元，请核对")
    elif visit.policy_range > visit.total:
        problems.append(f"政策范围内费用 {visit.policy_range} 元超过医疗总费用 {visit.total} 元，请核对")
    if not visit.invoice_number:
        problems.append("请填写发票号码")
    elif len(visit.invoice_number) > INVOICE_LENGTH:
        problems.append(f"发票号码最多 {INVOICE_LENGTH} 位")
    return [head + problem + "。" for problem in problems]


def _invoice_problems(line: int, number: str, visits: list[VisitInput]) -> list[str]:
    """Where else the invoice was used: earlier in this claim, on another claim, or settled
    directly at the hospital (an imported settlement)."""
    if not number:
        return []
    head = f"第 {line} 条就诊记录：发票号码 {number} "
    first = next(index for index, visit in enumerate(visits, 1) if visit.invoice_number == number)
    if first != line:
        return [head + f"与第 {first} 条重复，同一张发票只能报销一次。"]
    claimed = ClaimVisit.objects.filter(invoice_number=number, withdrawn=False).select_related("claim").first()
    if claimed is not None:
        claim = claimed.claim
        return [head + f"已在零星报销 {claim.number}（{STATUS_LABELS[claim.state]}）中申请，不能重复报销。"]
    settled = _settled(number)
    return [head + settled + "。"] if settled else []


def _settled(number: str) -> str:
    """Where and when the invoice was settled directly at the hospital, as a refusal; "" if not."""
    settled = Settlement.objects.filter(invoice_number=number).order_by("settled_on", "pk").first()
    if settled is None:
        return ""
    return f"已于 {settled.settled_on:%Y年%-m月%-d日}在{settled.institution}直接结算，不能再手工报销"


def _settled_invoices(claim: Claim) -> list[str]:
    """The claim's invoices settled directly at the hospital, by settlements imported after the
    claim was recorded: a step that moves it towards payment is refused on them."""
    return [
        f"第 {visit.line} 条就诊记录：发票号码 {visit.invoice_number} {settled}（受理后导入的就医结算中有这张发票），"
        "请核实后退回或不予报销。"
        for visit in claim.visits.order_by("line") if (settled := _settled(visit.invoice_number))
    ]


def _claim_write(*, resident: Resident, clerk, year: int, reason: str, visits: list[VisitInput]) -> Claim:
    claim = Claim.objects.create(
        resident=resident, year=year, reason=reason, recorded_by=clerk,
        service_point=clerk.staff_profile.home_service_point,
    )
    ClaimVisit.objects.bulk_create([
        ClaimVisit(
            claim=claim, line=line, kind=visit.kind, visited_on=visit.visited_on, left_on=visit.left_on,
            hospital=visit.hospital, level=visit.level if visit.kind == VisitKind.INPATIENT.value else None,
            child_order=visit.child_order if visit.kind == VisitKind.MATERNITY.value else None,
            # Outside: pricing finds whether a filing covered the day.
            place=(Place.OUTSIDE_UNFILED if visit.outside else Place.LOCAL).value,
            treatment_city=visit.treatment_city, total=visit.total, policy_range=visit.policy_range,
            invoice_number=visit.invoice_number,
            # Chronic only: pricing checks it against the recognitions valid on the day.
            disease_code=visit.disease_code if visit.kind == VisitKind.CHRONIC.value else "",
        )
        for line, visit in enumerate(visits, 1)
    ])
    price_claim(claim)
    ClaimStep.objects.create(claim=claim, action=Action.SUBMIT.value, from_status="", to_status=Status.SUBMITTED.value,
                             actor=clerk, notes=f"受理时核算应报销 {claim.reimbursed} 元")
    return claim


# -- Steps -----------------------------------------------------------------------------------

def steps_open_to(claim: Claim, actor) -> tuple[list[Action], dict[Action, str]]:
    """The steps ``actor`` may take on the claim now, and, for the steps of their role barred
    to this person (they recorded the claim, or took the step before), why."""
    roles = roles_for(actor, claim.resident)
    last_step = claim.steps.order_by("-at", "-pk").first()
    open_steps, barred = [], {}
    for action in WORKFLOW.actions_from(claim.state):
        if WORKFLOW.transitions[(claim.state, action)].role not in roles:
            continue  # another role's step: not this person's to see
        try:
            WORKFLOW.check(status=claim.state, action=action, roles=roles, actor_id=actor.pk,
                           recorder_id=claim.recorded_by_id,
                           previous_actor_id=last_step.actor_id if last_step else None,
                           notes="-")  # what the step needs written is asked on its form
        except StepRefused as refused:
            barred[action] = refused.message
        else:
            open_steps.append(action)
    return open_steps, barred


@transaction.atomic
def claim_step(*, claim_id: int, action: Action | str, actor, today: date, notes: str = "",
               paid_on: date | None = None, payment_voucher: str = "") -> Claim:
    """Take one step on a claim. Raises ValidationError (Chinese) and changes nothing when the
    step is not allowed now, not allowed to this actor, or misses what it needs."""
    action = Action(action)
    claim = Claim.objects.select_for_update(of=("self",)).select_related("resident__region").get(pk=claim_id)
    last_step = claim.steps.order_by("-at", "-pk").first()
    notes = notes.strip()
    payment_voucher = payment_voucher.strip()
    try:
        transition = WORKFLOW.check(
            status=claim.state, action=action, roles=roles_for(actor, claim.resident), actor_id=actor.pk,
            recorder_id=claim.recorded_by_id, previous_actor_id=last_step.actor_id if last_step else None,
            # The payment's voucher is what its step must have written down.
            notes=payment_voucher if action == Action.PAY else notes,
        )
    except StepRefused as refused:
        raise ValidationError(refused.message) from None
    if action in INVOICES_RECHECKED and (settled := _settled_invoices(claim)):
        raise ValidationError(settled)
    if action in REPRICED:
        # One claimant's claims are reviewed one at a time, so that each is priced after the
        # other's approval and no deductible is given twice.
        Resident.objects.select_for_update().filter(pk=claim.resident_id).first()
        before = claim.reimbursed
        price_claim(claim)
        if claim.reimbursed != before:
            notes = "\n".join(filter(None, [
                notes, f"本年度已使用情况有变化，重新核算：应报销 {claim.reimbursed} 元（原 {before} 元）"]))
    elif action == Action.PAY:
        notes = _payment_details(claim, today=today, paid_on=paid_on, voucher=payment_voucher, notes=notes)
    elif action == Action.WITHDRAW:
        # Its invoices may be claimed again, on a claim recorded right.
        claim.visits.update(withdrawn=True)
    from_status = claim.status
    claim.status = transition.target.value
    claim.save(update_fields=["status", "paid_amount", "paid_on", "payment_voucher"])
    ClaimStep.objects.create(claim=claim, action=action.value, from_status=from_status, to_status=claim.status,
                             actor=actor, notes=notes)
    if action in NOTIFIED:
        phone, message = claim.resident.phone, _decision_message(claim, action, notes)
        # robust: a message the gateway refuses is logged and never turns the committed decision's
        # answer into an error page.
        transaction.on_commit(lambda: notify(phone=phone, kind="claim_decided", message=message), robust=True)
    return claim


def _payment_details(claim: Claim, *, today: date, paid_on: date | None, voucher: str, notes: str) -> str:
    paid_on = paid_on or today
    if paid_on > today:
        raise ValidationError(f"支付日期 {paid_on:%Y-%m-%d} 晚于今天，请核对。")
    approval = claim.steps.filter(action=Action.APPROVE.value).order_by("-at", "-pk").first()
    approved_on = timezone.localtime(approval.at).date() if approval else None
    if approved_on and paid_on < approved_on:
        raise ValidationError(f"支付日期 {paid_on:%Y-%m-%d} 早于复审通过的日期 {approved_on:%Y-%m-%d}，请核对。")
    if len(voucher) > Claim._meta.get_field("payment_voucher").max_length:
        raise ValidationError("支付凭证号过长，请核对。")
    claim.paid_amount, claim.paid_on, claim.payment_voucher = claim.reimbursed, paid_on, voucher
    return "\n".join(filter(None, [f"支付 {claim.paid_amount} 元，支付日期 {paid_on:%Y-%m-%d}，凭证号 {voucher}", notes]))


def _decision_message(claim: Claim, action: Action, notes: str) -> str:
    head = f"{mask_name(claim.resident.name)}您好，您的零星报销申请（编号 {claim.number}）"
    # Whatever a clerk wrote may hold someone's ID number; a message never does (the notifier
    # would refuse it after the step was saved).
    notes = mask_id_numbers_in(notes).rstrip("。. ")
    if action == Action.APPROVE:
        return f"{head}已经县级医保部门复审通过，应报销 {claim.reimbursed} 元，将支付到您登记的账户。"
    if action == Action.REJECT:
        return f"{head}未予报销，理由：{notes}。如有异议，请联系受理的医保工作站。"
    if action == Action.RETURN:
        return f"{head}需要补充材料：{notes}。请到受理的医保工作站补充。"
    return f"{head}报销款 {claim.paid_amount} 元已于 {claim.paid_on:%Y年%-m月%-d日}支付，请留意到账情况。"


# -- Attachments ---------------------------------------------------------------------------

@transaction.atomic
def claim_attachment_add(*, claim: Claim, upload, user) -> ClaimAttachment:
    """Keep an uploaded PDF or image (invoice, cost list, discharge summary) in private storage."""
    claim = Claim.objects.select_for_update(of=("self",)).select_related("resident__region").get(pk=claim.pk)
    if Role.CLERK not in roles_for(user, claim.resident):
        raise ValidationError("只能为您管辖范围内居民的报销申请上传材料。")
    if claim.state in CLOSED:
        raise ValidationError("报销申请已办结，不能再上传材料。")
    if claim.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份报销申请最多上传 {MAX_ATTACHMENTS} 个材料文件。")
    stored = scan_store(upload=upload, folder=ClaimAttachment.scan_folder)
    try:
        return ClaimAttachment.objects.create(claim=claim, uploaded_by=user, **stored)
    except Exception:
        (folder_path(ClaimAttachment.scan_folder) / stored["stored_name"]).unlink(missing_ok=True)
        raise
