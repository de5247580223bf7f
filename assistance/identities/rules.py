"""Pure rules of the assistance workflow: no ORM, no clock (DESIGN.md sections 3 and 8)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from portal.shared.vocabulary import AssistanceCategory

# The enum is declared strongest first; the position is the precedence.
PRECEDENCE = tuple(AssistanceCategory)


@dataclass(frozen=True)
class IdentityPeriod:
    """What the category rule needs of an identity."""

    category: AssistanceCategory
    verified: bool
    valid_from: date
    valid_to: date | None  # None: no end date given

    def current_on(self, on: date) -> bool:
        return self.verified and self.valid_from <= on and (self.valid_to is None or on <= self.valid_to)


def strongest_category(categories: Iterable[AssistanceCategory]) -> AssistanceCategory | None:
    """特困 > 低保 > 返贫致贫 > 低保边缘 > 监测帮扶: the one that helps the person most."""
    found = set(categories)
    return next((category for category in PRECEDENCE if category in found), None)


def period_held(*, category: AssistanceCategory, valid_from: date, valid_to: date | None,
                verified: bool, revoked_on: date | None) -> IdentityPeriod:
    """The period an identity was in force: a revoked one was, if it had been verified, until the
    day before its revocation (it stops counting on the day it is revoked, as the resident's
    category does)."""
    if revoked_on is not None:
        last = revoked_on - timedelta(days=1)
        valid_to = last if valid_to is None else min(valid_to, last)
    return IdentityPeriod(category, verified, valid_from, valid_to)


def category_on(identities: Iterable[IdentityPeriod], on: date) -> AssistanceCategory | None:
    """The resident's category on a day: the strongest of the verified identities valid then."""
    return strongest_category(identity.category for identity in identities if identity.current_on(on))
