"""Forms of the station and of the public pages. They validate input and show errors next to the
field; services write."""

import re
import unicodedata
import uuid

from django import forms
from django.utils import timezone

from enrollment.models import Household, Payment, Refund
from portal.network.codes import Level
from portal.network.models import Region
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from portal.shared.vocabulary import AssistanceCategory, Category

# 17 digits and a check character, not part of a longer run of digits (spaces typed in between
# are removed first).
FULL_ID_NUMBER = re.compile(r"(?<![0-9])[0-9]{17}[0-9Xx](?![0-9Xx])")


class UnechoedIdNumberInput(forms.TextInput):
    """A text box that does not write a full ID number back into the page it answers with (like a
    password box): a shared computer or a screenshot of a search result must not show it."""

    def format_value(self, value):
        # NFKC turns full-width digits (３７０…), which the lookup accepts, into plain ones.
        if value and FULL_ID_NUMBER.search(re.sub(r"\s", "", unicodedata.normalize("NFKC", str(value)))):
            return None
        return super().format_value(value)


class IdNumberField(forms.CharField):
    """An ID number, checked part by part with the message of portal.privacy.id_numbers."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "身份证号")
        kwargs.setdefault("max_length", 24)
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "inputmode": "text", "spellcheck": "false",
                                  "class": "id-number-input"})

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return value
        try:
            return parse_id_number(value, today=timezone.localdate()).number
        except IdNumberError as error:
            raise forms.ValidationError(error.message, code=error.part) from error


class VillageChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, region: Region) -> str:
        return f"{region.name}（{region.code}）"


def villages_in_scope(scope: Region):
    return Region.objects.within(scope).filter(level=Level.VILLAGE).order_by("code")


class FollowUpFilterForm(forms.Form):
    """Which villages of the clerk's area the follow-up list shows: one, or all of them."""

    village = VillageChoiceField(
        label="村(社区)", queryset=Region.objects.none(), required=False, empty_label="全部村(社区)",
        to_field_name="code", error_messages={"invalid_choice": "请从列表中选择本辖区的村(社区)。"},
    )

    def __init__(self, *args, scope: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["village"].queryset = villages_in_scope(scope)
        self.fields["village"].widget.attrs.update({"class": "form-select"})


class ResidentSearchForm(forms.Form):
    query = forms.CharField(
        label="身份证号或姓名", max_length=50, widget=UnechoedIdNumberInput,
        help_text="输入完整的 18 位身份证号精确查找，或输入姓名在本辖区内查找。",
    )


class ResidentForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    phone = forms.RegexField(
        label="联系电话", regex=r"^[0-9\-\s]{7,20}$", required=False,
        error_messages={"invalid": "联系电话只能包含数字和“-”，7 到 20 位。"},
    )
    region = VillageChoiceField(label="居住村(社区)", queryset=Region.objects.none(), empty_label="请选择")
    household_number = forms.CharField(
        label="家庭户编号", max_length=30, required=False,
        help_text="加入已有家庭户请填写户编号；留空则新建一户。",
    )
    household_address = forms.CharField(label="新建家庭户的住址", max_length=200, required=False)
    residence_permit = forms.BooleanField(label="持居住证参保", required=False)
    payout_account = forms.RegexField(
        label="救助金发放账号", required=False, regex=r"^[0-9\s]{8,30}$", strip=True,
        help_text="社保卡或本人银行卡的账号，发放再救助等救助金用；只存加密后的号码，页面只显示前后四位。"
                  "修改时留空表示不变。",
        error_messages={"invalid": "发放账号只能是数字（可有空格），8 到 25 位，请核对社保卡或银行卡。"},
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args, scope: Region, **kwargs):
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["region"].queryset = villages_in_scope(scope)

    def clean_payout_account(self) -> str:
        account = "".join(self.cleaned_data["payout_account"].split())
        if account and not 8 <= len(account) <= 25:
            raise forms.ValidationError("发放账号只能是数字（可有空格），8 到 25 位，请核对社保卡或银行卡。")
        return account

    def clean_household_number(self) -> Household | None:
        number = self.cleaned_data["household_number"].strip()
        if not number:
            return None
        household = Household.objects.within(self.scope).filter(number=number).first()
        if household is None:
            raise forms.ValidationError("本辖区内没有这个家庭户编号，请核对，或留空新建一户。")
        return household


class NewResidentForm(ResidentForm):
    id_number = IdNumberField()
    # 转移接续: a person coming from another region records where they were insured (a Move in).
    moved_in_from = forms.CharField(
        label="从外地迁入（原参保地）", max_length=100, required=False,
        help_text="从本统筹区以外迁入的填写原参保地及险种，如 济南市城乡居民医保；本地居民留空。",
    )
    field_order = ["id_number", "name", "phone", "region", "household_number", "household_address", "residence_permit",
                   "payout_account", "moved_in_from"]


class EnrollForm(forms.Form):
    year = forms.TypedChoiceField(label="参保年度", coerce=int)
    category = forms.ChoiceField(label="参保类别", choices=Category.choices())
    transfer = forms.BooleanField(
        label="转入参保：职工医保或外地城乡居民医保中断 3 个月内转入（不设等待期，从登记之日起享受待遇）",
        required=False,
    )
    previous_insurer = forms.CharField(
        label="原参保地及险种", max_length=100, required=False,
        help_text="勾选转入参保时必填，如 淄博市职工医保（某公司）、济南市城乡居民医保。",
    )

    def __init__(self, *args, years: list[int], **kwargs):
        """``years``: those open for registration today (enrollment.selectors.registration_years)."""
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year} 年度") for year in years]
        open_now = "、".join(f"{year} 年度" for year in years)
        self.fields["year"].error_messages["invalid_choice"] = (
            f"这个年度现在不能登记参保：今天可以登记的是{open_now}。" if years else
            "今天没有可以登记参保的年度：上一年度已经结束，下一年度的集中缴费期还没有开始，请届时再来登记。"
        )

    def clean(self) -> dict:
        data = super().clean()
        if data.get("transfer") and not data.get("previous_insurer", "").strip():
            self.add_error("previous_insurer", "勾选了转入参保，请填写原参保地及险种（转移接续要记录）。")
        return data


class PaymentForm(forms.Form):
    amount = forms.DecimalField(label="实收金额（元）", max_digits=12, decimal_places=2, min_value=0)
    method = forms.ChoiceField(label="缴费方式", choices=Payment.Method.at_the_counter, widget=forms.RadioSelect)
    token = forms.UUIDField(widget=forms.HiddenInput)

    @classmethod
    def fresh(cls, *, payable) -> "PaymentForm":
        return cls(initial={"amount": payable, "method": Payment.Method.CASH, "token": uuid.uuid4()})


class DeathForm(forms.Form):
    date_of_death = forms.DateField(label="死亡日期", widget=forms.DateInput(attrs={"type": "date"}))


class RefundForm(forms.Form):
    reason = forms.ChoiceField(label="退费原因", choices=Refund.Reason.choices, widget=forms.RadioSelect)
    note = forms.CharField(label="说明", widget=forms.Textarea(attrs={"rows": 3}), required=False)


# -- The public pages: the premium page's choices and the coverage lookup ----------------------

class PremiumChoiceForm(forms.Form):
    category = forms.ChoiceField(
        label="参保类别", choices=Category.choices(), widget=forms.RadioSelect,
        help_text="不满 18 周岁的和在校学生（含大中专、研究生）选“学生儿童”。",
        error_messages={"required": "请选择参保类别。", "invalid_choice": "请选择“成年居民”或“学生儿童”。"},
    )
    assistance = forms.ChoiceField(
        label="困难群众类别", choices=[("", "不属于困难群众")] + AssistanceCategory.choices(), required=False,
        help_text="由民政、乡村振兴部门认定；不确定的请问村(社区)医保服务点。",
        error_messages={"invalid_choice": "请从列表中选择困难群众类别。"},
    )
    year = forms.TypedChoiceField(
        label="待遇享受年度", coerce=int, choices=(),
        error_messages={"required": "请选择年度。", "invalid_choice": "这个年度还没有公布缴费标准，请从列表中选择。"},
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year} 年度") for year in years]

    def clean_category(self) -> Category:
        return Category(self.cleaned_data["category"])

    def clean_assistance(self) -> AssistanceCategory | None:
        value = self.cleaned_data["assistance"]
        return AssistanceCategory(value) if value else None


class LookupForm(forms.Form):
    name = forms.CharField(
        label="姓名", max_length=50, error_messages={"required": "请填写姓名。", "max_length": "姓名最多 50 个字。"},
    )
    id_number = IdNumberField(
        label="身份证号", help_text="18 位，最后一位可能是 X。", widget=UnechoedIdNumberInput,
        error_messages={"required": "请填写 18 位身份证号。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A shared computer at a service point must not offer the last person's name or number.
        self.fields["name"].widget.attrs.update({"autocomplete": "off"})
