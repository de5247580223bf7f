"""The public site's own pages: the home page, service guides (办事指南) and policy notices."""

from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.network.models import ServiceItem, ServicePoint
from portal.public.api_docs import api_examples
from portal.public.models import PolicyNotice
from portal.shared.extensions import contributions

NOTICES_PER_PAGE = 20


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
    ResidentService("my_insurance:home", "我的医保", "用手机验证码登录，查看本人缴费和报销，开参保证明，办异地就医备案"),
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
    today = timezone.localdate()
    notices = [notice for notices_of in contributions("home_notices") for notice in notices_of(today=today)]
    return render(request, "portal/home.html", {"services": available_services(), "notices": notices})


@require_GET
def guides(request: HttpRequest) -> HttpResponse:
    items = ServiceItem.objects.select_related("guide").order_by("order")
    return render(request, "portal/guide_list.html", {"items": [(item, getattr(item, "guide", None)) for item in items]})


@require_GET
def guide_detail(request: HttpRequest, code: str) -> HttpResponse:
    item = get_object_or_404(ServiceItem, code=code)
    kinds = set(ServicePoint.objects.active().filter(services=item).values_list("kind", flat=True))
    return render(
        request, "portal/guide_detail.html",
        {
            "item": item,
            "guide": getattr(item, "guide", None),
            # Where this can be done in the network as it is today, in the order of the kinds.
            "kinds": [label for value, label in ServicePoint.Kind.choices if value in kinds],
        },
    )


@require_GET
def notices(request: HttpRequest) -> HttpResponse:
    page = Paginator(PolicyNotice.objects.published(), NOTICES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "portal/notice_list.html", {"page": page})


@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_object_or_404(PolicyNotice.objects.published(), pk=pk)
    return render(request, "portal/notice_detail.html", {"notice": notice})


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever a page names; the portal's icon is an SVG. Looked
    up per request: in production its name comes from the static files' manifest."""
    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


def api_page(request: HttpRequest) -> HttpResponse:
    """/api/: what the JSON API offers an app developer, one request and answer per endpoint, all
    read from the schema (portal/public/openapi.json), which tests hold to the code."""
    return render(request, "portal/api.html", {
        "endpoints": api_examples(base=request.build_absolute_uri("/").rstrip("/")),
        "schema_url": reverse("api_openapi"),
        "rate_limit": settings.API_RATE_LIMIT, "estimate_rate_limit": settings.API_ESTIMATE_RATE_LIMIT,
    })
