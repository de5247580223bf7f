"""The portal's URLs plus two bare views, the yardsticks of the load tests (benchmarks/README.md):
what gunicorn and Django's middleware cost by themselves, and with one indexed query and a small
template. Only benchmarks/bench_settings.py uses this module; the product never routes to it."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from portal.models import Region
from portal.urls import urlpatterns as portal_urlpatterns

SMALL_PAGE = engines["django"].from_string(
    "<!doctype html><html lang=\"zh-hans\"><title>{{ region.name }}</title>"
    "<h1>{{ region.name }}</h1><p>区划代码 {{ region.code }}，{{ region.level_label }}</p></html>"
)


def bare_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def bare_one_query(request: HttpRequest) -> HttpResponse:
    """One lookup on the unique, indexed region code, then a small template."""
    region = Region.objects.get(code="370303001001")
    return HttpResponse(SMALL_PAGE.render({"region": region}))


urlpatterns = [
    path("bench/ok", bare_ok),
    path("bench/one-query", bare_one_query),
    *portal_urlpatterns,
]
