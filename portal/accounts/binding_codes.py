"""绑定码: the one-time code a user who must pass a second factor needs to add an authenticator.

A user administrator issues it (the user admin's action, or ``manage.py issue_binding_code``
for the first one) and tells it to the user, who enters it on /accounts/two-factor/ before the
page shows a key: the code is spent then, and the key, with the authenticator made from it, is
new from that moment, so nobody who reached the page with the password alone knows it. Ten
digits, valid a day. Five wrong tries void the code, however often the password is entered
again in between (a login resets the lockout's count of portal/accounts/lockout.py, not this one).
"""

import enum
import secrets
import unicodedata
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.debug import sensitive_variables
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import BindingCode

VALID_FOR = timedelta(hours=24)
VALID_HOURS = int(VALID_FOR.total_seconds() // 3600)  # as pages and the command say it
DIGITS = 10
TRIES = 5
# How long the same code finds the authenticator it started again (a double click, a second tab).
RESUMABLE_FOR = timedelta(minutes=30)


class Outcome(enum.Enum):
    STARTED = "started"  # the code was right: an authenticator to confirm
    WRONG = "wrong"  # wrong, expired, spent, or none issued
    VOID = "void"  # this wrong try was the last one the code allowed


def refusal(user) -> str | None:
    """Why ``user`` gets no code, or None when they need one: only a user who must have an
    authenticator and has none yet."""
    from portal.accounts.roles import has_authenticator, second_factor_required

    if not second_factor_required(user):
        return "经办人员可自行添加身份验证器，不需要绑定码"
    if has_authenticator(user):
        return "已有身份验证器：手机丢失的，先删除原来的，再发放"
    return None


@sensitive_variables("code")
def issue(user, *, by=None) -> str:
    """A new code for ``user``, replacing any earlier one; the only time the code is seen."""
    code = "".join(secrets.choice("0123456789") for _ in range(DIGITS))
    BindingCode.objects.update_or_create(
        user=user, defaults={"digest": _digest(user, code), "issued_by": by, "failed_tries": 0, "spent_at": None,
                             "device": None, "expires_at": timezone.now() + VALID_FOR},
    )
    return code


def shown(code: str) -> str:
    """``1234567890`` as ``1234 5678 90``: easier to read out on the telephone."""
    return " ".join(code[i:i + 4] for i in range(0, len(code), 4))


@sensitive_variables("typed", "digest")
@transaction.atomic
def start(user, typed: str, *, device_name: str) -> tuple[Outcome, TOTPDevice | None]:
    """Spend ``user``'s code and start a new, unconfirmed authenticator; the same code again
    within RESUMABLE_FOR gives the same authenticator while it is unconfirmed."""
    now = timezone.now()
    digest = _digest(user, _normalise(typed))
    binding = (BindingCode.objects.select_for_update()
                 .filter(user=user, expires_at__gt=now).first())
    if binding is None:
        return Outcome.WRONG, None
    if not constant_time_compare(binding.digest, digest):
        if binding.failed_tries + 1 >= TRIES:
            binding.delete()
            return Outcome.VOID, None
        BindingCode.objects.filter(pk=binding.pk).update(failed_tries=F("failed_tries") + 1)
        return Outcome.WRONG, None
    if binding.spent_at is None:
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice.objects.create(user=user, name=device_name, confirmed=False)
        binding.spent_at, binding.device = now, device
        binding.save(update_fields=["spent_at", "device"])
        return Outcome.STARTED, device
    device = binding.device
    if device is not None and not device.confirmed and now - binding.spent_at < RESUMABLE_FOR:
        return Outcome.STARTED, device
    return Outcome.WRONG, None


def finished(user) -> None:
    """The authenticator is confirmed: nothing is left to spend."""
    BindingCode.objects.filter(user=user).delete()


@sensitive_variables("typed", "text")
def _normalise(typed: str) -> str:
    """Full-width digits (from a Chinese input method), spaces and dashes as read out."""
    text = unicodedata.normalize("NFKC", typed)
    return "".join(character for character in text if not character.isspace() and character != "-")


@sensitive_variables("code")
def _digest(user, code: str) -> str:
    # Keyed with SECRET_KEY and bound to the user: a digest read from the database is useless.
    # The salt is this module's first name: another salt would void the codes already issued.
    return salted_hmac("portal.enrolment_codes", f"{user.pk}:{code}", algorithm="sha256").hexdigest()
