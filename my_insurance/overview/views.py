"""The pages of 我的医保 after sign-in: the years (home), care and what is left of the year,
assistance and filings, and the household. Each shows only the signed-in resident's own data
(and the masked household list), and writes one access-log entry."""

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from my_insurance.overview.assistance_and_filings import assistance_records
from my_insurance.overview.care import care_years, year_in_force, year_of_care
from my_insurance.overview.household import household_members, household_year
from my_insurance.overview.years import my_years
from my_insurance.pages import render_mine
from my_insurance.session import resident_required
from portal.privacy.models import access_log_write


@resident_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    resident, today = request.resident, timezone.localdate()
    years = my_years(resident, today=today)
    enrolled = sum(1 for row in years.rows if row.enrollment is not None)
    access_log_write(request=request, action="my_view_years", subject_digest=resident.id_digest,
                     detail=f"本人参保缴费：{enrolled} 条参保登记")
    return render_mine(request, "my_insurance/overview/home.html", {"years": years, "today": today})


@resident_required
@require_GET
def care(request: HttpRequest) -> HttpResponse:
    resident, today = request.resident, timezone.localdate()
    years = care_years(resident)
    asked = request.GET.get("year", "")
    # Four ASCII digits before int(): a run of thousands of digits makes int() raise, not answer.
    chosen = int(asked) if len(asked) == 4 and asked.isascii() and asked.isdigit() and int(asked) in years else None
    year = chosen or year_in_force(years, today)
    # A year the resident has no enrollment for (or no year at all) is said, and the default shown.
    not_offered = asked[:8] if asked and chosen is None else ""
    care_of_year = year_of_care(resident, year, today=today) if year is not None else None
    detail = "本人就医结算与待遇余额：没有参保年度"
    if care_of_year is not None:
        detail = f"本人就医结算与待遇余额：{year} 年度 {len(care_of_year.entries)} 条"
    access_log_write(request=request, action="my_view_care", subject_digest=resident.id_digest, detail=detail)
    return render_mine(request, "my_insurance/overview/care.html", {
        "years": years, "year": year, "care": care_of_year, "not_offered": not_offered, "today": today,
    })


@resident_required
@require_GET
def assistance(request: HttpRequest) -> HttpResponse:
    resident, today = request.resident, timezone.localdate()
    records = assistance_records(resident, today=today)
    access_log_write(request=request, action="my_view_assistance", subject_digest=resident.id_digest,
                     detail=f"本人救助、认定与备案：{records.count} 条")
    return render_mine(request, "my_insurance/overview/assistance.html", {"records": records, "today": today})


@resident_required
@require_GET
def household(request: HttpRequest) -> HttpResponse:
    resident, today = request.resident, timezone.localdate()
    year = household_year(resident, today)
    members = household_members(resident, year=year, today=today)
    access_log_write(request=request, action="my_view_household", subject_digest=resident.id_digest,
                     detail=f"本户成员（已隐去姓名和身份证号）：{len(members)} 人，{year} 年度参保状态")
    return render_mine(request, "my_insurance/overview/household.html",
                       {"members": members, "year": year, "today": today})
