"""Reads of the station pages that need more than one filter."""

from datetime import date

from django.db.models import BooleanField, Exists, OuterRef, Q, Subquery, Value

from enrollment.models import ContributionStandard, Enrollment, Resident
from portal.network.codes import pooling_region_code
from portal.network.models import Region
from portal.standards import years
from portal.standards.years import CollectionWindow


def collection_years(scope: Region) -> list[int]:
    """Years with a published standard for the pooling region of the scope, newest first."""
    if scope.level < 2:
        return []
    return sorted(
        set(
            ContributionStandard.objects.published()
            .filter(region__code=pooling_region_code(scope.code))
            .values_list("year", flat=True)
        ),
        reverse=True,
    )


def collection_windows(scope: Region) -> list[CollectionWindow]:
    """The collection window of each year with a published standard for the scope's pooling
    region (the latest published revision's, where a revision moved it)."""
    if scope.level < 2:
        return []
    rows = (
        ContributionStandard.objects.published()
        .filter(region__code=pooling_region_code(scope.code))
        .order_by("year", "revision")
        .values_list("year", "window_start", "window_end", "waiting_days")
    )
    return list({year: CollectionWindow(year, start, end, waiting) for year, start, end, waiting in rows}.values())


def year_that_matters(scope: Region, today: date) -> int | None:
    """The year the scope's pages are about today (portal/standards/years.py)."""
    return years.year_that_matters(collection_windows(scope), today)


def registration_years(scope: Region, today: date) -> list[int]:
    """The years a clerk of the scope can register someone for today, newest first."""
    return years.years_registering(collection_windows(scope), today)


def year_shown(scope: Region, years: list[int], params, today: date) -> int | None:
    """The year a station page shows: the one its address asks for (``?year=``) when it is one
    of ``years``, else the year that matters today."""
    asked = params.get("year", "")
    if len(asked) == 4 and asked.isascii() and asked.isdigit() and int(asked) in years:
        return int(asked)
    return year_that_matters(scope, today)


def registered_on(scope: Region, day: date) -> int:
    """Enrollments the scope registered on ``day`` (the dashboard's 今日登记)."""
    return Enrollment.objects.within(scope).filter(registered_on=day).count()


# The follow-up list's order, by village then name; the id makes each place unique, which
# keyset pagination needs (portal/web/pagination.py).
FOLLOW_UP_ORDER = ("region__code", "name", "pk")


def follow_up(scope: Region, *, year: int):
    """追缴名单: living residents in scope enrolled last year who have not paid for this year.

    Correlated EXISTS, not ``id IN (...)``: an IN over the year's paid enrollments made PostgreSQL
    hash every paid enrollment of the province for each page (benchmarks/README.md).
    """
    of_resident = Enrollment.objects.filter(resident=OuterRef("pk"))
    return (
        Resident.objects.within(scope).living()
        # Moved out of the pooling region before the year (转移接续): nothing to follow up here.
        .filter(Q(moved_out_on__isnull=True) | Q(moved_out_on__gte=date(year, 1, 1)))
        .filter(Exists(of_resident.active().filter(year=year - 1)))
        .exclude(Exists(of_resident.paid().filter(year=year)))
        .select_related("region")
        # A scalar subquery with LIMIT, not EXISTS: PostgreSQL then runs it for the 50 rows of the
        # page only, where it turned an EXISTS in the select list into a hash of the whole year.
        .annotate(enrolled_this_year=Subquery(
            of_resident.active().filter(year=year).values(enrolled=Value(True))[:1], output_field=BooleanField()
        ))
        .order_by(*FOLLOW_UP_ORDER)
    )
