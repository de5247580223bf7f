"""What a year's settlement records (就医结算) leave a person to pay, and what follows from it:
the high-cost alert (高额费用负担患者预警) and re-assistance (再救助), DESIGN.md sections 6 and 8.

Pure: Decimal in, Decimal out, no Django. Re-assistance itself is the benefit engine's rule
(``benefits.policy.ReassistanceRule``, H of DESIGN.md 6.5); this module only feeds it the burden
the settlements record instead of the engine's own estimate of the first three layers.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from assistance.identities.rules import strongest_category
from benefits.policy import ReassistanceRule
from portal.shared.money import ZERO
from portal.shared.vocabulary import AssistanceCategory

# 生育 is paid as a lump sum and takes no part in the layers after basic insurance
# (DESIGN.md 6.1), so it feeds no re-assistance either, exactly as in the engine.
MATERNITY = "maternity"


@dataclass(frozen=True)
class SettlementAmounts:
    """The money columns of one settlement record that the burden needs."""

    kind: str
    policy_range: Decimal
    basic: Decimal
    catastrophic: Decimal
    assistance: Decimal

    @property
    def burden(self) -> Decimal:
        """Policy-range burden after the three layers (三重保障后政策范围内个人负担):
        政策范围内费用 − 基本医保支付 − 大病保险支付 − 医疗救助支付, never below zero.

        The 自费 part outside the policy range is left out: no layer could have paid it, and
        counting it would raise alerts for elective, out-of-catalogue spending.
        """
        return max(self.policy_range - self.basic - self.catastrophic - self.assistance, ZERO)


def annual_burden(settlements: Iterable[SettlementAmounts]) -> Decimal:
    """The sum of the burdens of one person's settlements of one year (every visit kind)."""
    return sum((s.burden for s in settlements), ZERO)


def alert_threshold_for(*, assistance: AssistanceCategory | None, for_assistance: Decimal,
                        for_others: Decimal) -> Decimal:
    """People with an assistance category have their own, usually lower, threshold."""
    return for_assistance if assistance else for_others


def raises_alert(burden: Decimal, threshold: Decimal) -> bool:
    """"Passes the threshold": strictly above it, so a threshold of 10,000 alerts at 10,000.01."""
    return burden > threshold


@dataclass(frozen=True)
class Reassistance:
    base: Decimal  # the year's burden that counts towards re-assistance
    amount: Decimal  # H(base)


def reassistance_for(
    rule: ReassistanceRule | None, *, assistance: AssistanceCategory | None,
    settlements: Iterable[SettlementAmounts],
) -> Reassistance | None:
    """Re-assistance of one person for one year, or None when they have no right to it
    (no rule, no assistance category, or a category the rule does not cover).

    The engine pays H(after) − H(before) visit by visit; over a whole year the parts add up to
    H of the year's accumulated burden, so the year's amount is H(sum) (DESIGN.md 6.5).
    """
    if rule is None or assistance is None or AssistanceCategory(assistance) not in rule.categories:
        return None
    base = sum((s.burden for s in settlements if s.kind != MATERNITY), ZERO)
    return Reassistance(base=base, amount=rule.payable_for(base))


@dataclass(frozen=True)
class HeldSettlement:
    """A settlement and the assistance category the person held on its date (None: none)."""

    category: AssistanceCategory | None
    amounts: SettlementAmounts


def category_of_the_year(settlements: Iterable[HeldSettlement]) -> AssistanceCategory | None:
    """The category an alert of the year is judged by: the strongest the person held on the date
    of any of the year's settlements, so a burden run up while in a group counts as that group's."""
    return strongest_category(settlement.category for settlement in settlements if settlement.category)


def reassistance_as_held(
    rule: ReassistanceRule | None, settlements: Iterable[HeldSettlement]
) -> tuple[AssistanceCategory, Reassistance] | None:
    """Re-assistance of a year in which the person's category may change: a settlement counts
    only if on its date the person held a category the rule covers, as the engine counts a visit
    only with a category (DESIGN.md 6.5). Returns the strongest category counted, and the amount;
    None when no settlement counts."""
    if rule is None:
        return None
    counted = [held for held in settlements if held.category is not None and held.category in rule.categories]
    category = category_of_the_year(counted)
    if category is None:
        return None
    return category, reassistance_for(rule, assistance=category, settlements=[held.amounts for held in counted])
