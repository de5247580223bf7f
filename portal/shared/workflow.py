"""A case's steps as data: which step may follow which status, which role takes it, what it
needs written down, and who may not take it (the maker-checker rule). Pure: no Django.

A workflow module (treatment/claims/workflow.py) declares its statuses, actions and roles as
enums with their Chinese labels and builds one ``Workflow``; its services call ``check`` before
every change and refuse with the message of ``StepRefused``.
"""

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True)
class Transition:
    target: StrEnum
    role: StrEnum
    # What must be written down for this step; None: notes are optional.
    notes_required: str | None = None
    # A step the same person may take again, their own case included (a clerk withdrawing the
    # claim they recorded): it decides nothing for anyone, so the maker-checker rule does not apply.
    same_actor_allowed: bool = False


class StepRefused(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Workflow:
    transitions: dict[tuple[StrEnum, StrEnum], Transition]
    status_labels: dict[StrEnum, str]
    action_labels: dict[StrEnum, str]
    role_labels: dict[StrEnum, str]
    # Steps the person who recorded the case may never take, beyond the step right after theirs.
    recorder_excluded: frozenset = frozenset()
    noun: str = "申请"

    def actions_from(self, status: StrEnum) -> list[StrEnum]:
        return [action for (source, action) in self.transitions if source == status]

    def check(self, *, status: StrEnum, action: StrEnum, roles: frozenset, actor_id: int, recorder_id: int,
              previous_actor_id: int | None, notes: str) -> Transition:
        """The transition ``action`` makes from ``status``, or StepRefused saying why not.
        ``previous_actor_id`` is whoever took the step that led to ``status``."""
        transition = self.transitions.get((status, action))
        if transition is None:
            allowed = "、".join(self.action_labels[a] for a in self.actions_from(status)) or "无（已办结）"
            raise StepRefused(
                f"{self.noun}当前状态为“{self.status_labels[status]}”，不能办理“{self.action_labels[action]}”；"
                f"现在可以办理的是：{allowed}。"
            )
        label = self.action_labels[action]
        if transition.role not in roles:
            raise StepRefused(f"“{label}”须由{self.role_labels[transition.role]}办理，您没有这项权限。")
        if actor_id == previous_actor_id and not transition.same_actor_allowed:
            raise StepRefused(f"上一步由您本人办理，“{label}”须由其他工作人员办理。")
        if action in self.recorder_excluded and actor_id == recorder_id and not transition.same_actor_allowed:
            raise StepRefused(f"这份{self.noun}由您受理，“{label}”须由其他工作人员办理。")
        if transition.notes_required and not notes.strip():
            raise StepRefused(transition.notes_required + "。")
        return transition
