"""Starting a pooling region's insurance year from the year before: every yearly setting of every
app copied as drafts of the new year, its dates moved on by the years between, nothing published.

The apps name their yearly settings in ``AppConfig.year_parts`` (portal/shared/extensions.py):
a ``VersionedStandard`` model (copied here: its latest published revision of the source year,
with its parts), or an object of the ``YearPart`` shape for settings of another kind.
"""

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from portal.network.codes import Level, RegionCodeError, normalize_code
from portal.network.models import Region
from portal.shared.extensions import contributions
from portal.standards.versioned import VersionedStandard, draft_copy

# The years a standard may be for: beyond them a date cannot be moved, nor a year be meant.
YEARS = range(2000, 2101)


class YearPart(Protocol):
    def existing(self, *, region: Region, year: int) -> list[str]:
        """What the region already has for ``year`` (each named for the officer), which starting
        the year again would duplicate."""

    def missing(self, *, region: Region, year: int) -> str | None:
        """Why ``year`` cannot be copied (a setting it must have and has not), else None."""

    def copy(self, *, region: Region, source_year: int, year: int, overrides: dict[str, Any]) -> list[str]:
        """Copy the source year's settings to ``year``; what was made, each named."""


def moved(day: date | None, years: int) -> date | None:
    """The same day ``years`` later; 29 February becomes the 28th in a year without it."""
    if day is None:
        return None
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True)
class VersionedYearPart:
    """A kind of versioned standard as a part of the year."""

    model: type[VersionedStandard]

    @property
    def label(self) -> str:
        return str(self.model._meta.verbose_name)

    def existing(self, *, region: Region, year: int) -> list[str]:
        return [f"{self.label} {standard}" for standard in self.model.objects.filter(year=year, region=region)]

    def missing(self, *, region: Region, year: int) -> str | None:
        if self.source(region=region, year=year) is None:
            return f"{region} {year} 年度没有已发布的{self.label}"
        return None

    def source(self, *, region: Region, year: int) -> VersionedStandard | None:
        """The revision in force at the end of ``year``: what the year finally ran on."""
        return self.model.objects.in_force(year=year, region=region, on=date(year, 12, 31))

    def copy(self, *, region: Region, source_year: int, year: int, overrides: dict[str, Any]) -> list[str]:
        source = self.source(region=region, year=source_year)
        dates = {
            field.name: moved(getattr(source, field.attname), year - source_year)
            for field in self.model._meta.concrete_fields
            if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField)
        }
        fields = {
            **dates, **overrides, "year": year, "revision": 1, "effective_from": None, "supersedes": None,
            "notes": f"由 {source_year} 年度第 {source.revision} 版复制，日期顺延 {year - source_year} 年。",
        }
        draft = draft_copy(source, validate=True, change_reason=f"由 {source_year} 年度第 {source.revision} 版复制",
                           **fields)
        return [f"{self.label} {draft}"]


def year_parts() -> list:
    """Every app's yearly settings, in the order of INSTALLED_APPS."""
    parts = []
    for part in contributions("year_parts"):
        if isinstance(part, type) and issubclass(part, VersionedStandard):
            part = VersionedYearPart(part)
        parts.append(part)
    return parts


@dataclass(frozen=True)
class YearStarted:
    made: list[str]
    dry_run: bool


def year_start(*, region: Region, source_year: int, year: int, overrides: dict[str, Any] | None = None,
               dry_run: bool = False) -> YearStarted:
    """Copy ``source_year``'s settings of the pooling ``region`` to ``year``, all or nothing.
    Refused (``ValidationError``, in Chinese) when ``year`` already has settings or the source
    year lacks one; ``dry_run`` says what would be made and writes nothing."""
    if region.level != Level.CITY:
        raise ValidationError(f"{region} 不是统筹区（市）：年度标准按统筹区设置。")
    if not (YEARS.start <= source_year < year < YEARS.stop):
        raise ValidationError(f"新年度 {year} 须晚于复制来源的年度 {source_year}，且都在 {YEARS.start}–{YEARS.stop - 1} 年之间。")
    parts = year_parts()
    lacking = [reason for part in parts if (reason := part.missing(region=region, year=source_year))]
    if lacking:
        raise ValidationError(f"不能从 {source_year} 年度复制：{'；'.join(lacking)}。")
    try:
        with transaction.atomic():
            _refuse_existing(parts, region=region, source_year=source_year, year=year)
            made = [name for part in parts for name in part.copy(
                region=region, source_year=source_year, year=year, overrides=overrides or {})]
            if dry_run:
                transaction.set_rollback(True)
    except IntegrityError:
        # Another request started the same year between the check and the copy (a double
        # submit): the unique revision refused the second; say what is there now.
        _refuse_existing(parts, region=region, source_year=source_year, year=year)
        raise
    return YearStarted(made=made, dry_run=dry_run)


def _refuse_existing(parts, *, region: Region, source_year: int, year: int) -> None:
    there = [name for part in parts for name in part.existing(region=region, year=year)]
    if there:
        raise ValidationError(
            f"{region} {year} 年度已经有：{'；'.join(there)}。不能再从 {source_year} 年度复制；"
            "草稿请直接修改，已发布的版本需要更正时请新建修订版。"
        )


def region_of(code: str) -> Region:
    """The region a typed code names ("370300" or its 12 digits)."""
    try:
        normalized = normalize_code(code)
    except RegionCodeError as error:
        raise ValidationError(str(error)) from error
    region = Region.objects.filter(code=normalized).first()
    if region is None:
        raise ValidationError(f"没有区划代码为 {code} 的地区。")
    return region
