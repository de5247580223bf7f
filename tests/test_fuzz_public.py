"""Bad input on the public site (issue 7): random and hostile values sent to every public form and
JSON endpoint never give a server error and never change the database.

Each test compares the row counts of every model before and after all of its examples; the
cache is cleared before each example so that the rate limits answer normally, not with 429.
"""

import json
from urllib.parse import quote

import pytest
from django.apps import apps
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

HOSTILE = [
    "", " ", "\x00", "abc\x00def", "A" * 100_000, "9" * 5000, "-1", "-0", "0", "1e309", "NaN", "-Infinity",
    "Infinity", "1.005", "0.001", "1,000", "１２３", "٣", "2022-02-30", "0000-00-00", "9999-12-31", "1900-01-01",
    "' OR 1=1 --", "'; DROP TABLE enrollment_resident; --", "\" OR \"\"=\"", "%", "_", "%00", "\\",
    "<script>alert(1)</script>", "\"><img src=x onerror=alert(1)>", "{{ 7*7 }}", "{% debug %}", "${7*7}",
    "../../etc/passwd", "\u202e\u0041\u0042", "😀" * 50, "\ud7ff", "370303195203151223", "37030319520315122X",
    "370300", "370303001001", "3703030010019", "adult", "student_child", "minimum_living", "true", "null", "[]", "{}",
]
text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=40), st.integers().map(str), st.floats().map(str))
maybe_text = st.one_of(st.none(), text)  # None: the field is left out

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def present(fields: dict) -> dict:
    return {name: value for name, value in fields.items() if value is not None}


@pytest.fixture
def world(demo, django_db_blocker):
    """The demo, and the row counts every test must find unchanged at its end."""
    before = row_counts()
    yield
    assert row_counts() == before, "a public request changed the database"


def answer(response) -> int:
    cache.clear()
    assert response.status_code < 500, response.content[:500]
    return response.status_code


@FUZZ
@given(name=maybe_text, id_number=maybe_text)
def test_lookup_form(world, name, id_number):
    cache.clear()
    answer(Client().post("/lookup/", present({"name": name, "id_number": id_number})))


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={
    key: text for key in ("category", "assistance", "year", "region", "city", "county", "township", "village")
}))
def test_premium_page_and_region_picker(world, params):
    cache.clear()
    answer(Client().get("/premium/", params))
    answer(Client().get("/service-points/", params))


@FUZZ
@given(
    context=st.fixed_dictionaries({}, optional={key: text for key in ("year", "region", "category", "assistance")}),
    management=st.fixed_dictionaries({}, optional={
        key: st.one_of(text, st.integers(-5, 10**9).map(str))
        for key in ("visits-TOTAL_FORMS", "visits-INITIAL_FORMS", "visits-MIN_NUM_FORMS", "visits-MAX_NUM_FORMS")
    }),
    visit=st.fixed_dictionaries({}, optional={
        f"visits-{i}-{key}": text for i in (0, 1, 7) for key in ("kind", "level", "child_order", "total", "policy_range")
    }),
    add_row=st.booleans(),
)
def test_estimator_page(world, context, management, visit, add_row):
    cache.clear()
    data = {**context, **management, **visit, **({"add_row": "1"} if add_row else {})}
    answer(Client().post("/estimate/", data))
    answer(Client().get("/estimate/", context))


@FUZZ
@given(q=maybe_text, code=text, page=maybe_text)
def test_service_point_search_and_pages(world, q, code, page):
    cache.clear()
    answer(Client().get("/service-points/search/", present({"q": q})))
    answer(Client().get("/notices/", present({"page": page})))
    # Path segments: whatever the text, as it would arrive quoted in an address.
    segment = quote(code.replace("/", ""), safe="") or "x"
    answer(Client().get(f"/service-points/area/{segment}/"))
    answer(Client().get(f"/verify/{segment}/"))
    answer(Client().get(f"/guides/{segment}/"))
    answer(Client().get("/display/large/", {"next": code}))


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={
    key: text for key in ("year", "region", "category", "assistance", "date", "birth_date")
}))
def test_premium_api(world, params):
    cache.clear()
    response = Client().get("/api/v1/premium", params)
    if answer(response) >= 400:
        assert "errors" in response.json()


@FUZZ
@given(params=st.fixed_dictionaries({}, optional={"region": text, "page": text}))
def test_service_points_api(world, params):
    cache.clear()
    response = Client().get("/api/v1/service-points", params)
    if answer(response) >= 400:
        assert "errors" in response.json()


json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.sampled_from(HOSTILE[:40]), text),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(text, children, max_size=4)),
    max_leaves=20,
)
visit = st.fixed_dictionaries({}, optional={key: json_values for key in ("kind", "level", "child_order", "total", "policy_range")})
estimate_payload = st.one_of(
    json_values,
    st.fixed_dictionaries({}, optional={
        "year": json_values, "region": json_values, "category": json_values, "assistance": json_values,
        "visits": st.one_of(json_values, st.lists(st.one_of(visit, json_values), max_size=25)),
    }),
)


@FUZZ
@given(payload=estimate_payload)
def test_estimate_api_with_json(world, payload):
    cache.clear()
    response = Client().post("/api/v1/benefits/estimate", json.dumps(payload), content_type="application/json")
    if answer(response) >= 400:
        assert "errors" in response.json()


@pytest.mark.parametrize("body", [
    b"", b"\x00", b"\xff\xfe\xfd", b"{", b"[" * 30_000 + b"]" * 30_000, b'{"a":' * 20_000 + b"1" + b"}" * 20_000,
    b"NaN", b'{"year": NaN, "visits": [{"total": Infinity}]}', b'{"year": 1e999999}', b"9" * 60_000,
    b'{"visits": [' + b'{"kind":"inpatient","level":3,"total":"1","policy_range":"1"},' * 1000 + b"{}]}",
    b" " * 70_000,
])
def test_estimate_api_with_raw_bodies(world, body):
    response = Client().post("/api/v1/benefits/estimate", body, content_type="application/json")
    assert answer(response) >= 400
    assert "errors" in response.json()


# 我的医保's sign-in writes what it must: the access-log entry of every attempt, the session that
# waits for the code, and the code sent when the details are 王秀兰's; nothing else.
SIGN_IN_WRITES = {"portal.AccessLogEntry", "sessions.Session", "my_insurance.SignInCode"}


@pytest.fixture
def sign_in_world(demo, settings):
    # Every example may send 王秀兰 a code: the limits of codes per person must not end the real path.
    settings.SIGN_IN_CODES_PER_HOUR = settings.SIGN_IN_CODES_PER_DAY = 10_000

    def others() -> dict[str, int]:
        return {label: count for label, count in row_counts().items() if label not in SIGN_IN_WRITES}

    before = others()
    yield
    assert others() == before, "a sign-in request changed the database beyond its log, session and code"


@FUZZ
@given(name=maybe_text, id_number=maybe_text, phone_last_four=maybe_text, next_url=maybe_text)
def test_my_insurance_sign_in_form(sign_in_world, name, id_number, phone_last_four, next_url):
    cache.clear()
    query = f"?next={quote(next_url, safe='')}" if next_url is not None else ""
    fields = {"name": name, "id_number": id_number, "phone_last_four": phone_last_four}
    answer(Client().post(f"/my/sign-in/{query}", present(fields)))
    answer(Client().get(f"/my/sign-in/{query}"))


@FUZZ
@given(code=st.one_of(maybe_text, st.integers(0, 999_999).map(lambda n: f"{n:06d}")), real=st.booleans())
def test_my_insurance_code_form(sign_in_world, code, real):
    cache.clear()
    client = Client()
    # A code waits for 王秀兰 (real) or a decoy does (a wrong phone); then the typed code.
    client.post("/my/sign-in/", {"name": "王秀兰", "id_number": "370303195203151223",
                                 "phone_last_four": "5122" if real else "0000"})
    answer(client.post("/my/sign-in/code/", present({"code": code})))
    answer(client.get("/my/sign-in/code/"))


# 我的医保's pages of the signed-in resident write their access-log entry and touch the session.
MY_PAGE_WRITES = {"portal.AccessLogEntry", "sessions.Session"}


@pytest.fixture
def signed_in_world(demo):
    from enrollment.models import Resident
    from tests.my_insurance.signing_in import resident_client

    def others() -> dict[str, int]:
        return {label: count for label, count in row_counts().items() if label not in MY_PAGE_WRITES}

    client = resident_client(Resident.objects.get(name="王秀兰"))
    before = others()
    yield client
    assert others() == before, "a 我的医保 page changed the database beyond its log and session"


@FUZZ
@given(year=text, page=st.sampled_from(["/my/", "/my/care/", "/my/assistance/", "/my/household/"]))
def test_my_insurance_pages_with_any_year(signed_in_world, year, page):
    response = signed_in_world.get(f"{page}?year={quote(year, safe='')}")
    # 400: a query the request checks refuse (a NUL character); never an error or a lost sign-in.
    assert answer(response) in (200, 400)


def test_lookup_with_a_huge_body_is_refused_without_an_error(world):
    answer(Client().post("/lookup/", {"name": "王" * 3_000_000, "id_number": "3" * 3_000_000}))
