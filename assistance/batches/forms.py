"""The form that starts a special payment batch (特殊缴费单据) for a region."""

from django import forms

from portal.network.codes import Level
from portal.network.models import Region


class BatchGenerateForm(forms.Form):
    year = forms.IntegerField(label="待遇享受年度", min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(
        label="区域", queryset=Region.objects.none(), help_text="为该区域内所有未由医疗救助基金缴纳资助费用的参保登记生成单据。",
    )

    def __init__(self, *args, scope: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(level__lte=Level.TOWNSHIP)
        self.fields["region"].queryset = regions.within(scope) if scope else regions.none()
