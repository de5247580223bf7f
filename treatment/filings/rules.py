"""Pure rules of filings: how long a temporary one holds, and whether a place is the resident's
own pooling region. No ORM here."""

import calendar
from datetime import date, timedelta


def temporary_valid_until(valid_from: date, months: int) -> date:
    """The last day of a temporary filing that holds ``months`` calendar months from ``valid_from``:
    1 March -> 31 August for six months. Where the day does not exist six months on (31 August ->
    February), the filing holds to the end of that month, so it is never shorter than the months."""
    month_index = valid_from.month - 1 + months
    year, month = valid_from.year + month_index // 12, month_index % 12 + 1
    last_day = calendar.monthrange(year, month)[1]
    if valid_from.day > last_day:
        return date(year, month, last_day)
    return date(year, month, valid_from.day) - timedelta(days=1)


def same_city(typed: str, city_name: str) -> bool:
    """Whether a city typed on the form names the region ``city_name``: "淄博" and "淄博市" both do."""
    def bare(name: str) -> str:
        name = "".join(name.split())
        return name[:-1] if name.endswith("市") else name
    return bool(typed.strip()) and bare(typed) == bare(city_name)
