"""Forms of the applications for assistance (依申请救助): recording one, its steps, attachments."""

from decimal import Decimal

from django import forms

from assistance.cases.models import CLAIMED_CATEGORIES, DEFAULT_PUBLICITY_DAYS
from assistance.cases.workflow import ACTION_LABELS, Action

MONEY = {
    "max_digits": 12, "decimal_places": 2, "min_value": Decimal("0.00"),
    "error_messages": {
        "invalid": "请填写金额数字，如 1200.00。",
        "min_value": "金额不能是负数，请填写 0 或正数。",
        "max_decimal_places": "金额最多两位小数（到分）。",
        "max_digits": "金额过大，请核对。",
        "max_whole_digits": "金额过大，请核对。",
    },
}


class ApplicationForm(forms.Form):
    id_number = forms.CharField(
        label="申请人身份证号", max_length=30, help_text="申请人须已在本站登记；身份证号不会出现在网址中。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # No category is chosen for the clerk: a preselected one would be submitted by mistake.
    category_claimed = forms.ChoiceField(
        label="申请类别", choices=[("", "请选择申请类别"), *CLAIMED_CATEGORIES],
        error_messages={"required": "请选择申请类别。"},
    )
    household_income = forms.DecimalField(label="家庭年收入（元）", **MONEY)
    medical_costs = forms.DecimalField(
        label="经基本医保、大病保险报销后的医疗费用（元）", **MONEY,
        help_text="以医院结算单为准：政策范围内费用减去基本医保和大病保险已支付的部分。",
    )
    reason = forms.CharField(label="申请事由", max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))
    attachment = forms.FileField(
        label="申请材料（可选）", required=False,
        help_text="PDF 或图片（PNG、JPEG），每个不超过 5 MB；更多材料可在提交后继续上传。",
    )


class StepForm(forms.Form):
    action = forms.ChoiceField(choices=[(a.value, ACTION_LABELS[a]) for a in Action if a != Action.SUBMIT])
    notes = forms.CharField(label="意见或说明", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))
    approved_amount = forms.DecimalField(label="批准救助金额（元）", required=False, **MONEY)
    publicity_days = forms.IntegerField(
        label="公示天数", required=False, min_value=1, max_value=30, initial=DEFAULT_PUBLICITY_DAYS
    )
