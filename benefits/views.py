"""The estimator page (/estimate/): what a hospital bill would cost after the three layers."""

from django import forms
from django.forms import formset_factory
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from benefits.forms import MAX_VISITS, EstimateContextForm, VisitForm
from benefits.models import BenefitPolicy
from benefits.services import DiseaseNotListed, PolicyNotFound, disease_choices, estimate_for
from portal.network.codes import Level
from portal.network.models import Region
from portal.standards.years import coverage_year_in_force

VisitFormSet = formset_factory(VisitForm, extra=0, can_delete=True, max_num=MAX_VISITS, validate_max=True,
                               absolute_max=MAX_VISITS)
LAYERS = (("basic", "基本医保"), ("catastrophic", "大病保险"), ("assistance", "医疗救助"), ("reassistance", "再救助"))


def region_choices() -> list[tuple[str, str]]:
    """Cities with a published policy, and their counties (a county resolves to its city)."""
    cities = Region.objects.filter(
        pk__in=BenefitPolicy.objects.published().values("region")
    ).order_by("code")
    choices = []
    for city in cities:
        choices.append((city.code[:6], f"{city.name}（全市）"))
        for county in Region.objects.within(city).filter(level=Level.COUNTY).order_by("code"):
            choices.append((county.code[:6], f"{city.name} {county.name}"))
    return choices


def year_choices() -> list[tuple[int, str]]:
    years = sorted(set(BenefitPolicy.objects.published().values_list("year", flat=True)), reverse=True)
    return [(year, f"{year} 年度") for year in years]


@require_http_methods(["GET", "POST"])
def estimate_page(request: HttpRequest) -> HttpResponse:
    regions, years = region_choices(), year_choices()
    if request.method == "POST":
        context_form = EstimateContextForm(request.POST)
        formset = VisitFormSet(request.POST, prefix="visits")
        if "add_row" in request.POST:
            formset = _with_extra_row(request.POST)
    else:
        initial = {
            # The coverage year in force today (portal/standards/years.py), not simply the newest.
            "year": coverage_year_in_force((year for year, _ in years), timezone.localdate()),
            "region": regions[0][0] if regions else "",
            "category": request.GET.get("category", "adult"),
            "assistance": request.GET.get("assistance", ""),
        }
        if request.GET.get("region"):
            initial["region"] = request.GET["region"][:6]
        context_form = EstimateContextForm(initial=initial)
        formset = VisitFormSet(prefix="visits", initial=[{"kind": "inpatient", "level": 2}])
    _restrict_choices(context_form, regions, years)
    _offer_diseases(formset, context_form)

    result = policy = error = None
    if request.method == "POST" and "add_row" not in request.POST and context_form.is_valid() and formset.is_valid():
        filled = [f for f in formset.forms if f.has_changed() and not f.cleaned_data.get("DELETE")]
        if not filled:
            error = "请至少填写一次就诊的费用。"
        else:
            data = context_form.cleaned_data
            try:
                policy, result = estimate_for(
                    year=data["year"], region_code=data["region"], category=data["category"],
                    assistance=data["assistance"], visits=[f.visit() for f in filled],
                )
            except PolicyNotFound as missing:
                error = str(missing)
            except DiseaseNotListed as unlisted:
                filled[unlisted.index].add_error("disease", unlisted.message)
                error = "所选病种不在本年度门诊慢特病病种目录中，请见该次就诊下的说明。"
    context = {
        "context_form": context_form, "formset": formset, "result": result, "policy": policy,
        "error": error, "rows": _rows(result) if result else [], "layers": LAYERS,
        "share_percent": f"{result.totals.reimbursed_share * 100:.1f}" if result else None,
    }
    return render(request, "benefits/estimate.html", context)


def _with_extra_row(data):
    """The same rows plus one empty row: adding a visit works without JavaScript."""
    data = data.copy()
    text = data.get("visits-TOTAL_FORMS", "").strip()
    # Tampered with (letters, or more digits than Python's int() reads): the formset reports it.
    if not (text.isascii() and text.isdigit()) or len(text) > len(str(MAX_VISITS)):
        return VisitFormSet(data, prefix="visits")
    total = int(text)
    if total < MAX_VISITS:
        data["visits-TOTAL_FORMS"] = str(total + 1)
    return VisitFormSet(data, prefix="visits")


def _restrict_choices(form, regions, years) -> None:
    form.fields["region"] = forms.ChoiceField(label="统筹区或县(区)", choices=regions)
    form.fields["year"] = forms.TypedChoiceField(label="年度", choices=years, coerce=int)


def _offer_diseases(formset, context_form) -> None:
    """The disease of each visit is chosen from the list of the year and region on the form (as
    posted, else as first shown); another year's code is refused by the estimate with the list."""
    source = context_form.data if context_form.is_bound else context_form.initial
    year, region = str(source.get("year") or ""), str(source.get("region") or "")
    offered_years = {str(value) for value, _ in context_form.fields["year"].choices}
    offered_regions = {value for value, _ in context_form.fields["region"].choices}
    diseases = []
    if year in offered_years and region in offered_regions:
        diseases = disease_choices(year=int(year), region_code=region)
    choices = [("", "不选（按门诊慢特病通用标准估算）"), *diseases]
    for form in [*formset.forms, formset.empty_form]:
        form.fields["disease"].widget = forms.Select(choices=choices)


def _rows(result) -> list[dict]:
    """Per visit: the amounts and the shares of the bill each layer and the patient carry."""
    rows = []
    for number, visit in enumerate(result.visits, 1):
        total = visit.visit.total
        parts = [(key, label, getattr(visit, key)) for key, label in LAYERS] + [("own", "个人负担", visit.out_of_pocket)]
        offset = 0.0
        bar = []
        for key, label, amount in parts:
            # Display geometry only (SVG widths); the money itself stays Decimal.
            width = float(amount / total * 100) if total else 0.0
            bar.append({"key": key, "label": label, "amount": amount, "x": offset, "width": width})
            offset += width
        rows.append({"number": number, "visit": visit, "bar": bar})
    return rows
