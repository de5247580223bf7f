"""Keyset pagination for long station lists: each page is found by the row before (or after) it,
not by counting rows from the top, so the last page of a township's 6,000-person list costs what
the first does (docs/SCALING.md, "Deep pages of long lists").

A page link carries only the id of the row it continues from, never a name: the list's other
ordering values of that row are read again from ``keys`` (the rows the user may see, whether or
not the row is still on the list: a person who has paid since is still a place to continue
from). The page number in the link is only shown; a link without a row starts at page 1.
"""

import math
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

PER_PAGE = 50


@dataclass(frozen=True)
class KeysetPage:
    object_list: list
    number: int
    count: int
    per_page: int
    first_key: int | None  # the id of the first row, which the previous page ends before
    last_key: int | None  # the id of the last row, which the next page starts after
    has_previous: bool
    has_next: bool

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.per_page))

    @property
    def has_other_pages(self) -> bool:
        return self.has_previous or self.has_next

    @property
    def previous_page_number(self) -> int:
        return max(1, self.number - 1)

    @property
    def next_page_number(self) -> int:
        return self.number + 1


def keyset_page(rows: QuerySet, *, ordering: tuple[str, ...], keys: QuerySet, params, per_page: int = PER_PAGE) -> KeysetPage:
    """The page of ``rows`` that ``params`` (request.GET) asks for: ``after=<id>`` or
    ``before=<id>``, with ``page=<n>`` to show; anything else is the first page. ``ordering``
    ends with "pk", which makes every row's place unique."""
    if ordering[-1] != "pk":
        raise ValueError("A keyset ordering ends with the primary key.")
    count = rows.count()
    direction, key = _requested(params)
    values = _key_values(keys, ordering, key) if key is not None else None
    if values is None:
        return _first_page(rows, ordering, count=count, per_page=per_page)
    number = _shown_number(params)
    if direction == "after":
        found = list(rows.filter(_beyond(ordering, values, "gt")).order_by(*ordering)[: per_page + 1])
        if found:
            has_next = len(found) > per_page
            return _page(found[:per_page], number=number if has_next else math.ceil(count / per_page), count=count,
                         per_page=per_page, has_previous=True, has_next=has_next)
    else:
        descending = [f"-{field}" for field in ordering]
        found = list(rows.filter(_beyond(ordering, values, "lt")).order_by(*descending)[: per_page + 1])
        if found:
            has_previous = len(found) > per_page
            return _page(found[:per_page][::-1], number=number if has_previous else 1, count=count,
                         per_page=per_page, has_previous=has_previous, has_next=True)
    # Nothing is left beyond that row (people paid since the link was made): start again.
    return _first_page(rows, ordering, count=count, per_page=per_page)


def _first_page(rows: QuerySet, ordering: tuple[str, ...], *, count: int, per_page: int) -> KeysetPage:
    found = list(rows.order_by(*ordering)[: per_page + 1])
    return _page(found[:per_page], number=1, count=count, per_page=per_page,
                 has_previous=False, has_next=len(found) > per_page)


def _page(object_list: list, *, number: int, count: int, per_page: int, **kwargs) -> KeysetPage:
    # The number is only shown: keep it among the pages there are now.
    number = min(max(1, number), max(1, math.ceil(count / per_page)))
    return KeysetPage(object_list=object_list, number=number, count=count, per_page=per_page,
                      first_key=object_list[0].pk if object_list else None,
                      last_key=object_list[-1].pk if object_list else None, **kwargs)


def _requested(params) -> tuple[str | None, int | None]:
    for direction in ("after", "before"):
        value = params.get(direction, "")
        if value.isascii() and value.isdigit() and len(value) <= 18:
            return direction, int(value)
    return None, None


def _shown_number(params) -> int:
    value = params.get("page", "")
    return max(1, int(value)) if value.isascii() and value.isdigit() and len(value) <= 6 else 1


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
