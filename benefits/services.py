"""Finding the policy in force and estimating with it; writing a policy from a snapshot."""

from datetime import date
from functools import lru_cache

from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction

from benefits.models import (
    AssistanceCategoryRule,
    BenefitPolicy,
    CatastrophicTierRule,
    ChronicDisease,
    InpatientLevelRule,
)
from benefits.policy import format_rate
from benefits.rules import BenefitPolicySnapshot, Estimate, Visit, estimate
from portal.network.codes import RegionCodeError, normalize_code, pooling_region_code
from portal.network.models import Region
from portal.shared.vocabulary import AssistanceCategory, Category, Place


class PolicyNotFound(ObjectDoesNotExist):
    """No published policy for the year and region; the message says so in Chinese."""


class DiseaseNotListed(ValueError):
    """A visit names a chronic disease that is not on the year's list: ``index`` is the visit's
    place in the list given, ``message`` says which list it is and what is on it (Chinese)."""

    def __init__(self, index: int, message: str) -> None:
        super().__init__(message)
        self.index, self.message = index, message


# How long a policy lookup is remembered: a newly published revision is used within a minute.
POLICY_CACHE_SECONDS = 60


def policy_in_force(*, year: int, region_code: str, on: date | None = None) -> BenefitPolicy:
    """The published policy of the pooling region that ``region_code`` lies in (any depth)."""
    try:
        city_code = pooling_region_code(normalize_code(region_code))
    except RegionCodeError as error:
        raise PolicyNotFound(str(error)) from error
    city = Region.objects.filter(code=city_code).first()
    if city is None:
        raise PolicyNotFound(f"没有区划代码为 {region_code} 的统筹区。")
    # Estimates are about a coverage year as a whole: the revision in force at its end.
    policy = BenefitPolicy.objects.in_force(year=year, region=city, on=on or date(year, 12, 31))
    if policy is None:
        published = sorted(set(BenefitPolicy.objects.published().filter(region=city).values_list("year", flat=True)),
                           reverse=True)
        known = f"已发布的年度：{'、'.join(map(str, published))}。" if published else "还没有发布过任何年度。"
        raise PolicyNotFound(f"{city.name} {year} 年度还没有发布待遇政策；{known}")
    return policy


def estimate_for(
    *, year: int, region_code: str, category: Category, assistance: AssistanceCategory | None, visits: list[Visit]
) -> tuple[BenefitPolicy, Estimate]:
    policy, snapshot = _policy_and_snapshot(year, region_code)
    for index, visit in enumerate(visits):
        if visit.disease is not None and visit.disease not in snapshot.chronic_diseases:
            raise DiseaseNotListed(index, _not_listed(policy, snapshot, visit.disease))
    return policy, estimate(snapshot, category=category, assistance=assistance, visits=visits)


def _not_listed(policy: BenefitPolicy, snapshot: BenefitPolicySnapshot, code: str) -> str:
    head = f"{policy.region.name} {policy.year} 年度门诊慢特病病种目录中没有编码为“{code}”的病种"
    if not snapshot.chronic_diseases:
        return f"{head}（本年度没有病种目录），请不填病种。"
    listed = "、".join(f"{rule.code} {rule.name}" for rule in snapshot.chronic_diseases.values())
    return f"{head}；目录中的病种：{listed}。"


def disease_choices(*, year: int, region_code: str) -> list[tuple[str, str]]:
    """(code, label) of each disease on the list of the published policy of (year, region), with
    its own terms where they differ from the general chronic rule; [] when there is no policy."""
    try:
        _, snapshot = _policy_and_snapshot(year, region_code)
    except PolicyNotFound:
        return []
    return [(rule.code, disease_label(rule)) for rule in snapshot.chronic_diseases.values()]


def disease_label(rule) -> str:
    """"M00401 恶性肿瘤门诊放化疗（起付线 0.00 元，75%）" of a ChronicDiseaseRule or ChronicDisease."""
    terms = []
    if rule.deductible is not None:
        terms.append(f"起付线 {rule.deductible} 元")
    if rule.rate is not None:
        terms.append(format_rate(rule.rate))
    return f"{rule.code} {rule.name}" + (f"（{'，'.join(terms)}）" if terms else "")


def _policy_and_snapshot(year: int, region_code: str) -> tuple[BenefitPolicy, BenefitPolicySnapshot]:
    """The policy in force and its snapshot, remembered for a minute: every estimate needs them,
    and building them takes six queries. Published revisions never change, so a snapshot is
    kept per revision for the life of the process."""

    def in_force() -> tuple[int, object]:
        policy = policy_in_force(year=year, region_code=region_code)
        return policy.pk, policy.published_at

    key = f"benefits:policy-in-force:{year}:{region_code}"
    return _published_policy(*cache.get_or_set(key, in_force, POLICY_CACHE_SECONDS))


@lru_cache(maxsize=64)
def _published_policy(policy_id: int, published_at) -> tuple[BenefitPolicy, BenefitPolicySnapshot]:
    # Keyed by the publication time too, so that a reused id can never return another policy.
    policy = BenefitPolicy.objects.published().select_related("region").get(pk=policy_id, published_at=published_at)
    return policy, policy.snapshot()


@transaction.atomic
def policy_create_from_snapshot(
    *, snapshot: BenefitPolicySnapshot, year: int, region: Region, notes: str = "",
    disease_documents: dict[str, str] | None = None,
) -> BenefitPolicy:
    """A draft policy holding exactly the snapshot's parameters (demo data, imports, tests). The
    snapshot has no documents of its chronic diseases (the engine needs none): they come from
    ``disease_documents`` by code."""
    first, second, later = (snapshot.admission_factors + (snapshot.admission_factors[-1],) * 3)[:3]
    lump = snapshot.maternity_lump_sums
    policy = BenefitPolicy.objects.create(
        year=year, region=region, notes=notes,
        first_admission_factor=first, second_admission_factor=second, later_admission_factor=later,
        basic_annual_cap=snapshot.basic_annual_cap,
        outpatient_deductible=snapshot.outpatient_deductible, outpatient_rate=snapshot.outpatient_rate,
        outpatient_cap=snapshot.outpatient_cap,
        two_diseases_rate=snapshot.two_diseases_rate, two_diseases_cap=snapshot.two_diseases_cap,
        chronic_deductible=snapshot.chronic_deductible, chronic_rate=snapshot.chronic_rate,
        maternity_first=lump[0], maternity_second=lump[min(1, len(lump) - 1)], maternity_third=lump[min(2, len(lump) - 1)],
        catastrophic_deductible=snapshot.catastrophic_deductible, catastrophic_cap=snapshot.catastrophic_cap,
        poorest_deductible_factor=snapshot.poorest_deductible_factor,
        poorest_rate_bonus=snapshot.poorest_rate_bonus, poorest_uncapped=snapshot.poorest_uncapped,
        reassistance_threshold=snapshot.reassistance.threshold if snapshot.reassistance else 0,
        reassistance_rate=snapshot.reassistance.rate if snapshot.reassistance else 0,
        reassistance_cap=snapshot.reassistance.cap if snapshot.reassistance else 0,
        outside_filed_reduction=snapshot.reduction_for(Place.OUTSIDE_FILED),
        outside_unfiled_reduction=snapshot.reduction_for(Place.OUTSIDE_UNFILED),
    )
    for level in snapshot.inpatient_levels:
        InpatientLevelRule.objects.create(
            policy=policy, level=level.level, deductible_adult=level.deductible_adult,
            deductible_student_child=level.deductible_student_child, rate=level.rate,
        )
    for tier in snapshot.catastrophic_tiers:
        CatastrophicTierRule.objects.create(policy=policy, upper=tier.upper, rate=tier.rate)
    eligible = snapshot.reassistance.categories if snapshot.reassistance else frozenset()
    for category, rule in snapshot.assistance_rules.items():
        AssistanceCategoryRule.objects.create(
            policy=policy, category=category.value,
            inpatient_deductible_exempt=category in snapshot.deductible_exempt_categories,
            catastrophic_preferential=category in snapshot.poorest_categories,
            assistance_deductible=rule.deductible, assistance_rate=rule.rate, assistance_cap=rule.cap,
            reassistance_eligible=category in eligible,
        )
    documents = disease_documents or {}
    for rule in snapshot.chronic_diseases.values():
        ChronicDisease.objects.create(
            policy=policy, code=rule.code, name=rule.name, deductible=rule.deductible, rate=rule.rate,
            documents=documents.get(rule.code, "二级及以上医院诊断证明"),
        )
    return policy
