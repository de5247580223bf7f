"""The shared step table: the maker-checker rule, and the steps that may be taken by the same
person again (a clerk withdrawing what they recorded)."""

from enum import StrEnum

import pytest

from portal.shared.workflow import StepRefused, Transition, Workflow


class S(StrEnum):
    OPEN = "open"
    DONE = "done"
    GONE = "gone"


class A(StrEnum):
    CHECK = "check"
    WITHDRAW = "withdraw"


class R(StrEnum):
    CLERK = "clerk"


FLOW = Workflow(
    transitions={
        (S.OPEN, A.CHECK): Transition(S.DONE, R.CLERK),
        (S.OPEN, A.WITHDRAW): Transition(S.GONE, R.CLERK, "请写明撤回原因", same_actor_allowed=True),
    },
    status_labels={S.OPEN: "待办", S.DONE: "已办", S.GONE: "已撤回"},
    action_labels={A.CHECK: "审核", A.WITHDRAW: "撤回"},
    role_labels={R.CLERK: "经办人员"},
    recorder_excluded=frozenset({A.CHECK, A.WITHDRAW}),
)


def check(action: A, *, notes: str = "-") -> Transition:
    return FLOW.check(status=S.OPEN, action=action, roles=frozenset({R.CLERK}), actor_id=1, recorder_id=1,
                      previous_actor_id=1, notes=notes)


def test_the_same_person_may_not_take_the_next_step_by_default():
    with pytest.raises(StepRefused, match="上一步由您本人办理"):
        check(A.CHECK)


def test_a_step_marked_so_is_open_to_the_recorder_and_the_previous_actor_and_still_needs_its_notes():
    assert check(A.WITHDRAW).target == S.GONE
    with pytest.raises(StepRefused, match="请写明撤回原因。"):
        check(A.WITHDRAW, notes=" ")
