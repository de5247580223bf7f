"""The insurance year as a cycle: a year started from the last as drafts (portal/standards/cycle.py,
``start_year``), and publishing checked so that a copied year cannot go out half-made."""

import io
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from assistance.models import AlertThreshold
from benefits.models import BenefitPolicy
from enrollment.models import AssistanceSubsidy, ContributionStandard
from portal.network.models import Region
from portal.shared.vocabulary import AssistanceCategory
from portal.standards.cycle import moved, year_start
from portal.standards.versioned import standard_publish
from tests.publishing import confirm_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def zibo(demo, demo_policies) -> Region:
    region = Region.objects.get(code="370300000000")
    AlertThreshold.objects.get_or_create(year=2022, region=region,
                                         defaults={"for_assistance": Decimal("5000"), "for_others": Decimal("30000")})
    return region


def test_a_year_is_started_from_the_last_as_drafts_with_every_part_and_dates_moved(zibo):
    started = year_start(region=zibo, source_year=2022, year=2023)
    assert len(started.made) == 3
    standard = ContributionStandard.objects.get(year=2023, region=zibo)
    assert standard.status == "draft" and standard.revision == 1
    assert (standard.window_start, standard.window_end) == (date(2022, 9, 1), date(2022, 12, 31))
    assert standard.contribution_adult == Decimal("410.00") and standard.subsidies.count() == 5
    policy = BenefitPolicy.objects.get(year=2023, region=zibo)
    source = BenefitPolicy.objects.published().get(year=2022, region=zibo)
    assert policy.status == "draft"
    assert policy.inpatient_levels.count() == source.inpatient_levels.count() == 3
    assert policy.catastrophic_tiers.count() == source.catastrophic_tiers.count()
    assert policy.category_rules.count() == source.category_rules.count()
    assert policy.reassistance_threshold == source.reassistance_threshold
    assert AlertThreshold.objects.get(year=2023, region=zibo).for_assistance == Decimal("5000")
    # The source year is untouched.
    assert ContributionStandard.objects.published().filter(year=2022, region=zibo).count() == 1


def test_a_dry_run_writes_nothing(zibo):
    started = year_start(region=zibo, source_year=2022, year=2023, dry_run=True)
    assert started.dry_run and len(started.made) == 3
    assert not ContributionStandard.objects.filter(year=2023).exists()
    assert not BenefitPolicy.objects.filter(year=2023).exists()


def test_starting_a_year_that_has_settings_is_refused_naming_them(zibo):
    year_start(region=zibo, source_year=2022, year=2023)
    with pytest.raises(ValidationError, match="2023 年度已经有：个人缴费标准 淄博市 2023 年度（第 1 版，草稿）"):
        year_start(region=zibo, source_year=2022, year=2023)


def test_a_source_year_without_a_published_standard_is_refused(zibo):
    with pytest.raises(ValidationError, match="2019 年度没有已发布的个人缴费标准"):
        year_start(region=zibo, source_year=2019, year=2020)
    assert not ContributionStandard.objects.filter(year=2020).exists()


def test_the_command_starts_a_year_and_says_what_it_made(zibo):
    out = io.StringIO()
    call_command("start_year", "--region", "370300", "--from", "2022", "--to", "2023", "--dry-run", stdout=out)
    assert "预演" in out.getvalue() and not ContributionStandard.objects.filter(year=2023).exists()
    call_command("start_year", "--region", "370300", "--from", "2022", "--to", "2023", stdout=out)
    assert "已新建 2023 年度草稿 3 项" in out.getvalue()
    with pytest.raises(CommandError, match="已经有"):
        call_command("start_year", "--region", "370300", "--from", "2022", "--to", "2023", stdout=out)


def test_29_february_moves_to_the_28th():
    assert moved(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert moved(date(2023, 9, 1), 1) == date(2024, 9, 1)


# -- Publishing is checked -------------------------------------------------------------------

@pytest.fixture
def draft_2023(zibo, officer) -> ContributionStandard:
    year_start(region=zibo, source_year=2022, year=2023)
    return ContributionStandard.objects.get(year=2023, region=zibo)


def test_a_started_year_publishes_and_says_it_is_published(draft_2023, officer):
    published = standard_publish(standard=draft_2023, officer=officer, reason="2023 年度文件")
    assert published.is_published and "已发布" in str(published)


def test_a_standard_missing_a_subsidy_row_is_refused(draft_2023, officer):
    AssistanceSubsidy.objects.filter(standard=draft_2023, category=AssistanceCategory.EXTREME_POVERTY).delete()
    with pytest.raises(ValidationError, match="缺少这些困难类别的资助参保标准：特困人员"):
        standard_publish(standard=draft_2023, officer=officer)
    assert not ContributionStandard.objects.get(pk=draft_2023.pk).is_published


def test_a_zero_subsidy_row_is_a_row(draft_2023, officer):
    AssistanceSubsidy.objects.filter(standard=draft_2023, category="monitored").update(amount=Decimal("0.00"))
    assert standard_publish(standard=draft_2023, officer=officer).is_published


def test_a_window_left_in_an_old_year_is_refused(draft_2023, officer):
    ContributionStandard.objects.filter(pk=draft_2023.pk).update(window_start=date(2020, 9, 1),
                                                                  window_end=date(2020, 12, 31))
    with pytest.raises(ValidationError, match="早于 2022-01-01"):
        standard_publish(standard=draft_2023, officer=officer)


def test_a_window_ending_after_the_year_is_refused(draft_2023, officer):
    ContributionStandard.objects.filter(pk=draft_2023.pk).update(window_end=date(2024, 1, 31))
    with pytest.raises(ValidationError, match="集中缴费期必须在 2023 年度结束"):
        standard_publish(standard=draft_2023, officer=officer)


def test_a_standard_below_the_provinces_floor_is_refused(zibo, officer):
    from enrollment.models import ContributionFloor

    floor = ContributionFloor.objects.get(year=2022)
    assert floor.fiscal_subsidy == Decimal("610.00") and floor.personal_contribution == Decimal("350.00")
    ContributionFloor.objects.create(year=2023, province=floor.province, fiscal_subsidy=Decimal("640.00"),
                                     personal_contribution=Decimal("380.00"), source="鲁医保发〔2023〕")
    year_start(region=zibo, source_year=2022, year=2023)
    draft = ContributionStandard.objects.get(year=2023, region=zibo)  # 610 元 and (410 + 310) / 2 = 360 元
    with pytest.raises(ValidationError, match="人均财政补助 610.00 元低于全省最低 640.00 元.*360.00 元低于全省最低 380.00 元"):
        standard_publish(standard=draft, officer=officer)


def test_a_policy_before_its_years_contribution_standard_is_refused(draft_2023, officer):
    policy = BenefitPolicy.objects.get(year=2023)
    with pytest.raises(ValidationError, match="2023 年度还没有发布个人缴费标准"):
        standard_publish(standard=policy, officer=officer)
    standard_publish(standard=draft_2023, officer=officer)
    assert standard_publish(standard=policy, officer=officer).is_published


# -- The officers' pages ---------------------------------------------------------------------

def test_the_admin_starts_the_next_year_from_a_published_standard(zibo, officer_client):
    source = ContributionStandard.objects.published().get(year=2022, region=zibo)
    url = f"/admin/enrollment/contributionstandard/{source.pk}/start-year/"
    page = officer_client.get(url)
    html = page.content.decode()
    assert page.status_code == 200 and 'value="2023"' in html and 'value="2022-09-01"' in html
    assert "将新建" in html and "个人缴费标准 淄博市 2023 年度（第 1 版，草稿）" in html
    assert not ContributionStandard.objects.filter(year=2023).exists()  # looking writes nothing
    done = officer_client.post(url, {"year": "2023", "window_start": "2022-09-15", "window_end": "2022-12-20"})
    assert done.status_code == 302 and done["Location"].endswith("?year=2023")
    draft = ContributionStandard.objects.get(year=2023, region=zibo)
    assert (draft.window_start, draft.window_end) == (date(2022, 9, 15), date(2022, 12, 20))
    assert BenefitPolicy.objects.filter(year=2023, status="draft").count() == 1
    again = officer_client.post(url, {"year": "2023", "window_start": "2022-09-15", "window_end": "2022-12-20"})
    assert again.status_code == 200 and "2023 年度已经有" in again.content.decode()


def test_publishing_shows_what_changes_from_the_year_before_then_publishes(draft_2023, officer_client):
    ContributionStandard.objects.filter(pk=draft_2023.pk).update(contribution_adult=Decimal("430.00"))
    chosen = officer_client.post("/admin/enrollment/contributionstandard/", {
        "action": "publish_selected", "_selected_action": [draft_2023.pk], "reason": "2023 年度文件", "index": 0,
    })
    page = officer_client.get(chosen["Location"]).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "成年居民个人缴费 410.00 430.00" in text and "集中缴费期开始 2021-09-01 2022-09-01" in text
    assert "学生儿童个人缴费" not in text  # unchanged amounts are not listed
    assert not ContributionStandard.objects.get(pk=draft_2023.pk).is_published  # looking publishes nothing
    response = confirm_publish(officer_client, chosen)
    html = response.content.decode()
    assert "已发布 淄博市 2023 年度（第 1 版，已发布）" in re.sub(r"<[^>]+>", "", html)
    assert ContributionStandard.objects.get(pk=draft_2023.pk).is_published


def test_several_drafts_are_published_one_at_a_time(draft_2023, officer_client):
    policy = BenefitPolicy.objects.get(year=2023)
    response = officer_client.post("/admin/benefits/benefitpolicy/", {
        "action": "publish_selected", "_selected_action": [policy.pk, BenefitPolicy.objects.get(year=2022).pk,
                                                           *BenefitPolicy.objects.filter(year=2021).values_list("pk", flat=True)],
        "reason": "x", "index": 0,
    }, follow=True)
    # One draft among published ones is one to publish; two drafts are refused together.
    assert response.status_code == 200
    other = BenefitPolicy.objects.create(**{f.name: getattr(policy, f.name) for f in BenefitPolicy._meta.concrete_fields
                                            if f.name not in ("id", "year")}, year=2024)
    response = officer_client.post("/admin/benefits/benefitpolicy/", {
        "action": "publish_selected", "_selected_action": [policy.pk, other.pk], "reason": "x", "index": 0,
    }, follow=True)
    assert "请一次选择一个草稿发布" in response.content.decode()
    assert not BenefitPolicy.objects.filter(pk__in=[policy.pk, other.pk], status="published").exists()
