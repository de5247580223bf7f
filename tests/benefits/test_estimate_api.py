import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.models import BenefitPolicy


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # These tests send hundreds of requests a minute from one address; the limits have their
    # own tests (tests/portal/web/test_api_limits.py).
    settings.API_RATE_LIMIT = settings.API_ESTIMATE_RATE_LIMIT = 1_000_000

pytestmark = pytest.mark.django_db

URL = "/api/v1/benefits/estimate"
DESIGN_EXAMPLE = {
    "year": 2022, "region": "370300", "category": "adult", "assistance": None,
    "visits": [
        {"kind": "inpatient", "level": 3, "total": "20000.00", "policy_range": "18000.00"},
        {"kind": "maternity", "child_order": 2, "total": "4000", "policy_range": "3600"},
    ],
}


def post(client, payload):
    body = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(URL, body, content_type="application/json")


def test_the_design_example_is_answered_with_every_layer(client, demo_policies):
    response = post(client, DESIGN_EXAMPLE)
    assert response.status_code == 200
    data = response.json()
    assert (data["year"], data["region"], data["category"], data["assistance"]) == (2022, "370300", "adult", None)
    inpatient, maternity = data["visits"]
    # Level 3, first admission: (18000 - 700) x 60% = 10380.00; U = 7620 < 15000: no catastrophic.
    assert inpatient["basic"] == "10380.00"
    assert inpatient["catastrophic"] == inpatient["assistance"] == inpatient["reassistance"] == "0.00"
    assert inpatient["out_of_pocket"] == "9620.00"
    # Second child: min(1500, 3600) = 1500.00.
    assert maternity["basic"] == "1500.00" and maternity["out_of_pocket"] == "2500.00"
    assert data["totals"] == {
        "total": "24000.00", "policy_range": "21600.00", "basic": "11880.00", "catastrophic": "0.00",
        "assistance": "0.00", "reassistance": "0.00", "reimbursed": "11880.00", "out_of_pocket": "12120.00",
    }
    assert all(inpatient["explanation"]) and any("三级医院" in line for line in inpatient["explanation"])


def test_a_village_code_resolves_to_its_city(client, demo_policies):
    payload = {**DESIGN_EXAMPLE, "region": "370303001001"}
    assert post(client, payload).json()["region"] == "370300"


def test_an_assistance_category_adds_assistance(client, demo_policies):
    payload = {**DESIGN_EXAMPLE, "assistance": "minimum_living", "visits": DESIGN_EXAMPLE["visits"][:1]}
    visit = post(client, payload).json()["visits"][0]
    # minimum_living is deductible-exempt: B = 18000 x 60% = 10800; U = 7200; A = 7200 x 70% = 5040;
    # R: U - C - A = 2160 < 5000: none.
    assert (visit["basic"], visit["assistance"], visit["reassistance"]) == ("10800.00", "5040.00", "0.00")


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"visits": [{"kind": "inpatient", "level": 2, "total": "100", "policy_range": "200"}]}, "visits.0.policy_range", "不能超过医疗总费用"),
        ({"visits": [{"kind": "inpatient", "level": 2, "total": "-1", "policy_range": "0"}]}, "visits.0.total", "金额不能为负数"),
        ({"visits": [{"kind": "inpatient", "level": 2, "total": "abc", "policy_range": "0"}]}, "visits.0.total", "请输入金额数字"),
        ({"visits": [{"kind": "dental", "total": "1", "policy_range": "1"}]}, "visits.0.kind", "选择一个有效的选项"),
        ({"visits": [{"kind": "inpatient", "level": 4, "total": "1", "policy_range": "1"}]}, "visits.0.level", "选择一个有效的选项"),
        ({"visits": [{"kind": "inpatient", "total": "1", "policy_range": "1"}]}, "visits.0.level", "请选择医院等级"),
        ({"visits": [{"kind": "maternity", "total": "1", "policy_range": "1"}]}, "visits.0.child_order", "第几孩"),
        ({"visits": [{"kind": "outpatient", "total": "1", "policy_range": "1"}] * 51}, "visits", "最多测算 50 次"),
        ({"visits": []}, "visits", "至少填写一次"),
        ({"category": "child"}, "category", "选择一个有效的选项"),
        ({"assistance": "poor"}, "assistance", "选择一个有效的选项"),
        ({"region": "37030"}, "region", "6 位或 12 位"),
        ({"year": "二〇二二"}, "year", "四位数字"),
    ],
)
def test_bad_input_gets_400_with_the_field_and_a_chinese_message(client, demo_policies, change, field, message):
    response = post(client, {**DESIGN_EXAMPLE, **change})
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]


@pytest.mark.parametrize("payload", ["not json", "[1, 2]", "null", b"\xff\xfe"])
def test_a_body_that_is_not_a_json_object_is_400(client, payload):
    response = post(client, payload)
    assert response.status_code == 400 and "__all__" in response.json()["errors"]


@pytest.mark.parametrize(("year", "region"), [(2030, "370300"), (2022, "110100"), (2022, "999900")])
def test_a_year_or_region_without_a_published_policy_is_404(client, demo_policies, year, region):
    response = post(client, {**DESIGN_EXAMPLE, "year": year, "region": region})
    assert response.status_code == 404
    assert response.json()["errors"]["__all__"]


def test_a_draft_policy_is_not_used(client, demo_policies):
    from benefits.demo import demo_policy_2022
    from benefits.services import policy_create_from_snapshot
    from portal.network.models import Region

    policy_create_from_snapshot(snapshot=demo_policy_2022(), year=2030, region=Region.objects.get(code="370300000000"))
    assert BenefitPolicy.objects.get(year=2030).status == "draft"
    assert post(client, {**DESIGN_EXAMPLE, "year": 2030}).status_code == 404


def test_only_post_is_allowed(client):
    assert client.get(URL).status_code == 405


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=3),
    max_leaves=10,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    payload=st.fixed_dictionaries(
        {},
        optional={
            "year": json_values, "region": json_values, "category": json_values, "assistance": json_values,
            "visits": st.lists(
                st.fixed_dictionaries({}, optional={k: json_values for k in ("kind", "level", "child_order", "total", "policy_range")}),
                max_size=3,
            ) | json_values,
        },
    )
)
def test_junk_never_gives_a_server_error(client, demo_policies, payload):
    response = post(client, payload)
    assert response.status_code in (200, 400, 404)
    assert "errors" in response.json() or "totals" in response.json()
