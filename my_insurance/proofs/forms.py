"""The choice of years for a 参保证明."""

from django import forms


class ProofForm(forms.Form):
    years = forms.TypedMultipleChoiceField(
        label="证明哪些年度", coerce=int, widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个年度。",
            # A year not offered: someone else's, unpaid, or a forged value. Not echoed back.
            "invalid_choice": "所选年度不能开具参保证明，请只勾选列表中可以选择的年度。",
            "invalid_list": "请从列表中选择年度。",
        },
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["years"].choices = [(year, f"{year} 年度") for year in years]
