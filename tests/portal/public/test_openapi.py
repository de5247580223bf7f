"""The OpenAPI document of the JSON API (portal/public/openapi.json) held to the code: a valid
OpenAPI 3.1 document, served at /api/v1/openapi.json, naming every /api/v1/ address and no other,
with the vocabulary's codes, the forms' fields and the keys of real answers, no more and no fewer.
An endpoint, a field or a code added on one side only fails here."""

import json
import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from openapi_schema_validator import OAS31Validator, oas31_format_checker
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from benefits.api import MAX_BODY_BYTES, VISIT_FIELDS
from benefits.forms import DISEASE_CODE, MAX_AMOUNT, MAX_VISITS, EstimateContextForm, VisitForm
from benefits.rules import VisitKind
from enrollment.api import PremiumQueryForm
from portal.network.codes import LEVEL_LABELS
from portal.network.models import ServicePoint
from portal.public.api_schema import SCHEMA_PATH
from portal.shared.vocabulary import AssistanceCategory, Category, Place

DOCUMENT = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
SCHEMAS = DOCUMENT["components"]["schemas"]
PREMIUM, ESTIMATE, SERVICE_POINTS = "/api/v1/premium", "/api/v1/benefits/estimate", "/api/v1/service-points"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")


def resolved(node: dict) -> dict:
    """The node a local ``$ref`` ("#/components/...") points at, through any chain of them."""
    while "$ref" in node:
        target = DOCUMENT
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = target
    return node


def operation(path: str) -> tuple[str, dict]:
    (method, found), = DOCUMENT["paths"][path].items()
    return method, found


def query_parameters(path: str) -> dict[str, dict]:
    return {p["name"]: p for p in operation(path)[1].get("parameters", []) if p["in"] == "query"}


def example_request(path: str) -> tuple[str, dict | None, dict | None]:
    method, found = operation(path)
    query = {name: p["example"] for name, p in query_parameters(path).items() if "example" in p}
    body = found.get("requestBody", {}).get("content", {}).get("application/json", {}).get("example")
    return method, query, body


def call(client, path: str, *, query: dict | None = None, body=None, method: str | None = None):
    method = method or operation(path)[0]
    if method == "get":
        return client.get(path, query or {})
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(client, method)(path, data, content_type="application/json")


def answer_schema(path: str, status: int) -> dict:
    response = resolved(operation(path)[1]["responses"][str(status)])
    return response["content"]["application/json"]["schema"]


def assert_matches(value, schema: dict) -> None:
    # The document's components travel with the schema so that its "$ref"s resolve.
    OAS31Validator({**schema, "components": DOCUMENT["components"]}, format_checker=oas31_format_checker).validate(value)


def assert_same_keys(value, schema: dict, where: str = "answer") -> None:
    """Every object in the answer has exactly the properties the schema names, all of them
    required; nested objects and the items of lists likewise."""
    schema = resolved(schema)
    if isinstance(value, dict) and "properties" in schema:
        assert set(value) == set(schema["properties"]), f"{where}: code {sorted(value)} != schema {sorted(schema['properties'])}"
        assert set(schema.get("required", [])) == set(schema["properties"]), f"{where}: every key is always answered"
        for key, item in value.items():
            assert_same_keys(item, schema["properties"][key], f"{where}.{key}")
    elif isinstance(value, list) and "items" in schema:
        assert value, f"{where}: an empty list checks nothing; the test needs an answer with items"
        for index, item in enumerate(value):
            assert_same_keys(item, schema["items"], f"{where}.{index}")


def bilingual(text: str) -> bool:
    """Chinese, then " / " or a paragraph, then English: "个人缴费 / What a resident pays"."""
    return re.search(r"[\u4e00-\u9fff].*(/ |\n\n)[A-Z][a-z]", text, re.S) is not None


def url_routes(patterns, prefix: str = "") -> list[str]:
    routes = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            routes += url_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            routes.append(prefix + str(pattern.pattern))
    return routes


# The document


def test_the_document_is_valid_openapi_3_1():
    assert DOCUMENT["openapi"].startswith("3.1.")
    validate(DOCUMENT, cls=OpenAPIV31SpecValidator)


def test_every_api_address_is_described_and_every_description_is_an_address():
    api_routes = {"/" + route for route in url_routes(get_resolver().url_patterns) if route.startswith("api/v1/")}
    assert api_routes == set(DOCUMENT["paths"])
    for path in DOCUMENT["paths"]:
        assert resolve(path).url_name.startswith("api_")


def test_every_operation_documents_its_errors_and_says_it_in_chinese_and_english():
    for path, operations in DOCUMENT["paths"].items():
        for method, found in operations.items():
            statuses = set(found["responses"])
            assert {"200", "405"} <= statuses, path
            if path != "/api/v1/openapi.json":  # a static document, not rate limited
                assert {"400", "404", "429"} <= statuses, path
                retry_after = resolved(resolved(found["responses"]["429"])["headers"]["Retry-After"])
                assert retry_after["required"] is True
            assert bilingual(found["summary"]) and bilingual(found["description"]), path
            for parameter in found.get("parameters", []):
                assert bilingual(parameter["description"]), (path, parameter["name"])
    assert "413" in operation(ESTIMATE)[1]["responses"]


@pytest.mark.parametrize(("name", "codes"), [
    pytest.param("Category", [member.value for member in Category], id="Category"),
    pytest.param("AssistanceCategory", [member.value for member in AssistanceCategory], id="AssistanceCategory"),
    pytest.param("Place", [member.value for member in Place], id="Place"),
    pytest.param("VisitKind", [member.value for member in VisitKind], id="VisitKind"),
    pytest.param("ServicePointKind", list(ServicePoint.Kind.values), id="ServicePoint.Kind"),
    pytest.param("RegionLevel", list(LEVEL_LABELS.values()), id="LEVEL_LABELS"),
])
def test_the_schema_enums_are_the_codes_of_the_vocabulary(name, codes):
    assert SCHEMAS[name]["enum"] == codes


def test_the_forms_offer_exactly_the_schema_enums():
    def codes(field) -> list:
        return [value for value, _ in field.choices if value != ""]

    context, visit, premium = EstimateContextForm.base_fields, VisitForm.base_fields, PremiumQueryForm.base_fields
    assert codes(context["category"]) == codes(premium["category"]) == SCHEMAS["Category"]["enum"]
    assert codes(context["assistance"]) == codes(premium["assistance"]) == SCHEMAS["AssistanceCategory"]["enum"]
    assert codes(visit["kind"]) == SCHEMAS["VisitKind"]["enum"]
    assert codes(visit["place"]) == SCHEMAS["Place"]["enum"]
    for name in ("level", "child_order"):
        assert codes(visit[name]) + [None] == SCHEMAS["VisitRequest"]["properties"][name]["enum"]


def test_request_fields_that_take_a_code_point_at_the_vocabulary():
    def refs(node: dict) -> set[str]:
        return {branch["$ref"] for branch in [node, *node.get("anyOf", [])] if "$ref" in branch}

    premium = query_parameters(PREMIUM)
    assert refs(premium["category"]["schema"]) == {"#/components/schemas/Category"}
    assert refs(premium["assistance"]["schema"]) == {"#/components/schemas/AssistanceCategory"}
    request, visit = SCHEMAS["EstimateRequest"]["properties"], SCHEMAS["VisitRequest"]["properties"]
    assert refs(request["category"]) == {"#/components/schemas/Category"}
    assert refs(request["assistance"]) == {"#/components/schemas/AssistanceCategory"}
    assert refs(visit["kind"]) == {"#/components/schemas/VisitKind"}
    assert refs(visit["place"]) == {"#/components/schemas/Place"}


def test_the_estimate_request_has_the_fields_the_api_reads():
    request, visit = SCHEMAS["EstimateRequest"], SCHEMAS["VisitRequest"]
    assert set(request["properties"]) == set(EstimateContextForm.base_fields) | {"visits"}
    assert set(request["required"]) == {n for n, f in EstimateContextForm.base_fields.items() if f.required} | {"visits"}
    assert set(visit["properties"]) == set(VISIT_FIELDS) == set(VisitForm.base_fields)
    assert set(visit["required"]) == {n for n, f in VisitForm.base_fields.items() if f.required}
    assert request["properties"]["visits"]["maxItems"] == MAX_VISITS
    year = EstimateContextForm.base_fields["year"]
    assert (request["properties"]["year"]["minimum"], request["properties"]["year"]["maximum"]) == (
        year.min_value, year.max_value)
    disease = next(b for b in visit["properties"]["disease"]["anyOf"] if "pattern" in b)
    assert disease["pattern"] == DISEASE_CODE.regex.pattern
    number = next(b for b in SCHEMAS["AmountInput"]["anyOf"] if b["type"] == "integer")
    assert number["maximum"] == int(MAX_AMOUNT)
    assert str(MAX_BODY_BYTES // 1024) in operation(ESTIMATE)[1]["requestBody"]["description"]


def test_the_premium_query_has_the_fields_of_its_form():
    parameters = query_parameters(PREMIUM)
    assert set(parameters) == set(PremiumQueryForm.base_fields)
    for name, field in PremiumQueryForm.base_fields.items():
        assert parameters[name]["required"] == field.required, name
    year = PremiumQueryForm.base_fields["year"]
    assert (parameters["year"]["schema"]["minimum"], parameters["year"]["schema"]["maximum"]) == (
        year.min_value, year.max_value)


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PREMIUM, SERVICE_POINTS])
def test_each_query_parameter_is_one_the_endpoint_reads(client, demo, path, settings):
    """A bad value of each documented parameter is refused under that parameter's name."""
    settings.API_RATE_LIMIT = 1_000_000
    _, query, _ = example_request(path)
    for name in query_parameters(path):
        response = call(client, path, query={**query, name: "x!"})
        assert response.status_code == 400, name
        assert name in response.json()["errors"], name


# Real answers


@pytest.fixture
def answers(client, demo, demo_policies, settings) -> dict:
    """The answer of each endpoint to the document's example request, on the demo data."""
    settings.API_RATE_LIMIT = settings.API_ESTIMATE_RATE_LIMIT = 1_000_000
    # One point with coordinates, so that their form is checked too.
    ServicePoint.objects.filter(region__code="370303001001").update(latitude="36.806123", longitude="118.047456")
    found = {}
    for path in (PREMIUM, ESTIMATE, SERVICE_POINTS):
        method, query, body = example_request(path)
        response = call(client, path, query=query, body=body)
        assert response.status_code == 200, (path, response.content)
        assert response["Content-Type"] == "application/json"
        found[path] = response.json()
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("path", [PREMIUM, ESTIMATE, SERVICE_POINTS])
def test_a_real_answer_has_exactly_the_keys_of_the_schema(answers, path):
    assert_same_keys(answers[path], answer_schema(path, 200))
    assert_matches(answers[path], answer_schema(path, 200))


@pytest.mark.django_db
def test_the_estimate_example_shows_every_kind_of_field(answers):
    visits = answers[ESTIMATE]["visits"]
    assert {visit["place"] for visit in visits} > {"local"}
    assert any(visit["disease"] for visit in visits)


@pytest.mark.parametrize("path", [PREMIUM, ESTIMATE, SERVICE_POINTS])
def test_the_example_answers_match_the_schema(path):
    example = resolved(operation(path)[1]["responses"]["200"])["content"]["application/json"]["example"]
    assert_same_keys(example, answer_schema(path, 200))
    assert_matches(example, answer_schema(path, 200))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "change", "status"), [
    (PREMIUM, {"query": {"category": "child"}}, 400),
    (PREMIUM, {"query": {"date": "2021-08-31"}}, 400),  # window_not_open: with a code
    (PREMIUM, {"query": {"region": "3799"}}, 404),
    (PREMIUM, {"query": {"year": "2035", "date": "2034-10-15"}}, 404),
    (ESTIMATE, {"body": {"visits": []}}, 400),
    (ESTIMATE, {"body": "not json"}, 400),
    (ESTIMATE, {"body": {"year": 2035}}, 404),
    (ESTIMATE, {"body": "[" * (MAX_BODY_BYTES + 1)}, 413),
    (SERVICE_POINTS, {"query": {"region": "abc"}}, 400),
    (SERVICE_POINTS, {"query": {"region": "370399"}}, 404),
    (SERVICE_POINTS, {"query": {"page": "9"}}, 404),
])
def test_an_error_answer_matches_the_schema(client, demo, demo_policies, settings, path, change, status):
    settings.API_RATE_LIMIT = settings.API_ESTIMATE_RATE_LIMIT = 1_000_000
    _, query, body = example_request(path)
    new_body = change.get("body")
    if isinstance(new_body, dict):
        new_body = {**body, **new_body}
    response = call(client, path, query={**(query or {}), **change.get("query", {})}, body=new_body)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert_matches(response.json(), answer_schema(path, status))
    if path == PREMIUM and change["query"].get("date") == "2021-08-31":
        assert response.json()["code"] == "window_not_open"


@pytest.mark.django_db
@pytest.mark.parametrize("path", list(DOCUMENT["paths"]))
def test_a_method_not_documented_gets_405_in_the_error_shape(client, path):
    documented = set(DOCUMENT["paths"][path])
    for method in HTTP_METHODS:
        if method in documented:
            continue
        response = call(client, path, method=method, body={})
        assert response.status_code == 405, (path, method)
        assert response["Content-Type"] == "application/json" and response["Allow"]
        assert_matches(response.json(), answer_schema(path, 405))


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "setting"), [
    (PREMIUM, "API_RATE_LIMIT"), (ESTIMATE, "API_ESTIMATE_RATE_LIMIT"), (SERVICE_POINTS, "API_RATE_LIMIT"),
])
def test_the_answer_over_the_rate_limit_matches_the_schema(client, demo, demo_policies, settings, path, setting):
    setattr(settings, setting, 1)
    _, query, body = example_request(path)
    assert call(client, path, query=query, body=body).status_code == 200
    response = call(client, path, query=query, body=body)
    assert response.status_code == 429
    assert response["Retry-After"].isdigit()
    assert_matches(response.json(), answer_schema(path, 429))


# Serving the document


def test_the_document_is_served_as_it_is_checked_in(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == DOCUMENT
    assert "public" in response["Cache-Control"] and "max-age=" in response["Cache-Control"]


def test_a_client_that_has_the_document_is_told_it_has_not_changed(client):
    etag = client.get("/api/v1/openapi.json")["ETag"]
    assert client.get("/api/v1/openapi.json", headers={"If-None-Match": etag}).status_code == 304
