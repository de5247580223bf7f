"""schemathesis, from outside, against a running test server: every operation of the checked-in
OpenAPI document (portal/public/openapi.json) with its examples, the coverage phase's boundary
values and property-based cases, both data that fits the schema and data that does not. No
answer may be a 5xx, every status code and content type must be documented, every answer must
match its schema, input the schema forbids must be refused with a 4xx, and a method the schema
does not list must get 405 with Allow."""

import hypothesis
import pytest
import schemathesis

from portal.public.api_schema import SCHEMA_PATH

# Enough for every operation's boundaries and a spread of random cases; the run takes about
# half a minute on SQLite.
MAX_EXAMPLES = 100
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "unsupported_method",
    "allow_header_conformance",
)
CONFIG = schemathesis.Config.from_dict({
    "seed": 20220101,  # the same cases on every run, so that a failure in CI can be run again
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES},
    "checks": {"enabled": False, **{name: {"enabled": True} for name in CHECKS}},
})
schema = schemathesis.openapi.from_path(SCHEMA_PATH, config=CONFIG)


@pytest.fixture
def api_url(live_server, settings, demo, demo_policies) -> str:
    # Thousands of requests from one address within a minute: far past the API's limits.
    settings.API_RATE_LIMIT = 100_000
    settings.API_ESTIMATE_RATE_LIMIT = 100_000
    return live_server.url


@schema.parametrize()
# The server and the demo outlive the generated cases on purpose: the API only reads.
@hypothesis.settings(suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture])
def test_the_api_keeps_to_its_schema(case, api_url):
    case.call_and_validate(base_url=api_url)
