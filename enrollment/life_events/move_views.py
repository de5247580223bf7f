"""Station pages of the moves (转移接续): taking a resident in, moving one out, the list of moves
into and out of the clerk's scope."""

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from enrollment import services
from enrollment.life_events.models import Move
from enrollment.life_events.move_forms import FindForm, MoveOutForm, TakeInForm
from enrollment.life_events.moves import move_back_in, move_candidate_find, move_out, move_within
from enrollment.models import Resident
from enrollment.views.station import add_service_errors
from portal.accounts.scopes import clerk_required
from portal.network.codes import Level
from portal.network.models import Region
from portal.privacy.id_numbers import mask_name
from portal.privacy.models import access_log_page, access_log_write
from portal.shared.money import format_yuan

MOVES_PER_PAGE = 50
TABS = {"in": "迁入", "out": "迁出"}
SALT = "enrollment.moves.take_in"
# Long enough to fill in the form while the person waits at the counter.
TOKEN_AGE = 60 * 60


def not_found_message(scope: Region) -> str:
    """The one answer for a wrong name, an unknown number and a person of another city."""
    city = next((r.name for r in [*scope.ancestors(), scope] if r.level == Level.CITY), "本统筹区")
    return (f"没有找到身份证号与姓名都相符、登记在{city}的居民。请核对身份证号和姓名；"
            "从外地迁入、在本市从未登记的，请在“新登记居民”中登记，并填写原参保地。")


@clerk_required
@require_http_methods(["GET", "POST"])
def take_in(request: HttpRequest) -> HttpResponse:
    """迁入 in two steps: find the person by ID number and name; then, seeing where they live now,
    choose the village and confirm. The second step carries a signed token of the first's find."""
    today = timezone.localdate()
    if request.method == "POST" and "token" in request.POST:
        return _take_in_confirm(request, today)
    find = FindForm(request.POST or None)
    if request.method == "POST" and find.is_valid():
        data = find.cleaned_data
        found = move_candidate_find(id_number=data["id_number"], name=data["name"], clerk=request.user, today=today)
        access_log_write(request=request, action="move_lookup", subject_digest=found.id_digest if found else "",
                         detail=f"迁入查找：{'找到' if found else '未找到'}")
        if found is None:
            find.add_error(None, not_found_message(request.scope))
        elif found.date_of_death:
            find.add_error(None, f"{found.name} 已于 {found.date_of_death:%Y-%m-%d} 登记死亡，不能办理迁入。")
        else:
            token = signing.dumps({"resident": found.pk, "from": found.region_id, "clerk": request.user.pk}, salt=SALT)
            form = TakeInForm(scope=request.scope, returning=bool(found.moved_out_on),
                              initial={"moved_on": today, "token": token})
            return render(request, "enrollment/moves/take_in.html", {"form": form, "found": found})
    return render(request, "enrollment/moves/take_in.html", {"find": find})


def _take_in_confirm(request: HttpRequest, today) -> HttpResponse:
    try:
        claim = signing.loads(request.POST["token"], salt=SALT, max_age=TOKEN_AGE)
    except signing.BadSignature:
        claim = None
    if claim is None or claim.get("clerk") != request.user.pk:
        messages.error(request, "这一页已过期，请重新查找要迁入的居民。")
        return redirect("station:move_take_in")
    resident = get_object_or_404(Resident.objects.select_related("region", "household"), pk=claim["resident"])
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="办理迁入")
    form = TakeInForm(request.POST, scope=request.scope, returning=bool(resident.moved_out_on))
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():  # a refused move leaves no empty household behind
                household = data["household_number"] or services.household_create(
                    region=data["to_region"], address=data["household_address"], clerk=request.user
                )
                if resident.moved_out_on:
                    move_back_in(resident=resident, to_region=data["to_region"], household=household,
                                 elsewhere=data["elsewhere"], reason=data["reason"], moved_on=data["moved_on"],
                                 clerk=request.user, today=today)
                else:
                    move_within(resident=resident, to_region=data["to_region"], household=household,
                                reason=data["reason"], moved_on=data["moved_on"], clerk=request.user,
                                expected_from=Region.objects.get(pk=claim["from"]), today=today)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已办理 {resident.name} 迁入{data['to_region'].name}；"
                                      "此人已办理的参保登记继续有效，无需重复缴费。")
            return redirect("station:resident", pk=resident.pk)
    return render(request, "enrollment/moves/take_in.html", {"form": form, "found": resident})


@clerk_required
@require_http_methods(["GET", "POST"])
def resident_move_out(request: HttpRequest, pk: int) -> HttpResponse:
    resident = get_object_or_404(Resident.objects.visible_to(request.user).select_related("region"), pk=pk)
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="办理迁出本统筹区")
    form = MoveOutForm(request.POST or None, initial={"moved_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = move_out(resident=resident, elsewhere=data["elsewhere"], reason=data["reason"],
                              moved_on=data["moved_on"], clerk=request.user, today=timezone.localdate())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            notes = [f"已申请退还 {r.enrollment.year} 年度个人缴费 {format_yuan(r.amount)} 元，待审批" for r in result.refunds]
            notes += [f"已注销未缴费的 {e.year} 年度参保登记" for e in result.cancelled]
            messages.success(request, "；".join([f"已登记 {resident.name} 迁出本统筹区", *notes]) + "。")
            return redirect("station:resident", pk=resident.pk)
    enrollments = resident.enrollments.active().order_by("-year")
    return render(request, "enrollment/moves/move_out.html", {"resident": resident, "form": form,
                                                              "enrollments": enrollments})


@clerk_required
def move_list(request: HttpRequest) -> HttpResponse:
    """迁入 and 迁出 of the scope: the new township sees who came, the old one who left."""
    scope = request.scope
    tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "in"
    moves = Move.objects.concerning(scope).select_related("resident", "from_region", "to_region", "recorded_by")
    if tab == "in":
        moves = moves.filter(to_region__code__startswith=scope.prefix)
    else:
        moves = moves.filter(from_region__code__startswith=scope.prefix)
    page = Paginator(moves.order_by("-moved_on", "-pk"), MOVES_PER_PAGE).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_moves", what=f"{TABS[tab]}名单 {scope.name}", page=page)
    rows = [_row(move, scope) for move in page.object_list]
    return render(request, "enrollment/moves/move_list.html",
                  {"page": page, "rows": rows, "tab": tab, "tab_label": TABS[tab], "tabs": TABS, "query": f"tab={tab}",
                   "scope": scope})


def _row(move: Move, scope: Region) -> dict:
    resident = move.resident
    clerk = move.recorded_by
    return {
        "move": move,
        "name": mask_name(resident.name),
        "id_masked": resident.id_masked or resident.birth_certificate_masked,
        # A link only where the clerk may open the record: one who left the scope is not theirs.
        "link": resident.region.code.startswith(scope.prefix),
        "resident_pk": resident.pk,
        "from": move.from_region.name if move.from_region else move.elsewhere,
        "to": move.to_region.name if move.to_region else move.elsewhere,
        "clerk": mask_name(f"{clerk.last_name}{clerk.first_name}" or clerk.get_username()),
    }
