"""Pages of one app that other apps add to, without the owner importing them.

Dependencies point one way (assistance -> enrollment -> portal), yet the station dashboard, its
navigation and the public lookup (enrollment) show assistance items. An app names what it adds
in an attribute of its AppConfig, a list of dotted paths; ``contributions(hook)`` gathers them in
INSTALLED_APPS order. These are the hooks, each with the contract of what it names:

``station_nav_links``
    functions of the ``StationNavLinks`` shape: the links an app adds to the station navigation.
``station_dashboard_panels``
    functions of the ``DashboardPanel`` shape: a panel of safe HTML on the station dashboard.
``lookup_sections``
    ``LookupSection`` instances: a section under the years of a found public lookup.
``home_notices``
    functions ``(*, today) -> list[dict]`` of what residents need this month, shown first on the
    home page: each ``{"title", "lines", "link", "label"}`` (shown escaped).
``year_parts``
    an app's yearly settings, copied when a year is started from the last: a ``VersionedStandard``
    model, or an object of the ``YearPart`` shape (portal/standards/cycle.py).
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from django.apps import apps
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.utils.module_loading import import_string


class StationNavLinks(Protocol):
    def __call__(self, request: HttpRequest) -> list[tuple[str, str]]:
        """(URL, label) of each link, in the order shown."""


class DashboardPanel(Protocol):
    def __call__(self, request: HttpRequest, scope: Any, year: int | None) -> str:
        """The panel for the clerk's scope (a Region) and the year the dashboard shows, rendered
        by the app that adds it and shown as it is (it must escape what it renders)."""


@dataclass(frozen=True)
class LookupSection:
    """A section under the years of a found public lookup.

    ``applies(resident)`` is an ``Exists`` over the app's rows for ``resident`` (an OuterRef to
    the resident's pk): the lookup reads it in its own query, so that most people, who have
    nothing there, cost no query of the section's. ``build(resident_id, today=today)`` runs
    only for those who have, and returns ``{"title": str, "lines": [str, ...]}`` (shown
    escaped) or None. Like the rest of the page, a section must not show the full name or ID
    number."""

    applies: Callable[[OuterRef], Exists]
    build: Callable[..., dict | None]


@cache
def contributions(hook: str) -> tuple[Any, ...]:
    found = []
    for config in apps.get_app_configs():
        for dotted in getattr(config, hook, ()):
            found.append(import_string(dotted))
    return tuple(found)
