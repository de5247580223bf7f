"""/api/: the page an app developer reads, made from the schema's examples; each example answer
is what the API answers to the example request on the demo data, so the page never goes stale."""

import json

import pytest

from portal.public.api_docs import api_examples

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    settings.API_RATE_LIMIT = settings.API_ESTIMATE_RATE_LIMIT = 1_000_000


def test_every_endpoint_has_an_example_on_the_page(client, demo):
    page = client.get("/api/").content.decode()
    examples = api_examples()
    assert {example.path for example in examples} == {
        "/api/v1/premium", "/api/v1/benefits/estimate", "/api/v1/service-points"}
    for example in examples:
        assert f"{example.method} {example.path}" in page
    assert 'href="/api/v1/openapi.json"' in page and "429" in page and "Retry-After" in page


@pytest.mark.parametrize("example", api_examples(), ids=lambda example: example.path)
def test_each_example_answer_is_what_the_api_answers(client, demo, demo_policies, example):
    if example.body is None:
        response = client.get(example.url)
    else:
        response = client.post(example.url, example.body, content_type="application/json")
    assert response.status_code == example.status
    assert without_ids(response.json()) == without_ids(json.loads(example.answer))


def without_ids(answer):
    """Row ids depend on the order the demo was loaded in; everything else must match."""
    if isinstance(answer, dict):
        return {key: without_ids(value) for key, value in answer.items() if key != "id"}
    if isinstance(answer, list):
        return [without_ids(value) for value in answer]
    return answer


def test_the_site_links_the_api_page(client, demo):
    assert 'href="/api/"' in client.get("/").content.decode()
