"""Station back office: dashboard, finding and registering residents, their record."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from enrollment import selectors, services
from enrollment.collection.progress import scope_progress
from enrollment.elsewhere import elsewhere_answer
from enrollment.exports import follow_up_export
from enrollment.forms import DeathForm, FollowUpFilterForm, NewResidentForm, ResidentForm, ResidentSearchForm
from enrollment.life_events.deaths import DeathAlreadyRecorded
from enrollment.life_events.moves import move_in_record
from enrollment.models import Enrollment, Resident
from portal.accounts.scopes import clerk_required
from portal.network.codes import Level
from portal.privacy.models import access_log_page, access_log_write
from portal.shared.extensions import contributions
from portal.web.addresses import client_address
from portal.web.pagination import keyset_page

SEARCH_LIMIT = 50


def add_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: on its field if it names one, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@clerk_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    today = timezone.localdate()
    years = selectors.collection_years(scope)
    year = selectors.year_shown(scope, years, request.GET, today)
    context = {
        "scope": scope,
        "scope_path": [*scope.ancestors(), scope],
        "service_point": request.user.staff_profile.home_service_point,
        "years": years,
        "year": year,
        # The year's figures as the progress page counts them (enrollment/collection/progress.py).
        "progress": scope_progress(scope, year=year, today=today).scope if year else None,
        "registered_today": selectors.registered_on(scope, today),
        "search_form": ResidentSearchForm(),
        # Panels other apps add (portal/shared/extensions.py): safe HTML, each rendered by its app.
        "panels": [panel(request, scope, year) for panel in contributions("station_dashboard_panels")],
    }
    return render(request, "enrollment/dashboard.html", context)


@clerk_required
@require_http_methods(["GET", "POST"])
def resident_search(request: HttpRequest) -> HttpResponse:
    """POST only for the query itself: ID numbers never go into a URL or an access log line."""
    form = ResidentSearchForm(request.POST or None)
    results = None
    if request.method == "POST" and form.is_valid():
        query = form.cleaned_data["query"].strip()
        visible = Resident.objects.visible_to(request.user).select_related("region")
        found = services.resident_find_by_id_number(query)
        if found is not None or len(query) >= 15 and query[:6].isdigit():
            results = [r for r in [found] if r is not None and visible.filter(pk=r.pk).exists()]
            if found is not None and not results:  # logged and counted by elsewhere_answer
                form.add_error("query", elsewhere_answer(
                    clerk=request.user, address=client_address(request), digest=found.id_digest,
                    region=found.region, where="查找居民",
                ))
            else:
                _log_search(request, results, "按身份证号查找")
        else:
            results = list(visible.filter(name__startswith=query).order_by("name", "id")[:SEARCH_LIMIT])
            _log_search(request, results, f"按姓名“{query}”查找")
    return render(request, "enrollment/resident_search.html", {"form": form, "results": results, "limit": SEARCH_LIMIT})


def _log_search(request: HttpRequest, results: list[Resident], how: str) -> None:
    # One entry for the list shown, with the filter and the count.
    access_log_write(request=request, action="search_residents",
                     subject_digest=results[0].id_digest if len(results) == 1 else "",
                     detail=f"{how}，找到 {len(results)} 人")


@clerk_required
@require_http_methods(["GET", "POST"])
def resident_create(request: HttpRequest) -> HttpResponse:
    form = NewResidentForm(request.POST or None, scope=request.scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused resident leaves no empty household behind
                household = data["household_number"] or services.household_create(
                    region=data["region"], address=data["household_address"], clerk=request.user
                )
                resident = services.resident_register(
                    id_number=data["id_number"], name=data["name"], phone=data["phone"], region=data["region"],
                    household=household, residence_permit=data["residence_permit"], clerk=request.user,
                    payout_account=data["payout_account"], today=timezone.localdate(),
                )
                if data["moved_in_from"].strip():  # 转移接续: where they were insured before
                    move_in_record(resident=resident, elsewhere=data["moved_in_from"], clerk=request.user,
                                   moved_on=timezone.localdate())
        except services.RegisteredElsewhere as elsewhere:
            form.add_error("id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=elsewhere.digest,
                region=elsewhere.region, where="登记居民",
            ))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已登记 {resident.name}。")
            return redirect("station:resident", pk=resident.pk)
    return render(request, "enrollment/resident_form.html", {"form": form, "creating": True})


@clerk_required
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(
        Resident.objects.visible_to(request.user).select_related("region", "household"), pk=pk
    )
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="查看居民完整信息")
    enrollments = resident.enrollments.select_related("region", "duplicate__found_in").prefetch_related("payments").order_by("-year")
    context = {
        "resident": resident,
        "full_id_number": resident.id_number,
        "enrollments": enrollments,
        "household_members": (
            resident.household.members.exclude(pk=resident.pk).order_by("birth_date") if resident.household else []
        ),
        "death_form": DeathForm(),
        # Where the person lived when (转移接续), newest first.
        "moves": resident.moves.select_related("from_region", "to_region").order_by("-moved_on", "-recorded_at"),
        "estimate_category": resident.default_category(timezone.localdate()).value,
    }
    return render(request, "enrollment/resident_detail.html", context)


@clerk_required
@require_http_methods(["GET", "POST"])
def resident_edit(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="修改居民信息")
    initial = {
        "name": resident.name, "phone": resident.phone, "region": resident.region,
        "household_number": resident.household.number if resident.household else "",
        "residence_permit": resident.residence_permit,
    }
    form = ResidentForm(request.POST or None, initial=initial, scope=request.scope)
    if resident.payout_account_masked:  # the account is never put back into a page in full
        form.fields["payout_account"].widget.attrs["placeholder"] = f"已登记 {resident.payout_account_masked}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused change leaves no empty household behind
                household = data["household_number"] or services.household_create(
                    region=data["region"], address=data["household_address"], clerk=request.user
                )
                services.resident_update(
                    resident=resident, clerk=request.user, name=data["name"], phone=data["phone"],
                    region=data["region"], household=household, residence_permit=data["residence_permit"],
                    payout_account=data["payout_account"] or None,  # empty: unchanged
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "已保存修改。")
            return redirect("station:resident", pk=resident.pk)
    return render(request, "enrollment/resident_form.html", {"form": form, "resident": resident, "creating": False})


@clerk_required
@require_http_methods(["POST"])
def resident_death(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user), pk=pk)
    form = DeathForm(request.POST)
    if form.is_valid():
        try:
            refunds = services.death_record(
                resident=resident, date_of_death=form.cleaned_data["date_of_death"], clerk=request.user,
                today=timezone.localdate(),
            )
        except DeathAlreadyRecorded as already:
            messages.info(request, already.messages[0])
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            note = f"，已申请退还 {len(refunds)} 笔个人缴费，待审批" if refunds else ""
            messages.success(request, f"已登记死亡{note}。")
    else:
        messages.error(request, "请填写正确的死亡日期。")
    return redirect("station:resident", pk=resident.pk)


@clerk_required
def follow_up(request: HttpRequest) -> HttpResponse:
    scope = request.scope
    years = selectors.collection_years(scope)
    year = selectors.year_shown(scope, years, request.GET, timezone.localdate())
    choice = FollowUpFilterForm(request.GET, scope=scope)
    village = choice.cleaned_data["village"] if choice.is_valid() else None
    area = village or scope
    rows = selectors.follow_up(area, year=year) if year else Resident.objects.none()
    filters = {"year": year, **({"village": village.code} if village else {})}
    export_format = request.GET.get("format")
    if export_format in ("csv", "xlsx") and year:
        access_log_write(request=request, action="export_follow_up",
                         detail=f"{year} 年度追缴名单 {area.name} {export_format}")
        return follow_up_export(rows, year=year, export_format=export_format)
    page = keyset_page(rows, ordering=selectors.FOLLOW_UP_ORDER, keys=Resident.objects.within(area), params=request.GET)
    if year:
        access_log_page(request=request, action="view_follow_up", what=f"{year} 年度追缴名单 {area.name}", page=page)
    return render(request, "enrollment/follow_up.html", {
        "page": page, "year": year, "years": years, "choice": choice, "filters": urlencode(filters),
        "villages_to_choose": scope.level < Level.VILLAGE,
        # An empty list after a year without enrollments says nothing about this year's payers.
        "previous_year_enrolled": bool(page.object_list) or (
            bool(year) and Enrollment.objects.within(area).filter(year=year - 1).exists()),
    })

