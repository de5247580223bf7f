"""Forms of the officers' assistance pages (admin views)."""

from django import forms

from portal.models import Region
from portal.region_codes import Level

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
# Rows one page request checks and writes; bigger lists go through manage.py import_identities.
MAX_LIST_ROWS = 100_000


class IdentityListUploadForm(forms.Form):
    file = forms.FileField(
        label="名单文件", help_text="CSV 或 XLSX，表头：身份证号、姓名、困难类别、认定部门、认定文号、有效期起、有效期止",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError("文件超过 20 MB，请按月份或区县分成几个文件导入。")
        return upload


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label="撤销原因", max_length=500, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="例如“民政部门通知已于 2022 年 3 月退出低保”。",
    )


class BatchGenerateForm(forms.Form):
    year = forms.IntegerField(label="待遇享受年度", min_value=2000, max_value=2100)
    region = forms.ModelChoiceField(
        label="区域", queryset=Region.objects.none(), help_text="为该区域内所有未由医疗救助基金缴纳资助费用的参保登记生成单据。",
    )

    def __init__(self, *args, scope: Region | None, **kwargs):
        super().__init__(*args, **kwargs)
        regions = Region.objects.filter(level__lte=Level.TOWNSHIP)
        self.fields["region"].queryset = regions.within(scope) if scope else regions.none()
