"""Station pages of newborns (出生一件事; 新生儿参保…下放至定点医疗机构).

Two kinds of staff use them. A township clerk (portal.use_station) registers newborns of the
scope, from the form or from a parent's page, and adds the ID number once it is issued. A
hospital's newborn-desk clerk (role hospital_clerk) holds only enrollment.register_newborn: the
scope is the whole pooling region, so that a parent from any village is found by ID number and
name, but the desk sees only the newborns registered at its own point (Resident.born_at) and no
other station page (clerk_required asks for portal.use_station, which the desk lacks).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from enrollment import selectors
from enrollment.elsewhere import elsewhere_answer
from enrollment.life_events.newborn_forms import IdNumberAddForm, NewbornForm
from enrollment.life_events.newborns import id_number_add, is_newborn_desk, newborn_register, parent_find
from enrollment.models import Enrollment, Resident
from enrollment.services import RegisteredElsewhere
from enrollment.views.station import add_service_errors
from portal.accounts.scopes import STATION_PERMISSION, clerk_required, scope_required
from portal.network.models import ServicePoint
from portal.network.points import local_points
from portal.privacy.id_vault import id_digest
from portal.privacy.models import access_log_page, access_log_write
from portal.web.addresses import client_address

NEWBORN_PERMISSION = "enrollment.register_newborn"
PAGE_SIZE = 50
PARENT_NOT_FOUND = (
    "未找到身份证号和姓名都相符的参保居民。请核对父亲或母亲的身份证号和姓名；"
    "尚未登记参保的，请先到其居住地的医保工作站登记。"
)

newborn_required = scope_required(
    NEWBORN_PERMISSION, refused="只有医保工作站经办人员和定点医疗机构新生儿参保服务点的工作人员可以办理新生儿参保。"
)


def station_nav_links(request: HttpRequest) -> list[tuple[str, str]]:
    """新生儿参保 in the station navigation (portal/shared/extensions.py, station_nav_links)."""
    return [(reverse("station:newborns"), "新生儿参保")] if request.user.has_perm(NEWBORN_PERMISSION) else []


def newborn_desk(request: HttpRequest) -> ServicePoint | None:
    """The hospital desk whose newborns alone the user sees; None for a station clerk, who sees
    the newborns of the scope. Desk staff without a desk of their own reach nothing."""
    if request.user.has_perm(STATION_PERMISSION):
        return None
    point = request.user.staff_profile.home_service_point
    if not is_newborn_desk(point):
        raise PermissionDenied("您的账号没有所在的定点医疗机构新生儿参保服务点，请联系医保局管理员。")
    return point


def newborns_visible(request: HttpRequest, desk: ServicePoint | None):
    """Residents registered with a birth certificate that the user may see."""
    rows = Resident.objects.within(request.scope).exclude(birth_certificate_digest="")
    return rows.filter(born_at=desk) if desk else rows


@newborn_required
def newborn_list(request: HttpRequest) -> HttpResponse:
    desk = newborn_desk(request)
    rows = newborns_visible(request, desk).select_related("region").order_by("-created_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    access_log_page(request=request, action="view_newborns",
                    what=f"新生儿参保名单 {desk.name if desk else request.scope.name}", page=page)
    latest = {}
    for enrollment in Enrollment.objects.active().filter(resident__in=page.object_list).order_by("year"):
        latest[enrollment.resident_id] = enrollment
    rows = [(child, latest.get(child.pk)) for child in page.object_list]
    return render(request, "enrollment/newborns/newborn_list.html", {"page": page, "rows": rows, "desk": desk})


def _parent_from_page(request: HttpRequest, desk: ServicePoint | None) -> Resident | None:
    """The parent a station clerk came from (their resident page's 登记新生儿). Desk staff always
    find the parent by ID number and name: a resident's id in an address would let them read
    anyone in the city."""
    asked = request.POST.get("parent") or request.GET.get("parent") or ""
    if desk is not None or not asked.isdigit():
        return None
    parent = get_object_or_404(Resident.objects.visible_to(request.user).select_related("region"), pk=int(asked))
    access_log_write(request=request, action="view_resident", subject_digest=parent.id_digest, detail="登记新生儿（父母）")
    return parent


@newborn_required
@require_http_methods(["GET", "POST"])
def newborn_create(request: HttpRequest) -> HttpResponse:
    desk = newborn_desk(request)
    today = timezone.localdate()
    parent = _parent_from_page(request, desk)
    form = NewbornForm(request.POST or None, parent_known=parent is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            found = parent or _parent_lookup(request, data, today)
            if found is None:
                form.add_error("parent_id_number", PARENT_NOT_FOUND)
            else:
                enrollment = newborn_register(
                    certificate=data["certificate"], name=data["name"], gender=data["gender"],
                    birth_date=data["birth_date"], parent=found, clerk=request.user, today=today, born_at=desk,
                )
        except RegisteredElsewhere as elsewhere:  # logged and counted there
            form.add_error("parent_id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=elsewhere.digest,
                region=elsewhere.region, where="新生儿参保登记",
            ))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if found is not None:
                messages.success(request, f"已登记新生儿 {enrollment.resident.name} 并办理 {enrollment.year} 年度参保，"
                                          f"个人应缴 {enrollment.payable} 元。")
                return redirect("station:newborn", pk=enrollment.resident_id)
    return render(request, "enrollment/newborns/newborn_form.html", {"form": form, "parent": parent, "desk": desk})


def _parent_lookup(request: HttpRequest, data: dict, today) -> Resident | None:
    """Find the parent by ID number and name; one access-log entry for each lookup, whatever it
    found (a lookup outside the scope is logged by enrollment/elsewhere.py instead)."""
    parent = parent_find(id_number=data["parent_id_number"], name=data["parent_name"], clerk=request.user, today=today)
    access_log_write(request=request, action="find_parent", subject_digest=id_digest(data["parent_id_number"]),
                     detail=f"新生儿参保登记按身份证号和姓名查找父母：{'找到' if parent else '未找到'}")
    return parent


@newborn_required
def newborn_detail(request: HttpRequest, pk: int) -> HttpResponse:
    desk = newborn_desk(request)
    child = get_object_or_404(
        newborns_visible(request, desk).select_related("region", "household", "born_at"), pk=pk
    )
    access_log_write(request=request, action="view_resident", subject_digest=child.id_digest, detail="查看新生儿参保信息")
    today = timezone.localdate()
    enrollments = list(child.enrollments.select_related("region").order_by("-year"))
    enrolled = {e.year for e in enrollments if e.is_active}
    year_now = selectors.year_that_matters(child.region, today)
    context = {
        "child": child, "desk": desk, "enrollments": enrollments,
        "due": [e for e in enrollments if e.is_active and not e.is_paid and e.payable > 0],
        "points": local_points(child.region),
        # While next year is being collected, a child enrolled for this year needs it too.
        "year_still_to_enrol": year_now if year_now and year_now not in enrolled and not child.date_of_death else None,
    }
    return render(request, "enrollment/newborns/newborn_detail.html", context)


@clerk_required
@require_http_methods(["GET", "POST"])
def resident_id_number(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the ID number issued to a newborn registered with its birth certificate."""
    resident = get_object_or_404(Resident.objects.visible_to(request.user).select_related("region"), pk=pk)
    if resident.has_id_number:
        messages.info(request, f"{resident.name} 已有身份证号，无需添加。")
        return redirect("station:resident", pk=resident.pk)
    access_log_write(request=request, action="view_resident", subject_digest=resident.id_digest, detail="添加身份证号")
    form = IdNumberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            resident = id_number_add(resident=resident, id_number=form.cleaned_data["id_number"], clerk=request.user,
                                     today=timezone.localdate())
        except RegisteredElsewhere as elsewhere:
            form.add_error("id_number", elsewhere_answer(
                clerk=request.user, address=client_address(request), digest=elsewhere.digest,
                region=elsewhere.region, where="添加身份证号",
            ))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"已为 {resident.name} 添加身份证号 {resident.id_masked}。")
            return redirect("station:resident", pk=resident.pk)
    return render(request, "enrollment/newborns/resident_id_number.html", {"resident": resident, "form": form})
