"""The resident's years on the first page of 我的医保: every enrollment with what was charged and
paid, and the years without one with what to do. The year rows and "covered today" are the
public lookup's (enrollment.lookup), read here from the resident's Enrollment rows, which carry
the payments and refunds the lookup never shows."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Prefetch

from enrollment.lookup import EnrollmentOfAYear, Village, YearRow, covered_today, village_of, year_rows
from enrollment.models import Enrollment, Payment, Resident


@dataclass(frozen=True)
class MyYears:
    rows: list[YearRow]  # each row's enrollment, if any, is an Enrollment with payments and refund
    covered: EnrollmentOfAYear | None
    village: Village  # the year being collected, the years still open, the resident's station


def my_years(resident: Resident, *, today: date) -> MyYears:
    enrollments = (
        Enrollment.objects.filter(resident=resident)
        .select_related("region", "refund")
        .prefetch_related(Prefetch("payments", queryset=Payment.objects.order_by("recorded_at", "pk")))
    )
    village = village_of(resident.region_id, today)
    rows = year_rows(enrollments, today=today, collection_year=village.collection_year)
    return MyYears(rows=rows, covered=covered_today(rows, today), village=village)
