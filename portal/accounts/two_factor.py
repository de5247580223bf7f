"""The second factor of staff sign-in: a six-digit code from an authenticator app (TOTP, django-otp).

Officers must have a confirmed authenticator and pass it at sign-in to use /admin/; clerks may add
one, and once they have, their sign-in asks for it too. The password step (portal/accounts/logins.py)
never logs in a user who has an authenticator: it parks the user in the session here, and only
a right code completes the login. A wrong code counts as a failed login for the lockout, so
guessing codes is as limited as guessing passwords. A user who must have an authenticator adds
one only with a 绑定码 a user administrator issued (portal/accounts/binding_codes.py): a password alone
never gets as far as a key.
"""

import math
import time
from urllib.parse import parse_qs, urlsplit

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import BACKEND_SESSION_KEY, user_login_failed
from django.contrib.auth import login as auth_login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import transaction
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django_otp import devices_for_user, match_token
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts import binding_codes
from portal.accounts.audit import log_second_factor_passed
from portal.accounts.lockout import lockout_response, login_allowed
from portal.accounts.roles import has_authenticator, second_factor_required
from portal.privacy.models import access_log_write

PENDING_SESSION_KEY = "two_factor_pending"
# The authenticator a user who must have one is adding, after the 绑定码 (portal/accounts/binding_codes.py).
ADDING_SESSION_KEY = "two_factor_adding"
ADDING_SECONDS = binding_codes.RESUMABLE_FOR.total_seconds()
# Between the password and the code: long enough to open the app, short enough that a
# forgotten half-finished sign-in on a shared station computer goes stale.
PENDING_SECONDS = 5 * 60
DEVICE_NAME = "身份验证器"


def is_verified(user) -> bool:
    """True when this session passed the second factor (set by django-otp's OTPMiddleware)."""
    return bool(getattr(user, "is_verified", lambda: False)())


def safe_next(request, next_url: str) -> str:
    """``next_url`` if it stays on this site, else the default page after sign-in."""
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, require_https=request.is_secure()):
        return next_url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}" if next_url else reverse(url_name)


def next_step_url(user, next_url: str) -> str:
    """Where a signed-in but not yet verified user goes: the code page, or the setup page."""
    return with_next("login_code" if has_authenticator(user) else "two_factor_setup", next_url)


# -- Parking a user between the password and the code -----------------------------------------

def pending_park(request, user) -> None:
    request.session[PENDING_SESSION_KEY] = {"user": user.pk, "backend": user.backend, "at": time.time()}


def _pending(request) -> tuple[User, str] | None:
    """The user who passed the password step, with the backend that checked it; None when stale."""
    parked = request.session.get(PENDING_SESSION_KEY)
    if not isinstance(parked, dict) or time.time() - parked.get("at", 0) > PENDING_SECONDS:
        return None
    user = User.objects.filter(pk=parked.get("user"), is_active=True).first()
    return (user, parked.get("backend", "")) if user else None


# -- Forms ------------------------------------------------------------------------------------

class CodeForm(forms.Form):
    code = forms.CharField(
        label="动态验证码", max_length=12,
        help_text="打开手机上的身份验证器应用，输入“城乡居民医保服务平台”下显示的 6 位数字。",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "请输入身份验证器应用上显示的 6 位数字。"},
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isascii() and code.isdigit() and len(code) == 6):
            raise forms.ValidationError("验证码是 6 位数字，请照身份验证器应用上显示的输入。")
        return code


WRONG_CODE = "验证码不对或已过期。请输入应用上当前显示的 6 位数字；多次输错会暂时锁定登录。"


class BindingCodeForm(forms.Form):
    binding_code = forms.CharField(
        label="绑定码", max_length=30,
        help_text="10 位数字，由市医保局系统管理员发放，24 小时内有效。",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric", "autofocus": True}),
        error_messages={"required": "请输入系统管理员发给您的 10 位绑定码。"},
    )


WRONG_BINDING_CODE = ("绑定码不对或已失效（24 小时内有效，用过一次即失效）。请核对后重新输入，"
                        "或请系统管理员重新发放；输错 5 次绑定码即作废。")
VOID_BINDING_CODE = ("绑定码输错次数过多，已经作废。如果不是您本人在输入，您的密码可能已被他人知道："
                       "请立即联系系统管理员重新发放绑定码，并修改密码。")


# -- Views --------------------------------------------------------------------------------------

@sensitive_post_parameters("code")
@never_cache
def login_code(request):
    """Second step of sign-in: the code of the user's authenticator."""
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if request.user.is_authenticated:
        if is_verified(request.user) or not has_authenticator(request.user):
            return redirect(safe_next(request, next_url))
        user, backend = request.user, request.session.get(BACKEND_SESSION_KEY, "")
    elif pending := _pending(request):
        user, backend = pending
    else:
        messages.info(request, "请先输入用户名和密码。")
        return redirect(with_next("login", next_url))

    credentials = {"username": user.get_username()}
    if not login_allowed(request, credentials):
        return lockout_response(request, None, credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(user, form.cleaned_data["code"])
        if device is not None:
            if not request.user.is_authenticated:
                auth_login(request, user, backend=backend)
            otp_login(request, device)
            log_second_factor_passed(request, user)
            request.session.pop(PENDING_SESSION_KEY, None)
            return redirect(safe_next(request, next_url))
        form.add_error("code", _wait_message(devices_for_user(user, confirmed=True)) or WRONG_CODE)
        # django-axes counts this like a wrong password and, at the limit, answers with the
        # lockout page instead of this one (its middleware reads the flag it sets on the request).
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "portal/otp_code.html", {"form": form, "next": next_url, "staff_user": user})


@sensitive_post_parameters("code", "binding_code")
@never_cache
@login_required
def setup(request):
    """Add an authenticator: scan the QR code (or type the key), then confirm with one code."""
    user = request.user
    next_url = request.POST.get("next") or request.GET.get("next", "")
    if has_authenticator(user):
        return render(request, "portal/otp_setup.html", {"enabled": True, "next": next_url,
                                                           "verified": is_verified(user)})
    required = second_factor_required(user)
    if required:
        device = _device_being_added(request)
        if device is None:
            return _binding_code_step(request, next_url)
    else:
        device = _unconfirmed_device(user)
    form = CodeForm(request.POST if request.method == "POST" and "binding_code" not in request.POST else None)
    if form.is_bound and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            if required:
                binding_codes.finished(user)
                request.session.pop(ADDING_SESSION_KEY, None)
                access_log_write(request=request, action="add_authenticator", detail="凭绑定码添加了身份验证器")
                log_second_factor_passed(request, user)
            messages.success(request, "身份验证器已启用。以后登录时，输入密码后还要输入应用上的 6 位数字。")
            return redirect(safe_next(request, next_url))
        form.add_error("code", _wait_message([device]) or WRONG_CODE)
    return render(request, "portal/otp_setup.html", {
        "form": form, "next": next_url, "enabled": False, "required": required,
        "qr_svg": segno.make(device.config_url, error="m").svg_inline(scale=5, svgclass="otp-qr", title="身份验证器二维码"),
        "secret_groups": _groups_of_four(device.config_url),
    })


def _wait_message(devices) -> str | None:
    """After a wrong code django-otp refuses every code, even the right one, for a few seconds
    (1 s, 2 s, 4 s ...): say so, or the user would think the right code is wrong."""
    for device in devices:
        allowed, details = device.verify_is_allowed()
        if not allowed and details and details.get("locked_until"):
            seconds = max(1, math.ceil((details["locked_until"] - timezone.now()).total_seconds()))
            return f"刚才输错了验证码，为防止猜测，请等 {seconds} 秒后再输入应用上当前显示的数字。"
    return None


def _binding_code_step(request, next_url: str):
    """Before a key is shown to a user who must have an authenticator: their 绑定码. A right one
    is spent and starts a new authenticator, kept for this session only."""
    user = request.user
    credentials = {"username": user.get_username()}
    if not login_allowed(request, credentials):
        return lockout_response(request, None, credentials)
    form = BindingCodeForm(request.POST if "binding_code" in request.POST else None)
    if form.is_bound and form.is_valid():
        outcome, device = binding_codes.start(user, form.cleaned_data["binding_code"], device_name=DEVICE_NAME)
        if outcome is binding_codes.Outcome.STARTED:
            request.session[ADDING_SESSION_KEY] = {"user": user.pk, "device": device.pk, "at": time.time()}
            access_log_write(request=request, action="start_authenticator", detail="绑定码正确，开始添加身份验证器")
            return redirect(with_next("two_factor_setup", next_url))
        form.add_error("binding_code", VOID_BINDING_CODE if outcome is binding_codes.Outcome.VOID
                       else WRONG_BINDING_CODE)
        user_login_failed.send(sender=__name__, credentials=credentials, request=request)
    return render(request, "portal/otp_setup.html", {"binding_code_form": form, "next": next_url, "enabled": False,
                                                       "required": True})


def _device_being_added(request) -> TOTPDevice | None:
    """The authenticator this session started after a right 绑定码; None once it went stale."""
    adding = request.session.get(ADDING_SESSION_KEY)
    if (not isinstance(adding, dict) or adding.get("user") != request.user.pk
            or time.time() - adding.get("at", 0) > ADDING_SECONDS):
        return None
    return TOTPDevice.objects.filter(pk=adding.get("device"), user=request.user, confirmed=False).first()


@transaction.atomic
def _unconfirmed_device(user) -> TOTPDevice:
    """The device being set up; the same one on every visit until confirmed, so a reload shows
    the same QR code as the one the user may already have scanned."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)


def _groups_of_four(config_url: str) -> str:
    """The base32 key of an otpauth:// URL, for typing into an app that cannot scan."""
    secret = parse_qs(urlsplit(config_url).query)["secret"][0]
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
