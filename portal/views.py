from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.access import STATION_PERMISSION
from portal.context_processors import LARGE


@dataclass(frozen=True)
class ResidentService:
    url_name: str
    title: str
    question: str


# What residents come to a service counter for (DESIGN.md section 1). A service appears on the
# home page once its pages exist, so the page never links to something that is not there.
RESIDENT_SERVICES = (
    ResidentService("premium", "今年交多少钱", "查看个人缴费标准、缴费时间和待遇开始时间"),
    ResidentService("lookup", "我参保了吗", "用姓名和身份证号查询参保和缴费情况"),
    ResidentService("benefits:estimate", "住院能报多少", "估算住院、门诊费用能报销多少"),
    ResidentService("service_points", "找服务站", "找到离您最近的村(社区)服务点和乡镇(街道)工作站"),
    ResidentService("guides", "怎么办", "参保登记、缴费、异地就医备案等办事指南"),
    ResidentService("notices", "政策", "医保政策文件和通俗解读"),
)


def available_services() -> list[dict]:
    services = []
    for service in RESIDENT_SERVICES:
        try:
            url = reverse(service.url_name)
        except NoReverseMatch:
            continue
        services.append({"url": url, "title": service.title, "question": service.question})
    return services


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/home.html", {"services": available_services()})


@require_GET
def display_set(request: HttpRequest, mode: str) -> HttpResponse:
    """Switch between standard and large display (大字版); works as a plain link, no JavaScript."""
    target = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("home")
    response = HttpResponseRedirect(target)
    if mode == LARGE:
        response.set_cookie(
            settings.DISPLAY_COOKIE_NAME, LARGE, max_age=365 * 24 * 3600, samesite="Lax",
            secure=request.is_secure(), httponly=True,
        )
    else:
        response.delete_cookie(settings.DISPLAY_COOKIE_NAME, samesite="Lax")
    return response


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers a query, 503 when it does not (for the load balancer)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_required
def staff_home(request: HttpRequest) -> HttpResponse:
    """Where a login lands: clerks at their station, officers in the admin."""
    if request.user.has_perm(STATION_PERMISSION):
        return redirect("station:home")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect("station:home")  # says, in words, that the account has no station role
