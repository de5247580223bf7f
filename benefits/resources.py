"""Import and export of benefit policies and their parts (inpatient levels, catastrophic tiers,
assistance categories, chronic diseases).

Every file is keyed by year + region_code (the pooling region, 6 or 12 digits; exported as 6) +
revision, and a part by its own key besides (level, upper, category, code). An import creates or
changes drafts only, and one bad row means nothing is written; see portal.standards.resources.
The models' validators and ``clean()`` run on every imported row, so a file is held to the same
rules as the admin page.
"""

from import_export import fields, widgets

from benefits.models import (
    AssistanceCategoryRule,
    BenefitPolicy,
    CatastrophicTierRule,
    ChronicDisease,
    InpatientLevelRule,
)
from portal.standards.resources import (
    PoolingRegionWidget,
    StandardPartResource,
    VersionedStandardResource,
    YearWidget,
    standard_key_field,
)
from portal.standards.widgets import AssistanceCategoryWidget, MoneyWidget, RateWidget, YesNoWidget, text_of


class LevelWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        text = text_of(value).removesuffix(".0")
        names = {"1": 1, "2": 2, "3": 3, "一级": 1, "二级": 2, "三级": 3}
        if text not in names:
            raise ValueError(f"医院等级“{text}”须为 1、2、3（一级、二级、三级）")
        return names[text]

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


def money_field(name: str, required: bool = True) -> fields.Field:
    label = BenefitPolicy._meta.get_field(name).verbose_name
    return fields.Field(attribute=name, column_name=name, widget=MoneyWidget(label, required))


def rate_field(name: str, model=BenefitPolicy) -> fields.Field:
    return fields.Field(attribute=name, column_name=name, widget=RateWidget(model._meta.get_field(name).verbose_name))


class BenefitPolicyResource(VersionedStandardResource):
    first_admission_factor = rate_field("first_admission_factor")
    second_admission_factor = rate_field("second_admission_factor")
    later_admission_factor = rate_field("later_admission_factor")
    basic_annual_cap = money_field("basic_annual_cap")
    outpatient_deductible = money_field("outpatient_deductible")
    outpatient_rate = rate_field("outpatient_rate")
    outpatient_cap = money_field("outpatient_cap")
    two_diseases_rate = rate_field("two_diseases_rate")
    two_diseases_cap = money_field("two_diseases_cap")
    chronic_deductible = money_field("chronic_deductible")
    chronic_rate = rate_field("chronic_rate")
    maternity_first = money_field("maternity_first")
    maternity_second = money_field("maternity_second")
    maternity_third = money_field("maternity_third")
    catastrophic_deductible = money_field("catastrophic_deductible")
    catastrophic_cap = money_field("catastrophic_cap", required=False)
    poorest_deductible_factor = rate_field("poorest_deductible_factor")
    poorest_rate_bonus = rate_field("poorest_rate_bonus")
    poorest_uncapped = fields.Field(
        attribute="poorest_uncapped", column_name="poorest_uncapped", widget=YesNoWidget("倾斜人员 大病不设封顶线")
    )
    reassistance_threshold = money_field("reassistance_threshold")
    reassistance_rate = rate_field("reassistance_rate")
    reassistance_cap = money_field("reassistance_cap", required=False)
    outside_filed_reduction = rate_field("outside_filed_reduction")
    outside_unfiled_reduction = rate_field("outside_unfiled_reduction")

    class Meta(VersionedStandardResource.Meta):
        model = BenefitPolicy
        name = "待遇政策"
        fields = [
            "year", "region", "revision", "effective_from",
            "first_admission_factor", "second_admission_factor", "later_admission_factor", "basic_annual_cap",
            "outpatient_deductible", "outpatient_rate", "outpatient_cap", "two_diseases_rate", "two_diseases_cap",
            "chronic_deductible", "chronic_rate", "maternity_first", "maternity_second", "maternity_third",
            "catastrophic_deductible", "catastrophic_cap", "poorest_deductible_factor", "poorest_rate_bonus",
            "poorest_uncapped", "reassistance_threshold", "reassistance_rate", "reassistance_cap",
            "outside_filed_reduction", "outside_unfiled_reduction", "notes",
            "status", "published_at", "published_by",
        ]
        export_order = fields
        import_order = fields


class PolicyPartResource(StandardPartResource):
    """The parts' year and region_code are the policy's (their parent field is ``policy``)."""

    year = fields.Field(attribute="policy__year", column_name="year", readonly=True, widget=YearWidget())
    region = fields.Field(
        attribute="policy__region", column_name="region_code", readonly=True, widget=PoolingRegionWidget()
    )

    class Meta(StandardPartResource.Meta):
        pass


class InpatientLevelRuleResource(PolicyPartResource):
    policy = standard_key_field(InpatientLevelRule)
    level = fields.Field(attribute="level", column_name="level", widget=LevelWidget())
    deductible_adult = fields.Field(
        attribute="deductible_adult", column_name="deductible_adult", widget=MoneyWidget("成年居民起付线")
    )
    deductible_student_child = fields.Field(
        attribute="deductible_student_child", column_name="deductible_student_child", widget=MoneyWidget("学生儿童起付线")
    )
    rate = fields.Field(attribute="rate", column_name="rate", widget=RateWidget("支付比例"))

    class Meta(PolicyPartResource.Meta):
        model = InpatientLevelRule
        name = "住院待遇（按医院等级）"
        import_id_fields = ["policy", "level"]
        fields = ["year", "region", "policy", "level", "deductible_adult", "deductible_student_child", "rate"]
        export_order = fields
        import_order = fields


class CatastrophicTierRuleResource(PolicyPartResource):
    """A tier is named by its upper bound; the open last tier has an empty ``upper``."""

    policy = standard_key_field(CatastrophicTierRule)
    upper = fields.Field(attribute="upper", column_name="upper", widget=MoneyWidget("分段上限", required=False))
    rate = fields.Field(attribute="rate", column_name="rate", widget=RateWidget("支付比例"))

    class Meta(PolicyPartResource.Meta):
        model = CatastrophicTierRule
        name = "大病保险分段"
        import_id_fields = ["policy", "upper"]
        fields = ["year", "region", "policy", "upper", "rate"]
        export_order = fields
        import_order = fields


class AssistanceCategoryRuleResource(PolicyPartResource):
    policy = standard_key_field(AssistanceCategoryRule)
    category = fields.Field(attribute="category", column_name="category", widget=AssistanceCategoryWidget())
    inpatient_deductible_exempt = fields.Field(
        attribute="inpatient_deductible_exempt", column_name="inpatient_deductible_exempt",
        widget=YesNoWidget("免住院起付线"),
    )
    catastrophic_preferential = fields.Field(
        attribute="catastrophic_preferential", column_name="catastrophic_preferential",
        widget=YesNoWidget("大病保险倾斜"),
    )
    assistance_deductible = fields.Field(
        attribute="assistance_deductible", column_name="assistance_deductible", widget=MoneyWidget("医疗救助 年度起付线")
    )
    assistance_rate = fields.Field(
        attribute="assistance_rate", column_name="assistance_rate", widget=RateWidget("医疗救助 比例")
    )
    assistance_cap = fields.Field(
        attribute="assistance_cap", column_name="assistance_cap",
        widget=MoneyWidget("医疗救助 年度限额", required=False),
    )
    reassistance_eligible = fields.Field(
        attribute="reassistance_eligible", column_name="reassistance_eligible", widget=YesNoWidget("可享受再救助")
    )

    class Meta(PolicyPartResource.Meta):
        model = AssistanceCategoryRule
        name = "困难群众待遇"
        import_id_fields = ["policy", "category"]
        fields = [
            "year", "region", "policy", "category", "inpatient_deductible_exempt", "catastrophic_preferential",
            "assistance_deductible", "assistance_rate", "assistance_cap", "reassistance_eligible",
        ]
        export_order = fields
        import_order = fields


class ChronicDiseaseResource(PolicyPartResource):
    """A disease is named by its code; an empty deductible or rate means the general chronic rule."""

    policy = standard_key_field(ChronicDisease)
    code = fields.Field(attribute="code", column_name="code", widget=widgets.CharWidget())
    name = fields.Field(attribute="name", column_name="name", widget=widgets.CharWidget())
    deductible = fields.Field(
        attribute="deductible", column_name="deductible", widget=MoneyWidget("年度起付线", required=False)
    )
    rate = fields.Field(attribute="rate", column_name="rate", widget=RateWidget("支付比例", required=False))
    documents = fields.Field(attribute="documents", column_name="documents", widget=widgets.CharWidget())

    class Meta(PolicyPartResource.Meta):
        model = ChronicDisease
        name = "门诊慢特病病种"
        import_id_fields = ["policy", "code"]
        fields = ["year", "region", "policy", "code", "name", "deductible", "rate", "documents"]
        export_order = fields
        import_order = fields
