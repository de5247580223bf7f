"""GET /api/v1/premium (DESIGN.md section 9) against the demo standards of 淄博市 (section 7)."""

from datetime import date
from decimal import Decimal
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment.models import AssistanceSubsidy, ContributionStandard
from portal.network.models import Region


@pytest.fixture(autouse=True)
def _no_rate_limit(settings):
    # These tests send hundreds of requests a minute from one address; the limits have their
    # own tests (tests/portal/web/test_api_limits.py).
    settings.API_RATE_LIMIT = settings.API_ESTIMATE_RATE_LIMIT = 1_000_000

pytestmark = pytest.mark.django_db

URL = "/api/v1/premium"
DESIGN_EXAMPLE = {"year": "2022", "region": "370300", "category": "adult", "assistance": "minimum_living", "date": "2021-10-15"}


def get(client, **params):
    return client.get(URL, {**DESIGN_EXAMPLE, **params})


def without(name):
    return {k: v for k, v in DESIGN_EXAMPLE.items() if k != name}


def test_the_design_example_gives_every_field(client, demo):
    response = get(client)
    assert response.status_code == 200
    assert response.json() == {
        "year": 2022, "region": "370300", "category": "adult", "assistance": "minimum_living",
        "standard": "410.00", "subsidy": "200.00", "payable": "210.00", "late": False,
        "coverage_start": "2022-01-01", "coverage_end": "2022-12-31",
    }
    assert response["Content-Type"].startswith("application/json")
    assert "max-age=300" in response["Cache-Control"] and "public" in response["Cache-Control"]


def test_without_assistance_the_answer_says_null_and_no_subsidy(client, demo):
    data = client.get(URL, without("assistance")).json()
    assert (data["assistance"], data["subsidy"], data["payable"]) == (None, "0.00", "410.00")
    assert client.get(URL, {**DESIGN_EXAMPLE, "assistance": ""}).json()["assistance"] is None


def test_a_student_pays_the_student_contribution(client, demo):
    data = get(client, category="student_child", assistance="").json()
    assert (data["category"], data["standard"], data["payable"]) == ("student_child", "310.00", "310.00")


def test_extreme_poverty_is_fully_subsidised(client, demo):
    data = get(client, assistance="extreme_poverty").json()
    assert (data["standard"], data["subsidy"], data["payable"]) == ("410.00", "410.00", "0.00")


@pytest.mark.parametrize("region", ["370303001001", "370303001", "370303", "370303000000", "3703", "370300000000"])
def test_any_code_inside_the_city_resolves_to_the_pooling_region(client, demo, region):
    response = get(client, region=region)
    assert response.status_code == 200
    assert response.json()["region"] == "370300"
    assert response.json()["payable"] == "210.00"


def test_a_newborn_registers_without_a_window_and_is_covered_from_birth(client, demo):
    data = get(client, category="student_child", assistance="", date="2022-03-10", birth_date="2022-03-01").json()
    assert data == {
        "year": 2022, "region": "370300", "category": "student_child", "assistance": None,
        "standard": "310.00", "subsidy": "0.00", "payable": "310.00", "late": False,
        "coverage_start": "2022-03-01", "coverage_end": "2022-12-31",
    }


def test_a_newborn_may_register_before_the_window_opens(client, demo):
    response = get(client, category="student_child", assistance="", date="2021-08-15", birth_date="2021-08-01")
    assert response.status_code == 200
    assert (response.json()["late"], response.json()["coverage_start"]) == (False, "2022-01-01")


def test_after_the_window_a_resident_pays_the_fiscal_subsidy_and_waits(client, demo):
    data = get(client, assistance="", date="2022-02-01").json()
    # 410 + 610 fiscal subsidy; covered 90 days after registering (2022-02-01 + 90 days).
    assert (data["late"], data["payable"], data["coverage_start"], data["coverage_end"]) == (
        True, "1020.00", "2022-05-02", "2022-12-31",
    )


def test_after_the_window_an_assistance_category_is_not_late(client, demo):
    data = get(client, date="2022-02-01").json()
    assert (data["late"], data["payable"], data["coverage_start"]) == (False, "210.00", "2022-02-01")


def test_the_default_birth_date_is_not_a_newborn(client, demo):
    # Without birth_date a registration after the window is late, as for an adult of 30.
    assert get(client, assistance="", date="2022-02-01").json()["late"] is True


def test_the_default_birth_date_of_a_leap_day_is_the_28th():
    from enrollment.api import _default_birth_date

    assert _default_birth_date(date(2024, 2, 29)) == date(1994, 2, 28)
    assert _default_birth_date(date(2021, 10, 15)) == date(1991, 10, 15)


@pytest.mark.parametrize(
    ("params", "field", "code", "message"),
    [
        ({"date": "2021-08-31"}, "date", "window_not_open", "2021-09-01 起才开始"),
        ({"date": "2023-01-05"}, "date", "year_over", "已于 2022-12-31 结束"),
        ({"date": "2022-11-01", "assistance": ""}, "date", "coverage_after_year_end", "请参加 2023 年度"),
        ({"birth_date": "2022-03-01"}, "birth_date", "born_after_registration", "晚于登记日期"),
    ],
)
def test_a_refusal_is_400_with_its_code_and_message(client, demo, params, field, code, message):
    response = get(client, **params)
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == code
    assert any(message in text for text in body["errors"][field]), body


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (without("year"), "year", "请填写待遇享受年度"),
        (without("region"), "region", "请填写区划代码"),
        (without("category"), "category", "请填写参保类别"),
        (without("date"), "date", "请填写登记日期"),
        ({**DESIGN_EXAMPLE, "year": "二〇二二"}, "year", "四位数字"),
        ({**DESIGN_EXAMPLE, "year": "1999"}, "year", "2000 到 2100"),
        ({**DESIGN_EXAMPLE, "region": "37030"}, "region", "有 5 位"),
        ({**DESIGN_EXAMPLE, "region": "37O300"}, "region", "只能由数字组成"),
        ({**DESIGN_EXAMPLE, "region": "370000"}, "region", "不属于任何统筹区"),
        ({**DESIGN_EXAMPLE, "category": "child"}, "category", "参保类别“child”无效"),
        ({**DESIGN_EXAMPLE, "assistance": "poor"}, "assistance", "困难类别“poor”无效"),
        ({**DESIGN_EXAMPLE, "date": "2021/10/15"}, "date", "YYYY-MM-DD"),
        ({**DESIGN_EXAMPLE, "date": "2021-02-30"}, "date", "YYYY-MM-DD"),
        ({**DESIGN_EXAMPLE, "date": "0001-01-01"}, "date", "1900-01-01 到 2100-12-31"),
        ({**DESIGN_EXAMPLE, "birth_date": "yesterday"}, "birth_date", "YYYY-MM-DD"),
        ({**DESIGN_EXAMPLE, "birth_date": "9999-12-31"}, "birth_date", "1900-01-01 到 2100-12-31"),
    ],
)
def test_bad_input_is_400_with_the_field_and_a_chinese_message(client, demo, params, field, message):
    response = client.get(URL, params)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]


def test_every_bad_parameter_is_reported_at_once(client, demo):
    errors = client.get(URL, {"year": "x", "region": "x", "category": "x", "assistance": "x", "date": "x"}).json()["errors"]
    assert set(errors) == {"year", "region", "category", "assistance", "date"}


def test_a_year_without_a_published_standard_is_404(client, demo):
    response = get(client, year="2099", date="2098-10-15")
    assert response.status_code == 404
    assert "2099 年度淄博市还没有发布个人缴费标准" in response.json()["errors"]["__all__"][0]


def test_a_draft_standard_is_not_used(client, demo):
    zibo = Region.objects.get(code="370300000000")
    ContributionStandard.objects.create(
        year=2099, region=zibo, contribution_adult=Decimal("500.00"), contribution_student_child=Decimal("400.00"),
        fiscal_subsidy=Decimal("700.00"), window_start="2098-09-01", window_end="2098-12-31",
    )
    assert get(client, year="2099", date="2098-10-15").status_code == 404


def test_a_known_city_without_standards_is_404(client, demo):
    shandong = Region.objects.get(code="370000000000")
    Region.objects.create(code="370200000000", name="青岛市", parent=shandong)
    response = get(client, region="370200")
    assert response.status_code == 404
    assert "青岛市还没有发布" in response.json()["errors"]["__all__"][0]


@pytest.mark.parametrize("region", ["110100", "370399000000", "370303009009"])
def test_an_unknown_region_code_is_404(client, demo, region):
    response = get(client, region=region)
    assert response.status_code == 404
    assert "没有区划代码为" in response.json()["errors"]["__all__"][0]


def test_the_revision_in_force_on_the_registration_date_is_used(client, demo, officer):
    from portal.standards.versioned import standard_publish, standard_revise

    first = ContributionStandard.objects.get(year=2022, region__code="370300000000", revision=1)
    draft = standard_revise(standard=first, effective_from=date(2021, 11, 1))
    draft.contribution_adult = Decimal("420.00")
    draft.save()
    AssistanceSubsidy.objects.filter(standard=draft, category="minimum_living").update(amount=Decimal("250.00"))
    standard_publish(standard=draft, officer=officer)
    assert get(client).json()["payable"] == "210.00"
    assert get(client, date="2021-11-01").json()["payable"] == "170.00"


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete"])
def test_only_get_is_allowed(client, demo, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response.json()["errors"]["__all__"]


PARAMETERS = ["year", "region", "category", "assistance", "date", "birth_date"]
junk = st.one_of(
    st.text(max_size=30),
    st.sampled_from(["", "2022", "370300", "370303001001", "adult", "minimum_living", "2021-10-15", "0", "-1",
                     "9" * 40, "2022-13-01", "NaN", "1e9", "\x00", "２０２２", "370300\n", " 2022 "]),
    st.dates().map(lambda d: d.isoformat()),
    st.integers().map(str),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(params=st.fixed_dictionaries({}, optional={name: junk for name in PARAMETERS}),
       extra=st.dictionaries(st.text(min_size=1, max_size=5), st.text(max_size=5), max_size=2))
def test_junk_in_every_parameter_never_gives_a_server_error(client, demo, params, extra):
    response = client.get(URL, {**extra, **params})
    assert response.status_code in (200, 400, 404)
    body = response.json()
    assert ("errors" in body) == (response.status_code != 200)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=80))
def test_a_raw_query_string_of_any_bytes_never_gives_a_server_error(client, demo, raw):
    response = client.get(URL, QUERY_STRING=quote(raw, safe="=&"))
    assert response.status_code in (200, 400, 404)
