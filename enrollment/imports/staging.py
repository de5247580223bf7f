"""A roll uploaded at the station, kept between its dry run and the clerk's confirmation.

The browser never sends the roll back: the confirm form carries only a random token. The parsed
rows wait server-side in a file under ``settings.ROLL_UPLOAD_DIR`` (never under MEDIA or STATIC,
so never served), encrypted with AES-GCM under a key derived from the ID-number key, because the
rows hold full ID numbers (DESIGN.md section 4). The clerk's id and the token are the associated
data: another account cannot open it even with the token. A roll expires after STAGED_FOR and on
the next calendar day (the premiums of the dry run were for that day).

The staged file is only read when the roll is confirmed; the claim on it is the database's
(``enrollment.imports.confirmation``): a confirmation that fails leaves the roll confirmable,
and the file is discarded once its import has committed.
"""

import contextlib
import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from enrollment.imports.rolls import RollRow
from portal.shared.files import write_whole

STAGED_FOR = timedelta(minutes=30)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
NONCE_BYTES = 12


@dataclass(frozen=True)
class StagedRoll:
    token: str
    year: int
    filename: str
    on: date  # the day of the dry run
    rows: list[RollRow]


def upload_dir() -> Path:
    directory = Path(settings.ROLL_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def roll_stage(*, rows: list[RollRow], year: int, filename: str, user, on: date) -> str:
    """Keep a checked roll for its confirmation; returns the token for the confirm form. Raises
    ``FileNotStored`` when it cannot be written (nothing is left behind)."""
    _purge_expired()
    token = secrets.token_urlsafe(24)  # 32 characters
    payload = {"year": year, "filename": filename, "on": on.isoformat(), "rows": [list(row) for row in rows]}
    write_whole(_path(token, ".roll"), _seal(payload, token=token, user=user))
    return token


def roll_peek(*, token: str, user, today: date) -> StagedRoll | None:
    """The roll waiting under ``token`` for this user, or None (unknown, another user's, expired)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return _staged(_path(token, ".roll"), token=token, user=user, today=today)


def roll_discard(*, token: str) -> None:
    """Delete a roll whose import has committed (one left behind expires anyway)."""
    if TOKEN_PATTERN.match(token or ""):
        with contextlib.suppress(OSError):  # the import stands either way; _purge_expired retries
            _path(token, ".roll").unlink(missing_ok=True)


def _staged(path: Path, *, token: str, user, today: date) -> StagedRoll | None:
    payload = _open(path, token=token, user=user)
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return None  # taken by another request meanwhile
    if payload is None or age > STAGED_FOR.total_seconds():
        return None
    on = date.fromisoformat(payload["on"])
    if on != today:
        return None
    rows = [RollRow(*row) for row in payload["rows"]]
    return StagedRoll(token=token, year=payload["year"], filename=payload["filename"], on=on, rows=rows)


def _path(token: str, suffix: str) -> Path:
    return upload_dir() / f"{token}{suffix}"


def _open(path: Path, *, token: str, user) -> dict | None:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    try:
        plain = _cipher().decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:], _bound_to(token, user))
    except InvalidTag:
        return None  # another user's roll, or a file that is not ours
    return json.loads(plain)


def _seal(payload: dict, *, token: str, user) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    plain = json.dumps(payload, ensure_ascii=False).encode()
    return nonce + _cipher().encrypt(nonce, plain, _bound_to(token, user))


def _bound_to(token: str, user) -> bytes:
    return f"{token}:{user.pk}".encode()


def _cipher() -> AESGCM:
    return _cipher_for(settings.ID_NUMBER_KEY)


@lru_cache(maxsize=4)
def _cipher_for(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal staged roll").derive(secret.encode())
    return AESGCM(key)


def _purge_expired() -> None:
    """Rolls nobody confirmed are deleted when the next roll is staged."""
    now = time.time()
    for path in upload_dir().iterdir():
        try:
            if now - path.stat().st_mtime > STAGED_FOR.total_seconds():
                path.unlink()
        except FileNotFoundError:
            pass  # taken or purged by another request meanwhile
