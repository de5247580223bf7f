"""Input of an estimate, shared by the JSON API and the estimator page."""

from decimal import Decimal

from django import forms

from benefits.rules import Visit, VisitKind
from portal.shared.vocabulary import AssistanceCategory, Category

MAX_VISITS = 50
MAX_AMOUNT = Decimal("99999999.99")
AMOUNT_ERRORS = {
    "invalid": "请输入金额数字，如 1234.56。",
    "min_value": "金额不能为负数。",
    "max_value": "金额过大，请核对。",
    "max_decimal_places": "金额最多两位小数（到分）。",
    "max_digits": "金额过大，请核对。",
    "max_whole_digits": "金额过大，请核对。",
    "required": "请填写金额。",
}


class EstimateContextForm(forms.Form):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100,
        error_messages={"invalid": "年度须为四位数字，如 2022。", "min_value": "年度须在 2000 到 2100 之间。",
                        "max_value": "年度须在 2000 到 2100 之间。"},
    )
    region = forms.RegexField(
        label="统筹区或县(区)", regex=r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$",
        error_messages={"invalid": "区划代码须为 6 位或 12 位数字，如 370300。"},
    )
    category = forms.ChoiceField(label="参保类别", choices=Category.choices())
    assistance = forms.ChoiceField(
        label="困难类别", choices=[("", "无")] + AssistanceCategory.choices(), required=False
    )

    def clean_assistance(self) -> AssistanceCategory | None:
        value = self.cleaned_data["assistance"]
        return AssistanceCategory(value) if value else None


class VisitForm(forms.Form):
    kind = forms.ChoiceField(label="就诊类别", choices=VisitKind.choices())
    level = forms.TypedChoiceField(
        label="医院等级", choices=[("", "—"), (1, "一级"), (2, "二级"), (3, "三级")], coerce=int,
        required=False, empty_value=None,
    )
    child_order = forms.TypedChoiceField(
        label="第几孩", choices=[("", "—"), (1, "一孩"), (2, "二孩"), (3, "三孩及以上")], coerce=int,
        required=False, empty_value=None,
    )
    total = forms.DecimalField(
        label="医疗总费用（元）", min_value=0, max_value=MAX_AMOUNT, decimal_places=2, error_messages=AMOUNT_ERRORS
    )
    policy_range = forms.DecimalField(
        label="政策范围内费用（元）", min_value=0, max_value=MAX_AMOUNT, decimal_places=2, error_messages=AMOUNT_ERRORS,
        help_text="医保目录内的费用；目录外的自费部分不报销。",
    )

    def clean(self):
        data = super().clean()
        kind, total, policy_range = data.get("kind"), data.get("total"), data.get("policy_range")
        if total is not None and policy_range is not None and policy_range > total:
            self.add_error("policy_range", f"政策范围内费用（{policy_range}）不能超过医疗总费用（{total}）。")
        if kind == VisitKind.INPATIENT and not data.get("level"):
            self.add_error("level", "住院请选择医院等级（一级、二级或三级）。")
        if kind == VisitKind.MATERNITY and not data.get("child_order"):
            self.add_error("child_order", "生育请选择第几孩。")
        return data

    def visit(self) -> Visit:
        data = self.cleaned_data
        kind = VisitKind(data["kind"])
        return Visit(
            kind=kind, total=data["total"], policy_range=data["policy_range"],
            level=data["level"] if kind == VisitKind.INPATIENT else None,
            child_order=min(data["child_order"], 3) if kind == VisitKind.MATERNITY else None,
        )
