"""The public pages of the service network: finding a service point by place or by name, a
point's page, and GET /api/v1/service-points. No account needed; nothing here is personal."""

from collections import Counter

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from portal.network.codes import Level, RegionCodeError, normalize_code
from portal.network.models import Region, ServicePoint
from portal.network.picker import pick_region
from portal.network.points import local_points, parent_station, points
from portal.web.ratelimit import api_rate_limited

SEARCH_MAX_LENGTH = 50
SEARCH_RESULTS = 50
API_PAGE_SIZE = 100


def _region_or_404(code: str) -> Region:
    try:
        return get_object_or_404(Region, code=normalize_code(code))
    except RegionCodeError as error:
        raise Http404(str(error)) from error


@require_GET
def service_points(request: HttpRequest) -> HttpResponse:
    """找我的服务站: choose the village or community, see its point and its township station."""
    pick = pick_region(request.GET, roots=Region.objects.of_level(Level.CITY))
    local = None
    if pick.region is not None and pick.region.level >= Level.TOWNSHIP:
        local = local_points(pick.region)
    cities = Region.objects.of_level(Level.CITY).order_by("code")
    return render(request, "portal/service_points.html", {"pick": pick, "local": local, "cities": cities})


@require_GET
def service_points_search(request: HttpRequest) -> HttpResponse:
    # NUL never occurs in a name or address, and PostgreSQL refuses it in a query (HTTP 500).
    query = request.GET.get("q", "").replace("\x00", "").strip()[:SEARCH_MAX_LENGTH]
    results, total = [], 0
    if query:
        matches = points().filter(
            Q(name__icontains=query) | Q(region__name__icontains=query) | Q(address__icontains=query)
        ).order_by("region__code", "kind", "name")
        total = matches.count()
        results = list(matches[:SEARCH_RESULTS])
    return render(
        request, "portal/service_point_search.html",
        {"query": query, "results": results, "total": total, "shown": len(results)},
    )


@require_GET
def service_points_area(request: HttpRequest, code: str) -> HttpResponse:
    """Browse the network: a region's own points and its sub-regions with how many points each has."""
    region = _region_or_404(code)
    children = list(Region.objects.filter(parent=region).order_by("code"))
    codes = list(ServicePoint.objects.active().within(region).values_list("region__code", flat=True))
    counts = Counter()
    for child in children:
        counts[child.code] = sum(1 for c in codes if c.startswith(child.prefix))
    return render(
        request, "portal/service_point_area.html",
        {
            "region": region,
            "ancestors": list(region.ancestors()),
            "own_points": list(points().filter(region=region).order_by("kind", "name")),
            "children": [(child, counts[child.code]) for child in children],
        },
    )


@require_GET
def service_point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = get_object_or_404(points(), pk=pk)
    return render(
        request, "portal/service_point_detail.html",
        {
            "point": point,
            "ancestors": [r for r in point.region.ancestors() if r.level >= Level.CITY],
            "parent": parent_station(point),
        },
    )


def _json(data: dict, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _point_json(point: ServicePoint) -> dict:
    return {
        "id": point.pk,
        "name": point.name,
        "kind": point.kind,
        "kind_label": point.get_kind_display(),
        "region": {"code": point.region.code, "name": point.region.name},
        "address": point.address,
        "phone": point.phone,
        "opening_hours": point.opening_hours,
        "services": [{"code": item.code, "name": item.name} for item in point.services.all()],
        # Strings, as the API writes amounts: the stored decimals, without float rounding.
        "latitude": None if point.latitude is None else str(point.latitude),
        "longitude": None if point.longitude is None else str(point.longitude),
        "url": reverse("service_point", args=[point.pk]),
    }


# Without cookies there is no session for CSRF to protect; exempt, a POST gets the API's 405
# rather than the CSRF failure page.
@csrf_exempt
@api_rate_limited("API_RATE_LIMIT", scope="api-service-points")
def api_service_points(request: HttpRequest) -> JsonResponse:
    """GET /api/v1/service-points?region=CODE[&page=N]: the active points whose service area is
    the region or a region under it, 100 a page, ordered by region code, kind and name."""
    if request.method not in ("GET", "HEAD"):
        response = _json({"errors": {"__all__": ["只支持 GET 请求。"]}}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    raw = request.GET.get("region", "").strip()
    if not raw:
        return _json({"errors": {"region": ["请填写区划代码 region，如 370303001001。"]}}, status=400)
    try:
        code = normalize_code(raw)
    except RegionCodeError as error:
        return _json({"errors": {"region": [str(error)]}}, status=400)
    page_text = request.GET.get("page", "1")
    if not page_text.isascii() or not page_text.isdigit() or int(page_text) < 1:
        return _json({"errors": {"page": ["页码 page 须为正整数。"]}}, status=400)
    region = Region.objects.filter(code=code).first()
    if region is None:
        return _json({"errors": {"__all__": [f"没有区划代码为 {code} 的区划。"]}}, status=404)

    matches = points().within(region).order_by("region__code", "kind", "name")
    paginator = Paginator(matches, API_PAGE_SIZE, allow_empty_first_page=True)
    number = int(page_text)
    if number > paginator.num_pages:
        return _json({"errors": {"page": [f"页码超出范围，共 {paginator.num_pages} 页。"]}}, status=404)
    page = paginator.page(number)
    next_url = None
    if page.has_next():
        next_url = f"{reverse('api_service_points')}?region={region.code}&page={number + 1}"
    response = _json({
        "region": {"code": region.code, "name": region.name, "level": region.level_label},
        "count": paginator.count,
        "page": number,
        "pages": paginator.num_pages,
        "next": next_url,
        "service_points": [_point_json(point) for point in page.object_list],
    })
    # The network changes rarely; a client may reuse an answer for 5 minutes.
    patch_cache_control(response, public=True, max_age=300)
    return response
