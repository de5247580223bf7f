"""Forms of settlements and what follows from them: the officers' settlement import, and the
handling of a high-cost alert at the station."""

from django import forms

from assistance.settlements.models import HighCostAlert


class AlertAcknowledgeForm(forms.Form):
    notes = forms.CharField(label="核查安排（可选）", max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))


class AlertResolveForm(forms.Form):
    outcome = forms.ChoiceField(label="处理结果", choices=HighCostAlert.Outcome.choices)
    notes = forms.CharField(label="处理说明", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


# What the officer page takes in one request; a whole province's month goes through
# manage.py import_settlements, which has no request time limit.
MAX_SETTLEMENT_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_SETTLEMENT_ROWS = 100_000


class SettlementImportForm(forms.Form):
    file = forms.FileField(label="结算文件（CSV 或 XLSX）", help_text="不超过 20 MB、100,000 行。")
    dry_run = forms.BooleanField(label="只检查，不导入", required=False, initial=True)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_SETTLEMENT_UPLOAD_BYTES:
            raise forms.ValidationError(f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 20 MB；请按月份或区县分成几个文件导入。")
        return upload
