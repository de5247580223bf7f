"""Forms of 门诊慢特病认定: recording an application, the officer's decision, attachments."""

from django import forms

from treatment.chronic.models import DEFAULT_RECOGNITION_YEARS

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        "error_messages": {"invalid": "请按 YYYY-MM-DD 填写日期，如 2022-03-01。"}}


class RecognitionForm(forms.Form):
    id_number = forms.CharField(
        label="申请人身份证号", max_length=30, help_text="申请人须已在本站登记；身份证号不会出现在网址中。",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    # No disease is chosen for the clerk: a preselected one would be submitted by mistake.
    disease_code = forms.ChoiceField(label="认定病种", error_messages={
        "required": "请选择认定病种。", "invalid_choice": "请从本年度门诊慢特病病种目录中选择病种。"})
    diagnosis = forms.CharField(
        label="诊断医院及诊断", max_length=200, help_text="如：淄博市中心医院 原发性高血压3级（高危）",
        error_messages={"required": "请填写诊断医院及诊断。", "max_length": "诊断医院及诊断至多 200 字。"},
    )
    attachment = forms.FileField(
        label="认定材料（可选）", required=False,
        help_text="PDF 或图片（PNG、JPEG），每个不超过 5 MB；更多材料可在受理后继续上传。",
    )

    def __init__(self, *args, diseases=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["disease_code"].choices = [("", "请选择认定病种")] + [
            (disease.code, f"{disease.code} {disease.name}") for disease in diseases]


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="认定结论", choices=[("recognise", "予以认定"), ("refuse", "不予认定")], widget=forms.RadioSelect,
        error_messages={"required": "请选择认定结论。", "invalid_choice": "请选择予以认定或不予认定。"},
    )
    valid_from = forms.DateField(label="认定起始日期", required=False, **DATE)
    valid_until = forms.DateField(
        label="认定有效期至", required=False, **DATE,
        help_text=f"不填则为起始日期起 {DEFAULT_RECOGNITION_YEARS} 年。",
    )
    notes = forms.CharField(
        label="认定意见或不予认定理由", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "意见至多 500 字。"},
    )
