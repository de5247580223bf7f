"""The steps of an application for assistance (依申请救助, DESIGN.md section 8), as data.

Pure: no Django import. ``assistance.cases.services`` asks ``check_step`` before every change and
refuses with its Chinese message; this module is the one place that says which step may follow
which, who takes it, what it needs written down, and who may not take it (the checking itself is
portal/shared/workflow.py's, shared with the manual claims).

Who takes each step:
- ``resubmit``: a station clerk of the applicant's region, after a return for more material;
- ``review`` / ``return`` from submitted: a station clerk whose scope is the applicant's township
  (or above it), after the home visit (入户调查);
- ``approve`` / ``reject`` / ``return`` from township_reviewed: a county or city officer whose
  scope contains the applicant;
- ``publicise``: a station clerk of the township, since 公示 is posted in the village and the
  township where neighbours can object;
- ``pay``: a county or city officer, the fund's side, once the publicity period is over.

No one acts on a step whose input they produced (the maker-checker rule): the person who took
the previous step may not take the next, and the recorder may neither review nor decide.
"""

from enum import StrEnum

from portal.shared.workflow import StepRefused, Transition, Workflow

__all__ = ["Status", "Role", "Action", "Transition", "StepRefused", "TRANSITIONS", "STATUS_LABELS",
           "ACTION_LABELS", "ROLE_LABELS", "NOTIFIED", "RECORDER_EXCLUDED", "actions_from", "check_step"]


class Status(StrEnum):
    SUBMITTED = "submitted"
    TOWNSHIP_REVIEWED = "township_reviewed"
    COUNTY_APPROVED = "county_approved"
    REJECTED = "rejected"
    PUBLICISED = "publicised"
    PAID = "paid"
    RETURNED = "returned"


STATUS_LABELS = {
    Status.SUBMITTED: "已受理，待乡镇审核",
    Status.TOWNSHIP_REVIEWED: "乡镇已审核，待县级审批",
    Status.COUNTY_APPROVED: "县级已批准，待公示",
    Status.REJECTED: "未予批准",
    Status.PUBLICISED: "公示中",
    Status.PAID: "救助金已发放",
    Status.RETURNED: "退回补充材料",
}


class Role(StrEnum):
    CLERK = "clerk"  # records and resubmits
    REVIEWER = "reviewer"  # township review and publicity
    DECIDER = "decider"  # county approval, rejection and payment


class Action(StrEnum):
    SUBMIT = "submit"  # only ever the first step, by services.application_submit
    RESUBMIT = "resubmit"
    REVIEW = "review"
    RETURN = "return"
    APPROVE = "approve"
    REJECT = "reject"
    PUBLICISE = "publicise"
    PAY = "pay"


ACTION_LABELS = {
    Action.SUBMIT: "受理申请",
    Action.RESUBMIT: "补充材料后重新提交",
    Action.REVIEW: "乡镇审核通过",
    Action.RETURN: "退回补充材料",
    Action.APPROVE: "县级批准",
    Action.REJECT: "不予批准",
    Action.PUBLICISE: "开始公示",
    Action.PAY: "登记救助金已发放",
}


TRANSITIONS: dict[tuple[Status, Action], Transition] = {
    (Status.RETURNED, Action.RESUBMIT): Transition(Status.SUBMITTED, Role.CLERK, "请说明补充了哪些材料"),
    (Status.SUBMITTED, Action.REVIEW): Transition(Status.TOWNSHIP_REVIEWED, Role.REVIEWER, "请填写入户调查情况"),
    (Status.SUBMITTED, Action.RETURN): Transition(Status.RETURNED, Role.REVIEWER, "请写明需要补充的材料"),
    (Status.TOWNSHIP_REVIEWED, Action.APPROVE): Transition(Status.COUNTY_APPROVED, Role.DECIDER),
    (Status.TOWNSHIP_REVIEWED, Action.REJECT): Transition(Status.REJECTED, Role.DECIDER, "请写明不予批准的理由"),
    (Status.TOWNSHIP_REVIEWED, Action.RETURN): Transition(Status.RETURNED, Role.DECIDER, "请写明需要补充的材料"),
    (Status.COUNTY_APPROVED, Action.PUBLICISE): Transition(Status.PUBLICISED, Role.REVIEWER),
    (Status.PUBLICISED, Action.PAY): Transition(Status.PAID, Role.DECIDER),
}

# Steps whose input the recorder produced, beyond the step right after recording.
RECORDER_EXCLUDED = frozenset({Action.REVIEW, Action.APPROVE, Action.REJECT})
# The decisions residents are told about by text message.
NOTIFIED = frozenset({Action.APPROVE, Action.REJECT, Action.RETURN, Action.PAY})


ROLE_LABELS = {
    Role.CLERK: "申请人所在地的工作站经办人员",
    Role.REVIEWER: "申请人所在乡镇(街道)的工作站经办人员",
    Role.DECIDER: "县(区)或市医保部门工作人员",
}

WORKFLOW = Workflow(transitions=TRANSITIONS, status_labels=STATUS_LABELS, action_labels=ACTION_LABELS,
                    role_labels=ROLE_LABELS, recorder_excluded=RECORDER_EXCLUDED, noun="申请")


def actions_from(status: Status) -> list[Action]:
    return WORKFLOW.actions_from(Status(status))


def check_step(
    *, status: Status, action: Action, roles: frozenset[Role], actor_id: int,
    recorder_id: int, previous_actor_id: int | None, notes: str,
) -> Transition:
    """The transition ``action`` makes from ``status``, or StepRefused saying why not.

    ``previous_actor_id`` is whoever took the step that led to ``status``.
    """
    return WORKFLOW.check(status=Status(status), action=Action(action), roles=roles, actor_id=actor_id,
                          recorder_id=recorder_id, previous_actor_id=previous_actor_id, notes=notes)
