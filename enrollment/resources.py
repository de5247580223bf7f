"""Import and export of contribution standards and their assistance subsidies.

Both are keyed by year + region_code (the pooling region, 6 or 12 digits; exported as 6) +
revision. An import creates or changes drafts only; see portal.standards_resources.
"""

from decimal import Decimal, InvalidOperation

from import_export import fields, widgets

from enrollment.models import AssistanceSubsidy, ContributionStandard
from portal.money import to_cents
from portal.standards_resources import (
    CountWidget,
    IsoDateWidget,
    StandardPartResource,
    VersionedStandardResource,
    standard_key_field,
)
from portal.vocabulary import AssistanceCategory

MAX_AMOUNT = Decimal("9999999999.99")  # max_digits=12, decimal_places=2


class MoneyWidget(widgets.Widget):
    """Yuan with at most two decimals, never negative; exported as "410.00"."""

    def __init__(self, label: str, required: bool = True):
        super().__init__()
        self.label, self.required = label, required

    def clean(self, value, row=None, **kwargs):
        text = str(value if value is not None else "").strip().replace(",", "")
        if not text:
            if self.required:
                raise ValueError(f"{self.label}不能为空")
            return None
        try:
            amount = Decimal(text)
        except InvalidOperation:
            raise ValueError(f"{self.label}“{text}”须为金额数字，如 410.00") from None
        if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
            raise ValueError(f"{self.label}“{text}”须为不小于 0 的金额")
        if amount != to_cents(amount):
            raise ValueError(f"{self.label}“{text}”最多两位小数（到分）")
        return to_cents(amount)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else f"{to_cents(value):.2f}"


class YesNoWidget(widgets.Widget):
    YES = ("是", "true", "1", "y", "yes")
    NO = ("否", "false", "0", "n", "no", "")

    def __init__(self, label: str):
        super().__init__()
        self.label = label

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = str(value if value is not None else "").strip().lower()
        if text.endswith(".0"):
            text = text[:-2]
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(f"{self.label}“{text}”须填“是”或“否”")

    def render(self, value, obj=None, **kwargs):
        return "是" if value else "否"


class AssistanceCategoryWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return AssistanceCategory.from_label_or_code(str(value if value is not None else "")).value
        except ValueError:
            choices = "、".join(f"{m.label}（{m.value}）" for m in AssistanceCategory)
            raise ValueError(f"困难类别“{value}”无效，可填：{choices}") from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


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

    class Meta(VersionedStandardResource.Meta):
        model = ContributionStandard
        name = "个人缴费标准"
        fields = [
            "year", "region", "revision", "effective_from", "contribution_adult", "contribution_student_child",
            "fiscal_subsidy", "window_start", "window_end", "waiting_days", "newborn_grace_days", "notes",
            "status", "published_at", "published_by",
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
