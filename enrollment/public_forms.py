"""Forms of the public pages: the premium page's choices and the coverage lookup."""

from django import forms

from enrollment.forms import IdNumberField, UnechoedIdNumberInput
from portal.vocabulary import AssistanceCategory, Category


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
