"""The public JSON API's rate limits: per client address and per endpoint, the estimate lower
than the others, answered with 429, Retry-After and the API's error body."""

import json

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

ESTIMATE = {"year": 2022, "region": "370300", "category": "adult", "assistance": None,
            "visits": [{"kind": "inpatient", "level": 3, "total": "20000.00", "policy_range": "18000.00"}]}
PREMIUM = "/api/v1/premium?year=2022&region=370300&category=adult&date=2021-10-15"


def estimate(client, address="198.51.100.7"):
    return client.post("/api/v1/benefits/estimate", json.dumps(ESTIMATE), content_type="application/json",
                       REMOTE_ADDR=address)


def test_the_estimate_refuses_an_address_past_its_limit_with_429_retry_after_and_errors(
        client, demo_policies, settings):
    settings.API_ESTIMATE_RATE_LIMIT = 2
    assert [estimate(client).status_code for _ in range(2)] == [200, 200]
    refused = estimate(client)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Content-Type"].startswith("application/json")
    (message,) = refused.json()["errors"]["__all__"]
    assert "每分钟最多 2 次" in message and f"{refused['Retry-After']} 秒后再试" in message
    assert "no-cache" in refused["Cache-Control"] or "max-age=0" in refused["Cache-Control"]
    # Another address is counted apart.
    assert estimate(client, address="198.51.100.8").status_code == 200


def test_each_endpoint_counts_apart_and_the_estimate_is_the_lower_limit(client, demo_policies, settings):
    assert settings.API_ESTIMATE_RATE_LIMIT < settings.API_RATE_LIMIT
    settings.API_ESTIMATE_RATE_LIMIT = 1
    settings.API_RATE_LIMIT = 3
    assert estimate(client).status_code == 200
    assert estimate(client).status_code == 429
    # The premium and the service points keep their own counts.
    assert [Client().get(PREMIUM, REMOTE_ADDR="198.51.100.7").status_code for _ in range(3)] == [200] * 3
    assert Client().get(PREMIUM, REMOTE_ADDR="198.51.100.7").status_code == 429
    points = "/api/v1/service-points?region=370303001000"
    assert Client().get(points, REMOTE_ADDR="198.51.100.7").status_code == 200


def test_bad_requests_count_too(client, demo_policies, settings):
    # Otherwise a client could probe without limit by sending rubbish.
    settings.API_RATE_LIMIT = 2
    answers = [client.get("/api/v1/premium?year=abc", REMOTE_ADDR="198.51.100.9").status_code for _ in range(3)]
    assert answers == [400, 400, 429]
