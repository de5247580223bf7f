"""Officers keep the benefit policy in the admin: one page with its parts inline, validated in
Chinese next to the field, published, frozen, revised, imported and exported."""

from datetime import date
from decimal import Decimal

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from benefits.demo import demo_policy_2022
from benefits.models import (
    AssistanceCategoryRule,
    BenefitPolicy,
    CatastrophicTierRule,
    ChronicDisease,
    InpatientLevelRule,
)
from benefits.resources import (
    AssistanceCategoryRuleResource,
    BenefitPolicyResource,
    CatastrophicTierRuleResource,
    ChronicDiseaseResource,
    InpatientLevelRuleResource,
)
from benefits.services import policy_create_from_snapshot
from portal.network.models import Region
from tests.factories import published_contribution_standard
from tests.publishing import confirm_publish

pytestmark = pytest.mark.django_db

ZIBO = "370300000000"
CHANGELIST = "/admin/benefits/benefitpolicy/"
ADD_URL = CHANGELIST + "add/"

# The policy's own fields as the change page posts them (the version fields come first).
POLICY_FIELDS = [
    "first_admission_factor", "second_admission_factor", "later_admission_factor", "basic_annual_cap",
    "outpatient_deductible", "outpatient_rate", "outpatient_cap", "two_diseases_rate", "two_diseases_cap",
    "chronic_deductible", "chronic_rate", "maternity_first", "maternity_second", "maternity_third",
    "catastrophic_deductible", "catastrophic_cap", "poorest_deductible_factor", "poorest_rate_bonus",
    "reassistance_threshold", "reassistance_rate", "reassistance_cap",
    "outside_filed_reduction", "outside_unfiled_reduction",
]
INLINES = {
    "inpatient_levels": ["level", "deductible_adult", "deductible_student_child", "rate"],
    "catastrophic_tiers": ["upper", "rate"],
    "category_rules": [
        "category", "inpatient_deductible_exempt", "catastrophic_preferential", "assistance_deductible",
        "assistance_rate", "assistance_cap", "reassistance_eligible",
    ],
    "chronic_diseases": ["code", "name", "deductible", "rate", "documents"],
}


def change_url(policy) -> str:
    return reverse("admin:benefits_benefitpolicy_change", args=[policy.pk])


def published_2022() -> BenefitPolicy:
    return BenefitPolicy.objects.get(year=2022, region__code=ZIBO, revision=1)


@pytest.fixture
def officer_client(officer_client, demo_policies):
    return officer_client


@pytest.fixture(autouse=True)
def _contribution_standards_of_the_years(request):
    """The tests' years have their contribution standards published: a policy waits for them."""
    if "demo_policies" in request.fixturenames or "draft" in request.fixturenames:
        request.getfixturevalue("demo_policies")
        for year in (2035, 2036):
            published_contribution_standard(year)


@pytest.fixture
def draft(demo_policies) -> BenefitPolicy:
    """A draft 2035 policy of 淄博市 with the demo figures: 3 levels, 3 tiers, 5 categories."""
    return policy_create_from_snapshot(snapshot=demo_policy_2022(), year=2035, region=Region.objects.get(code=ZIBO))


def _posted(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


def form_data(policy, **changes) -> dict:
    """What the change page posts for ``policy`` and its parts, with ``changes`` applied."""
    data = {"year": policy.year, "region": policy.region_id, "notes": policy.notes,
            "effective_from": _posted(policy.effective_from)}
    data.update({name: _posted(getattr(policy, name)) for name in POLICY_FIELDS})
    if policy.poorest_uncapped:
        data["poorest_uncapped"] = "on"
    for prefix, names in INLINES.items():
        rows = list(getattr(policy, prefix).order_by("pk"))
        data.update({
            f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": len(rows),
            f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000,
        })
        for index, row in enumerate(rows):
            data[f"{prefix}-{index}-id"] = row.pk
            data[f"{prefix}-{index}-policy"] = policy.pk
            for name in names:
                value = getattr(row, name)
                if value is True:
                    data[f"{prefix}-{index}-{name}"] = "on"
                elif value is not False:
                    data[f"{prefix}-{index}-{name}"] = _posted(value)
    data.update(changes)
    return data


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def tiers_of(policy) -> list[tuple]:
    return list(policy.catastrophic_tiers.values_list("upper", "rate"))


# --- adding a draft on one page -----------------------------------------------------------------

def new_policy_data(**changes) -> dict:
    """The add page filled in for 2036 with every part: 3 levels, 3 tiers and 2 categories."""
    data = {
        "year": 2036, "region": Region.objects.get(code=ZIBO).pk, "effective_from": "", "notes": "依据 2036 年文件",
        "first_admission_factor": "1", "second_admission_factor": "0.5", "later_admission_factor": "0",
        "basic_annual_cap": "210000.00", "outpatient_deductible": "50.00", "outpatient_rate": "0.55",
        "outpatient_cap": "250.00", "two_diseases_rate": "0.60", "two_diseases_cap": "500.00",
        "chronic_deductible": "500.00", "chronic_rate": "0.65", "maternity_first": "1000.00",
        "maternity_second": "1500.00", "maternity_third": "3000.00", "catastrophic_deductible": "15000.00",
        "catastrophic_cap": "400000.00", "poorest_deductible_factor": "0.5", "poorest_rate_bonus": "0.05",
        "poorest_uncapped": "on", "reassistance_threshold": "5000.00", "reassistance_rate": "0.70",
        "reassistance_cap": "20000.00", "outside_filed_reduction": "0.05", "outside_unfiled_reduction": "0.20",
    }
    rows = {
        "inpatient_levels": [
            {"level": 1, "deductible_adult": "100.00", "deductible_student_child": "100.00", "rate": "0.85"},
            {"level": 2, "deductible_adult": "300.00", "deductible_student_child": "100.00", "rate": "0.70"},
            {"level": 3, "deductible_adult": "700.00", "deductible_student_child": "100.00", "rate": "0.60"},
        ],
        "catastrophic_tiers": [
            {"upper": "100000.00", "rate": "0.60"}, {"upper": "200000.00", "rate": "0.65"}, {"upper": "", "rate": "0.70"},
        ],
        "category_rules": [
            {"category": "extreme_poverty", "inpatient_deductible_exempt": "on", "catastrophic_preferential": "on",
             "assistance_deductible": "0.00", "assistance_rate": "0.70", "assistance_cap": "30000.00",
             "reassistance_eligible": "on"},
            {"category": "monitored", "assistance_deductible": "3000.00", "assistance_rate": "0.50",
             "assistance_cap": "30000.00", "reassistance_eligible": "on"},
        ],
        "chronic_diseases": [
            {"code": "M00301", "name": "慢性肾功能衰竭（透析）", "deductible": "", "rate": "0.80",
             "documents": "二级及以上医院诊断证明\n透析治疗记录"},
        ],
    }
    for prefix, forms in rows.items():
        data.update({f"{prefix}-TOTAL_FORMS": len(forms), f"{prefix}-INITIAL_FORMS": 0,
                     f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000})
        for index, form in enumerate(forms):
            data.update({f"{prefix}-{index}-{name}": value for name, value in form.items()})
    data.update(changes)
    return data


def test_the_add_page_shows_every_part_inline(officer_client):
    page = officer_client.get(ADD_URL).content.decode()
    for name in ("outpatient_rate", "maternity_third", "poorest_rate_bonus", "reassistance_cap",
                 "inpatient_levels-TOTAL_FORMS", "catastrophic_tiers-TOTAL_FORMS", "category_rules-TOTAL_FORMS",
                 "outside_unfiled_reduction", "chronic_diseases-TOTAL_FORMS", "chronic_diseases-0-documents"):
        assert f'name="{name}"' in page, name
    assert 'name="_publish"' not in page  # saved first, published from its page


def test_the_add_page_offers_a_row_per_level_and_per_category_to_fill_in(officer_client):
    formsets = {f.formset.prefix: f for f in officer_client.get(ADD_URL).context["inline_admin_formsets"]}
    assert [form.initial.get("level") for form in formsets["inpatient_levels"].formset] == [1, 2, 3]
    assert len(formsets["catastrophic_tiers"].formset.forms) == 3
    assert {form.initial["category"] for form in formsets["category_rules"].formset} == {
        "extreme_poverty", "minimum_living", "returned_to_poverty", "low_income_edge", "monitored",
    }


def test_rows_left_as_offered_are_not_saved(officer_client):
    """What a browser posts when the officer fills two of the five category rows offered."""
    data = new_policy_data(**{"category_rules-TOTAL_FORMS": 5})
    for index, category in ((2, "returned_to_poverty"), (3, "low_income_edge"), (4, "monitored")):
        data.update({f"category_rules-{index}-category": category, f"category_rules-{index}-reassistance_eligible": "on"})
    data["category_rules-1-category"] = "minimum_living"
    assert officer_client.post(ADD_URL, data).status_code == 302
    policy = BenefitPolicy.objects.get(year=2036)
    assert sorted(policy.category_rules.values_list("category", flat=True)) == ["extreme_poverty", "minimum_living"]


def test_an_officer_adds_a_draft_with_all_its_parts_from_one_page(officer_client, officer):
    response = officer_client.post(ADD_URL, new_policy_data())
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    policy = BenefitPolicy.objects.get(year=2036)
    assert (policy.status, policy.revision, policy.outpatient_rate, policy.notes) == (
        "draft", 1, Decimal("0.5500"), "依据 2036 年文件",
    )
    assert list(policy.inpatient_levels.values_list("level", "deductible_adult", "rate")) == [
        (1, Decimal("100.00"), Decimal("0.8500")), (2, Decimal("300.00"), Decimal("0.7000")),
        (3, Decimal("700.00"), Decimal("0.6000")),
    ]
    assert tiers_of(policy) == [
        (Decimal("100000.00"), Decimal("0.6000")), (Decimal("200000.00"), Decimal("0.6500")), (None, Decimal("0.7000")),
    ]
    rules = {r.category: r for r in policy.category_rules.all()}
    assert set(rules) == {"extreme_poverty", "monitored"}
    assert rules["extreme_poverty"].inpatient_deductible_exempt and not rules["monitored"].inpatient_deductible_exempt
    # The snapshot the engine would use is complete: the page held every parameter.
    policy.validate_for_publishing()


# --- refused with the reason next to the field ---------------------------------------------------

@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"outpatient_rate": "1.5"}, "请填写 0 到 1 之间的小数，如 0.70 表示 70%"),
        ({"outpatient_rate": "-0.1"}, "请填写 0 到 1 之间的小数，如 0.70 表示 70%"),
        ({"inpatient_levels-1-rate": "70"}, "请填写 0 到 1 之间的小数，如 0.70 表示 70%"),  # a percentage typed
        ({"category_rules-0-assistance_rate": "1.01"}, "请填写 0 到 1 之间的小数，如 0.70 表示 70%"),
        ({"basic_annual_cap": "-1.00"}, "金额不能为负数，请填写 0 或正数"),
        ({"inpatient_levels-0-deductible_adult": "-100"}, "金额不能为负数，请填写 0 或正数"),
        ({"category_rules-1-assistance_cap": "-5"}, "金额不能为负数，请填写 0 或正数"),
        ({"catastrophic_tiers-1-upper": "50000.00"}, "这一段的上限须大于上一段的上限 100000.00 元"),
        ({"catastrophic_tiers-1-upper": "100000.00"}, "这一段的上限须大于上一段的上限 100000.00 元"),
        ({"catastrophic_tiers-0-upper": ""}, "只有最后一段可以不填上限"),
        ({"catastrophic_tiers-0-upper": "0"}, "分段上限须大于 0"),
        ({"inpatient_levels-2-level": "2"}, "“二级”已经填过一行，每项只填一行"),
        ({"category_rules-1-category": "extreme_poverty"}, "“特困人员”已经填过一行，每项只填一行"),
    ],
)
def test_bad_values_are_refused_next_to_the_field_and_nothing_is_saved(officer_client, changes, message):
    response = officer_client.post(ADD_URL, new_policy_data(**changes))
    assert response.status_code == 200
    page = response.content.decode()
    assert message in page
    assert 'class="errorlist' in page
    assert not BenefitPolicy.objects.filter(year=2036).exists()
    assert not InpatientLevelRule.objects.filter(policy__year=2036).exists()


def test_tiers_typed_out_of_order_on_a_draft_are_refused_and_the_draft_keeps_its_tiers(officer_client, draft):
    before = tiers_of(draft)
    tiers = list(draft.catastrophic_tiers.order_by("pk"))
    swapped = {"catastrophic_tiers-0-upper": str(tiers[1].upper), "catastrophic_tiers-1-upper": str(tiers[0].upper)}
    page = officer_client.post(change_url(draft), form_data(draft, **swapped)).content.decode()
    assert "分段须从小到大填写" in page
    assert tiers_of(draft) == before


def test_a_deleted_tier_does_not_count_in_the_order(officer_client, draft):
    """Deleting the middle tier leaves 100,000 then open: valid."""
    middle = draft.catastrophic_tiers.get(upper=Decimal("200000.00"))
    index = list(draft.catastrophic_tiers.order_by("pk")).index(middle)
    response = officer_client.post(change_url(draft), form_data(draft, **{f"catastrophic_tiers-{index}-DELETE": "on"}))
    assert response.status_code == 302
    assert [upper for upper, _ in tiers_of(draft)] == [Decimal("100000.00"), None]


def test_a_draft_missing_a_hospital_level_cannot_be_published(officer_client, draft):
    draft.inpatient_levels.get(level=3).delete()
    saved = officer_client.post(change_url(draft), form_data(draft, _publish="1", publish_reason="新年度"))
    page = officer_client.get(saved["Location"]).content.decode()  # the publish page lists what to fix first
    assert "请为一级、二级、三级医院各填写一行" in page and "确认发布" not in page
    officer_client.post(saved["Location"].split("?")[0], {"reason": "新年度"})  # and refuses a post anyway
    draft.refresh_from_db()
    assert draft.status == "draft"


# --- publishing, and a published policy is frozen -------------------------------------------------

def test_an_officer_saves_and_publishes_a_draft_from_its_page(officer_client, officer, draft):
    response = confirm_publish(officer_client, officer_client.post(
        change_url(draft), form_data(draft, outpatient_cap="300.00", _publish="1", publish_reason="按新文件")))
    draft.refresh_from_db()
    assert (draft.status, draft.published_by, draft.outpatient_cap) == ("published", officer, Decimal("300.00"))
    assert any("已发布" in m for m in messages_of(response))


def test_a_published_policy_shows_no_inputs_and_a_post_changes_nothing(officer_client):
    policy = published_2022()
    page = officer_client.get(change_url(policy)).content.decode()
    for name in ("outpatient_rate", "catastrophic_tiers-0-rate", "inpatient_levels-0-deductible_adult", "_publish"):
        assert f'name="{name}"' not in page, name
    assert reverse("admin:benefits_benefitpolicy_revise", args=[policy.pk]) in page

    data = form_data(policy, outpatient_rate="0.99", **{"catastrophic_tiers-0-rate": "0.99"})
    assert officer_client.post(change_url(policy), data).status_code == 403
    policy.refresh_from_db()
    assert policy.outpatient_rate == Decimal("0.5000")
    assert not policy.catastrophic_tiers.filter(rate=Decimal("0.99")).exists()


def test_a_published_policy_and_its_parts_cannot_be_deleted(officer_client):
    policy = published_2022()
    delete_url = reverse("admin:benefits_benefitpolicy_delete", args=[policy.pk])
    assert officer_client.get(delete_url).status_code == 403
    assert officer_client.post(delete_url, {"post": "yes"}).status_code == 403
    officer_client.post(CHANGELIST, {"action": "delete_selected", "_selected_action": [policy.pk], "post": "yes"})
    tier = policy.catastrophic_tiers.first()
    tier_delete = reverse("admin:benefits_catastrophictierrule_delete", args=[tier.pk])
    assert officer_client.post(tier_delete, {"post": "yes"}).status_code == 403
    assert BenefitPolicy.objects.filter(pk=policy.pk).exists()
    assert policy.catastrophic_tiers.count() == 3


def test_a_draft_can_be_deleted(officer_client, draft):
    delete_url = reverse("admin:benefits_benefitpolicy_delete", args=[draft.pk])
    assert officer_client.post(delete_url, {"post": "yes"}).status_code == 302
    assert not BenefitPolicy.objects.filter(pk=draft.pk).exists()
    assert not CatastrophicTierRule.objects.filter(policy_id=draft.pk).exists()


# --- revisions ----------------------------------------------------------------------------------

def test_revise_makes_revision_2_a_draft_with_every_part_copied(officer_client):
    first = published_2022()
    response = officer_client.post(reverse("admin:benefits_benefitpolicy_revise", args=[first.pk]),
                                   {"effective_from": "2022-07-01"})
    second = BenefitPolicy.objects.get(year=2022, region__code=ZIBO, revision=2)
    assert response.status_code == 302 and response["Location"] == change_url(second)
    assert (second.status, second.effective_from, second.supersedes) == ("draft", date(2022, 7, 1), first)
    assert second.snapshot() == first.snapshot()

    # The draft revision is edited on the same page and published; estimates for 2022 then use it.
    tier = second.catastrophic_tiers.get(upper=None)
    index = list(second.catastrophic_tiers.order_by("pk")).index(tier)
    confirm_publish(officer_client, officer_client.post(change_url(second), form_data(
        second, **{f"catastrophic_tiers-{index}-rate": "0.75", "_publish": "1", "publish_reason": "大病保险最高档提高到 75%"})))
    second.refresh_from_db()
    assert second.is_published and second.catastrophic_tiers.get(upper=None).rate == Decimal("0.7500")
    assert first.catastrophic_tiers.get(upper=None).rate == Decimal("0.7000")


# --- who may come in ----------------------------------------------------------------------------

def test_a_clerk_cannot_open_the_policy_admin(client, demo_policies, clerk_chezhan):
    clerk_chezhan.is_staff = True  # even a clerk made staff by mistake
    clerk_chezhan.save()
    client.force_login(clerk_chezhan)
    policy = published_2022()
    urls = [
        CHANGELIST, ADD_URL, change_url(policy), reverse("admin:benefits_benefitpolicy_revise", args=[policy.pk]),
        reverse("admin:benefits_benefitpolicy_history", args=[policy.pk]),
        CHANGELIST + "import/", CHANGELIST + "export/", "/admin/benefits/catastrophictierrule/",
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/login/" in response["Location"], url
    response = client.post(ADD_URL, new_policy_data())
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert not BenefitPolicy.objects.filter(year=2036).exists()


def test_the_officer_group_holds_the_policy_permissions(officer):
    for codename in ("add_benefitpolicy", "change_catastrophictierrule", "delete_assistancecategoryrule",
                     "view_inpatientlevelrule"):
        assert officer.has_perm(f"benefits.{codename}"), codename


# --- history ------------------------------------------------------------------------------------

def test_history_records_who_changed_a_draft_and_its_tiers(officer_client, officer, draft):
    tier = draft.catastrophic_tiers.get(upper=None)
    index = list(draft.catastrophic_tiers.order_by("pk")).index(tier)
    officer_client.post(change_url(draft), form_data(draft, notes="改为 75%", **{f"catastrophic_tiers-{index}-rate": "0.75"}))
    latest = draft.history.latest("history_date")
    assert (latest.history_user, latest.notes, latest.history_type) == (officer, "改为 75%", "~")
    tier_change = tier.history.latest("history_date")
    assert (tier_change.history_user, tier_change.rate) == (officer, Decimal("0.7500"))
    page = officer_client.get(reverse("admin:benefits_benefitpolicy_history", args=[draft.pk])).content.decode()
    assert officer.username in page


# --- import and export --------------------------------------------------------------------------

RESOURCES = {
    "policy": (BenefitPolicyResource, BenefitPolicy, "year"),
    "levels": (InpatientLevelRuleResource, InpatientLevelRule, "policy__year"),
    "tiers": (CatastrophicTierRuleResource, CatastrophicTierRule, "policy__year"),
    "categories": (AssistanceCategoryRuleResource, AssistanceCategoryRule, "policy__year"),
    "diseases": (ChronicDiseaseResource, ChronicDisease, "policy__year"),
}


def exported(kind: str, year: int, *, as_downloaded: bool = False) -> tablib.Dataset:
    """The export of ``kind``; its columns by their names unless ``as_downloaded`` (Chinese headers)."""
    resource_class, model, lookup = RESOURCES[kind]
    resource = resource_class()
    dataset = resource.export(model.objects.filter(**{lookup: year}))
    if not as_downloaded:
        names = {resource.column_label(field): field.column_name for field in resource.get_export_fields()}
        dataset.headers = [names[header] for header in dataset.headers]
    return dataset


def moved_to(dataset: tablib.Dataset, year: int) -> tablib.Dataset:
    """The same rows for another year, without the export-only columns."""
    keep = [h for h in dataset.headers if h not in ("status", "published_at", "published_by")]
    rows = [[year if h == "year" else row[dataset.headers.index(h)] for h in keep] for row in dataset]
    return tablib.Dataset(*rows, headers=keep)


def test_export_then_import_round_trips_a_whole_policy(draft):
    policy_rows = exported("policy", 2035)
    row = dict(zip(policy_rows.headers, policy_rows[0]))
    assert (row["year"], row["region_code"], row["revision"], row["status"]) == (2035, "370300", 1, "草稿")
    assert (row["outpatient_rate"], row["basic_annual_cap"], row["poorest_uncapped"]) == (
        Decimal("0.50"), Decimal("200000.00"), "是")
    tiers = exported("tiers", 2035)
    assert tiers.headers == ["year", "region_code", "revision", "upper", "rate"]
    assert (2035, "370300", "1", "", Decimal("0.70")) in list(tiers)

    for kind in ("policy", "levels", "tiers", "categories", "diseases"):
        result = RESOURCES[kind][0]().import_data(moved_to(exported(kind, 2035), 2036), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), (
            kind, [r.error_dict for r in result.invalid_rows],
        )
    copy = BenefitPolicy.objects.get(year=2036)
    assert copy.status == "draft"
    assert copy.snapshot() == draft.snapshot()


def test_an_unchanged_export_of_a_published_policy_imports_as_skipped(demo_policies):
    for kind in ("policy", "tiers"):
        result = RESOURCES[kind][0]().import_data(exported(kind, 2022), dry_run=False)
        assert not result.has_errors() and not result.has_validation_errors(), kind


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("outpatient_rate", "1.5", "须为 0 到 1 之间的小数"),
        ("outpatient_rate", "七成", "须为 0 到 1 之间的小数"),
        ("catastrophic_cap", "-100", "须为不小于 0 的金额"),
        ("poorest_uncapped", "也许", "须填“是”或“否”"),
    ],
)
def test_a_bad_policy_row_commits_nothing_not_even_the_good_rows(draft, column, value, message):
    good = moved_to(exported("policy", 2035), 2036)
    bad = moved_to(exported("policy", 2035), 2037)
    bad[0] = tuple(value if h == column else v for h, v in zip(bad.headers, bad[0]))
    both = tablib.Dataset(good[0], bad[0], headers=good.headers)
    result = BenefitPolicyResource().import_data(both, dry_run=False)
    errors = [str(e) for r in result.invalid_rows for e in r.error_dict.values()]
    assert any(message in text for text in errors), errors
    assert not BenefitPolicy.objects.filter(year__in=[2036, 2037]).exists()


def test_a_bad_tier_row_commits_nothing(draft):
    tiers = moved_to(exported("tiers", 2035), 2035)
    rows = [list(row) for row in tiers]
    rows[0][tiers.headers.index("rate")] = "0.61"  # a valid change
    rows[1][tiers.headers.index("upper")] = "0"  # a tier ending at 0
    result = CatastrophicTierRuleResource().import_data(tablib.Dataset(*rows, headers=tiers.headers), dry_run=False)
    errors = [str(e) for r in result.invalid_rows for e in r.error_dict.values()]
    assert any("分段上限须大于 0" in text for text in errors), errors
    assert not draft.catastrophic_tiers.filter(rate=Decimal("0.61")).exists()
    assert not draft.catastrophic_tiers.filter(upper=0).exists()


def test_a_rate_written_as_a_percentage_is_read_as_a_fraction(draft):
    levels = moved_to(exported("levels", 2035), 2035)
    rows = [list(row) for row in levels]
    rows[0][levels.headers.index("rate")] = "88%"
    result = InpatientLevelRuleResource().import_data(tablib.Dataset(*rows, headers=levels.headers), dry_run=False)
    assert not result.has_validation_errors(), [r.error_dict for r in result.invalid_rows]
    assert draft.inpatient_levels.get(level=int(rows[0][levels.headers.index("level")])).rate == Decimal("0.8800")


def test_a_tier_row_of_a_published_policy_is_refused_in_the_admin_import(officer_client):
    url = "/admin/benefits/catastrophictierrule/import/"
    choices = {label: value for value, label in officer_client.get(url).context["form"].fields["format"].choices}
    content = tablib.Dataset([2022, "370300", 1, "100000.00", "0.99"], headers=["year", "region_code", "revision", "upper", "rate"])
    upload = SimpleUploadedFile("tiers.csv", content.export("csv").encode("utf-8"), content_type="text/csv")
    response = officer_client.post(url, {"resource": "0", "format": choices["csv"], "import_file": upload})
    assert response.context.get("confirm_form") is None
    assert "第 1 版已发布，它的明细不能通过导入修改" in response.content.decode()
    assert published_2022().catastrophic_tiers.get(upper=Decimal("100000.00")).rate == Decimal("0.6000")


def test_a_downloaded_export_has_chinese_headers_and_imports_back_as_it_is(draft):
    downloaded = exported("policy", 2035, as_downloaded=True)
    assert downloaded.headers[:3] == ["年度", "统筹区代码", "修订版次"] and "普通门诊统筹 支付比例" in downloaded.headers
    assert not [header for header in downloaded.headers if header.isascii()]
    rows = [list(row) for row in downloaded]
    rows[0][downloaded.headers.index("普通门诊统筹 支付比例")] = "0.55"
    result = BenefitPolicyResource().import_data(tablib.Dataset(*rows, headers=downloaded.headers), dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    draft.refresh_from_db()
    assert draft.outpatient_rate == Decimal("0.5500")


def test_the_admin_export_downloads_the_policy_as_csv(officer_client):
    url = CHANGELIST + "export/"
    form = officer_client.get(url).context["form"]
    csv_format = next(value for value, label in form.fields["format"].choices if label == "csv")
    data = {"format": csv_format, "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("benefitpolicyresource_")})
    response = officer_client.post(url, data)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("年度,统筹区代码,修订版次,")
    assert any(line.startswith("2022,370300,1,") for line in lines[1:])


def test_an_xlsx_export_with_typed_cells_imports_back_as_it_is(draft):
    from portal.spreadsheets.admin_forms import LimitedXLSX, TypedXLSX

    for kind in ("policy", "levels", "tiers", "categories", "diseases"):
        workbook = TypedXLSX().export_data(exported(kind, 2035, as_downloaded=True))
        dataset = LimitedXLSX().create_dataset(workbook)
        result = RESOURCES[kind][0]().import_data(dataset, dry_run=True)
        assert not result.has_errors() and not result.has_validation_errors(), (
            kind, [r.error_dict for r in result.invalid_rows])
