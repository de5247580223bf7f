"""Reads of 参保证明: the resident's years with whether each can be proven, and the years a proof
stated as the enrollments stand today."""

from dataclasses import dataclass
from datetime import date

from enrollment import selectors as enrollment_selectors
from enrollment.lookup import year_rows
from enrollment.models import Enrollment, Refund, Resident
from my_insurance.proofs.models import InsuranceProof
from my_insurance.proofs.rules import YearFacts, why_no_longer_holds, why_not_provable


@dataclass(frozen=True)
class YearChoice:
    """A year on the proof page: the enrollment that would be proven (None for 未参保) and
    ``reason`` ("" when the year can be chosen)."""

    year: int
    enrollment: Enrollment | None
    reason: str

    @property
    def provable(self) -> bool:
        return not self.reason


def _refund_state(enrollment: Enrollment) -> str:
    try:
        refund = enrollment.refund
    except Refund.DoesNotExist:
        return ""
    return "approved" if refund.is_approved else "requested"


def enrollment_facts(enrollment: Enrollment | None, *, year: int, date_of_death: date | None) -> YearFacts:
    if enrollment is None:
        return YearFacts(year=year, date_of_death=date_of_death)
    return YearFacts(
        year=year, status=enrollment.status, paid=enrollment.is_paid, refund=_refund_state(enrollment),
        coverage_start=enrollment.coverage_start, coverage_end=enrollment.coverage_end, date_of_death=date_of_death,
    )


def year_choices(resident: Resident, today: date) -> list[YearChoice]:
    """The person's years, newest first. Where a year has an active enrollment and a cancelled
    one (cancelled, then enrolled again), the active one is the year's."""
    by_year: dict[int, Enrollment] = {}
    enrollments = list(Enrollment.objects.filter(resident=resident).select_related("region", "refund")
                       .order_by("year", "pk"))
    for enrollment in enrollments:
        kept = by_year.get(enrollment.year)
        if kept is None or not kept.is_active:
            by_year[enrollment.year] = enrollment
    choices = []
    # The same years as the resident's first page and the public lookup show (enrollment.lookup).
    collection_year = enrollment_selectors.year_that_matters(resident.region, today)
    years = dict.fromkeys(row.year for row in year_rows(enrollments, today=today, collection_year=collection_year))
    for year in years:
        enrollment = by_year.get(year)
        facts = enrollment_facts(enrollment, year=year, date_of_death=resident.date_of_death)
        choices.append(YearChoice(year=year, enrollment=enrollment, reason=why_not_provable(facts)))
    return choices


@dataclass(frozen=True)
class StatedYear:
    """A year a proof stated, and why it no longer holds ("" while it does)."""

    year: int
    reason: str

    @property
    def holds(self) -> bool:
        return not self.reason


def proof_standing(proof: InsuranceProof) -> list[StatedYear]:
    """Each year of ``proof`` compared with the enrollment it named, as that stands today."""
    named = [entry["enrollment"] for entry in proof.statement]
    enrollments = Enrollment.objects.filter(pk__in=named, resident_id=proof.resident_id).select_related("refund")
    by_pk = {enrollment.pk: enrollment for enrollment in enrollments}
    standing = []
    for entry in proof.statement:
        facts = enrollment_facts(by_pk.get(entry["enrollment"]), year=entry["year"],
                                 date_of_death=proof.resident.date_of_death)
        reason = why_no_longer_holds(stated_start=date.fromisoformat(entry["coverage_start"]),
                                     stated_end=date.fromisoformat(entry["coverage_end"]), today=facts)
        standing.append(StatedYear(year=entry["year"], reason=reason))
    return standing
