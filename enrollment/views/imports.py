"""Station roll import: upload and dry run, then confirm; one refused row imports nothing.

The dry run keeps the parsed roll server-side (enrollment/imports/staging.py) and gives the page a
token. Confirming checks every row again against the database as it is then, because minutes may
have passed and another clerk may have enrolled someone on the list meanwhile.
"""

import io

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook

from enrollment import selectors
from enrollment.imports.checks import ImportReport, enrollees_import
from enrollment.imports.confirmation import import_done, roll_confirm
from enrollment.imports.forms import MAX_ROWS, RollUploadForm
from enrollment.imports.rolls import COLUMNS
from enrollment.imports.staging import STAGED_FOR, roll_stage
from portal.accounts.scopes import clerk_required
from portal.network.codes import Level
from portal.network.models import Region
from portal.privacy.models import access_log_write
from portal.shared.files import FileNotStored
from portal.spreadsheets.responses import CONTENT_TYPES, spreadsheet_response
from portal.web.addresses import client_address

# A report with thousands of refused rows is fixed in the file, not read on screen to the end.
ERRORS_SHOWN = 500
ENTRIES_SHOWN = 100
FILENAME_SHOWN = 80


@clerk_required
@require_http_methods(["GET", "POST"])
def roll_import(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = selectors.registration_years(request.scope, today)
    form = RollUploadForm(
        request.POST or None, request.FILES or None, years=years,
        initial={"year": selectors.year_that_matters(request.scope, today)},
    )
    context = {"form": form, "years": years, "max_rows": f"{MAX_ROWS:,}"}
    if request.method == "POST" and form.is_valid():
        year, filename = form.cleaned_data["year"], _shortened(form.cleaned_data["roll"].name)
        report = enrollees_import(rows=form.rows, year=year, user=request.user, on=today, dry_run=True,
                                  address=client_address(request))
        access_log_write(request=request, action="check_roll", detail=(
            f"{year} 年度参保名单“{filename}”预检：{report.rows} 行，{report.enrollments} 人可导入"
        ))
        token = None
        if not report.errors:
            try:
                token = roll_stage(rows=form.rows, year=year, filename=filename, user=request.user, on=today)
            except FileNotStored as error:
                form.add_error("roll", error.message)
        context.update(_report_context(report, year=year, filename=filename), token=token)
    return render(request, "enrollment/roll_import.html", context)


@clerk_required
@require_POST
def roll_import_confirm(request: HttpRequest) -> HttpResponse:
    token = request.POST.get("token", "")
    outcome = roll_confirm(token=token, user=request.user, today=timezone.localdate(),
                           address=client_address(request))
    if outcome.already:
        messages.info(request, "这份名单已经导入过了，没有重复导入。")
        return _to_result(token)
    if outcome.done is not None:
        done = outcome.done
        access_log_write(request=request, action="import_roll",
                         detail=f"{done.year} 年度参保名单“{done.filename}”：参保登记 {done.enrollments} 人")
        messages.success(request, f"已导入 {done.year} 年度参保名单，共 {done.enrollments} 人。")
        return _to_result(token)
    if outcome.staged is None:
        minutes = int(STAGED_FOR.total_seconds() // 60)
        messages.error(request, (
            f"没有找到待确认的名单：预检结果只保留 {minutes} 分钟且只在当天有效。"
            "请先到“查找居民”核对是否已导入；未导入的，请重新上传预检。"
        ))
        return redirect("station:roll_import")
    staged, years = outcome.staged, selectors.registration_years(request.scope, timezone.localdate())
    context = {
        "form": RollUploadForm(years=years, initial={"year": staged.year}), "years": years,
        "max_rows": f"{MAX_ROWS:,}", "refused_at_confirm": True,
        **_report_context(outcome.report, year=staged.year, filename=staged.filename),
    }
    return render(request, "enrollment/roll_import.html", context)


@clerk_required
def roll_import_result(request: HttpRequest) -> HttpResponse:
    # The token in the address is no secret: the result opens only for the clerk who imported.
    result = import_done(token=request.GET.get("token", ""), user=request.user)
    if result is None:
        raise Http404("没有这次导入的记录")
    access_log_write(request=request, action="view_import_result", detail="查看参保名单导入结果")
    return render(request, "enrollment/roll_import_result.html", {"result": result})


def _shortened(filename: str) -> str:
    """Names go to the page and to the access log (200 characters in all); browsers allow 255."""
    return filename if len(filename) <= FILENAME_SHOWN else filename[:FILENAME_SHOWN - 1] + "…"


def _to_result(token: str) -> HttpResponse:
    return redirect(f"{reverse('station:roll_import_result')}?token={token}")


def _report_context(report: ImportReport, *, year: int, filename: str) -> dict:
    return {
        "report": report,
        "year": year,
        "filename": filename,
        "refused_rows": len({error.row for error in report.errors}),
        "errors_shown": report.errors[:ERRORS_SHOWN],
        "entries_shown": report.entries[:ENTRIES_SHOWN],
    }


@clerk_required
@require_GET
def roll_template(request: HttpRequest) -> HttpResponse:
    """The roll's template: the header row, and in XLSX a second sheet of the clerk's villages
    with their codes; the ID number column is text, so that Excel keeps all 18 characters."""
    villages = (Region.objects.within(request.scope).filter(level=Level.VILLAGE).select_related("parent")
                .order_by("code"))
    if request.GET.get("format") == "csv":
        return spreadsheet_response(headers=COLUMNS, rows=[], filename="roll-template", export_format="csv")
    book = Workbook()
    roll = book.active
    roll.title = "参保名单"
    roll.append(list(COLUMNS))
    roll.column_dimensions["A"].number_format = "@"
    for column, width in zip("ABCDE", (22, 10, 14, 16, 10), strict=True):
        roll.column_dimensions[column].width = width
    codes = book.create_sheet("村社区代码")
    codes.append(["村社区代码", "村(社区)", "乡镇(街道)"])
    for village in villages:
        codes.append([village.code, village.name, village.parent.name if village.parent else ""])
    codes.column_dimensions["A"].width = 16
    body = io.BytesIO()
    book.save(body)
    response = HttpResponse(body.getvalue(), content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = "attachment; filename*=UTF-8''roll-template.xlsx"
    return response
