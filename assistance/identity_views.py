"""Station pages of assistance identities: the 应保尽保 list of people not yet enrolled."""

import tablib
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from assistance.identity_selectors import uninsured
from enrollment import selectors
from enrollment.exports import spreadsheet_response
from portal.access import clerk_required
from portal.models import access_log_write
from portal.resources import neutralise_formula

PAGE_SIZE = 50


def station_nav_links(request) -> list[tuple[str, str]]:
    """The `station_nav_links` contribution (portal/extensions.py)."""
    return [(reverse("assistance:uninsured"), "应保尽保名单")]


@clerk_required
def uninsured_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    today = timezone.localdate()
    years = selectors.collection_years(scope)
    year = _chosen_year(request, years) or selectors.current_collection_year(scope, today)
    rows = uninsured(scope, year=year, on=today) if year else []
    export_format = request.GET.get("format")
    if export_format in ("csv", "xlsx") and year:
        access_log_write(request=request, action="export_uninsured", detail=f"{year} 年度应保尽保名单 {export_format}")
        return _export(rows, year=year, export_format=export_format)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "year": year, "years": years, "scope": scope, "today": today}
    return render(request, "assistance/uninsured_list.html", context)


def _chosen_year(request, years: list[int]) -> int | None:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        return None
    return year if year in years else None


def _export(rows, *, year: int, export_format: str) -> HttpResponse:
    dataset = tablib.Dataset(headers=["身份证号", "姓名", "困难类别", "村(社区)", "联系电话"])
    for row in rows:
        dataset.append([
            neutralise_formula(value)
            for value in (row.id_masked, row.name, row.category.label, row.village, row.phone)
        ])
    return spreadsheet_response(dataset, filename=f"uninsured-{year}", export_format=export_format)
