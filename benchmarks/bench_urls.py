"""The portal's URLs plus the yardsticks of the load tests (benchmarks/README.md).

Two bare views: what gunicorn and Django's middleware cost by themselves, and with one indexed
query and a small template. Then, for ``lookup_load.py --steps``, three views that each add one
step of the public lookup to the one before, all POSTed like the lookup and all ending in the
same small template: how much each step the lookup cannot do without costs on its own.
Only benchmarks/bench_settings.py uses this module; the product never routes to it."""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path
from django.views.decorators.cache import never_cache

from enrollment.forms import LookupForm
from enrollment.lookup import lookup_record
from enrollment.views.public import LOOKUP_PER_ADDRESS, LOOKUP_PER_PERSON
from portal.network.models import Region
from portal.privacy.id_vault import id_digest
from portal.urls import urlpatterns as portal_urlpatterns
from portal.web.addresses import client_address
from portal.web.ratelimit import hit_all

SMALL_PAGE = engines["django"].from_string(
    "<!doctype html><html lang=\"zh-hans\"><title>{{ region.name }}</title>"
    "<h1>{{ region.name }}</h1><p>区划代码 {{ region.code }}，{{ region.level_label }}</p></html>"
)
# The steps' page names the lookup's found marker only when the step did what it is for.
STEP_PAGE = engines["django"].from_string(
    "<!doctype html><html lang=\"zh-hans\"><title>{{ title }}</title><h1>{{ title }}</h1><p>{{ line }}</p></html>"
)
STEP_DONE = "参保查询结果"  # lookup_load.py's FOUND_MARKER, which its Lua script looks for


def bare_ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def bare_one_query(request: HttpRequest) -> HttpResponse:
    """One lookup on the unique, indexed region code, then a small template."""
    region = Region.objects.get(code="370303001001")
    return HttpResponse(SMALL_PAGE.render({"region": region}))


def _lookup_step(request: HttpRequest, *, rate_limit: bool, record: bool) -> HttpResponse:
    form = LookupForm(request.POST)
    if not form.is_valid():
        return HttpResponse(STEP_PAGE.render({"title": "表单有误", "line": form.errors}), status=400)
    digest = id_digest(form.cleaned_data["id_number"])
    if rate_limit and hit_all([(LOOKUP_PER_ADDRESS, client_address(request)), (LOOKUP_PER_PERSON, digest)]):
        return HttpResponse("too many", status=429)
    if not record:
        region = Region.objects.get(code="370303001001")
        return HttpResponse(STEP_PAGE.render({"title": STEP_DONE, "line": region.name}))
    found = lookup_record(digest)
    if found is None:
        return HttpResponse(STEP_PAGE.render({"title": "未找到", "line": ""}))
    return HttpResponse(STEP_PAGE.render({"title": STEP_DONE, "line": found.id_masked}))


@never_cache
def step_form(request: HttpRequest) -> HttpResponse:
    """Step 1: the POST, its CSRF check, the lookup form and the digest, then the one-query
    view's query."""
    return _lookup_step(request, rate_limit=False, record=False)


@never_cache
def step_rate_limit(request: HttpRequest) -> HttpResponse:
    """Step 2: step 1, and the two rate limits counted in Redis."""
    return _lookup_step(request, rate_limit=True, record=False)


@never_cache
def step_record(request: HttpRequest) -> HttpResponse:
    """Step 3: step 2 with the person's record in place of the region: all a lookup must do
    but compare the name (microseconds), on a small page. The full lookup adds the person's
    years, the village's part and the portal's page."""
    return _lookup_step(request, rate_limit=True, record=True)


urlpatterns = [
    path("bench/ok", bare_ok),
    path("bench/one-query", bare_one_query),
    path("bench/step-form", step_form),
    path("bench/step-rate-limit", step_rate_limit),
    path("bench/step-record", step_record),
    *portal_urlpatterns,
]
