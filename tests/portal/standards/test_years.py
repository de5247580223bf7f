"""The year that matters today (portal/standards/years.py): the year being collected during a
window, else the coverage year in force."""

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.standards.years import (
    CollectionWindow,
    coverage_year_in_force,
    year_that_matters,
    years_registering,
)

WINDOWS = [
    CollectionWindow(2021, date(2020, 9, 1), date(2020, 12, 31), 90),
    CollectionWindow(2022, date(2021, 9, 1), date(2021, 12, 31), 90),
    CollectionWindow(2027, date(2026, 9, 1), date(2026, 12, 31), 90),
]


@pytest.mark.parametrize(("today", "year"), [
    (date(2021, 10, 15), 2022),  # 2022 being collected
    (date(2021, 12, 31), 2022),  # the window's last day
    (date(2022, 1, 1), 2022),  # coverage starts: 2022 in force
    (date(2022, 8, 31), 2022),
    (date(2024, 5, 1), 2022),  # no standard for 2024: the latest year before it
    (date(2026, 12, 7), 2027),  # 2027 being collected
    (date(2027, 3, 1), 2027),
    (date(2019, 5, 1), 2021),  # before every year on file: the first
])
def test_the_year_that_matters(today, year):
    assert year_that_matters(WINDOWS, today) == year


def test_no_standard_no_year():
    assert year_that_matters([], date(2026, 12, 7)) is None
    assert coverage_year_in_force([], date(2026, 12, 7)) is None


@pytest.mark.parametrize(("today", "years"), [
    (date(2021, 6, 1), [2021]),  # 2021 runs: a late registration's 90 days end inside it
    (date(2021, 10, 2), [2022, 2021]),  # the last day 90 days still end in 2021 (on 12-31)
    (date(2021, 10, 3), [2022]),  # from here 2021 would refuse ordinary residents: not offered
    (date(2022, 3, 1), [2022]),  # after the window, while 2022 runs
    (date(2023, 1, 5), []),  # 2022 over, 2023 never published
    (date(2026, 12, 7), [2027]),
])
def test_the_years_open_for_registration(today, years):
    assert years_registering(WINDOWS, today) == years


@given(st.dates(min_value=date(2019, 1, 1), max_value=date(2031, 12, 31)))
def test_the_year_that_matters_is_always_one_on_file_and_never_a_finished_collection(today):
    year = year_that_matters(WINDOWS, today)
    assert year in {window.year for window in WINDOWS}
    collecting = [window.year for window in WINDOWS if window.open_on(today)]
    assert year == max(collecting) if collecting else year <= max(today.year, WINDOWS[0].year)
