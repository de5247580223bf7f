"""Import and export of contribution standards and their assistance subsidies.

Both are keyed by year + region_code (the pooling region, 6 or 12 digits; exported as 6) +
revision. An import creates or changes drafts only; see portal.standards.resources.
"""


from import_export import fields

from enrollment.models import AssistanceSubsidy, ContributionStandard
from portal.standards.resources import (
    CountWidget,
    IsoDateWidget,
    StandardPartResource,
    VersionedStandardResource,
    standard_key_field,
)
from portal.standards.widgets import AssistanceCategoryWidget, MoneyWidget, RateWidget, YesNoWidget


class ContributionStandardResource(VersionedStandardResource):
    contribution_adult = fields.Field(
        attribute="contribution_adult", column_name="contribution_adult", widget=MoneyWidget("成年居民个人缴费")
    )
    contribution_student_child = fields.Field(
        attribute="contribution_student_child", column_name="contribution_student_child",
        widget=MoneyWidget("学生儿童个人缴费"),
    )
    fiscal_subsidy = fields.Field(attribute="fiscal_subsidy", column_name="fiscal_subsidy", widget=MoneyWidget("人均财政补助"))
    window_start = fields.Field(attribute="window_start", column_name="window_start", widget=IsoDateWidget("集中缴费期开始"))
    window_end = fields.Field(attribute="window_end", column_name="window_end", widget=IsoDateWidget("集中缴费期结束"))
    waiting_days = fields.Field(
        attribute="waiting_days", column_name="waiting_days", widget=CountWidget("等待期天数", maximum=366)
    )
    newborn_grace_days = fields.Field(
        attribute="newborn_grace_days", column_name="newborn_grace_days", widget=CountWidget("新生儿宽限期天数", maximum=366)
    )
    participation_target = fields.Field(
        attribute="participation_target", column_name="participation_target", widget=RateWidget("参保率目标"),
    )

    class Meta(VersionedStandardResource.Meta):
        model = ContributionStandard
        name = "个人缴费标准"
        fields = [
            "year", "region", "revision", "effective_from", "contribution_adult", "contribution_student_child",
            "fiscal_subsidy", "window_start", "window_end", "waiting_days", "newborn_grace_days",
            "participation_target", "notes", "status", "published_at", "published_by",
        ]
        export_order = fields
        import_order = fields


class AssistanceSubsidyResource(StandardPartResource):
    standard = standard_key_field(AssistanceSubsidy)
    category = fields.Field(attribute="category", column_name="category", widget=AssistanceCategoryWidget())
    full = fields.Field(attribute="full", column_name="full", widget=YesNoWidget("全额资助"))
    amount = fields.Field(attribute="amount", column_name="amount", widget=MoneyWidget("定额资助金额", required=False))

    class Meta(StandardPartResource.Meta):
        model = AssistanceSubsidy
        name = "资助参保标准"
        import_id_fields = ["standard", "category"]
        fields = ["year", "region", "standard", "category", "full", "amount"]
        export_order = fields
        import_order = fields
