"""参保缴费进度: how far a scope has come toward the year's participation target.

Counted by where people live (their village), so that a region's enrolled and paid are always
among its own expected people and the rate never passes 100%. Expected for a year: registered
residents living at the start of the year (or today, for a year whose collection is still ahead),
not moved out of the pooling region by then, and not recorded as insured elsewhere for it. Each
chart is fed by one query.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, FilteredRelation, OuterRef, Q, Sum
from django.db.models.functions import Substr, TruncDate

from enrollment.models import ContributionStandard, Enrollment, InsuredElsewhere, Resident
from portal.network.codes import SIGNIFICANT_DIGITS, Level, pooling_region_code
from portal.network.models import Region
from portal.shared.money import ZERO, to_cents
from portal.standards.years import CollectionWindow

DEFAULT_TARGET = Decimal("0.950")
BEIJING = ZoneInfo("Asia/Shanghai")


def expected_residents(scope: Region, *, year: int, today: date):
    """Residents of the scope who should be insured for ``year`` (the rate's denominator)."""
    alive_on = min(today, date(year, 1, 1))
    return (
        Resident.objects.within(scope)
        .filter(Q(date_of_death__isnull=True) | Q(date_of_death__gte=alive_on))
        # Moved out of the pooling region before the year (转移接续): insured where they went.
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=alive_on))
        .exclude(Exists(InsuredElsewhere.objects.filter(resident=OuterRef("pk"), year=year)))
    )


@dataclass(frozen=True)
class Progress:
    """One region's figures for a year (or a scope's totals)."""

    code: str
    name: str
    level: int
    expected: int = 0
    enrolled: int = 0
    paid: int = 0
    due: Decimal = ZERO  # personal contributions of the enrolled
    collected: Decimal = ZERO  # of those, paid
    subsidies: Decimal = ZERO  # the assistance fund's part of the enrolled's contributions (资助参保)
    target: Decimal = DEFAULT_TARGET

    @property
    def rate(self) -> Decimal | None:
        """Participation rate as a fraction with 4 places (0.9512), None with nobody expected."""
        if not self.expected:
            return None
        return (Decimal(self.enrolled) / Decimal(self.expected)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def paid_rate(self) -> Decimal | None:
        if not self.expected:
            return None
        return (Decimal(self.paid) / Decimal(self.expected)).quantize(Decimal("0.0001"), ROUND_HALF_UP)

    @property
    def below_target(self) -> bool:
        return self.rate is not None and self.rate < self.target

    @property
    def not_enrolled(self) -> int:
        return self.expected - self.enrolled

    @property
    def unpaid(self) -> int:
        return self.enrolled - self.paid

    @property
    def outstanding(self) -> Decimal:
        return self.due - self.collected


@dataclass(frozen=True)
class ScopeProgress:
    scope: Progress
    regions: list[Progress] = field(default_factory=list)  # the regions one level below, by code


def year_targets(year: int) -> dict[str, Decimal]:
    """The participation target of each pooling region for ``year`` (its latest published
    revision's), by the city's code; a region without one has the national 95%."""
    rows = (
        ContributionStandard.objects.published().filter(year=year)
        .order_by("region__code", "revision").values_list("region__code", "participation_target")
    )
    return dict(rows)


def scope_progress(scope: Region, *, year: int, today: date) -> ScopeProgress:
    """The scope's totals and each region one level below it, from one query; a village is
    its own only row."""
    targets = year_targets(year)
    child_level = min(scope.level + 1, Level.VILLAGE)
    digits = SIGNIFICANT_DIGITS[child_level]
    rows = (
        expected_residents(scope, year=year, today=today)
        .annotate(enrollment=FilteredRelation(
            "enrollments", condition=Q(enrollments__year=year, enrollments__status=Enrollment.Status.ACTIVE),
        ))
        .annotate(child=Substr("region__code", 1, digits))
        .values("child")
        .annotate(
            expected=Count("id"),
            # One active enrollment per person and year (a database constraint): no double counts.
            enrolled=Count("enrollment__id"),
            paid=Count("enrollment__id", filter=Q(enrollment__paid_at__isnull=False)),
            due=Sum("enrollment__payable"),
            collected=Sum("enrollment__payable", filter=Q(enrollment__paid_at__isnull=False)),
            subsidies=Sum("enrollment__subsidy"),
        )
        .order_by("child")
    )
    figures = {row["child"]: row for row in rows}
    children = (
        Region.objects.filter(parent=scope).order_by("code") if scope.level < Level.VILLAGE
        else Region.objects.filter(pk=scope.pk)
    )
    regions = [_progress(region, figures.get(region.prefix, {}), targets) for region in children]
    totals = {
        key: sum((region_figures.get(key) or 0 for region_figures in figures.values()), ZERO if key in MONEY else 0)
        for key in ("expected", "enrolled", "paid", *MONEY)
    }
    return ScopeProgress(scope=_progress(scope, totals, targets), regions=regions)


MONEY = ("due", "collected", "subsidies")


def _progress(region: Region, figures: dict, targets: dict[str, Decimal]) -> Progress:
    target = DEFAULT_TARGET
    if region.level >= Level.CITY:
        target = targets.get(pooling_region_code(region.code), DEFAULT_TARGET)
    return Progress(
        code=region.code, name=region.name, level=region.level, target=target,
        expected=figures.get("expected") or 0, enrolled=figures.get("enrolled") or 0, paid=figures.get("paid") or 0,
        # SQLite sums decimals without their places: 259250, not 259250.00.
        **{key: to_cents(Decimal(figures.get(key) or 0)) for key in MONEY},
    )


@dataclass(frozen=True)
class CurvePoint:
    day: int  # days since the window opened, from 0
    date: date
    paid: int  # payments that day
    cumulative: int
    last_year_date: date | None
    last_year_cumulative: int | None  # on the same day of last year's window


def collection_curve(scope: Region, *, year: int, windows: dict[int, CollectionWindow], today: date) -> list[CurvePoint]:
    """Payments per day through ``year``'s collection window (up to today while it runs), with
    the cumulative count against the same day of last year's window, from one query."""
    window = windows.get(year)
    if window is None:
        return []
    last = windows.get(year - 1)
    per_day = (
        Enrollment.objects.active()
        .filter(resident__region__code__startswith=scope.prefix, year__in=[year, year - 1],
                payable__gt=0, paid_at__isnull=False)
        .annotate(day=TruncDate("paid_at", tzinfo=BEIJING))
        .values("year", "day").annotate(count=Count("id")).order_by()
    )
    counts = {(row["year"], row["day"]): row["count"] for row in per_day}
    this_year = _cumulative(window, counts, year)
    last_year = _cumulative(last, counts, year - 1) if last else []
    end = min(window.end, today)
    points = []
    for offset in range((end - window.start).days + 1):
        day = window.start + timedelta(days=offset)
        paid, cumulative = this_year[offset]
        earlier = last_year[offset] if offset < len(last_year) else None
        points.append(CurvePoint(
            day=offset, date=day, paid=paid, cumulative=cumulative,
            last_year_date=last.start + timedelta(days=offset) if earlier else None,
            last_year_cumulative=earlier[1] if earlier else None,
        ))
    return points


def _cumulative(window: CollectionWindow, counts: dict, year: int) -> list[tuple[int, int]]:
    """(paid that day, paid so far) for each day of the window; payments before it opened (an
    enrollment paid at registration the day before, say) count on its first day."""
    before = sum(n for (y, day), n in counts.items() if y == year and day < window.start)
    days, total = [], 0
    for offset in range((window.end - window.start).days + 1):
        paid = counts.get((year, window.start + timedelta(days=offset)), 0) + (before if offset == 0 else 0)
        total += paid
        days.append((paid, total))
    return days
