"""BenefitPolicy: every parameter of the three-layer benefit rules for one coverage year and
pooling region (DESIGN.md section 6), versioned like the contribution standards."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from benefits.policy import (
    AssistanceRule,
    BenefitPolicySnapshot,
    CatastrophicTier,
    ChronicDiseaseRule,
    InpatientLevel,
    Place,
    ReassistanceRule,
)
from portal.shared.vocabulary import AssistanceCategory
from portal.standards.versioned import StandardPart, StandardQuerySet, VersionedStandard

# The messages appear next to the field in the admin and in an import's row errors: they say
# what to enter, since the field's label is already beside them.
NOT_NEGATIVE = "金额不能为负数，请填写 0 或正数（元）。"
ZERO_TO_ONE = "请填写 0 到 1 之间的小数，如 0.70 表示 70%%。"  # %% since validators format their message
MONEY = {"max_digits": 12, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0"), NOT_NEGATIVE)]}
RATE = {
    "max_digits": 5, "decimal_places": 4,
    "validators": [MinValueValidator(Decimal("0"), ZERO_TO_ONE), MaxValueValidator(Decimal("1"), ZERO_TO_ONE)],
    "help_text": "小数，如 0.70 表示 70%",
}


class BenefitPolicy(VersionedStandard):
    first_admission_factor = models.DecimalField("第1次住院起付线系数", default=Decimal("1"), **RATE)
    second_admission_factor = models.DecimalField("第2次住院起付线系数", default=Decimal("0.5"), **RATE)
    later_admission_factor = models.DecimalField("第3次及以后住院起付线系数", default=Decimal("0"), **RATE)
    basic_annual_cap = models.DecimalField("基本医保年度封顶线（住院+门诊慢特病）", **MONEY)
    outpatient_deductible = models.DecimalField("普通门诊统筹 年度起付线", **MONEY)
    outpatient_rate = models.DecimalField("普通门诊统筹 支付比例", **RATE)
    outpatient_cap = models.DecimalField("普通门诊统筹 年度封顶线", **MONEY)
    two_diseases_rate = models.DecimalField("两病门诊用药 支付比例", **RATE)
    two_diseases_cap = models.DecimalField("两病门诊用药 年度封顶线", **MONEY)
    chronic_deductible = models.DecimalField("门诊慢特病 年度起付线", **MONEY)
    chronic_rate = models.DecimalField("门诊慢特病 支付比例", **RATE)
    maternity_first = models.DecimalField("生育 一孩定额", **MONEY)
    maternity_second = models.DecimalField("生育 二孩定额", **MONEY)
    maternity_third = models.DecimalField("生育 三孩及以上定额", **MONEY)
    catastrophic_deductible = models.DecimalField("大病保险 起付线", **MONEY)
    catastrophic_cap = models.DecimalField("大病保险 年度封顶线", null=True, blank=True, **MONEY)
    poorest_deductible_factor = models.DecimalField(
        "倾斜人员 大病起付线系数", default=Decimal("0.5"), **RATE
    )
    poorest_rate_bonus = models.DecimalField("倾斜人员 大病各段比例提高", default=Decimal("0.05"), **RATE)
    poorest_uncapped = models.BooleanField("倾斜人员 大病不设封顶线", default=True)
    reassistance_threshold = models.DecimalField("再救助 起付线", **MONEY)
    reassistance_rate = models.DecimalField("再救助 比例", **RATE)
    reassistance_cap = models.DecimalField("再救助 年度封顶线", null=True, blank=True, **MONEY)
    # 转外就医调减比例 (seed 002): percentage points taken off every basic-insurance ratio for care
    # outside the pooling region, less with a 异地就医备案 than without one.
    outside_filed_reduction = models.DecimalField(
        "异地就医（已备案）基本医保支付比例降低", default=Decimal("0"), **{**RATE, "help_text": "小数，如 0.05 表示降低 5 个百分点"}
    )
    outside_unfiled_reduction = models.DecimalField(
        "异地就医（未备案）基本医保支付比例降低", default=Decimal("0"), **{**RATE, "help_text": "小数，如 0.20 表示降低 20 个百分点"}
    )

    objects = StandardQuerySet.as_manager()
    history = HistoricalRecords()
    child_relations = ("inpatient_levels", "catastrophic_tiers", "category_rules", "chronic_diseases")
    # A year's benefits are for people enrolled under that year's contribution standard.
    publish_requires = "enrollment.ContributionStandard"

    class Meta:
        verbose_name = "待遇政策"
        verbose_name_plural = "待遇政策"
        ordering = ["-year", "region__code", "-revision"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region", "revision"], name="benefit_policy_revision"),
        ]

    def validate_for_publishing(self) -> None:
        super().validate_for_publishing()
        levels = sorted(self.inpatient_levels.values_list("level", flat=True))
        if levels != [1, 2, 3]:
            raise ValidationError("请为一级、二级、三级医院各填写一行住院起付线和支付比例。")
        uppers = list(self.catastrophic_tiers.order_by(models.F("upper").asc(nulls_last=True)).values_list("upper", flat=True))
        if not uppers or uppers[-1] is not None or None in uppers[:-1] or uppers[:-1] != sorted(set(uppers[:-1])):
            raise ValidationError("大病保险分段须按上限从小到大排列，且最后一段不设上限（留空）。")
        top_rate = max(self.catastrophic_tiers.values_list("rate", flat=True))
        if top_rate + self.poorest_rate_bonus > 1:
            raise ValidationError("大病保险最高一段比例加上倾斜提高的百分点超过了 100%。")
        if self.outside_unfiled_reduction < self.outside_filed_reduction:
            raise ValidationError("异地就医未备案的比例降低不能少于已备案的：备案后的待遇不应更低。")
        try:
            self.snapshot()
        except ValueError as error:
            raise ValidationError(f"政策参数不完整或不一致：{error}") from error

    def snapshot(self) -> BenefitPolicySnapshot:
        rules = list(self.category_rules.all())
        return BenefitPolicySnapshot(
            inpatient_levels=tuple(
                InpatientLevel(r.level, r.deductible_adult, r.deductible_student_child, r.rate)
                for r in self.inpatient_levels.order_by("level")
            ),
            admission_factors=(self.first_admission_factor, self.second_admission_factor, self.later_admission_factor),
            deductible_exempt_categories=frozenset(r.category for r in rules if r.inpatient_deductible_exempt),
            basic_annual_cap=self.basic_annual_cap,
            outpatient_deductible=self.outpatient_deductible,
            outpatient_rate=self.outpatient_rate,
            outpatient_cap=self.outpatient_cap,
            two_diseases_rate=self.two_diseases_rate,
            two_diseases_cap=self.two_diseases_cap,
            chronic_deductible=self.chronic_deductible,
            chronic_rate=self.chronic_rate,
            maternity_lump_sums=(self.maternity_first, self.maternity_second, self.maternity_third),
            catastrophic_deductible=self.catastrophic_deductible,
            catastrophic_tiers=tuple(
                CatastrophicTier(t.upper, t.rate)
                for t in self.catastrophic_tiers.order_by(models.F("upper").asc(nulls_last=True))
            ),
            catastrophic_cap=self.catastrophic_cap,
            assistance_rules={
                AssistanceCategory(r.category): AssistanceRule(r.assistance_deductible, r.assistance_rate, r.assistance_cap)
                for r in rules
            },
            reassistance=ReassistanceRule(
                categories=frozenset(r.category for r in rules if r.reassistance_eligible),
                threshold=self.reassistance_threshold, rate=self.reassistance_rate, cap=self.reassistance_cap,
            ),
            poorest_categories=frozenset(r.category for r in rules if r.catastrophic_preferential),
            poorest_deductible_factor=self.poorest_deductible_factor,
            poorest_rate_bonus=self.poorest_rate_bonus,
            poorest_uncapped=self.poorest_uncapped,
            outside_reductions={
                Place.OUTSIDE_FILED: self.outside_filed_reduction,
                Place.OUTSIDE_UNFILED: self.outside_unfiled_reduction,
            },
            chronic_diseases={
                d.code: ChronicDiseaseRule(d.code, d.name, d.deductible, d.rate) for d in self.chronic_diseases.all()
            },
        )


class PolicyPart(StandardPart):
    standard_field = "policy"

    class Meta:
        abstract = True


class InpatientLevelRule(PolicyPart):
    policy = models.ForeignKey(BenefitPolicy, on_delete=models.CASCADE, related_name="inpatient_levels")
    level = models.PositiveSmallIntegerField("医院等级", choices=[(1, "一级"), (2, "二级"), (3, "三级")])
    deductible_adult = models.DecimalField("成年居民起付线", **MONEY)
    deductible_student_child = models.DecimalField("学生儿童起付线", **MONEY)
    rate = models.DecimalField("支付比例", **RATE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "住院待遇（按医院等级）"
        verbose_name_plural = "住院待遇（按医院等级）"
        ordering = ["level"]
        constraints = [models.UniqueConstraint(fields=["policy", "level"], name="inpatient_level_once")]

    def __str__(self) -> str:
        return f"{self.get_level_display()}医院"


class CatastrophicTierRule(PolicyPart):
    policy = models.ForeignKey(BenefitPolicy, on_delete=models.CASCADE, related_name="catastrophic_tiers")
    upper = models.DecimalField(
        "分段上限（超过起付线部分）", null=True, blank=True, help_text="最后一段留空，表示不设上限", **MONEY
    )
    rate = models.DecimalField("支付比例", **RATE)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "大病保险分段"
        verbose_name_plural = "大病保险分段"
        ordering = [models.F("upper").asc(nulls_last=True)]
        constraints = [
            models.UniqueConstraint(fields=["policy", "upper"], name="catastrophic_tier_once"),
            models.UniqueConstraint(fields=["policy"], condition=Q(upper__isnull=True), name="catastrophic_one_open_tier"),
        ]

    def __str__(self) -> str:
        return f"至 {self.upper} 元" if self.upper is not None else "以上"

    def clean(self) -> None:
        # A tier ending at 0 would hold nothing; the open tier is the one left blank.
        if self.upper is not None and self.upper <= 0:
            raise ValidationError({"upper": "分段上限须大于 0；最后一段留空，表示不设上限。"})


class AssistanceCategoryRule(PolicyPart):
    """How one assistance category is treated across the layers."""

    policy = models.ForeignKey(BenefitPolicy, on_delete=models.CASCADE, related_name="category_rules")
    category = models.CharField("困难类别", max_length=30, choices=AssistanceCategory.choices())
    inpatient_deductible_exempt = models.BooleanField("免住院起付线", default=False)
    catastrophic_preferential = models.BooleanField("大病保险倾斜（起付线降低、比例提高、不设封顶线）", default=False)
    assistance_deductible = models.DecimalField("医疗救助 年度起付线", **MONEY)
    assistance_rate = models.DecimalField("医疗救助 比例", **RATE)
    assistance_cap = models.DecimalField("医疗救助 年度限额（门诊住院共用）", null=True, blank=True, **MONEY)
    reassistance_eligible = models.BooleanField("可享受再救助", default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "困难群众待遇"
        verbose_name_plural = "困难群众待遇"
        constraints = [models.UniqueConstraint(fields=["policy", "category"], name="category_rule_once")]

    def __str__(self) -> str:
        return self.get_category_display()


class ChronicDisease(PolicyPart):
    """One disease of the province's list of outpatient chronic and special diseases (门诊慢特病,
    统一全省门诊慢特病基本病种和认定标准): what a recognised patient is paid under, where it differs
    from the general chronic rule, and what a recognition needs."""

    policy = models.ForeignKey(BenefitPolicy, on_delete=models.CASCADE, related_name="chronic_diseases")
    code = models.CharField("病种编码", max_length=20, validators=[RegexValidator(r"^[A-Za-z0-9.-]+$", "病种编码只能由字母、数字、点和短横线组成。")])
    name = models.CharField("病种名称", max_length=60)
    deductible = models.DecimalField(
        "年度起付线", null=True, blank=True, help_text="留空：按门诊慢特病通用起付线（各病种共用）", **MONEY
    )
    rate = models.DecimalField("支付比例", null=True, blank=True, **{**RATE, "help_text": "留空：按门诊慢特病通用比例"})
    documents = models.TextField("认定所需材料", max_length=1000, help_text="每行一项，如：二级及以上医院诊断证明")
    history = HistoricalRecords()

    class Meta:
        verbose_name = "门诊慢特病病种"
        verbose_name_plural = "门诊慢特病病种"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["policy", "code"], name="chronic_disease_once")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def documents_list(self) -> list[str]:
        return [line.strip() for line in self.documents.splitlines() if line.strip()]
