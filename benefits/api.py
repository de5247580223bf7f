"""POST /api/v1/benefits/estimate (DESIGN.md section 9): JSON in and out, amounts as strings."""

import json
from decimal import Decimal

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from benefits.forms import MAX_VISITS, EstimateContextForm, VisitForm
from benefits.services import DiseaseNotListed, PolicyNotFound, estimate_for
from portal.shared.money import format_yuan
from portal.web.ratelimit import api_rate_limited

MAX_BODY_BYTES = 64 * 1024
# A visit's keys; "place" unset means local care, "disease" (a chronic visit's recognised disease,
# a code of the year's list) unset means an estimate under the general chronic rule.
VISIT_FIELDS = ("kind", "level", "child_order", "total", "policy_range", "place", "disease")


def _errors(errors: dict, status: int = 400) -> JsonResponse:
    return JsonResponse({"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False})


def _form_errors(form, prefix: str = "") -> dict:
    return {f"{prefix}{field}": [str(m) for m in messages] for field, messages in form.errors.items()}


def _as_field(value):
    """JSON numbers arrive as Decimal; forms read strings. Other types go through as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@csrf_exempt  # a JSON API without cookies: there is no session for CSRF to protect
@api_rate_limited("API_ESTIMATE_RATE_LIMIT", scope="api-estimate")
def estimate(request: HttpRequest) -> JsonResponse:
    if request.method != "POST":  # in the API's error shape, not require_POST's empty page
        response = _errors({"__all__": ["只支持 POST 请求。"]}, status=405)
        response["Allow"] = "POST"
        return response
    if len(request.body) > MAX_BODY_BYTES:
        return _errors({"__all__": ["请求内容过大。"]}, status=413)
    try:
        payload = json.loads(request.body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError, RecursionError):  # RecursionError: "[[[[…" nested too deep
        return _errors({"__all__": ["请求内容须为 JSON。"]})
    if not isinstance(payload, dict):
        return _errors({"__all__": ["请求内容须为 JSON 对象。"]})

    context = EstimateContextForm({k: _as_field(payload.get(k)) for k in ("year", "region", "category", "assistance")})
    errors = {} if context.is_valid() else _form_errors(context)
    raw_visits = payload.get("visits")
    visit_forms = []
    if not isinstance(raw_visits, list) or not raw_visits:
        errors["visits"] = ["请至少填写一次就诊。"]
    elif len(raw_visits) > MAX_VISITS:
        errors["visits"] = [f"一次最多测算 {MAX_VISITS} 次就诊，您提交了 {len(raw_visits)} 次。"]
    else:
        for index, raw in enumerate(raw_visits):
            if not isinstance(raw, dict):
                errors[f"visits.{index}"] = ["每次就诊须为 JSON 对象。"]
                continue
            form = VisitForm({k: _as_field(raw.get(k)) for k in VISIT_FIELDS})
            if form.is_valid():
                visit_forms.append(form)
            else:
                errors.update(_form_errors(form, prefix=f"visits.{index}."))
    if errors:
        return _errors(errors)

    data = context.cleaned_data
    try:
        policy, result = estimate_for(
            year=data["year"], region_code=data["region"], category=data["category"],
            assistance=data["assistance"], visits=[form.visit() for form in visit_forms],
        )
    except PolicyNotFound as error:
        return _errors({"__all__": [str(error)]}, status=404)
    except DiseaseNotListed as unlisted:
        return _errors({f"visits.{unlisted.index}.disease": [unlisted.message]})
    return JsonResponse(estimate_json(policy, data, result), json_dumps_params={"ensure_ascii": False})


def estimate_json(policy, data: dict, result) -> dict:
    layers = ("basic", "catastrophic", "assistance", "reassistance")
    return {
        "year": data["year"],
        "region": policy.region.code[:6],
        "category": data["category"],
        "assistance": data["assistance"].value if data["assistance"] else None,
        "visits": [
            {
                "kind": v.visit.kind.value,
                "place": v.visit.place.value,
                "disease": v.visit.disease,
                "total": format_yuan(v.visit.total),
                "policy_range": format_yuan(v.visit.policy_range),
                **{layer: format_yuan(getattr(v, layer)) for layer in layers},
                "out_of_pocket": format_yuan(v.out_of_pocket),
                "explanation": list(v.explanation),
            }
            for v in result.visits
        ],
        "totals": {
            name: format_yuan(getattr(result.totals, name))
            for name in ("total", "policy_range", *layers, "reimbursed", "out_of_pocket")
        },
    }
