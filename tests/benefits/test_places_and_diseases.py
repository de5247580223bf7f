"""Where care happened and the recognised chronic disease, in the estimator page and its API, and
the year's list of diseases in the policy admin (kept, imported, copied to the next year).

The demo policies reduce the basic ratio by 5 points with a filing and 20 without (demonstration
values, benefits/demo.py) and hold a demonstration list of five diseases: M00301 慢性肾功能衰竭
（透析） at 80% under the general deductible of 500, M00401 恶性肿瘤门诊放化疗 with no deductible
at 75%, the others under the general chronic rule (500, then 65%).
"""

import json
import re
from decimal import Decimal

import pytest
import tablib
from django.urls import reverse

from benefits.models import BenefitPolicy, ChronicDisease
from benefits.resources import ChronicDiseaseResource
from portal.network.models import Region
from portal.standards.cycle import year_start

pytestmark = pytest.mark.django_db

API = "/api/v1/benefits/estimate"
ZIBO = "370300000000"


def api_post(client, *visits, year=2022):
    payload = {"year": year, "region": "370300", "category": "adult", "assistance": None, "visits": list(visits)}
    return client.post(API, json.dumps(payload), content_type="application/json")


def chronic(**extra) -> dict:
    return {"kind": "chronic", "total": "10000.00", "policy_range": "10000.00", **extra}


# --- the API --------------------------------------------------------------------------------------

def test_a_recognised_disease_outside_without_a_filing_is_paid_at_its_own_rate_reduced(client, demo_policies):
    response = api_post(client, chronic(place="outside_unfiled", disease="M00301"))
    assert response.status_code == 200, response.content
    (visit,) = response.json()["visits"]
    # General deductible 500, the disease's 80% less 20 points: (10000 − 500) × 60% = 5700.00;
    # U = 4300 is below the catastrophic deductible.
    assert (visit["basic"], visit["catastrophic"], visit["out_of_pocket"]) == ("5700.00", "0.00", "4300.00")
    assert (visit["place"], visit["disease"]) == ("outside_unfiled", "M00301")
    lines = "\n".join(visit["explanation"])
    assert "异地就医（未备案）：基本医保支付比例 80% 降低 20 个百分点，按 60% 支付" in lines
    assert "门诊慢特病（慢性肾功能衰竭（透析））" in lines


def test_an_inpatient_stay_with_a_filing_loses_five_points(client, demo_policies):
    stay = {"kind": "inpatient", "level": 3, "total": "20000.00", "policy_range": "18000.00",
            "place": "outside_filed"}
    (visit,) = api_post(client, stay).json()["visits"]
    # (18000 − 700) × (60% − 5%) = 9515.00.
    assert visit["basic"] == "9515.00"
    assert any("异地就医（已备案）：基本医保支付比例 60% 降低 5 个百分点，按 55% 支付" in line
               for line in visit["explanation"])


def test_a_chronic_visit_without_a_disease_says_recognition_comes_first(client, demo_policies):
    (visit,) = api_post(client, chronic()).json()["visits"]
    # Local, general rule: (10000 − 500) × 65% = 6175.00.
    assert (visit["basic"], visit["place"], visit["disease"]) == ("6175.00", "local", None)
    assert any("门诊慢特病须先经医保经办机构认定" in line for line in visit["explanation"])


@pytest.mark.parametrize(("visit", "field", "message"), [
    (chronic(place="abroad"), "visits.0.place", "outside_unfiled（异地就医（未备案））"),
    (chronic(place=3), "visits.0.place", "就医地点“3”无效"),
    (chronic(disease="M99999"), "visits.0.disease", "目录中的病种：M00101 高血压（高危）"),
    (chronic(disease="<b>"), "visits.0.disease", "病种编码只能由字母、数字"),
    ({"kind": "inpatient", "level": 2, "total": "1", "policy_range": "1", "disease": "M00101"}, "visits.0.disease",
     "只有门诊慢特病可以选择认定病种"),
])
def test_a_bad_place_or_disease_is_400_naming_the_field(client, demo_policies, visit, field, message):
    response = api_post(client, visit)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == [field] and any(message in text for text in errors[field]), errors


def test_a_disease_is_looked_up_in_the_list_of_the_year_asked(client, demo_policies):
    assert api_post(client, chronic(disease="M00501"), year=2021).status_code == 200
    response = api_post(client, chronic(disease="m00501"), year=2021)  # codes are exact
    assert response.status_code == 400 and "2021 年度" in response.json()["errors"]["visits.0.disease"][0]


# --- the estimator page ---------------------------------------------------------------------------

def form_data(**visit) -> dict:
    data = {
        "region": "370300", "year": "2022", "category": "adult", "assistance": "",
        "visits-TOTAL_FORMS": "1", "visits-INITIAL_FORMS": "0", "visits-MIN_NUM_FORMS": "0",
        "visits-MAX_NUM_FORMS": "50", "visits-0-kind": "chronic", "visits-0-level": "", "visits-0-child_order": "",
        "visits-0-total": "10000.00", "visits-0-policy_range": "10000.00",
    }
    data.update({f"visits-0-{name}": value for name, value in visit.items()})
    return data


def test_the_page_offers_the_places_and_the_years_diseases_with_their_own_terms(client, demo_policies):
    html = client.get("/estimate/", {"region": "370300"}).content.decode()
    assert re.search(r'<option value="local" selected>本地就医</option>', html)
    assert '<option value="outside_unfiled">异地就医（未备案）</option>' in html
    assert '<option value="M00401">M00401 恶性肿瘤门诊放化疗（起付线 0.00 元，75%）</option>' in html
    assert '<option value="M00101">M00101 高血压（高危）</option>' in html


def test_the_page_estimates_a_recognised_disease_outside_and_explains_the_reduction(client, demo_policies):
    html = client.post("/estimate/", form_data(place="outside_unfiled", disease="M00401")).content.decode()
    # No deductible of its own, 75% less 20 points: 10000 × 55% = 5500.00.
    assert "共报销 <strong>5500.00 元</strong>" in html
    assert "基本医保支付比例 75% 降低 20 个百分点，按 55% 支付" in html
    assert "第 1 次：门诊慢特病（异地就医（未备案）），总费用 10000.00 元" in html
    assert re.search(r'<option value="M00401" selected>', html)


def test_a_page_left_without_a_place_estimates_local_care(client, demo_policies):
    html = client.post("/estimate/", form_data()).content.decode()
    assert "共报销 <strong>6175.00 元</strong>" in html and "须先经医保经办机构认定" in html


@pytest.mark.parametrize(("visit", "message"), [
    ({"place": "abroad"}, "就医地点“abroad”无效"),
    ({"disease": "M99999"}, "没有编码为“M99999”的病种；目录中的病种"),
    ({"kind": "outpatient", "disease": "M00101"}, "只有门诊慢特病可以选择认定病种"),
])
def test_a_bad_place_or_disease_on_the_page_is_named_and_nothing_is_computed(client, demo_policies, visit, message):
    response = client.post("/estimate/", form_data(**visit))
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert "共报销" not in html


# --- the list in the policy admin -----------------------------------------------------------------

def test_starting_a_year_copies_the_list_of_diseases_and_the_reductions(demo, demo_policies):
    zibo = Region.objects.get(code=ZIBO)
    year_start(region=zibo, source_year=2022, year=2023)
    source = BenefitPolicy.objects.published().get(year=2022, region=zibo)
    copy = BenefitPolicy.objects.get(year=2023, region=zibo)
    listed = ("code", "name", "deductible", "rate", "documents")
    assert list(copy.chronic_diseases.values_list(*listed)) == list(source.chronic_diseases.values_list(*listed))
    assert copy.chronic_diseases.count() == 5
    assert (copy.outside_filed_reduction, copy.outside_unfiled_reduction) == (Decimal("0.0500"), Decimal("0.2000"))
    assert copy.snapshot() == source.snapshot()


def test_the_demo_policies_say_their_reductions_and_list_are_demonstrations(demo_policies):
    for policy in BenefitPolicy.objects.published().filter(region__code=ZIBO, year__in=(2021, 2022)):
        assert "为演示值" in policy.notes and "演示目录" in policy.notes and "48 个病种" in policy.notes
        assert policy.chronic_diseases.get(code="M00401").documents_list[0] == "二级及以上医院诊断证明"


@pytest.fixture
def draft(demo_policies) -> BenefitPolicy:
    from benefits.demo import demo_policy_2022
    from benefits.services import policy_create_from_snapshot

    return policy_create_from_snapshot(snapshot=demo_policy_2022(), year=2035, region=Region.objects.get(code=ZIBO))


def test_a_code_entered_twice_on_the_policy_page_is_refused_next_to_it(officer_client, draft):
    from tests.benefits.test_policy_admin import form_data as policy_form

    rows = list(draft.chronic_diseases.order_by("pk"))
    response = officer_client.post(reverse("admin:benefits_benefitpolicy_change", args=[draft.pk]),
                                   policy_form(draft, **{"chronic_diseases-1-code": rows[0].code}))
    assert response.status_code == 200
    assert f"“{rows[0].code}”已经填过一行，每项只填一行" in response.content.decode()
    assert draft.chronic_diseases.filter(code=rows[0].code).count() == 1


def test_a_draft_gets_a_disease_from_its_page_and_an_empty_row_is_not_saved(officer_client, draft):
    from tests.benefits.test_policy_admin import form_data as policy_form

    data = policy_form(draft)
    count = draft.chronic_diseases.count()
    data.update({"chronic_diseases-TOTAL_FORMS": count + 2,
                 f"chronic_diseases-{count}-code": "M00601", f"chronic_diseases-{count}-name": "帕金森病",
                 f"chronic_diseases-{count}-rate": "0.70", f"chronic_diseases-{count}-documents": "二级及以上医院诊断证明"})
    response = officer_client.post(reverse("admin:benefits_benefitpolicy_change", args=[draft.pk]), data)
    assert response.status_code == 302
    added = draft.chronic_diseases.get(code="M00601")
    assert (added.deductible, added.rate) == (None, Decimal("0.7000"))
    assert draft.chronic_diseases.count() == count + 1


def test_the_list_is_imported_all_or_nothing_with_chinese_row_errors(draft):
    headers = ["year", "region_code", "revision", "code", "name", "deductible", "rate", "documents"]
    good = [2035, "370300", 1, "M00601", "帕金森病", "", "70%", "二级及以上医院诊断证明"]
    bad = [2035, "370300", 1, "M00701", "癫痫", "-1", "0.65", "诊断证明"]
    result = ChronicDiseaseResource().import_data(tablib.Dataset(good, bad, headers=headers), dry_run=False)
    assert result.has_validation_errors()
    assert any("年度起付线“-1”须为不小于 0 的金额" in str(error) for row in result.invalid_rows
               for error in row.error_dict.values())
    assert not ChronicDisease.objects.filter(code__in=["M00601", "M00701"]).exists()

    result = ChronicDiseaseResource().import_data(tablib.Dataset(good, headers=headers), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    added = draft.chronic_diseases.get(code="M00601")
    assert (added.rate, added.deductible) == (Decimal("0.7000"), None)


def test_a_published_list_is_not_changed_by_an_import(demo_policies):
    headers = ["year", "region_code", "revision", "code", "name", "deductible", "rate", "documents"]
    row = [2022, "370300", 1, "M00101", "高血压（高危）", "", "0.90", "诊断证明"]
    result = ChronicDiseaseResource().import_data(tablib.Dataset(row, headers=headers), dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    policy = BenefitPolicy.objects.get(year=2022, region__code=ZIBO, revision=1)
    assert policy.chronic_diseases.get(code="M00101").rate is None
