"""How long a temporary filing holds, and what counts as the resident's own city (pure)."""

from datetime import date

import pytest

from treatment.filings.rules import same_city, temporary_valid_until


@pytest.mark.parametrize(("start", "end"), [
    (date(2022, 3, 1), date(2022, 8, 31)),
    (date(2022, 3, 15), date(2022, 9, 14)),
    (date(2022, 9, 1), date(2023, 2, 28)),
    (date(2022, 12, 31), date(2023, 6, 30)),
    (date(2023, 8, 30), date(2024, 2, 29)),
])
def test_a_temporary_filing_holds_six_calendar_months(start, end):
    assert temporary_valid_until(start, 6) == end


@pytest.mark.parametrize("start", [date(2022, 8, 29), date(2022, 8, 30), date(2022, 8, 31), date(2023, 8, 31)])
def test_a_start_late_in_the_month_never_gives_less_than_six_months(start):
    end = temporary_valid_until(start, 6)
    # Six months on from the start's month: at least to the last day of February.
    assert (end.year, end.month) == (start.year + 1, 2) and end.day >= 28


@pytest.mark.parametrize(("typed", "same"), [
    ("淄博市", True), ("淄博", True), (" 淄 博 市 ", True), ("济南市", False), ("", False), ("淄博市张店区", False),
])
def test_the_city_typed_is_compared_without_its_suffix(typed, same):
    assert same_city(typed, "淄博市") is same
