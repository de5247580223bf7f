"""Forms of the officers' identity pages: a department's list to import, a revocation."""

from django import forms

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
