"""How often anyone may try to sign in to 我的医保, and why a code cannot be guessed.

Guessing: a code is one of 1,000,000 (six digits) and takes at most 5 tries (rules.CODE_TRIES).
One person is sent at most settings.SIGN_IN_CODES_PER_DAY codes a day (10), counted from their
SignInCode rows in the database, so that the count holds across sessions, client addresses and
workers and survives an emptied cache: at most 10 x 5 = 50 guesses of 1,000,000 a day, a chance
of 1 in 20,000 a day for someone who already knows the person's name, ID number and the last
four digits of their phone, while every code they burn is a text message on the owner's phone.
Without those four digits the chance is 10,000 times smaller again: a wrong phone gets the same
answer as a right one, and a decoy that no code opens (views.py).

Trying: attempts are counted in the shared cache (portal/web/ratelimit.py) per ID number (its
digest), an hour and a day, with the same numbers as the codes per person and in the same aligned
windows (rules.window_of). Every attempt counts there, a wrong name or phone too, so the cache
refuses a real person and a decoy alike at the same attempt, before the database's count of codes
could tell them apart; the database's count is the backstop when the cache was emptied. Per
client address, attempts and code checks are counted an hour, so that nobody walks through many
people's numbers from one address or makes decoys cost the server without end; per phone on
record, codes an hour, so that a household sharing one phone is not flooded with texts.
"""

from dataclasses import dataclass

from django.conf import settings

from my_insurance.signin.rules import DAY, HOUR
from portal.web.ratelimit import RateLimit, Verdict

HOUR_SECONDS = int(HOUR.total_seconds())
DAY_SECONDS = int(DAY.total_seconds())


def attempt_limits(*, address: str, subject_digest: str) -> list[tuple[RateLimit, str]]:
    """The cache's limits one sign-in attempt counts against, for portal.web.ratelimit.hit_all."""
    return [
        (RateLimit("sign-in-address", limit=settings.SIGN_IN_ATTEMPTS_PER_ADDRESS, seconds=HOUR_SECONDS), address),
        (RateLimit("sign-in-person-hour", limit=settings.SIGN_IN_CODES_PER_HOUR, seconds=HOUR_SECONDS), subject_digest),
        (RateLimit("sign-in-person-day", limit=settings.SIGN_IN_CODES_PER_DAY, seconds=DAY_SECONDS), subject_digest),
    ]


def codes_per_phone() -> RateLimit:
    return RateLimit("sign-in-phone", limit=settings.SIGN_IN_CODES_PER_HOUR, seconds=HOUR_SECONDS)


def code_checks_per_address() -> RateLimit:
    return RateLimit("sign-in-code-address", limit=settings.SIGN_IN_CODE_CHECKS_PER_ADDRESS, seconds=HOUR_SECONDS)


@dataclass(frozen=True)
class Refusal:
    verdict: Verdict
    period: str  # "每小时" / "每天", for the 429 page


def refusal_of(limits: list[tuple[RateLimit, str]]) -> Refusal | None:
    """Count one try against each (limit, key), as hit_all does; the refusal that lasts longest,
    with its window's name, or None."""
    refused = [(limit, verdict) for limit, verdict in ((limit, limit.hit(key)) for limit, key in limits)
               if not verdict.allowed]
    if not refused:
        return None
    limit, verdict = max(refused, key=lambda pair: pair[1].retry_after)
    return Refusal(verdict, "每天" if limit.seconds >= DAY_SECONDS else "每小时")
