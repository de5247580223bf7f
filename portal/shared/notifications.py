"""Messages to residents (an application decided, an identity verified, a payment recorded).

``notify`` hands a message to the backend named by settings.NOTIFICATION_BACKEND: the console
(development), a file, memory (tests read ``outbox``) or an SMS gateway. A message never
carries a full ID number: ``notify`` refuses one that looks like it does.
"""

import json
import logging
import re
from dataclasses import asdict, dataclass

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# Eighteen-character ID numbers (the last may be X) and fifteen-digit first-generation ones.
FULL_ID_NUMBER = re.compile(r"(?<![0-9])(?:[0-9]{17}[0-9Xx]|[0-9]{15})(?![0-9Xx])")


class UnsafeMessage(ValueError):
    pass


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


outbox: list[Notification] = []


class MemoryBackend:
    """For tests: messages are appended to ``portal.shared.notifications.outbox``."""

    def send(self, notification: Notification) -> None:
        outbox.append(notification)


def _masked_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "****"
