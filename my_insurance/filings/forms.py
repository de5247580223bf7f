"""The form a resident files with online: the station's filing fields, the kinds cut to the two
that need no referral and no document."""

from django import forms

from treatment.filings.forms import FilingFieldsForm
from treatment.filings.models import ONLINE_KINDS
from treatment.filings.services import ONLINE_KINDS_ONLY

# What each kind is, in plain words, beside its choice.
KIND_HELP = {
    "emergency": "在外地突发疾病或受伤，需要马上急诊、抢救。可以事后补办：看病后 30 天内办理，开始日期填看病那天。",
    "other_temporary": "出差、旅游、探亲、上学等临时在外地，需要在当地看病（不是急诊）。出发前办好，到了就能直接结算。",
}


class OnlineFilingForm(FilingFieldsForm):
    kind = forms.ChoiceField(
        label="备案类型", widget=forms.RadioSelect,
        choices=[(kind.value, kind.label) for kind in ONLINE_KINDS],
        error_messages={"required": "请选择备案类型：急诊抢救或其他临时外出就医。", "invalid_choice": ONLINE_KINDS_ONLY},
    )
    hospital = forms.CharField(
        label="就医医院（可不填）", max_length=100, required=False,
        help_text="已经知道要去哪家医院就填上；不填也可以在就医地的联网定点医院结算。",
        error_messages={"max_length": "医院名称最多 100 个字。"},
    )
    # A referral's details are for the station, which sees the referral form.
    referring_hospital = None
    referral_number = None

    field_order = ["kind", "province", "city", "valid_from", "hospital"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["valid_from"].help_text = "从哪天起在外地看病。已经看过病的，最早可以从 30 天前算起。"

    def service_arguments(self) -> dict:
        data = self.cleaned_data
        return {name: data[name] for name in ("kind", "province", "city", "valid_from", "hospital")}
