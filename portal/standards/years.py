"""Which insurance year a page is about today: decided here, once, for every app.

Resident medical insurance runs as a yearly cycle: the officers publish year N's standards in
the autumn of N-1, stations collect in a window that ends by 31 December of N-1 (or later, by
the standard), coverage runs from 1 January to 31 December of N, settlements come in through N.
So on any day one year matters most:

- during a collection window, the year being collected (in December 2026, 2027);
- otherwise the coverage year in force: this calendar year, or, where it has no published
  standard, the latest year before it that has one (or, before every year on file, the first).

The apps pass their published years and windows (``CollectionWindow``); Beijing time's date is
the caller's ``today`` (``django.utils.timezone.localdate()``).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class CollectionWindow:
    year: int
    start: date
    end: date
    waiting_days: int = 0  # after the window, a late registration's cover starts this much later

    def open_on(self, today: date) -> bool:
        return self.start <= today <= self.end

    def registering_on(self, today: date) -> bool:
        """Registration is taken for the year from its window's start, and after the window as a
        late registration for as long as its waiting period still ends inside the year."""
        late_until = date(self.year, 12, 31) - timedelta(days=self.waiting_days)
        return self.start <= today <= max(self.end, late_until)


def coverage_year_in_force(years: Iterable[int], today: date) -> int | None:
    """Of the years with a published standard, the one whose coverage runs today."""
    years = sorted(set(years))
    if not years:
        return None
    return max((year for year in years if year <= today.year), default=years[0])


def year_that_matters(windows: Iterable[CollectionWindow], today: date) -> int | None:
    """The year being collected today, else the coverage year in force."""
    windows = list(windows)
    collecting = [window.year for window in windows if window.open_on(today)]
    if collecting:
        return max(collecting)
    return coverage_year_in_force((window.year for window in windows), today)


def years_registering(windows: Iterable[CollectionWindow], today: date) -> list[int]:
    """The years a station can register someone for today, newest first."""
    return sorted({window.year for window in windows if window.registering_on(today)}, reverse=True)
