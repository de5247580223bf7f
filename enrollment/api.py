"""GET /api/v1/premium (DESIGN.md section 9): what a resident pays for a coverage year.

    /api/v1/premium?year=2022&region=370300&category=adult&assistance=minimum_living
                   &date=2021-10-15[&birth_date=2022-03-01]

answers ``{"year", "region", "category", "assistance", "standard", "subsidy", "payable", "late",
"coverage_start", "coverage_end"}``: amounts are strings with two decimals, dates ISO,
``assistance`` null when none was given. ``region`` may be any code inside the pooling region
(2, 4, 6, 9 or 12 digits; a village code resolves to its city) and is answered with the pooling
region's 6-digit code ("370300"), as the benefits estimate answers it. ``birth_date`` defaults to
30 years before ``date``, so that the person is not a newborn.

The standard used is the published revision in force on ``date`` (the registration date), as at
a station. Errors are ``{"errors": {field: [messages]}}``: 400 for bad input, 404 for an unknown
region or a year without a published standard (``__all__``), and 400 with the field concerned and
``"code"`` when the premium rules refuse the registration (``window_not_open``, ``year_over``,
``coverage_after_year_end``, ``born_after_registration``).
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt

from enrollment.rules import PremiumRefused, premium_for
from enrollment.services import standard_in_force
from portal.network.codes import RegionCodeError, normalize_code, pooling_region_code
from portal.network.models import Region
from portal.shared.money import format_yuan
from portal.shared.vocabulary import AssistanceCategory, Category
from portal.web.ratelimit import api_rate_limited

# Dates far outside any coverage year are mistakes; bounding them also keeps date arithmetic
# (birth date defaults, waiting periods) away from the limits of Python's date type.
EARLIEST = datetime.date(1900, 1, 1)
LATEST = datetime.date(2100, 12, 31)
DEFAULT_AGE_YEARS = 30
DATE_ERRORS = {"invalid": "日期格式须为 YYYY-MM-DD，如 2021-10-15。"}
# Which parameter a refusal of the premium rules is about.
REFUSAL_FIELDS = {"born_after_registration": "birth_date"}


class PremiumQueryForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100,
        error_messages={"required": "请填写待遇享受年度 year，如 2022。", "invalid": "年度须为四位数字，如 2022。",
                        "min_value": "年度须在 2000 到 2100 之间。", "max_value": "年度须在 2000 到 2100 之间。"},
    )
    region = forms.CharField(
        label="区划代码", max_length=12, error_messages={"required": "请填写区划代码 region，如 370300。",
                                                     "max_length": "区划代码最多 12 位数字。"},
    )
    category = forms.ChoiceField(
        label="参保类别", choices=Category.choices(),
        error_messages={"required": "请填写参保类别 category：adult 或 student_child。",
                        "invalid_choice": "参保类别“%(value)s”无效，可选 adult（成年居民）或 student_child（学生儿童）。"},
    )
    assistance = forms.ChoiceField(
        label="困难类别", choices=[("", "无")] + AssistanceCategory.choices(), required=False,
        error_messages={"invalid_choice": "困难类别“%(value)s”无效，可选："
                        + "、".join(f"{m.value}（{m.label}）" for m in AssistanceCategory) + "。"},
    )
    date = forms.DateField(
        label="登记日期", input_formats=["%Y-%m-%d"],
        error_messages={**DATE_ERRORS, "required": "请填写登记日期 date，如 2021-10-15。"},
    )
    birth_date = forms.DateField(label="出生日期", input_formats=["%Y-%m-%d"], required=False, error_messages=DATE_ERRORS)

    def clean_region(self) -> str:
        try:
            code = normalize_code(self.cleaned_data["region"])
            pooling_region_code(code)
        except RegionCodeError as error:
            raise ValidationError(str(error)) from error
        return code

    def clean_assistance(self) -> AssistanceCategory | None:
        value = self.cleaned_data["assistance"]
        return AssistanceCategory(value) if value else None

    def _bounded(self, name: str) -> datetime.date | None:
        value = self.cleaned_data[name]
        if value is not None and not EARLIEST <= value <= LATEST:
            raise ValidationError(f"日期须在 {EARLIEST.isoformat()} 到 {LATEST.isoformat()} 之间。")
        return value

    def clean_date(self) -> datetime.date:
        return self._bounded("date")

    def clean_birth_date(self) -> datetime.date | None:
        return self._bounded("birth_date")


def _default_birth_date(on: datetime.date) -> datetime.date:
    try:
        return on.replace(year=on.year - DEFAULT_AGE_YEARS)
    except ValueError:  # 29 February
        return on.replace(year=on.year - DEFAULT_AGE_YEARS, day=28)


def _errors(errors: dict, status: int = 400, **extra) -> JsonResponse:
    return JsonResponse({"errors": errors, **extra}, status=status, json_dumps_params={"ensure_ascii": False})


# Without cookies there is no session for CSRF to protect; exempt, a POST gets a plain 405.
@csrf_exempt
@api_rate_limited("API_RATE_LIMIT", scope="api-premium")
def premium(request: HttpRequest) -> JsonResponse:
    if request.method not in ("GET", "HEAD"):
        response = _errors({"__all__": ["只支持 GET 请求。"]}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    form = PremiumQueryForm(request.GET)
    if not form.is_valid():
        return _errors({field: [str(m) for m in messages] for field, messages in form.errors.items()})
    data = form.cleaned_data
    on = data["date"]

    region = Region.objects.filter(code=data["region"]).first()
    if region is None:
        return _errors({"__all__": [f"没有区划代码为 {data['region']} 的区划。"]}, status=404)
    try:
        standard = standard_in_force(year=data["year"], region=region, on=on)
    except ValidationError as error:
        return _errors({"__all__": error.messages}, status=404)

    try:
        result = premium_for(
            standard.snapshot(), category=Category(data["category"]), assistance=data["assistance"],
            birth_date=data["birth_date"] or _default_birth_date(on), on=on,
        )
    except PremiumRefused as refused:
        return _errors({REFUSAL_FIELDS.get(refused.code, "date"): [refused.message]}, code=refused.code)

    response = JsonResponse(
        {
            "year": result.year,
            "region": standard.region.code[:6],
            "category": result.category.value,
            "assistance": result.assistance.value if result.assistance else None,
            "standard": format_yuan(result.standard),
            "subsidy": format_yuan(result.subsidy),
            "payable": format_yuan(result.payable),
            "late": result.late,
            "coverage_start": result.coverage_start.isoformat(),
            "coverage_end": result.coverage_end.isoformat(),
        },
        json_dumps_params={"ensure_ascii": False},
    )
    # Published standards change rarely and never in place; a new revision may wait 5 minutes.
    patch_cache_control(response, public=True, max_age=300)
    return response
