"""Writes of applications for assistance (依申请救助): recording, each step, attachments.

The step table and the maker-checker rule are in ``assistance.cases.workflow``; this module finds out
who the actor is for this applicant (their roles), locks the application, asks the workflow,
and writes the change and its step together, or nothing.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from assistance.cases.workflow import NOTIFIED, TRANSITIONS, Action, Role, Status, StepRefused, actions_from, check_step
from assistance.models import Application, ApplicationAttachment, ApplicationStep
from enrollment.models import Resident
from portal.accounts.scopes import STATION_PERMISSION, staff_scope
from portal.network.codes import Level
from portal.privacy.id_numbers import mask_name
from portal.privacy.scans import scan_attach
from portal.shared.notifications import notify

REVIEW_PERMISSION = "assistance.review_application"
DECIDE_PERMISSION = "assistance.decide_application"
MAX_ATTACHMENTS = 20


def roles_for(user, resident: Resident) -> frozenset[Role]:
    """What ``user`` may do on this applicant's file: every role needs a scope containing the
    applicant; reviewing needs a township scope or above, deciding a county scope or above."""
    scope = staff_scope(user)
    if scope is None or not resident.region.code.startswith(scope.prefix):
        return frozenset()
    roles = set()
    if user.has_perm(STATION_PERMISSION):
        roles.add(Role.CLERK)
        if user.has_perm(REVIEW_PERMISSION) and scope.level <= Level.TOWNSHIP:
            roles.add(Role.REVIEWER)
    if user.has_perm(DECIDE_PERMISSION) and scope.level <= Level.COUNTY:
        roles.add(Role.DECIDER)
    return frozenset(roles)


# What each role is waiting to do, for the "awaiting me" filter and the dashboard.
WAITING_FOR = {
    Role.CLERK: [Status.RETURNED],
    Role.REVIEWER: [Status.SUBMITTED, Status.COUNTY_APPROVED],
    Role.DECIDER: [Status.TOWNSHIP_REVIEWED, Status.PUBLICISED],
}


def statuses_waiting_for(user) -> list[Status]:
    """The statuses of applications that wait for something the user may do (their roles)."""
    statuses = []
    if user.has_perm(STATION_PERMISSION):
        statuses += WAITING_FOR[Role.CLERK]
        if user.has_perm(REVIEW_PERMISSION):
            statuses += WAITING_FOR[Role.REVIEWER]
    if user.has_perm(DECIDE_PERMISSION):
        statuses += WAITING_FOR[Role.DECIDER]
    return statuses


@transaction.atomic
def application_submit(
    *, resident: Resident, clerk, category_claimed: str, household_income: Decimal, medical_costs: Decimal,
    reason: str,
) -> Application:
    if Role.CLERK not in roles_for(clerk, resident):
        raise ValidationError("只能为您管辖范围内的居民受理救助申请。")
    if resident.date_of_death:
        raise ValidationError(f"{resident.name} 已登记死亡，不能受理救助申请。")
    application = Application(
        resident=resident, category_claimed=category_claimed, household_income=household_income,
        medical_costs=medical_costs, reason=reason, recorded_by=clerk,
        service_point=clerk.staff_profile.home_service_point,
    )
    application.full_clean()
    application.save()
    ApplicationStep.objects.create(
        application=application, action=Action.SUBMIT, from_status="", to_status=Status.SUBMITTED, actor=clerk,
        notes=reason,
    )
    return application


def steps_open_to(application: Application, actor) -> tuple[list[Action], dict[Action, str]]:
    """The steps ``actor`` may take on the application now, and, for the steps of its role that
    are barred to this person (they took the step before, or accepted the application), why."""
    roles = roles_for(actor, application.resident)
    last_step = application.steps.order_by("-at", "-pk").first()
    open_steps, barred = [], {}
    for action in actions_from(application.state):
        if TRANSITIONS[(application.state, action)].role not in roles:
            continue  # another role's step: not this person's to see
        try:
            check_step(status=application.state, action=action, roles=roles, actor_id=actor.pk,
                       recorder_id=application.recorded_by_id,
                       previous_actor_id=last_step.actor_id if last_step else None,
                       notes="-")  # what the step needs written is asked on its form
        except StepRefused as refused:
            barred[action] = refused.message
        else:
            open_steps.append(action)
    return open_steps, barred


@transaction.atomic
def application_step(
    *, application_id: int, action: Action, actor, today: date, notes: str = "",
    approved_amount: Decimal | None = None, publicity_days: int | None = None,
) -> Application:
    """Take one step on an application. Raises ValidationError (Chinese) and changes nothing
    when the step is not allowed now, not allowed to this actor, or misses what it needs."""
    application = (
        Application.objects.select_for_update(of=("self",)).select_related("resident__region").get(pk=application_id)
    )
    last_step = application.steps.order_by("-at", "-pk").first()
    try:
        transition = check_step(
            status=application.state, action=action, roles=roles_for(actor, application.resident),
            actor_id=actor.pk, recorder_id=application.recorded_by_id,
            previous_actor_id=last_step.actor_id if last_step else None, notes=notes,
        )
    except StepRefused as refused:
        raise ValidationError(refused.message) from None
    _apply_step_details(application, action, today=today, approved_amount=approved_amount,
                        publicity_days=publicity_days)
    from_status = application.status
    application.status = transition.target.value
    application.save()
    ApplicationStep.objects.create(
        application=application, action=action, from_status=from_status, to_status=application.status,
        actor=actor, notes=notes.strip(),
    )
    if action in NOTIFIED:
        resident = application.resident
        message = _decision_message(application, action, notes.strip())
        # robust: a message the gateway refuses is logged and never turns the committed decision's
        # answer into an error page.
        transaction.on_commit(lambda: notify(phone=resident.phone, kind="application_decided", message=message), robust=True)
    return application


def _apply_step_details(application: Application, action: Action, *, today: date,
                        approved_amount: Decimal | None, publicity_days: int | None) -> None:
    if action == Action.APPROVE:
        if approved_amount is None or approved_amount <= 0:
            raise ValidationError("请填写批准的救助金额（大于 0 元）。")
        if approved_amount > application.medical_costs:
            raise ValidationError(
                f"批准金额 {approved_amount} 元超过了申请的医疗费用 {application.medical_costs} 元，请核对。"
            )
        application.approved_amount = approved_amount
    elif action == Action.PUBLICISE:
        days = publicity_days or application.publicity_days
        if not 1 <= days <= 30:
            raise ValidationError("公示天数应在 1 到 30 天之间。")
        application.publicity_days = days
        application.publicity_start = today
        # N days counting the first: 7 days from 1 March end on 7 March.
        application.publicity_end = today + timedelta(days=days - 1)
    elif action == Action.PAY and not application.publicity_over(today):
        raise ValidationError(
            f"公示期到 {application.publicity_end:%Y-%m-%d} 结束，公示期满后才能登记发放。"
        )


def _decision_message(application: Application, action: Action, notes: str) -> str:
    head = f"{mask_name(application.resident.name)}您好，您的医疗救助申请（编号 {application.number}）"
    notes = notes.rstrip("。. ")
    if action == Action.APPROVE:
        return f"{head}已经县级医保部门批准，救助金额 {application.approved_amount} 元，公示期满后发放。"
    if action == Action.REJECT:
        return f"{head}未予批准，理由：{notes}。如有异议，请联系受理的医保工作站。"
    if action == Action.RETURN:
        return f"{head}需要补充材料：{notes}。请到受理的医保工作站补充。"
    return f"{head}救助金 {application.approved_amount} 元已发放，请留意到账情况。"


# -- Attachments ---------------------------------------------------------------------------

@transaction.atomic
def attachment_add(*, application: Application, upload, user) -> ApplicationAttachment:
    """Keep an uploaded PDF or image of at most 5 MB in private storage."""
    if Role.CLERK not in roles_for(user, application.resident):
        raise ValidationError("只能为您管辖范围内居民的申请上传材料。")
    if application.state in (Status.REJECTED, Status.PAID):
        raise ValidationError("申请已办结，不能再上传材料。")
    if application.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError(f"每份申请最多上传 {MAX_ATTACHMENTS} 个材料文件。")
    return scan_attach(ApplicationAttachment, upload=upload, user=user, application=application)
