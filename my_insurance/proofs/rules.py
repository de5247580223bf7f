"""What a 参保证明 may state, and whether what it stated still holds: pure functions of plain facts.

A year can be proven when the person's enrollment for it is active and paid, no refund was asked
for it, and the person did not die before its coverage ended. The public check applies the same
test to the enrollment the proof named, as it is today, and also notices coverage dates that
changed after the proof was issued.
"""

from dataclasses import dataclass
from datetime import date

NOT_ENROLLED = "未参保"
CANCELLED = "已注销"
UNPAID = "未缴费"
REFUND_REQUESTED = "已申请退费"
REFUNDED = "已退费"
DIED = "参保人在待遇享受期内死亡，待遇已终止"


@dataclass(frozen=True)
class YearFacts:
    """One enrollment of one person as the database holds it today (``status`` "" when there is
    none). ``refund`` is "", "requested" or "approved"."""

    year: int
    status: str = ""  # "", "active" or "cancelled"
    paid: bool = False
    refund: str = ""
    coverage_start: date | None = None
    coverage_end: date | None = None
    date_of_death: date | None = None


def why_not_provable(facts: YearFacts) -> str:
    """"" when the year can be proven, else the short reason shown next to it."""
    if not facts.status:
        return NOT_ENROLLED
    # An approved refund also cancels the enrollment; the refund is what the person knows of.
    if facts.refund == "approved":
        return REFUNDED
    if facts.refund == "requested":
        return REFUND_REQUESTED
    if facts.status == "cancelled":
        return CANCELLED
    if not facts.paid:
        return UNPAID
    if facts.date_of_death and facts.coverage_end and facts.date_of_death < facts.coverage_end:
        return DIED
    return ""


def why_no_longer_holds(*, stated_start: date, stated_end: date, today: YearFacts) -> str:
    """"" when a year a proof stated with these coverage dates still holds, else why not.

    ``today`` is the very enrollment the proof named, as it is now. The public check shows the
    reason, so it says what changed and nothing more (no new dates)."""
    reason = why_not_provable(today)
    if reason == NOT_ENROLLED:
        return "该年度参保登记已不存在"
    if reason == DIED:
        return reason
    if reason:
        return f"该年度{reason}"
    if (today.coverage_start, today.coverage_end) != (stated_start, stated_end):
        return "该年度待遇享受期已变更，与证明所载不符"
    return ""


def proof_filename(years: list[int]) -> str:
    """The PDF's file name: 参保证明-2024.pdf, 参保证明-2024-2025.pdf."""
    return "参保证明-" + "-".join(str(year) for year in sorted(years)) + ".pdf"
