"""绑定码: the one-time code a user who must pass a second factor needs to add an authenticator.

An officer issues it (the user admin's action, or ``manage.py issue_enrolment_code`` for the
first one) and tells it to the user, who enters it on /accounts/two-factor/ before the page
shows a key: the code is spent then, and the key, with the authenticator made from it, is new
from that moment, so nobody who reached the page with the password alone knows it. Ten digits,
valid a day; wrong tries count like wrong passwords (portal/lockout.py).
"""

import secrets
import unicodedata
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from portal.models import AuthenticatorEnrolment

VALID_FOR = timedelta(hours=24)
DIGITS = 10


def issue(user, *, by=None) -> str:
    """A new code for ``user``, replacing any earlier one; the only time the code is seen."""
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    AuthenticatorEnrolment.objects.update_or_create(
        user=user, defaults={"digest": _digest(user, code), "issued_by": by,
                             "expires_at": timezone.now() + VALID_FOR},
    )
    return code


def shown(code: str) -> str:
    """``1234567890`` as ``1234 5678 90``: easier to read out on the telephone."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def spend(user, typed: str) -> bool:
    """Use the code up; False when it is wrong, expired or already spent."""
    enrolment = (AuthenticatorEnrolment.objects.select_for_update()
                 .filter(user=user, expires_at__gt=timezone.now()).first())
    if enrolment is None or not constant_time_compare(enrolment.digest, _digest(user, _normalise(typed))):
        return False
    enrolment.delete()
    return True


def _normalise(typed: str) -> str:
    """Full-width digits (from a Chinese input method), spaces and dashes as read out."""
    text = unicodedata.normalize("NFKC", typed)
    return "".join(character for character in text if not character.isspace() and character != "-")


def _digest(user, code: str) -> str:
    # Keyed with SECRET_KEY and bound to the user: a digest read from the database is useless.
    return salted_hmac("portal.enrolment_codes", f"{user.pk}:{code}", algorithm="sha256").hexdigest()
