"""Forms of cross-region treatment filings: a new filing (or a change), a cancellation, a document."""

from django import forms
from django.utils import timezone

from enrollment.forms import UnechoedIdNumberInput
from portal.privacy.id_numbers import IdNumberError, parse_id_number
from treatment.filings.models import LONG_TERM_KINDS, PROVINCES, FilingKind

# What each kind needs, shown beside the form (and in the guide's words).
KIND_NEEDS = [
    ("转诊转院", "填写转出医院、转入医院和转诊单编号，上传医院开具的转诊转院单。有效期 6 个月。"),
    ("急诊抢救、其他临时外出就医", "填写就医地；医院可不填。有效期 6 个月。"),
    ("异地安置退休、异地长期居住、常驻异地工作", "上传居住证明、安置证明或工作证明（也可由本人填写承诺书）。长期有效，撤销前一直有效；一人同时只能有一份长期备案。"),
]


def _kind_choices() -> list[tuple[str, str]]:
    long_term = [(kind.value, kind.label) for kind in FilingKind if kind in LONG_TERM_KINDS]
    temporary = [(kind.value, kind.label) for kind in FilingKind if kind not in LONG_TERM_KINDS]
    return [("", "请选择备案类型"), ("临时外出就医", temporary), ("长期异地居住", long_term)]


class FilingFieldsForm(forms.Form):
    """The filing itself: kind, place, start and the referral's details."""

    kind = forms.ChoiceField(label="备案类型", choices=_kind_choices, error_messages={"required": "请选择备案类型。"})
    province = forms.ChoiceField(
        label="就医省份", choices=[("", "请选择省份"), *((p, p) for p in PROVINCES)],
        error_messages={"required": "请选择就医省份。", "invalid_choice": "请从列表中选择就医省份。"},
    )
    city = forms.CharField(
        label="就医城市", max_length=40, help_text="地级市，如 济南市、苏州市；直辖市填市名，如 北京市。",
        error_messages={"required": "请填写就医城市。", "max_length": "就医城市最多 40 个字。"},
    )
    valid_from = forms.DateField(
        # A date field reads only ISO dates: the locale's 2022/04/01 would leave it empty.
        label="开始日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": "请填写开始日期。", "invalid": "开始日期的格式不对，请按 2022-03-01 这样填写。"},
    )
    referring_hospital = forms.CharField(
        label="转出医院", max_length=100, required=False, help_text="转诊转院必填：开具转诊单的本地医院。",
        error_messages={"max_length": "医院名称最多 100 个字。"},
    )
    hospital = forms.CharField(
        label="就医医院", max_length=100, required=False, help_text="转诊转院必填：外地接收的医院；其他类型可不填。",
        error_messages={"max_length": "医院名称最多 100 个字。"},
    )
    referral_number = forms.CharField(
        label="转诊单编号", max_length=50, required=False, help_text="转诊转院必填，见转诊转院单。",
        error_messages={"max_length": "转诊单编号最多 50 个字符。"},
    )

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in (
            "kind", "province", "city", "valid_from", "hospital", "referring_hospital", "referral_number")}


class FilingForm(FilingFieldsForm):
    """A new filing: who it is for, the filing, and optionally its first document."""

    id_number = forms.CharField(
        label="参保人身份证号", max_length=30,
        help_text="参保人须已在本站登记；身份证号不会出现在网址中，页面也不会回显，重新提交时请再次填写。",
        widget=UnechoedIdNumberInput(attrs={"autocomplete": "off"}),
        error_messages={"required": "请填写参保人身份证号。"},
    )
    attachment = forms.FileField(
        label="备案材料（可选）", required=False,
        help_text="转诊转院单、居住证明等，PDF 或图片（PNG、JPEG），不超过 5 MB；更多材料可在备案后继续上传。",
    )

    field_order = ["id_number", "kind", "province", "city", "valid_from", "referring_hospital", "hospital",
                   "referral_number", "attachment"]

    def clean_id_number(self) -> str:
        try:
            return parse_id_number(self.cleaned_data["id_number"], today=timezone.localdate()).number
        except IdNumberError as error:
            raise forms.ValidationError(error.message) from None


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=200, widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": "请填写撤销原因，如 已回本地居住、备案信息有误。", "max_length": "撤销原因最多 200 个字。"},
    )
