"""Forms of manual reimbursement claims: the claim, its visits (one row per invoice), its steps."""

from decimal import Decimal

from django import forms

from benefits.rules import VisitKind
from enrollment.forms import UnechoedIdNumberInput
from treatment.claims.models import ClaimReason
from treatment.claims.services import LARGEST_VISIT, VisitInput

TOO_LARGE = f"金额过大：每条就诊记录最多 {LARGEST_VISIT:,} 元，请核对。"
MONEY = {
    # The upper bound is max_value's alone: with max_digits too, a huge number got the message twice.
    "decimal_places": 2, "min_value": Decimal("0.00"), "max_value": LARGEST_VISIT,
    "error_messages": {
        "required": "请填写金额。",
        "invalid": "请填写金额数字，如 1200.00。",
        "min_value": "金额不能是负数。",
        "max_value": TOO_LARGE,
        "max_decimal_places": "金额最多两位小数（到分）。",
    },
}
DATE = {"widget": forms.DateInput(attrs={"type": "date"}),
        "error_messages": {"invalid": "日期格式应为 2022-03-05。", "required": "请填写日期。"}}
PLACES = [("local", "本地（淄博市内）"), ("outside", "异地（统筹区外）")]
LEVELS = [("", "（住院时选择）"), ("1", "一级"), ("2", "二级"), ("3", "三级")]
# Rows shown on a new claim, enough for most; the clerk adds more with "增加一行", which gives
# the form back without the ID number (never written back into a page).
FIRST_ROWS = 3
MAX_ROWS = 30


class ClaimForm(forms.Form):
    id_number = forms.CharField(
        label="申请人身份证号", max_length=30,
        help_text="申请人须已在本站登记并参保；身份证号不会出现在网址中，页面也不会回显，重新提交时请再次填写。",
        widget=UnechoedIdNumberInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "请填写申请人的身份证号。"},
    )
    year = forms.IntegerField(label="待遇年度", min_value=2000, max_value=2100,
                              error_messages={"required": "请填写待遇年度。", "invalid": "待遇年度应为四位年份。"})
    reason = forms.ChoiceField(label="未能直接结算的原因", choices=[("", "请选择"), *ClaimReason.choices],
                               error_messages={"required": "请选择未能直接结算的原因。"})
    attachment = forms.FileField(
        label="报销材料（可选）", required=False,
        help_text="发票、费用清单、出院小结的扫描件（PDF 或图片，每个不超过 5 MB）；更多材料可在提交后继续上传。",
    )


class VisitForm(forms.Form):
    """One invoice: a visit or a stay. A row left blank is skipped."""

    kind = forms.ChoiceField(label="就诊类别", choices=[("", "请选择"), *VisitKind.choices()],
                             error_messages={"required": "请选择就诊类别。"})
    visited_on = forms.DateField(label="就诊（入院）日期", **DATE)
    left_on = forms.DateField(label="出院日期（住院）", required=False, **DATE)
    hospital = forms.CharField(label="医疗机构", max_length=100, error_messages={"required": "请填写医疗机构名称。"})
    level = forms.TypedChoiceField(label="医院等级", choices=LEVELS, required=False, coerce=int, empty_value=None)
    child_order = forms.IntegerField(label="孩次（生育）", required=False, min_value=1, max_value=20,
                                     error_messages={"min_value": "孩次应为 1 或以上。"})
    place = forms.ChoiceField(label="就医地", choices=PLACES, initial="local", widget=forms.RadioSelect)
    treatment_city = forms.CharField(label="就医城市（异地）", max_length=60, required=False)
    disease_code = forms.CharField(
        label="认定病种编码（慢特病）", max_length=20, required=False,
        help_text="门诊慢特病：申请人有多个认定病种时填写本次就诊的病种编码；只有一个时可不填。",
        error_messages={"max_length": "认定病种编码最多 20 位。"},
    )
    total = forms.DecimalField(label="医疗总费用（元）", **MONEY)
    policy_range = forms.DecimalField(label="政策范围内费用（元）", **MONEY)
    invoice_number = forms.CharField(label="发票号码", max_length=40, error_messages={"required": "请填写发票号码。"})

    def has_changed(self) -> bool:
        # The place defaults to 本地: a row with nothing else filled in is a blank row.
        return any(name != "place" for name in self.changed_data)

    def visit(self) -> VisitInput:
        data = self.cleaned_data
        return VisitInput(
            kind=data["kind"], visited_on=data["visited_on"], left_on=data["left_on"], hospital=data["hospital"],
            level=data["level"], child_order=data["child_order"], outside=data["place"] == "outside",
            treatment_city=data["treatment_city"], total=data["total"], policy_range=data["policy_range"],
            invoice_number=data["invoice_number"], disease_code=data["disease_code"],
        )


class BaseVisitFormSet(forms.BaseFormSet):
    def initial_form_count(self) -> int:
        # Every row is a new invoice, also the rows given back after "增加一行": a blank one is
        # skipped wherever it stands, and the page tells the browser there are no initial rows.
        return super().initial_form_count() if self.is_bound else 0


def visit_formset(rows: int = FIRST_ROWS) -> type[BaseVisitFormSet]:
    """A formset class showing ``rows`` rows when unbound (a bound one has the posted count)."""
    return forms.formset_factory(VisitForm, formset=BaseVisitFormSet, extra=min(rows, MAX_ROWS), max_num=MAX_ROWS,
                                 absolute_max=MAX_ROWS, validate_max=True)


def rows_posted(data, prefix: str) -> list[dict]:
    """What each posted visit row held, as initial values for the same rows shown again."""
    try:
        count = min(max(int(data.get(f"{prefix}-TOTAL_FORMS", "0")), 0), MAX_ROWS)
    except ValueError:
        count = 0
    return [{name: data.get(f"{prefix}-{index}-{name}", "") for name in VisitForm.base_fields} for index in range(count)]


class StepForm(forms.Form):
    action = forms.CharField(max_length=20)
    notes = forms.CharField(label="意见或说明", max_length=2000, required=False)
    paid_on = forms.DateField(label="支付日期", required=False, **DATE)
    payment_voucher = forms.CharField(label="支付凭证号", max_length=50, required=False)
