"""Public pages that read enrollment data: what a resident pays (/premium/) and whether they are
covered (/lookup/, 我参保了吗). No account; the lookup shows masked data only."""

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from enrollment.forms import LookupForm, PremiumChoiceForm
from enrollment.lookup import LookupRecord, covered_today, lookup_record, village_of, year_rows
from enrollment.models import ContributionStandard
from enrollment.rules import Premium, PremiumRefused, premium_for
from enrollment.selectors import collection_years, year_that_matters
from enrollment.services import standard_in_force
from portal.network.codes import Level
from portal.network.models import Region
from portal.network.picker import pick_region
from portal.network.points import local_points
from portal.privacy.id_numbers import mask_name
from portal.privacy.id_vault import id_digest
from portal.privacy.names import names_match
from portal.shared.vocabulary import Category
from portal.web.addresses import client_address
from portal.web.display import display
from portal.web.ratelimit import RateLimit, hit_all, too_many_requests

# DESIGN.md section 10: the public lookup is rate limited per client and per person.
LOOKUP_PER_ADDRESS = RateLimit("lookup-address", limit=5, seconds=60)
LOOKUP_PER_PERSON = RateLimit("lookup-person", limit=5, seconds=60)

# The public page has no birth date; the quote is for someone who is not a newborn.
NOT_A_NEWBORN = timedelta(days=365 * 30)


@dataclass(frozen=True)
class Quote:
    standard: ContributionStandard
    premium: Premium
    on: date  # the registration date the amounts are for
    opens_later: bool  # today is before the window: the amounts are those of the window
    late_example: Premium | None  # what registering the day after the window would cost


def _quote(*, standard: ContributionStandard, category: Category, assistance, today: date) -> Quote:
    snapshot = standard.snapshot()
    on = max(today, snapshot.window_start)

    def premium_on(day: date) -> Premium:
        return premium_for(snapshot, category=category, assistance=assistance, birth_date=day - NOT_A_NEWBORN, on=day)

    premium = premium_on(on)
    late_example = None
    if not premium.late and assistance is None and on <= snapshot.window_end:
        try:
            late_example = premium_on(snapshot.window_end + timedelta(days=1))
        except PremiumRefused:  # a window ending so late that no late registration is covered
            late_example = None
    return Quote(standard=standard, premium=premium, on=on, opens_later=today < snapshot.window_start,
                 late_example=late_example)


# The premium page is the same for every anonymous visitor asking the same question on the same
# day in the same display mode; published standards change by revision, rarely.
PREMIUM_PAGE_SECONDS = 60


@require_GET
def premium_page(request: HttpRequest) -> HttpResponse:
    """今年交多少钱: choose the village, the category and the year; see the amount and the rules.

    Kept whole in the shared cache for anonymous visitors (a logged-in page carries the user's
    name and a CSRF token, so it is never shared)."""
    today = timezone.localdate()
    key = None
    if not request.user.is_authenticated:
        question = f"{today.isoformat()}|{display(request)['large_display']}|{request.get_full_path()}"
        key = "premium-page:" + hashlib.sha256(question.encode()).hexdigest()
        html = cache.get(key)
        if html is not None:
            return HttpResponse(html)
    response = _premium_page(request, today)
    if key is not None and response.status_code == 200:
        cache.set(key, response.content, PREMIUM_PAGE_SECONDS)
    return response


def _premium_page(request: HttpRequest, today: date) -> HttpResponse:
    cities = Region.objects.filter(pk__in=ContributionStandard.objects.published().values("region"))
    pick = pick_region(request.GET, roots=cities)
    region = pick.region
    years = collection_years(region) if region else []
    default_year = year_that_matters(region, today) if region else None
    form = PremiumChoiceForm(
        {
            "category": request.GET.get("category") or Category.ADULT.value,
            "assistance": request.GET.get("assistance", ""),
            "year": request.GET.get("year") or default_year or "",
        },
        years=years,
    )
    quote = refusal = None
    if region is not None and years and form.is_valid():
        data = form.cleaned_data
        try:
            standard = standard_in_force(year=data["year"], region=region, on=today)
            quote = _quote(standard=standard, category=data["category"], assistance=data["assistance"], today=today)
        except ValidationError as error:
            refusal = " ".join(error.messages)
        except PremiumRefused as refused:
            refusal = refused.message
    local = local_points(region) if region is not None and region.level >= Level.TOWNSHIP else None
    return render(
        request, "enrollment/premium.html",
        {"pick": pick, "form": form, "quote": quote, "refusal": refusal, "local": local, "today": today,
         "years": years},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def lookup(request: HttpRequest) -> HttpResponse:
    """我参保了吗. POST only for the query: a name and an ID number never go into a URL, a log
    line or a cache. A wrong name and an unknown number get the same page after the same query."""
    form = LookupForm(request.POST) if request.method == "POST" else LookupForm()
    not_found = False
    if request.method == "POST" and form.is_valid():
        name, number = form.cleaned_data["name"], form.cleaned_data["id_number"]
        digest = id_digest(number)
        refused = hit_all([(LOOKUP_PER_ADDRESS, client_address(request)), (LOOKUP_PER_PERSON, digest)])
        if refused is not None:
            return too_many_requests(request, refused, action="参保查询")
        record = lookup_record(digest)
        stored_name = record.name if record is not None else ""
        # Compare even when nobody has the number, so both misses take the same path.
        same_name = names_match(stored_name, name)
        if record is not None and same_name:
            return _found(request, record)
        not_found = True
    return render(request, "enrollment/lookup.html", {"form": form, "not_found": not_found})


def _found(request: HttpRequest, record: LookupRecord) -> HttpResponse:
    today = timezone.localdate()
    village = village_of(record.region_id, today)
    rows = year_rows(record.enrollments, today=today, collection_year=village.collection_year)
    sections = (section.build(record.resident_id, today=today) for section in record.sections)
    return render(request, "enrollment/lookup_result.html", {
        "village": village,
        "masked_name": mask_name(record.name),
        "masked_id": record.id_masked,
        "rows": rows,
        "covered": covered_today(rows, today),
        "today": today,
        "sections": [section for section in sections if section],
    })
