"""Forms of the newborn pages: a newborn with its parent, and the ID number added later. They check
the shape of what is typed; enrollment/life_events/newborns.py decides the rest."""

from django import forms
from django.utils import timezone

from enrollment.forms import IdNumberField, UnechoedIdNumberInput
from enrollment.life_events.newborns import CERTIFICATE_EXAMPLE, CertificateError, certificate_parse
from portal.shared.vocabulary import Gender


class UnechoedCertificateInput(forms.TextInput):
    """Like UnechoedIdNumberInput: a page answering the form never carries a whole certificate
    number back (a shared computer, a screenshot); a wrong one is shown to be corrected."""

    def format_value(self, value):
        try:
            certificate_parse(str(value or ""))
        except CertificateError:
            return super().format_value(value)
        return None


class UnechoedNameInput(forms.TextInput):
    """The parent's name is typed again with the ID number (which is never echoed either): a
    page answering the lookup repeats nothing of whom the clerk asked about."""

    def format_value(self, value):
        return None


class CertificateField(forms.CharField):
    """A birth certificate number (出生医学证明编号), checked with newborns.certificate_parse."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "出生医学证明编号")
        kwargs.setdefault("max_length", 24)
        kwargs.setdefault("widget", UnechoedCertificateInput)
        kwargs.setdefault("help_text", f"出生医学证明右上角的编号：1 位字母加 9 位数字，如 {CERTIFICATE_EXAMPLE}。")
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "spellcheck": "false"})

    def clean(self, value):
        value = super().clean(value)
        try:
            return certificate_parse(value)
        except CertificateError as error:
            raise forms.ValidationError(error.message, code="certificate") from error


class NewbornForm(forms.Form):
    """The newborn, and, unless the clerk came from the parent's page, the parent to find by ID
    number and name (both must match a registered resident)."""

    parent_id_number = IdNumberField(label="父亲或母亲的身份证号", widget=UnechoedIdNumberInput)
    parent_name = forms.CharField(label="父亲或母亲的姓名", max_length=50, widget=UnechoedNameInput)
    certificate = CertificateField()
    name = forms.CharField(label="新生儿姓名", max_length=50, help_text="与出生医学证明一致。")
    gender = forms.ChoiceField(label="性别", choices=[("", "请选择"), *Gender.choices()])
    birth_date = forms.DateField(label="出生日期", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, parent_known: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if parent_known:
            del self.fields["parent_id_number"], self.fields["parent_name"]
        self.fields["birth_date"].widget.attrs["max"] = timezone.localdate().isoformat()


class IdNumberAddForm(forms.Form):
    id_number = IdNumberField(label="新办理的身份证号", widget=UnechoedIdNumberInput)
