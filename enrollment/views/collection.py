"""参保缴费进度 and 未参保名单: for clerks of a township or village and for officers of a county
or city, each over their own scope and one click from a region to the one below it."""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from enrollment import selectors
from enrollment.collection.progress import Progress, collection_curve, scope_progress
from enrollment.collection.uninsured import UNINSURED_ORDER, insured_elsewhere_record, reasons, uninsured
from enrollment.models import ContributionStandard, InsuredElsewhere, Resident
from enrollment.templatetags.station_extras import masked_phone
from enrollment.views.station import add_service_errors
from portal.accounts.scopes import STATION_PERMISSION, clerk_required, scope_required
from portal.network.codes import Level
from portal.network.models import Region
from portal.privacy.models import access_log_page, access_log_write
from portal.spreadsheets.responses import spreadsheet_response
from portal.web.pagination import keyset_page

progress_required = scope_required(
    "enrollment.view_collection_progress", refused="只有医保经办人员和医保局工作人员可以查看参保缴费进度。",
)
EXPORT_FORMATS = ("csv", "xlsx")


def _area(request: HttpRequest) -> Region:
    """The region the page is about: ``?region=<code>`` inside the user's scope, else the scope.
    A code outside the scope is answered as a missing one."""
    code = request.GET.get("region", "")
    if not code:
        return request.scope
    if not (code.isascii() and code.isdigit() and len(code) == 12):
        raise Http404("没有这个区域")
    return get_object_or_404(Region.objects.within(request.scope), code=code)


def _years(area: Region) -> list[int]:
    """Years with a published standard for the area's city, or, above a city, for any city in it."""
    if area.level >= Level.CITY:
        return selectors.collection_years(area)
    published = ContributionStandard.objects.published().filter(region__code__startswith=area.prefix)
    return sorted(set(published.values_list("year", flat=True)), reverse=True)


def _year(area: Region, years: list[int], params, today) -> int | None:
    if area.level >= Level.CITY:
        return selectors.year_shown(area, years, params, today)
    asked = params.get("year", "")
    if len(asked) == 4 and asked.isascii() and asked.isdigit() and int(asked) in years:
        return int(asked)
    return years[0] if years else None


def _path(scope: Region, area: Region) -> list[Region]:
    """From the user's scope down to the area, for the links back up."""
    return [region for region in [*area.ancestors(), area] if region.code.startswith(scope.prefix)]


@progress_required
def progress(request: HttpRequest) -> HttpResponse:
    scope, area, today = request.scope, _area(request), timezone.localdate()
    years = _years(area)
    year = _year(area, years, request.GET, today)
    context = {"scope": scope, "area": area, "path": _path(scope, area), "years": years, "year": year,
               "is_clerk": request.user.has_perm(STATION_PERMISSION),
               "is_village": area.level == Level.VILLAGE, "above_city": area.level < Level.CITY}
    if year is None:
        return render(request, "enrollment/collection/progress.html", context)
    figures = scope_progress(area, year=year, today=today)
    # The curve needs one collection window, which only a city and the regions in it have.
    windows = {window.year: window for window in selectors.collection_windows(area)} if area.level >= Level.CITY else {}
    curve = collection_curve(area, year=year, windows=windows, today=today)
    export_format = request.GET.get("format")
    if export_format in EXPORT_FORMATS:
        if request.GET.get("table") == "curve":
            return _curve_export(curve, area=area, year=year, export_format=export_format)
        return _regions_export(figures.regions, area=area, year=year, export_format=export_format)
    context.update({
        "totals": figures.scope, "regions": figures.regions, "curve": curve, "window": windows.get(year),
        "last_window": windows.get(year - 1), "query": urlencode({"region": area.code, "year": year}),
        "chart_data": _chart_data(figures.regions, curve, area=area),
    })
    return render(request, "enrollment/collection/progress.html", context)


def _percent(rate) -> float | None:
    # For the chart's axis only (the tables show the Decimal): Chart.js draws numbers, not strings.
    return float(rate * 100) if rate is not None else None


def _chart_data(regions: list[Progress], curve, *, area: Region) -> dict:
    """What the charts draw (static/js/collection-charts.js), the same numbers as the tables."""
    return {
        "regions": {
            "labels": [region.name for region in regions],
            "rates": [_percent(region.rate) for region in regions],
            "paidRates": [_percent(region.paid_rate) for region in regions],
            "targets": [_percent(region.target) for region in regions],
            "levelLabel": Level(min(area.level + 1, Level.VILLAGE)).label,
        },
        "curve": {
            "labels": [f"第{point.day + 1}天（{point.date:%m-%d}）" for point in curve],
            "thisYear": [point.cumulative for point in curve],
            "lastYear": [point.last_year_cumulative for point in curve],
        },
    }


def _regions_export(regions: list[Progress], *, area: Region, year: int, export_format: str) -> HttpResponse:
    headers = ["区划代码", "区域", "应参保人数", "已参保登记", "已缴费", "参保率", "缴费率", "目标参保率", "低于目标",
               "个人应缴合计", "个人已缴合计", "资助参保金额"]
    rows = (
        (r.code, r.name, r.expected, r.enrolled, r.paid, r.rate, r.paid_rate, r.target, "是" if r.below_target else "",
         r.due, r.collected, r.subsidies)
        for r in regions
    )
    return spreadsheet_response(headers=headers, rows=rows, filename=f"participation-{area.code}-{year}",
                                export_format=export_format)


def _curve_export(curve, *, area: Region, year: int, export_format: str) -> HttpResponse:
    headers = ["缴费期第几天", "日期", "当日缴费人数", f"{year} 年度累计", "上年同期日期", f"{year - 1} 年度同期累计"]
    rows = ((p.day + 1, p.date, p.paid, p.cumulative, p.last_year_date, p.last_year_cumulative) for p in curve)
    return spreadsheet_response(headers=headers, rows=rows, filename=f"collection-curve-{area.code}-{year}",
                                export_format=export_format)


@progress_required
def uninsured_list(request: HttpRequest) -> HttpResponse:
    scope, area, today = request.scope, _area(request), timezone.localdate()
    years = _years(area)
    year = _year(area, years, request.GET, today)
    rows = uninsured(area, year=year, today=today) if year else Resident.objects.none()
    query = urlencode({"region": area.code, **({"year": year} if year else {})})
    export_format = request.GET.get("format")
    if export_format in EXPORT_FORMATS and year:
        access_log_write(request=request, action="export_uninsured", detail=f"{year} 年度未参保名单 {area.name} {export_format}")
        return _uninsured_export(rows, year=year, export_format=export_format,
                                 full_phones=request.user.has_perm(STATION_PERMISSION))
    page = keyset_page(rows, ordering=UNINSURED_ORDER, keys=Resident.objects.within(area), params=request.GET)
    if year:
        access_log_page(request=request, action="view_uninsured", what=f"{year} 年度未参保名单 {area.name}", page=page)
    is_clerk = request.user.has_perm(STATION_PERMISSION)
    return render(request, "enrollment/collection/uninsured.html", {
        "scope": scope, "area": area, "path": _path(scope, area), "years": years, "year": year, "page": page,
        "rows": [(resident, reasons(resident)) for resident in page.object_list], "query": query,
        "is_clerk": is_clerk,
        # Enrolling is offered only for a year open for registration today.
        "can_enroll": is_clerk and year in selectors.registration_years(scope, today),
    })


def _uninsured_export(rows, *, year: int, export_format: str, full_phones: bool) -> HttpResponse:
    """Clerks call the people on it; officers above them see the numbers masked."""
    lines = (
        (r.id_masked, r.name, r.phone if full_phones else masked_phone(r.phone), r.region.code, r.region.name,
         "；".join(reasons(r)))
        for r in rows.iterator(chunk_size=2000)
    )
    return spreadsheet_response(headers=["身份证号", "姓名", "联系电话", "区划代码", "村(社区)", "应参保原因"], rows=lines,
                                filename=f"uninsured-{year}", export_format=export_format)


class InsuredElsewhereForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    scheme = forms.ChoiceField(label="参保险种", choices=[("", "请选择"), *InsuredElsewhere.Scheme.choices],
                               error_messages={"required": "请选择此人在哪里参保。"})
    note = forms.CharField(label="说明", max_length=200, required=False, help_text="如单位名称、参保地，便于以后核对")

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year} 年度") for year in years]
        self.fields["year"].error_messages["invalid_choice"] = "请从列表中选择年度。"
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"


@clerk_required
@require_http_methods(["GET", "POST"])
def insured_elsewhere(request: HttpRequest, pk: int) -> HttpResponse:
    """Record that a resident is insured elsewhere for a year: not expected here, not on the list."""
    resident = get_object_or_404(Resident.objects.visible_to(request.user).select_related("region"), pk=pk)
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest,
                     detail="登记已在他处参保")
    today = timezone.localdate()
    years = selectors.collection_years(request.scope)
    shown = selectors.year_that_matters(request.scope, today)
    form = InsuredElsewhereForm(request.POST or None, years=years,
                                initial={"year": request.GET.get("year") or shown})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            insured_elsewhere_record(resident=resident, year=data["year"], scheme=data["scheme"], note=data["note"],
                                     clerk=request.user)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已记录 {resident.name} {data['year']} 年度在他处参保，不再列入未参保名单。")
            return redirect(f"{request.path}?year={data['year']}")
    records = resident.insured_elsewhere.order_by("-year")
    return render(request, "enrollment/collection/insured_elsewhere.html",
                  {"resident": resident, "form": form, "records": records})
