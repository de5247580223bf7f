"""Sending a sign-in code to a resident's phone and checking the code they type.

The code itself lives only in the text message: the database keeps a keyed digest of it
(``code_digest``), and nothing of ours logs it or puts it in the session or the access log. The
functions that hold it are ``sensitive_variables``: an error report lists every frame's locals.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils.crypto import constant_time_compare, salted_hmac
from django.views.decorators.debug import sensitive_variables

from enrollment.collection.reminders import mask_phone
from enrollment.models import Resident
from my_insurance.signin import rules
from my_insurance.signin.models import SignInCode
from my_insurance.signin.rules import CodeAllowance, CodeVerdict, Outcome
from portal.shared.notifications import NotificationFailed, notify

KIND = "sign_in_code"


class CodesExhausted(Exception):
    """This person was sent as many codes as the hour or the day allows."""

    def __init__(self, allowance: CodeAllowance):
        super().__init__(f"{allowance.limit} codes {allowance.period}")
        self.allowance = allowance


def new_code() -> str:
    return f"{secrets.randbelow(10 ** rules.CODE_DIGITS):0{rules.CODE_DIGITS}d}"


@sensitive_variables("code")
def code_digest(*, resident_id: int, code: str) -> str:
    """HMAC-SHA256 of the code under a key derived from settings.SECRET_KEY, bound to the
    resident: a copy of the table tells nothing without the key, and one table of a million
    digests does not open every row."""
    return salted_hmac("my_insurance.signin.code", f"{resident_id}:{code}", secret=settings.SECRET_KEY,
                       algorithm="sha256").hexdigest()


@sensitive_variables("code")
def code_message(code: str) -> str:
    return (f"【城乡居民医保】您登录“我的医保”的验证码是 {code}，{rules.minutes(rules.CODE_VALID)} 分钟内有效。"
            "工作人员不会向您索要验证码，请勿告诉任何人。")


@sensitive_variables("code")
def sign_in_code_send(*, resident: Resident, now: datetime) -> SignInCode:
    """Void the resident's live code, store a new one and text it to their phone on record.

    The resident's row is locked while the codes of the last day are counted, so that two
    requests at once cannot both pass the limit (the constraint of one live code is the last
    word). The text goes out after the commit, outside the lock: a slow gateway holds nobody
    else's sign-in. A failed send voids the code and raises NotificationFailed; it still counts
    against the limit, so a failing gateway cannot be used to try without end.
    """
    code = new_code()
    with transaction.atomic():
        locked = Resident.objects.select_for_update().only("pk", "phone").get(pk=resident.pk)
        phone = rules.mobile_number(locked.phone)
        if not phone:  # changed by a clerk since the details were compared
            raise NotificationFailed("no mobile number on record")
        sent = list(SignInCode.objects.filter(resident=locked, sent_at__gt=now - rules.DAY).values_list("sent_at", flat=True))
        allowance = rules.code_allowance(sent=sent, now=now, per_hour=settings.SIGN_IN_CODES_PER_HOUR,
                                   per_day=settings.SIGN_IN_CODES_PER_DAY)
        if not allowance.allowed:
            raise CodesExhausted(allowance)
        SignInCode.objects.live().filter(resident=locked).update(voided_at=now)
        row = SignInCode.objects.create(
            resident=locked, code_digest=code_digest(resident_id=locked.pk, code=code),
            phone_masked=mask_phone(phone), sent_at=now, expires_at=now + rules.CODE_VALID,
        )
    try:
        notify(phone=phone, kind=KIND, message=code_message(code))
    except Exception:
        SignInCode.objects.live().filter(pk=row.pk).update(voided_at=now)
        raise
    return row


@dataclass(frozen=True)
class CodeCheck:
    verdict: CodeVerdict
    resident: Resident | None  # set when the code was right


@sensitive_variables("code")
def sign_in_code_check(*, code_id: int, code: str, now: datetime) -> CodeCheck:
    """Judge ``code`` against the sent code ``code_id``: a right code is used up, a wrong one
    counted on the row (under its lock, so that tries at once all count), the last wrong try and
    an expired code void it."""
    with transaction.atomic():
        row = SignInCode.objects.select_for_update().filter(pk=code_id).first()
        if row is None:
            return CodeCheck(rules.code_verdict(matches=False, wrong_tries=0, void=True, expires_at=now, now=now), None)
        matches = constant_time_compare(row.code_digest, code_digest(resident_id=row.resident_id, code=code))
        verdict = rules.code_verdict(matches=matches, wrong_tries=row.wrong_tries,
                               void=row.used_at is not None or row.voided_at is not None,
                               expires_at=row.expires_at, now=now)
        if verdict.outcome is Outcome.RIGHT:
            row.used_at = now
            row.save(update_fields=["used_at"])
            return CodeCheck(verdict, Resident.objects.select_related("region").get(pk=row.resident_id))
        if verdict.outcome is Outcome.WRONG:
            row.wrong_tries += 1
        if verdict.voids_the_code:
            row.voided_at = now
        row.save(update_fields=["wrong_tries", "voided_at"])
        return CodeCheck(verdict, None)
