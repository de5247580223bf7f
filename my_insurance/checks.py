"""``manage.py check --deploy``: a production that would write sign-in codes where people read them.

The console backend logs every message whole (so that a developer reads the code in runserver's
console) and the file backend writes it to a file: in production either puts every resident's
sign-in code into logs that operators, log shippers and backups read, and anyone who reads them can
sign in as that resident. Both are the development and test defaults, so forgetting
NOTIFICATION_BACKEND must not go unnoticed.
"""

from django.conf import settings
from django.core.checks import Tags, Warning, register

CODES_IN_THE_CLEAR = {
    "portal.shared.notifications.ConsoleBackend": "logs every message whole",
    "portal.shared.notifications.FileBackend": "writes every message whole to NOTIFICATION_FILE_PATH",
}


@register(Tags.security, deploy=True)
def sign_in_codes_not_in_the_clear(app_configs, **kwargs) -> list[Warning]:
    backend = settings.NOTIFICATION_BACKEND
    if backend not in CODES_IN_THE_CLEAR:
        return []
    return [Warning(
        f"NOTIFICATION_BACKEND {backend} {CODES_IN_THE_CLEAR[backend]}, 我的医保 sign-in codes included: "
        "whoever reads it can sign in as the resident.",
        hint="Set NOTIFICATION_BACKEND=portal.shared.notifications.HttpSmsGateway and SMS_GATEWAY_URL (README.md).",
        id="my_insurance.W001",
    )]
