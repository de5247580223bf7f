"""Sign-ins in the access log: who signed in, or what name was tried, from which address
(ASVS 16.2.1; 等保 2.0 8.1.4.3 安全审计). Connected in PortalConfig.ready.

A sign-in with a second factor is complete only when the code is right: the password step is
its own entry ("login_password"), and "login" is written after the code."""

from portal.accounts.roles import has_authenticator, second_factor_required
from portal.privacy.models import USERNAME_LOGGED_LENGTH, AccessLogEntry
from portal.web.addresses import client_address

LOGIN = "login"
LOGIN_PASSWORD = "login_password"
LOGIN_FAILED = "login_failed"


def _address(request) -> str | None:
    # Logins outside a request (a test's force_login, a shell) have no address to record.
    return (client_address(request) or None) if request is not None else None


def _write(request, user, action: str, detail: str) -> None:
    AccessLogEntry.objects.create(
        user=user, username=user.get_username()[:USERNAME_LOGGED_LENGTH], address=_address(request),
        action=action, detail=detail,
    )


def log_login(sender, request, user, **kwargs) -> None:
    """user_logged_in: a sign-in with the password alone; with a second factor, nothing yet."""
    if not (has_authenticator(user) or second_factor_required(user)):
        _write(request, user, LOGIN, "登录成功")


def log_password_passed(request, user) -> None:
    _write(request, user, LOGIN_PASSWORD, "密码正确，待验证身份验证器")


def log_second_factor_passed(request, user) -> None:
    _write(request, user, LOGIN, "登录成功（密码和身份验证器）")


def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # What was typed as the username is kept, cut to a username's length so that a hostile
    # megabyte of text cannot fill the log. Django has already blanked the password.
    typed = str(credentials.get("username", ""))[:USERNAME_LOGGED_LENGTH]
    AccessLogEntry.objects.create(
        user=None, username=typed, address=_address(request), action=LOGIN_FAILED, detail="登录失败",
    )
