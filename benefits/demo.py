"""Demo benefit policy of 淄博市 (370300), DESIGN.md section 7.

Figures from the seeds are cited; the others are plausible examples that officers replace with
their own. ``load_demo`` writes database rows from these snapshots and tests compute with them.
"""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

from benefits.policy import (
    AssistanceRule,
    BenefitPolicySnapshot,
    CatastrophicTier,
    ChronicDiseaseRule,
    InpatientLevel,
    ReassistanceRule,
)
from portal.shared.vocabulary import POOREST_ASSISTANCE_CATEGORIES, AssistanceCategory, Place

DEMO_REGION = "370300"

# 转外就医调减比例 (seed 002 names the reduction, not its size): demonstration values, the same
# for every demo year and said so in the policies' notes.
OUTSIDE_FILED_REDUCTION = Decimal("0.05")
OUTSIDE_UNFILED_REDUCTION = Decimal("0.20")

# A demonstration list of outpatient chronic and special diseases (门诊慢特病). Seed 000 unifies the
# province's list and its recognition criteria, seed 004 counts 48 diseases; neither gives codes
# or terms, so these codes, names and figures are examples, not the province's. (code, name,
# own annual deductible or None for the general one, own ratio or None, documents needed)
DEMO_CHRONIC_DISEASES = (
    ("M00101", "高血压（高危）", None, None,
     "二级及以上医院诊断证明\n近一年内三次非同日血压测量记录\n心电图或超声心动图报告"),
    ("M00201", "糖尿病", None, None,
     "二级及以上医院诊断证明\n糖化血红蛋白或空腹血糖化验单"),
    ("M00301", "慢性肾功能衰竭（透析）", None, Decimal("0.80"),
     "二级及以上医院诊断证明\n肾功能化验单\n透析治疗记录"),
    ("M00401", "恶性肿瘤门诊放化疗", Decimal("0.00"), Decimal("0.75"),
     "二级及以上医院诊断证明\n病理或影像学检查报告\n放化疗治疗方案"),
    ("M00501", "慢性心力衰竭", None, None,
     "二级及以上医院诊断证明\n超声心动图报告（射血分数）\n近一年住院病历首页"),
)
CHRONIC_DISEASE_DOCUMENTS = {code: documents for code, _, _, _, documents in DEMO_CHRONIC_DISEASES}
DEMO_NOTE = (
    "异地就医基本医保支付比例降低（已备案 5 个百分点、未备案 20 个百分点）为演示值；"
    "门诊慢特病病种为演示目录，编码和待遇均为示例，并非全省统一病种目录（政策文件 000 统一全省病种和"
    "认定标准，政策文件 004 载明共 48 个病种），请按本地文件修改。"
)


def demo_policy_2022() -> BenefitPolicySnapshot:
    # Seed 004 (2022 review): no assistance deductible, >= 70%, annual cap 30,000 for the poorest
    # three; 50% above 3,000 for the other two; re-assistance >= 70% up to 20,000.
    poorest_rule = AssistanceRule(deductible=Decimal("0.00"), rate=Decimal("0.70"), cap=Decimal("30000.00"))
    edge_rule = AssistanceRule(deductible=Decimal("3000.00"), rate=Decimal("0.50"), cap=Decimal("30000.00"))
    return BenefitPolicySnapshot(
        inpatient_levels=(
            InpatientLevel(1, Decimal("100.00"), Decimal("100.00"), Decimal("0.85")),
            InpatientLevel(2, Decimal("300.00"), Decimal("100.00"), Decimal("0.70")),
            InpatientLevel(3, Decimal("700.00"), Decimal("100.00"), Decimal("0.60")),
        ),
        admission_factors=(Decimal("1"), Decimal("0.5"), Decimal("0")),
        deductible_exempt_categories=frozenset(
            {AssistanceCategory.EXTREME_POVERTY, AssistanceCategory.MINIMUM_LIVING}
        ),
        basic_annual_cap=Decimal("200000.00"),
        # Seed 004: 居民普通门诊 报销比例不低于50%，封顶线不低于200元.
        outpatient_deductible=Decimal("50.00"),
        outpatient_rate=Decimal("0.50"),
        outpatient_cap=Decimal("200.00"),
        # Seed 004: 高血压、糖尿病门诊用药 报销比例由50%提高到60%.
        two_diseases_rate=Decimal("0.60"),
        two_diseases_cap=Decimal("500.00"),
        chronic_deductible=Decimal("500.00"),
        chronic_rate=Decimal("0.65"),
        # Seed 004: 二孩住院分娩 医保支付不低于1500元、三孩不低于3000元.
        maternity_lump_sums=(Decimal("1000.00"), Decimal("1500.00"), Decimal("3000.00")),
        catastrophic_deductible=Decimal("15000.00"),
        catastrophic_tiers=(
            CatastrophicTier(Decimal("100000.00"), Decimal("0.60")),
            CatastrophicTier(Decimal("200000.00"), Decimal("0.65")),
            CatastrophicTier(None, Decimal("0.70")),
        ),
        catastrophic_cap=Decimal("400000.00"),
        assistance_rules={
            AssistanceCategory.EXTREME_POVERTY: poorest_rule,
            AssistanceCategory.MINIMUM_LIVING: poorest_rule,
            AssistanceCategory.RETURNED_TO_POVERTY: poorest_rule,
            AssistanceCategory.LOW_INCOME_EDGE: edge_rule,
            AssistanceCategory.MONITORED: edge_rule,
        },
        reassistance=ReassistanceRule(
            categories=frozenset(AssistanceCategory),
            threshold=Decimal("5000.00"),
            rate=Decimal("0.70"),
            cap=Decimal("20000.00"),
        ),
        # Seed 004: 特困人员、低保对象、返贫致贫人口 大病保险起付线降低50%，分段报销比例提高
        # 5个百分点，取消封顶线.
        poorest_deductible_factor=Decimal("0.5"),
        poorest_rate_bonus=Decimal("0.05"),
        poorest_uncapped=True,
        outside_reductions={Place.OUTSIDE_FILED: OUTSIDE_FILED_REDUCTION, Place.OUTSIDE_UNFILED: OUTSIDE_UNFILED_REDUCTION},
        chronic_diseases={
            code: ChronicDiseaseRule(code, name, deductible, rate)
            for code, name, deductible, rate, _ in DEMO_CHRONIC_DISEASES
        },
    )


# Seed 004 (the 2022 review) dates two of 2022's figures as raises made that year, so 2021 had
# the figures before them.
NOTES_2021 = (
    "演示政策：沿用 2022 年度数值，以下两项按 2022 年提高前的标准（见政策文件 004）："
    "“居民高血压、糖尿病门诊用药政策范围内报销比例由50%提高到60%”，2021 年度为 50%；"
    "对特困人员、低保对象、返贫致贫人口，“年度救助限额由不低于1万元提高到不低于3万元”，"
    "2021 年度为 1 万元。" + DEMO_NOTE
)
TWO_DISEASES_RATE_2021 = Decimal("0.50")
POOREST_ASSISTANCE_CAP_2021 = Decimal("10000.00")
POOREST_CODES = sorted(category.value for category in POOREST_ASSISTANCE_CATEGORIES)


def demo_policy_2021() -> BenefitPolicySnapshot:
    """DESIGN.md section 7: 2022's policy but for the two-diseases rate and the poorest three
    categories' annual assistance cap, which seed 004 dates as raised in 2022."""
    policy = demo_policy_2022()
    rules = {
        category: replace(rule, cap=POOREST_ASSISTANCE_CAP_2021) if category in POOREST_ASSISTANCE_CATEGORIES else rule
        for category, rule in policy.assistance_rules.items()
    }
    return replace(policy, two_diseases_rate=TWO_DISEASES_RATE_2021, assistance_rules=rules)


def load() -> dict[str, int]:
    """Write and publish the demo policies of 淄博市 (idempotent), for load_demo. A 2021 policy
    published before it had 2021's own figures gets them in a new revision."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from django.contrib.auth.models import User
    from django.db import transaction

    from benefits.models import BenefitPolicy
    from benefits.services import policy_create_from_snapshot
    from portal.network.models import Region
    from portal.standards.versioned import standard_publish

    city = Region.objects.get(code=DEMO_REGION.ljust(12, "0"))
    officer = User.objects.filter(username="officer").first()
    notes = {
        2021: NOTES_2021,
        2022: "演示政策：带 * 的数值来自山东省 2022 年政策（见政策文件）；其余为示例，请按本地文件修改。" + DEMO_NOTE,
    }
    with transaction.atomic():
        for year, snapshot in ((2021, demo_policy_2021()), (2022, demo_policy_2022())):
            if BenefitPolicy.objects.filter(year=year, region=city).exists():
                continue
            policy = policy_create_from_snapshot(snapshot=snapshot, year=year, region=city, notes=notes[year],
                                                 disease_documents=CHRONIC_DISEASE_DOCUMENTS)
            published = standard_publish(standard=policy, officer=officer)
            BenefitPolicy.objects.filter(pk=published.pk).update(
                published_at=datetime(year - 1, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
            )
        _revise_2021_to_its_own_figures(city, officer)
    return {"policies": BenefitPolicy.objects.filter(region=city).count()}


def _revise_2021_to_its_own_figures(city, officer) -> None:
    """Databases loaded before 2021 had its own figures hold a 2021 policy with 2022's: publish a
    revision from the start of 2021 with the two figures of 2021 and the reason."""
    from benefits.models import BenefitPolicy
    from portal.standards.versioned import standard_publish, standard_revise

    in_force = BenefitPolicy.objects.in_force(year=2021, region=city, on=date(2021, 12, 31))
    if in_force is None:
        return
    caps = in_force.category_rules.filter(category__in=POOREST_CODES).values_list("assistance_cap", flat=True)
    if in_force.two_diseases_rate == TWO_DISEASES_RATE_2021 and all(cap == POOREST_ASSISTANCE_CAP_2021 for cap in caps):
        return
    # From the start of the year; a revision published since then is succeeded the day after it.
    start = date(2021, 1, 1) if in_force.effective_from is None else in_force.effective_from + timedelta(days=1)
    draft = standard_revise(standard=in_force, effective_from=start)
    draft.two_diseases_rate = TWO_DISEASES_RATE_2021
    draft.notes = f"修订原因：{NOTES_2021}"
    draft.save()
    draft.category_rules.filter(category__in=POOREST_CODES).update(assistance_cap=POOREST_ASSISTANCE_CAP_2021)
    standard_publish(standard=draft, officer=officer, reason="2021 年度按 2022 年提高前的标准（政策文件 004）")
