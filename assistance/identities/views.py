"""Station pages of assistance identities: the 应保尽保 list of people not yet enrolled."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from assistance.identities.selectors import uninsured
from enrollment import selectors
from portal.accounts.scopes import clerk_required
from portal.privacy.models import access_log_page, access_log_write
from portal.spreadsheets.responses import spreadsheet_response

PAGE_SIZE = 50


@clerk_required
def uninsured_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    today = timezone.localdate()
    years = selectors.collection_years(scope)
    year = selectors.year_shown(scope, years, request.GET, today)
    rows = uninsured(scope, year=year, on=today) if year else []
    export_format = request.GET.get("format")
    if export_format in ("csv", "xlsx") and year:
        access_log_write(request=request, action="export_uninsured", detail=f"{year} 年度应保尽保名单 {export_format}")
        return _export(rows, year=year, export_format=export_format)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    if year:
        access_log_page(request=request, action="view_uninsured", what=f"{year} 年度应保尽保名单 {scope.name}", page=page)
    context = {"page": page, "year": year, "years": years, "scope": scope, "today": today, "query": f"year={year}"}
    return render(request, "assistance/uninsured_list.html", context)


def _export(rows, *, year: int, export_format: str) -> HttpResponse:
    return spreadsheet_response(
        headers=["身份证号", "姓名", "困难类别", "村(社区)", "联系电话"],
        rows=((row.id_masked, row.name, row.category.label, row.village, row.phone) for row in rows),
        filename=f"uninsured-{year}", export_format=export_format,
    )
