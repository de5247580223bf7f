"""Input of an estimate, shared by the JSON API and the estimator page."""

from decimal import Decimal

from django import forms
from django.core.validators import RegexValidator

from benefits.rules import Visit, VisitKind
from portal.shared.vocabulary import AssistanceCategory, Category, Place

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
PLACES = "、".join(f"{place.value}（{place.label}）" for place in Place)
# The API's clients send a code and read the message: both the codes and their names are in it.
PLACE_ERRORS = {"invalid_choice": f"就医地点“%(value)s”无效，请选择：{PLACES}。"}
DISEASE_CODE = RegexValidator(r"^[A-Za-z0-9.-]{1,20}$", "病种编码只能由字母、数字、点和短横线组成（至多 20 位），如 M00101。")


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
    # Unset means local care, as for a visit of a form or a request made before places existed.
    place = forms.TypedChoiceField(
        label="就医地点", choices=Place.choices(), coerce=Place, required=False, empty_value=Place.LOCAL,
        initial=Place.LOCAL.value, error_messages=PLACE_ERRORS,
        help_text="统筹区外就医，基本医保支付比例按政策降低；已办理异地就医备案的降低较少。",
    )
    # A code of the year's list; checked against the list once the year's policy is found
    # (benefits.services.estimate_for), since the list depends on the year and region chosen.
    disease = forms.CharField(
        label="认定病种（门诊慢特病）", required=False, max_length=20, validators=[DISEASE_CODE],
        error_messages={"max_length": "病种编码至多 20 位，如 M00101。"},
        help_text="已办理门诊慢特病认定的，选择认定的病种；不选则按门诊慢特病通用标准估算。",
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
        if data.get("disease") and kind and kind != VisitKind.CHRONIC:
            self.add_error("disease", "只有门诊慢特病可以选择认定病种；请把就诊类别改为“门诊慢特病”，或不选病种。")
        return data

    def visit(self) -> Visit:
        data = self.cleaned_data
        kind = VisitKind(data["kind"])
        return Visit(
            kind=kind, total=data["total"], policy_range=data["policy_range"],
            level=data["level"] if kind == VisitKind.INPATIENT else None,
            child_order=min(data["child_order"], 3) if kind == VisitKind.MATERNITY else None,
            place=data["place"] or Place.LOCAL,
            disease=(data["disease"] or None) if kind == VisitKind.CHRONIC else None,
        )
