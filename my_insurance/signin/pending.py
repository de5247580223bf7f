"""A sign-in between its two pages: the details were sent and a code is awaited.

The session keeps which SignInCode row was sent (none for a decoy: the details matched nobody,
or not the name or phone on record), the typed ID number's digest for the access log, the last
four digits typed, when the code expires, a decoy's wrong tries, and where to go afterwards. It
never keeps the code, the name or the ID number.
"""

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

PENDING_KEY = "my_insurance_pending_sign_in"


@dataclass
class PendingSignIn:
    code_id: int | None  # None: a decoy, which no code opens
    subject_digest: str
    last_four: str
    expires_at: float  # UNIX time
    next_url: str
    decoy_tries: int = 0  # a decoy's wrong tries; a real code's are counted on its row
    decoy_void: bool = False

    @property
    def expires(self) -> datetime:
        return datetime.fromtimestamp(self.expires_at, tz=UTC)


def pending_of(request) -> PendingSignIn | None:
    stored = request.session.get(PENDING_KEY)
    if not isinstance(stored, dict):
        return None
    try:
        return PendingSignIn(**stored)
    except TypeError:  # kept by an older version of this module
        return None


def pending_keep(request, pending: PendingSignIn) -> None:
    """Start a pending sign-in, or keep what a try changed of it."""
    request.session[PENDING_KEY] = asdict(pending)
