"""Messages to residents (an application decided, an identity verified, a payment recorded, a
sign-in code for 我的医保).

``notify`` hands a message to the backend named by settings.NOTIFICATION_BACKEND: the console
(development), a file, memory (tests read ``outbox``) or an SMS gateway. A message never
carries a full ID number: ``notify`` refuses one that looks like it does.

A backend is a class whose instances need no arguments and have one method::

    class MyGateway:
        def send(self, notification: Notification) -> None:
            ...  # deliver notification.message to notification.phone

``send`` returns once the message is accepted for delivery and raises ``NotificationFailed``
when it is not (the caller decides what the resident is told: the sign-in page voids the code
and asks them to try again later). It must not log the message itself: it may hold a sign-in
code. ``HttpSmsGateway`` is the backend for a real gateway; ``ConsoleBackend`` logs the whole
message at INFO, so that a developer running ``make run`` reads sign-in codes in the console.
"""

import http.client
import json
import logging
import re
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Eighteen-character ID numbers (the last may be X) and fifteen-digit first-generation ones.
FULL_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


class UnsafeMessage(ValueError):
    pass


class NotificationFailed(Exception):
    """The backend could not hand the message over (gateway down, refused, too slow)."""


@dataclass(frozen=True)
class Notification:
    phone: str
    kind: str  # e.g. "application_decided", "identity_verified", "payment_recorded"
    message: str


def notify(*, phone: str, kind: str, message: str) -> Notification | None:
    """Send ``message`` to ``phone``; a resident without a phone number is simply not told."""
    if FULL_ID_NUMBER.search(message):
        raise UnsafeMessage("通知内容不能包含完整的身份证号码，请使用脱敏号码。")
    if not phone:
        return None
    notification = Notification(phone=phone, kind=kind, message=message)
    backend_class = import_string(getattr(settings, "NOTIFICATION_BACKEND", "portal.shared.notifications.ConsoleBackend"))
    backend_class().send(notification)
    return notification


class ConsoleBackend:
    def send(self, notification: Notification) -> None:
        logger.info("通知 %s → %s：%s", notification.kind, _masked_phone(notification.phone), notification.message)


class FileBackend:
    """One JSON line per message, in settings.NOTIFICATION_FILE_PATH."""

    def send(self, notification: Notification) -> None:
        record = {**asdict(notification), "at": timezone.now().isoformat()}
        with open(settings.NOTIFICATION_FILE_PATH, "a", encoding="utf-8") as file:
            file.write(json.dumps(record, ensure_ascii=False) + "\n")


class HttpSmsGateway:
    """POSTs ``{"phone", "kind", "message"}`` as JSON to settings.SMS_GATEWAY_URL with
    ``Authorization: Bearer <settings.SMS_GATEWAY_TOKEN>``; any 2xx answer is a success.
    Waits at most settings.SMS_GATEWAY_TIMEOUT seconds: a resident is waiting for the page."""

    def send(self, notification: Notification) -> None:
        url = settings.SMS_GATEWAY_URL
        # urllib would also open file: and ftp: addresses; a gateway is reached over HTTP only.
        if not url.startswith(("https://", "http://")):
            raise NotificationFailed("SMS_GATEWAY_URL is not an http(s) address")
        body = json.dumps(asdict(notification), ensure_ascii=False).encode()
        request = urllib.request.Request(url, data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8",
            "Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}",
        })
        try:
            with urllib.request.urlopen(request, timeout=settings.SMS_GATEWAY_TIMEOUT) as answer:
                status = answer.status
        # HTTPError (4xx, 5xx) is a URLError; a gateway answering no HTTP at all (BadStatusLine) or an
        # address with a bad port (InvalidURL) raises http.client's own HTTPException.
        except (urllib.error.URLError, OSError, http.client.HTTPException) as error:
            # The reason, never the message: it may hold a sign-in code.
            logger.warning("短信网关发送失败 %s → %s：%s", notification.kind, _masked_phone(notification.phone), error)
            raise NotificationFailed(str(error)) from error
        if not 200 <= status < 300:
            logger.warning("短信网关发送失败 %s → %s：HTTP %s", notification.kind, _masked_phone(notification.phone), status)
            raise NotificationFailed(f"HTTP {status}")


outbox: list[Notification] = []


class MemoryBackend:
    """For tests: messages are appended to ``portal.shared.notifications.outbox``."""

    def send(self, notification: Notification) -> None:
        outbox.append(notification)


def _masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****"
