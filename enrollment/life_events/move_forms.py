"""Forms of the moves (转移接续): taking a resident in, and recording a move out."""

from django import forms

from enrollment.forms import IdNumberField, UnechoedIdNumberInput, VillageChoiceField, villages_in_scope
from enrollment.models import Household
from portal.network.models import Region

# ISO, the one format a browser's date box takes as its value.
DATE_INPUT = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})


class FindForm(forms.Form):
    """迁入, first step: the person is found by ID number and name together, anywhere in the
    pooling region."""

    id_number = IdNumberField(widget=UnechoedIdNumberInput, help_text="18 位，与姓名一起核对。")
    name = forms.CharField(label="姓名", max_length=50, widget=forms.TextInput(attrs={"autocomplete": "off"}))


class TakeInForm(forms.Form):
    """迁入, second step: where the person now lives, from when and why."""

    to_region = VillageChoiceField(label="迁入村(社区)", queryset=Region.objects.none(), empty_label="请选择")
    household_number = forms.CharField(
        label="加入家庭户编号", max_length=30, required=False,
        help_text="加入本辖区已有的家庭户请填写户编号；留空则新建一户。",
    )
    household_address = forms.CharField(label="新建家庭户的住址", max_length=200, required=False)
    moved_on = forms.DateField(label="迁移日期", widget=DATE_INPUT)
    reason = forms.CharField(label="迁移原因", max_length=200, help_text="如 购房迁居、投靠子女、婚嫁。")
    elsewhere = forms.CharField(
        label="迁自何地（原参保地）", max_length=100, required=False,
        help_text="此人此前已迁出本统筹区、现在迁回时必填，如 济南市历下区城乡居民医保。",
    )
    # Signed by the first step: who was found, where they lived then, and for which clerk.
    token = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args, scope: Region, returning: bool, **kwargs):
        """``returning``: the person had moved out of the pooling region and must say where from."""
        super().__init__(*args, **kwargs)
        self.scope = scope
        self.fields["to_region"].queryset = villages_in_scope(scope)
        if not returning:
            del self.fields["elsewhere"]

    def clean_household_number(self) -> Household | None:
        number = self.cleaned_data["household_number"].strip()
        if not number:
            return None
        household = Household.objects.within(self.scope).filter(number=number).first()
        if household is None:
            raise forms.ValidationError("本辖区内没有这个家庭户编号，请核对，或留空新建一户。")
        return household


class MoveOutForm(forms.Form):
    """迁出本统筹区: where to (which place and which insurance), when and why."""

    elsewhere = forms.CharField(
        label="迁往何地、何险种", max_length=100,
        help_text="如 青岛市城乡居民医保、北京市职工医保（某公司）。",
    )
    moved_on = forms.DateField(label="迁出日期", widget=DATE_INPUT)
    reason = forms.CharField(label="迁移原因", max_length=200, help_text="如 户口迁出、外地就业参加职工医保。")
