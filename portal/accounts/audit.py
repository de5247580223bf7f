"""Sign-ins in the access log: who signed in, or what name was tried, from which address
(ASVS 16.2.1; 等保 2.0 8.1.4.3 安全审计). Connected in PortalConfig.ready."""

from portal.privacy.models import USERNAME_LOGGED_LENGTH, AccessLogEntry
from portal.web.addresses import client_address

LOGIN = "login"
LOGIN_FAILED = "login_failed"


def _address(request) -> str | None:
    # Logins outside a request (a test's force_login, a shell) have no address to record.
    return (client_address(request) or None) if request is not None else None


def log_login(sender, request, user, **kwargs) -> None:
    AccessLogEntry.objects.create(
        user=user, username=user.get_username()[:USERNAME_LOGGED_LENGTH], address=_address(request),
        action=LOGIN, detail="登录成功",
    )


def log_login_failed(sender, credentials, request=None, **kwargs) -> None:
    # What was typed as the username is kept, cut to a username's length so that a hostile
    # megabyte of text cannot fill the log. Django has already blanked the password.
    typed = str(credentials.get("username", ""))[:USERNAME_LOGGED_LENGTH]
    AccessLogEntry.objects.create(
        user=None, username=typed, address=_address(request), action=LOGIN_FAILED, detail="登录失败",
    )
