"""What the public lookup (我参保了吗) shows about one person, read in one indexed query.

The lookup is the busiest page that reads personal data, so it asks the database once: the
resident by the digest of their ID number, joined to their enrollments (one row per enrollment,
one row of empty enrollment columns when there is none), as plain values rather than model
instances, with the SQL compiled once per process (portal/precompiled.py). Only the masked ID
number is read, never the ciphertext.

Other apps add sections to the page (``AppConfig.lookup_sections``, portal/extensions.py). Most
people found have nothing in them, so each section says how to tell in SQL, and the same query
reads whether the person has anything there: a section's own query runs only for those who do.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db.models import Exists, OuterRef

from enrollment.models import Enrollment, Resident
from portal.extensions import contributions
from portal.precompiled import PrecompiledValues

_CATEGORY_LABELS = dict(Enrollment._meta.get_field("category").flatchoices)
_ASSISTANCE_LABELS = dict(Enrollment._meta.get_field("assistance_category").flatchoices)

# Enrollment columns of the query, by the name they get here.
_ENROLLMENT_COLUMNS = {
    "year": "enrollments__year",
    "status": "enrollments__status",
    "region_name": "enrollments__region__name",
    "category": "enrollments__category",
    "assistance_category": "enrollments__assistance_category",
    "payable": "enrollments__payable",
    "paid_at": "enrollments__paid_at",
    "coverage_start": "enrollments__coverage_start",
    "coverage_end": "enrollments__coverage_end",
}


@dataclass(frozen=True)
class EnrollmentRecord:
    year: int
    status: str
    region_name: str
    category: str
    assistance_category: str
    payable: Decimal
    paid_at: datetime | None
    coverage_start: date
    coverage_end: date

    @property
    def is_active(self) -> bool:
        return self.status == Enrollment.Status.ACTIVE

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def category_label(self) -> str:
        return _CATEGORY_LABELS.get(self.category, self.category)

    @property
    def assistance_label(self) -> str:
        return _ASSISTANCE_LABELS.get(self.assistance_category, self.assistance_category)


@dataclass(frozen=True)
class LookupSection:
    """A section another app adds under the years of a found lookup.

    ``applies(resident)`` is an ``Exists`` over the app's rows for ``resident`` (an OuterRef to
    the resident's pk): whether the section has anything to show. ``build(resident_id,
    today=today)`` runs only when it has, and returns ``{"title": str, "lines": [str, ...]}``
    (shown escaped) or None. Like the rest of the page, a section must not show the full name
    or ID number."""

    applies: Callable[[OuterRef], Exists]
    build: Callable[..., dict | None]


@dataclass(frozen=True)
class LookupRecord:
    resident_id: int
    name: str
    id_masked: str
    region_id: int
    enrollments: tuple[EnrollmentRecord, ...]
    sections: tuple[LookupSection, ...]  # the declared sections that have something for this person


def record_query() -> PrecompiledValues:
    """The record query, with a flag for each section declared when it first runs."""

    def build(digest: str):
        flags = {f"section_{index}": section.applies(OuterRef("pk"))
                 for index, section in enumerate(contributions("lookup_sections"))}
        return Resident.objects.filter(id_digest=digest).annotate(**flags).values(
            "pk", "name", "id_masked", "region_id", *_ENROLLMENT_COLUMNS.values(), *flags)

    return PrecompiledValues(build, examples=("not a digest",))


_BY_DIGEST = record_query()


def lookup_record(digest: str) -> LookupRecord | None:
    rows = _BY_DIGEST.rows(digest)
    if not rows:
        return None
    first = rows[0]
    enrollments = tuple(
        EnrollmentRecord(**{name: row[column] for name, column in _ENROLLMENT_COLUMNS.items()})
        for row in rows if row["enrollments__year"] is not None
    )
    sections = tuple(section for index, section in enumerate(contributions("lookup_sections"))
                     if first[f"section_{index}"])
    return LookupRecord(resident_id=first["pk"], name=first["name"], id_masked=first["id_masked"],
                        region_id=first["region_id"], enrollments=enrollments, sections=sections)
