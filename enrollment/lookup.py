"""What the public lookup (我参保了吗) shows about one person, and where they go for service.

The person is found by the digest of their ID number, with their enrollments, in one query: a
wrong name and an unknown number then cost the same. Only the masked ID number is read, never
the ciphertext. Other apps add sections to the page (``lookup_sections``,
portal/shared/extensions.py); the same query reads whether each section has anything for the
person, so a section's own query runs only for those who have.

The village's part of the page (its path, the year being collected, its service points) is the
same for everyone who lives there, and is kept in the cache for a few minutes.

The years of a person (``year_rows``, ``covered_today``) are shared with the resident's own page
in 我的医保, which shows the same years with their payments.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Protocol

from django.core.cache import cache
from django.db.models import OuterRef
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from enrollment.models import Enrollment, Resident
from enrollment.selectors import registration_years, year_that_matters
from portal.network.codes import Level
from portal.network.models import Region
from portal.network.points import local_points
from portal.shared.extensions import LookupSection, contributions
from portal.shared.vocabulary import AssistanceCategory, Category

# A change of the service network or of a published standard shows on the lookup within this.
VILLAGE_SECONDS = 5 * 60
# Raised when Village changes shape, so that parts kept by the release before are not read.
VILLAGE_VERSION = 2

CATEGORY_LABELS = dict(Category.choices())
ASSISTANCE_LABELS = dict(AssistanceCategory.choices())

# The enrollment columns of the query, by the name they get here.
ENROLLMENT_COLUMNS = {
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
class YearEnrollment:
    """One enrollment as the lookup shows it."""

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
        return CATEGORY_LABELS.get(self.category, self.category)

    @property
    def assistance_label(self) -> str:
        return ASSISTANCE_LABELS.get(self.assistance_category, self.assistance_category)


class EnrollmentOfAYear(Protocol):
    """What the year rows read of an enrollment: a YearEnrollment here, an Enrollment in 我的医保."""

    year: int
    coverage_start: date
    coverage_end: date

    @property
    def is_active(self) -> bool: ...

    @property
    def is_paid(self) -> bool: ...


@dataclass(frozen=True)
class YearRow:
    year: int
    enrollment: EnrollmentOfAYear | None
    note: str  # "本年度" / "下一年度" / ""


def year_rows(enrollments: Iterable[EnrollmentOfAYear], *, today: date, collection_year: int | None) -> list[YearRow]:
    """Every year from the person's first enrollment to the year that matters today, newest
    first: each enrollment (``EnrollmentOfAYear``), and a "not enrolled" row for each year
    without an active one, so a gap is shown, never skipped. Someone never enrolled gets this
    year and the year collected."""
    enrollments = tuple(enrollments)
    notes = {today.year: "本年度"}
    if collection_year and collection_year > today.year:
        notes[collection_year] = "下一年度，正在缴费"
    rows = [YearRow(e.year, e, notes.get(e.year, "")) for e in enrollments]
    enrolled = {e.year for e in enrollments if e.is_active}
    last = max(today.year, collection_year or today.year)
    first = min((e.year for e in enrollments), default=today.year)
    wanted = set(range(first, last + 1)) if enrollments else set(notes)
    rows += [YearRow(year, None, notes.get(year, "")) for year in sorted(wanted) if year not in enrolled]
    # Two cancelled enrollments of one year: the earlier coverage first, the same on every lookup.
    return sorted(rows, key=lambda r: (-r.year, _rank(r), r.enrollment and r.enrollment.coverage_start))


def _rank(row: YearRow) -> int:
    """Within a year: the active enrollment, then "not enrolled", then cancelled ones."""
    if row.enrollment is None:
        return 1
    return 0 if row.enrollment.is_active else 2


def covered_today(rows: list[YearRow], today: date) -> EnrollmentOfAYear | None:
    """The enrollment that covers ``today``: active, paid, and in its coverage dates."""
    for row in rows:
        e = row.enrollment
        if (e and e.is_active and e.is_paid
                and e.coverage_start <= today <= e.coverage_end):
            return e
    return None


@dataclass(frozen=True)
class LookupRecord:
    resident_id: int
    name: str
    id_masked: str
    region_id: int
    enrollments: tuple[YearEnrollment, ...]
    sections: tuple[LookupSection, ...]  # the declared sections that have something for this person


def lookup_record(digest: str) -> LookupRecord | None:
    """The person with this ID digest: a row for each of their enrollments (one of empty
    enrollment columns when they have none), with a flag for each section."""
    sections = contributions("lookup_sections")
    flags = {f"section_{index}": section.applies(OuterRef("pk")) for index, section in enumerate(sections)}
    rows = list(Resident.objects.filter(id_digest=digest).annotate(**flags).values(
        "pk", "name", "id_masked", "region_id", *ENROLLMENT_COLUMNS.values(), *flags))
    if not rows:
        return None
    first = rows[0]
    return LookupRecord(
        resident_id=first["pk"], name=first["name"], id_masked=first["id_masked"], region_id=first["region_id"],
        enrollments=tuple(
            YearEnrollment(**{name: row[column] for name, column in ENROLLMENT_COLUMNS.items()})
            for row in rows if row["enrollments__year"] is not None
        ),
        sections=tuple(section for index, section in enumerate(sections) if first[f"section_{index}"]),
    )


@dataclass(frozen=True)
class Village:
    """The part of a found lookup that is the same for everyone in the village."""

    path: str  # "张店区 车站街道 和平社区"
    code: str
    collection_year: int | None
    registering: tuple[int, ...]  # the years its people can still register for today
    local_points_html: SafeString  # 您的服务站, rendered


def village_of(region_id: int, today: date) -> Village:
    def build() -> Village:
        region = Region.objects.get(pk=region_id)
        path = [r for r in region.ancestors() if r.level >= Level.COUNTY] + [region]
        return Village(
            path=" ".join(r.name for r in path), code=region.code,
            collection_year=year_that_matters(region, today),
            registering=tuple(registration_years(region, today)),
            local_points_html=render_to_string("enrollment/_lookup_local_points.html",
                                               {"local": local_points(region)}),
        )

    return cache.get_or_set(f"lookup-village:{region_id}:{today.isoformat()}", build, VILLAGE_SECONDS,
                            version=VILLAGE_VERSION)
