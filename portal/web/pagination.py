"""Keyset pagination for long station lists: each page is found by the row before (or after) it,
not by counting rows from the top, so the last page of a township's 6,000-person list costs what
the first does (docs/SCALING.md, "Deep pages of long lists").

A page link carries only the id of the row it continues from, never a name: the list's other
ordering values of that row are read again from ``keys`` (the rows the user may see, whether or
not the row is still on the list: a person who has paid since is still a place to continue
from). A link without such a row starts at page 1; a page's number is counted, not carried.
"""

import math
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet

PER_PAGE = 50


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    count: int  # rows on the whole list
    rows_before: int  # rows of the list before this page
    per_page: int
    first_key: int | None  # the id of the first row, which the previous page ends before
    last_key: int | None  # the id of the last row, which the next page starts after
    has_previous: bool
    has_next: bool

    # People who pay while a clerk pages through the list move later pages off multiples of
    # per_page; the numbers count whole pages before this one and from it on.
    @property
    def number(self) -> int:
        return 1 + math.ceil(self.rows_before / self.per_page)

    @property
    def num_pages(self) -> int:
        return self.number - 1 + max(1, math.ceil((self.count - self.rows_before) / self.per_page))

    @property
    def paginator(self) -> "KeysetPage":
        """The page itself, for templates written for Django's Page (``page.paginator.count``,
        ``page.paginator.num_pages``)."""
        return self

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next


def keyset_page(rows: QuerySet, *, ordering: tuple[str, ...], keys: QuerySet, params,
                per_page: int = PER_PAGE) -> KeysetPage:
    """The page of ``rows`` that ``params`` (request.GET) asks for: ``after=<id>`` or
    ``before=<id>``; anything else is the first page. ``ordering`` ends with "pk", which makes
    every row's place unique, and holds no field that can be NULL (a NULL compares as neither
    greater nor smaller, so its rows would drop out of every page but the first)."""
    if ordering[-1] != "pk":
        raise ValueError("A keyset ordering ends with the primary key.")
    direction, key = _requested(params)
    values = _key_values(keys, ordering, key) if key is not None else None
    if values is not None:
        beyond = _beyond(ordering, values, "gt" if direction == "after" else "lt")
        # The count the page shows and, in the same query, how many rows come before the page,
        # which gives its number however the list has changed since the link was made.
        counts = rows.aggregate(count=Count("pk"), before=Count("pk", filter=~beyond if direction == "after" else beyond))
        ordered = rows.filter(beyond).order_by(*(ordering if direction == "after" else [f"-{f}" for f in ordering]))
        found = list(ordered[: per_page + 1])
        if found:
            page = found[:per_page]
            if direction == "after":
                return _page(page, rows_before=counts["before"], count=counts["count"], per_page=per_page,
                             has_previous=True, has_next=len(found) > per_page)
            return _page(page[::-1], rows_before=counts["before"] - len(page), count=counts["count"],
                         per_page=per_page, has_previous=len(found) > per_page, has_next=True)
        # Nothing is left beyond that row (people paid since the link was made): start again.
    found = list(rows.order_by(*ordering)[: per_page + 1])
    return _page(found[:per_page], rows_before=0, count=rows.count(), per_page=per_page,
                 has_previous=False, has_next=len(found) > per_page)


def _page(object_list: list, **kwargs) -> KeysetPage:
    return KeysetPage(object_list=object_list, first_key=object_list[0].pk if object_list else None,
                      last_key=object_list[-1].pk if object_list else None, **kwargs)


def _requested(params) -> tuple[str | None, int | None]:
    for direction in ("after", "before"):
        value = params.get(direction, "")
        if value.isascii() and value.isdigit() and len(value) <= 18:
            return direction, int(value)
    return None, None


def _key_values(keys: QuerySet, ordering: tuple[str, ...], key: int) -> tuple | None:
    """The ordering values of the row ``key`` among ``keys``, or None when there is none."""
    row = keys.filter(pk=key).values_list(*ordering[:-1]).first()
    return (*row, key) if row is not None else None


def _beyond(ordering: tuple[str, ...], values: tuple, lookup: str) -> Q:
    """Rows after (gt) or before (lt) ``values`` in ``ordering``: (a, b, c) > (x, y, z) spelled
    out as a > x, or a = x and b > y, or a = x and b = y and c > z."""
    return reduce(or_, (
        Q(**dict(zip(ordering[:index], values[:index])), **{f"{field}__{lookup}": values[index]})
        for index, field in enumerate(ordering)
    ))
