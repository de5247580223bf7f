"""Demo benefit policy of 淄博市 (370300), DESIGN.md section 7.

Figures from the seeds are cited; the others are plausible examples that officers replace with
their own. ``load_demo`` writes database rows from these snapshots and tests compute with them.
"""

from decimal import Decimal

from benefits.policy import (
    AssistanceRule,
    BenefitPolicySnapshot,
    CatastrophicTier,
    InpatientLevel,
    ReassistanceRule,
)
from portal.shared.vocabulary import AssistanceCategory

DEMO_REGION = "370300"


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
    )


def demo_policy_2021() -> BenefitPolicySnapshot:
    """DESIGN.md section 7: the 2021 policy reuses the 2022 figures."""
    return demo_policy_2022()


def load() -> dict[str, int]:
    """Write and publish the demo policies of 淄博市 (idempotent), for load_demo."""
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
        2021: "演示政策：沿用 2022 年度数值。",
        2022: "演示政策：带 * 的数值来自山东省 2022 年政策（见政策文件）；其余为示例，请按本地文件修改。",
    }
    with transaction.atomic():
        for year, snapshot in ((2021, demo_policy_2021()), (2022, demo_policy_2022())):
            if BenefitPolicy.objects.filter(year=year, region=city).exists():
                continue
            policy = policy_create_from_snapshot(snapshot=snapshot, year=year, region=city, notes=notes[year])
            published = standard_publish(standard=policy, officer=officer)
            BenefitPolicy.objects.filter(pk=published.pk).update(
                published_at=datetime(year - 1, 12, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
            )
    return {"policies": BenefitPolicy.objects.filter(region=city).count()}
