"""The rules of sign-in codes, without the database: what a typed code does to a pending sign-in,
and when one person may be sent another code.

The code page judges a real code (tries counted on its SignInCode row) and a decoy (a sign-in
whose name, ID number or phone did not match; tries counted in the session) with the same
``code_verdict``, so that the two answer a typed code alike, try for try.
"""

import enum
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

# The issue: six digits, valid for 5 minutes, void after 5 wrong tries.
CODE_DIGITS = 6
CODE_VALID = timedelta(minutes=5)
CODE_TRIES = 5


class Outcome(enum.Enum):
    RIGHT = "right"
    WRONG = "wrong"  # tries_left says how many remain; 0: the code is void from now on
    VOID = "void"  # used, voided (too many tries, a newer code) or never sent
    EXPIRED = "expired"


@dataclass(frozen=True)
class CodeVerdict:
    outcome: Outcome
    tries_left: int

    @property
    def voids_the_code(self) -> bool:
        """Whether the code must be void after this try (its last wrong try, or expired)."""
        return self.outcome is Outcome.EXPIRED or (self.outcome is Outcome.WRONG and self.tries_left == 0)

    @property
    def message(self) -> str:
        """What the code page says (nothing for the right code, which signs in)."""
        if self.outcome is Outcome.WRONG and self.tries_left:
            return f"验证码不正确，请核对短信后重新输入。还可以再试 {self.tries_left} 次。"
        if self.outcome is Outcome.WRONG:
            return f"验证码已输错 {CODE_TRIES} 次，已经作废。请重新获取验证码。"
        if self.outcome is Outcome.EXPIRED:
            return f"验证码已过期（发送后 {minutes(CODE_VALID)} 分钟内有效）。请重新获取验证码。"
        if self.outcome is Outcome.VOID:
            return "这个验证码已经失效。请重新获取验证码。"
        return ""


def mobile_number(phone: str) -> str:
    """The mobile number in a phone field as stations typed it ("139 0533 5122", "+86-139…"), or
    "" when it holds none: a landline or a fragment cannot receive a text message."""
    digits = re.sub(r"[^0-9]", "", phone or "")
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits if re.fullmatch(r"1[3-9][0-9]{9}", digits) else ""


def minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def code_verdict(*, matches: bool, wrong_tries: int, void: bool, expires_at: datetime, now: datetime) -> CodeVerdict:
    """The answer to one typed code. ``matches``: whether it is the code sent (always False for a
    decoy); ``wrong_tries``: wrong tries before this one; ``void``: used or voided already."""
    if void or wrong_tries >= CODE_TRIES:
        return CodeVerdict(Outcome.VOID, 0)
    if now >= expires_at:
        return CodeVerdict(Outcome.EXPIRED, 0)
    if matches:
        return CodeVerdict(Outcome.RIGHT, CODE_TRIES - wrong_tries)
    return CodeVerdict(Outcome.WRONG, CODE_TRIES - wrong_tries - 1)


@dataclass(frozen=True)
class CodeAllowance:
    """Whether one more code may be sent to a person now; if not, the limit reached and when its
    window ends."""

    allowed: bool
    limit: int = 0
    period: str = ""  # "每小时" / "每天", as the 429 page says it
    window_end: datetime | None = None


HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def window_of(now: datetime, span: timedelta) -> tuple[datetime, datetime]:
    """The window of ``span`` that holds ``now``, aligned to multiples of its length since the
    epoch, as portal/web/ratelimit.py aligns the cache's windows: the two limits count the same
    stretches of time, so the cache's (which counts every attempt) refuses first while it works."""
    seconds = int(span.total_seconds())
    start = int(now.timestamp()) // seconds * seconds
    begins = datetime.fromtimestamp(start, tz=UTC)
    return begins, begins + span


def code_allowance(*, sent: list[datetime], now: datetime, per_hour: int, per_day: int) -> CodeAllowance:
    """``sent``: when this person's codes of the last day were sent (aware datetimes)."""
    for limit, period, span in ((per_day, "每天", DAY), (per_hour, "每小时", HOUR)):
        begins, ends = window_of(now, span)
        if sum(1 for moment in sent if begins <= moment < ends) >= limit:
            return CodeAllowance(False, limit=limit, period=period, window_end=ends)
    return CodeAllowance(True)
