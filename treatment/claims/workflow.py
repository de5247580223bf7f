"""The steps of a manual reimbursement claim (零星（手工）报销), as data (portal/shared/workflow.py).

Who takes each step:
- ``resubmit``: a station clerk of the claimant's region, after a return for more material;
- ``prereview`` (初审) / ``return`` from submitted: a station clerk whose scope is the claimant's
  township (or above it), with the permission to pre-review;
- ``approve`` (复审通过) / ``reject`` / ``return`` from prereviewed: a county or city officer whose
  scope contains the claimant;
- ``pay``: a county or city officer, once the fund has paid (the payment export's voucher), or
  ``reject`` before that (an invoice found settled at the hospital by a later import);
- ``withdraw`` (撤回) from submitted or returned: a station clerk of the claimant's region, the
  recorder too (a claim recorded wrongly is withdrawn and recorded again); its invoices are free
  to be claimed again.

Never the same person for both reviews: whoever took the step before may not take the next,
and the recorder may neither pre-review nor approve. Withdrawing decides nothing for anyone, so
that rule does not bind it.
"""

from enum import StrEnum

from portal.shared.workflow import StepRefused, Transition, Workflow

__all__ = ["Status", "Action", "Role", "WORKFLOW", "StepRefused", "STATUS_LABELS", "ACTION_LABELS"]


class Status(StrEnum):
    SUBMITTED = "submitted"
    PREREVIEWED = "prereviewed"
    APPROVED = "approved"
    REJECTED = "rejected"
    RETURNED = "returned"
    PAID = "paid"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    Status.SUBMITTED: "已受理，待乡镇初审",
    Status.PREREVIEWED: "乡镇初审通过，待县级复审",
    Status.APPROVED: "复审通过，待支付",
    Status.REJECTED: "不予报销",
    Status.RETURNED: "退回补充材料",
    Status.PAID: "已支付",
    Status.WITHDRAWN: "已撤回",
}


class Role(StrEnum):
    CLERK = "clerk"  # records and resubmits
    PREREVIEWER = "prereviewer"  # township pre-review (初审)
    DECIDER = "decider"  # county review (复审) and payment


class Action(StrEnum):
    SUBMIT = "submit"  # only ever the first step, by services.claim_submit
    RESUBMIT = "resubmit"
    PREREVIEW = "prereview"
    RETURN = "return"
    APPROVE = "approve"
    REJECT = "reject"
    PAY = "pay"
    WITHDRAW = "withdraw"


ACTION_LABELS = {
    Action.SUBMIT: "受理报销申请",
    Action.RESUBMIT: "补充材料后重新提交",
    Action.PREREVIEW: "乡镇初审通过",
    Action.RETURN: "退回补充材料",
    Action.APPROVE: "县级复审通过",
    Action.REJECT: "不予报销",
    Action.PAY: "登记已支付",
    Action.WITHDRAW: "撤回申请",
}

ROLE_LABELS = {
    Role.CLERK: "申请人所在地的工作站经办人员",
    Role.PREREVIEWER: "申请人所在乡镇(街道)工作站有初审权限的经办人员",
    Role.DECIDER: "县(区)或市医保部门工作人员",
}

WORKFLOW = Workflow(
    transitions={
        (Status.RETURNED, Action.RESUBMIT): Transition(Status.SUBMITTED, Role.CLERK, "请说明补充了哪些材料"),
        (Status.SUBMITTED, Action.PREREVIEW): Transition(Status.PREREVIEWED, Role.PREREVIEWER, "请填写初审意见"),
        (Status.SUBMITTED, Action.RETURN): Transition(Status.RETURNED, Role.PREREVIEWER, "请写明需要补充的材料"),
        (Status.PREREVIEWED, Action.APPROVE): Transition(Status.APPROVED, Role.DECIDER),
        (Status.PREREVIEWED, Action.REJECT): Transition(Status.REJECTED, Role.DECIDER, "请写明不予报销的理由"),
        (Status.PREREVIEWED, Action.RETURN): Transition(Status.RETURNED, Role.DECIDER, "请写明需要补充的材料"),
        (Status.APPROVED, Action.PAY): Transition(Status.PAID, Role.DECIDER, "请填写支付凭证号"),
        # Before payment, when an invoice turns out settled at the hospital (a later import).
        (Status.APPROVED, Action.REJECT): Transition(Status.REJECTED, Role.DECIDER, "请写明不予报销的理由"),
        (Status.SUBMITTED, Action.WITHDRAW): Transition(Status.WITHDRAWN, Role.CLERK, "请写明撤回原因",
                                                        same_actor_allowed=True),
        (Status.RETURNED, Action.WITHDRAW): Transition(Status.WITHDRAWN, Role.CLERK, "请写明撤回原因",
                                                       same_actor_allowed=True),
    },
    status_labels=STATUS_LABELS,
    action_labels=ACTION_LABELS,
    role_labels=ROLE_LABELS,
    recorder_excluded=frozenset({Action.PREREVIEW, Action.APPROVE}),
    noun="报销申请",
)
