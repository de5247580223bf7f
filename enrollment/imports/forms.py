"""The station's roll upload form: the year, and a file that must read as a roll."""

from django import forms

from enrollment.imports.rolls import COLUMNS, RollError, read_roll

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
# A township's largest school or village list is a few thousand people; bigger rolls are the
# officers' command (manage.py import_enrollees), which has no request time limit.
MAX_ROWS = 20_000


class RollUploadForm(forms.Form):
    year = forms.TypedChoiceField(label="参保年度", coerce=int)
    roll = forms.FileField(
        label="参保名单文件（CSV 或 XLSX）",
        help_text=(f"第 1 行为表头：{'、'.join(COLUMNS)}；参保类别填“成年居民”或“学生儿童”。"
                   f"文件不超过 5 MB、{MAX_ROWS:,} 人。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        error_messages={"required": "请选择要导入的名单文件", "empty": "上传的文件是空的，请检查后重新选择"},
    )

    def __init__(self, *args, years: list[int], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(year, f"{year} 年度") for year in years]
        self.rows = None

    def clean_roll(self):
        upload = self.cleaned_data["roll"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"文件有 {upload.size / 1024 / 1024:.1f} MB，超过 5 MB；请分成几个文件分别导入"
            )
        try:
            self.rows = read_roll(upload, upload.name, max_rows=MAX_ROWS)
        except RollError as error:
            raise forms.ValidationError(error.message) from error
        return upload
