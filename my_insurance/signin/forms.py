"""The two forms of signing in: who you are, then the code sent to your phone."""

import re
import unicodedata

from django import forms

from enrollment.forms import LookupForm
from my_insurance.signin.rules import CODE_DIGITS


def _digits(value: str) -> str:
    """Full-width digits (１２３４) read as plain ones; spaces and dashes typed in between are dropped."""
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", value or ""))


class SignInForm(LookupForm):
    """姓名 and 身份证号 exactly as the public lookup checks them, and the phone's last four digits."""

    phone_last_four = forms.CharField(
        label="手机号后四位", max_length=20, help_text="在医保经办机构登记的手机号码的最后 4 位数字。",
        error_messages={"required": "请填写手机号的后 4 位数字。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["phone_last_four"].widget.attrs.update({"autocomplete": "off", "inputmode": "numeric"})

    def clean_phone_last_four(self) -> str:
        value = _digits(self.cleaned_data["phone_last_four"])
        if not re.fullmatch(r"[0-9]{4}", value):
            raise forms.ValidationError("请填写手机号的后 4 位数字，例如 1234。", code="last_four")
        return value


class CodeForm(forms.Form):
    code = forms.CharField(
        label="短信验证码", max_length=20, help_text=f"短信中的 {CODE_DIGITS} 位数字。",
        error_messages={"required": f"请填写短信中的 {CODE_DIGITS} 位数字验证码。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # one-time-code: a phone offers the code from the text message it just received.
        self.fields["code"].widget.attrs.update({"autocomplete": "one-time-code", "inputmode": "numeric"})

    def clean_code(self) -> str:
        value = _digits(self.cleaned_data["code"])
        if not re.fullmatch(rf"[0-9]{{{CODE_DIGITS}}}", value):
            raise forms.ValidationError(f"验证码是 {CODE_DIGITS} 位数字，请核对短信后重新输入。", code="digits")
        return value
