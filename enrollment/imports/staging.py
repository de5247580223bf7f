"""A roll uploaded at the station, kept between its dry run and the clerk's confirmation.

The browser never sends the roll back: the confirm form carries only a random token. The parsed
rows wait server-side in a file under ``settings.ROLL_UPLOAD_DIR`` (never under MEDIA or STATIC,
so never served), encrypted with AES-GCM under a key derived from the ID-number key, because the
rows hold full ID numbers (DESIGN.md section 4). The clerk's id and the token are the associated
data: another account cannot open it even with the token. A roll expires after STAGED_FOR and on
the next calendar day (the premiums of the dry run were for that day).

Confirming *takes* the file with a rename, which the file system does atomically: of two
confirmations of one roll (a double click, a retried request) exactly one gets it. The database
then has the last word as everywhere else (one enrollment per person per year), so even a roll
staged twice cannot enroll anyone twice.
"""

import json
import os
import re
import secrets
import time
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

from enrollment.imports.checks import ImportReport
from enrollment.imports.rolls import RollRow

STAGED_FOR = timedelta(minutes=30)
RESULT_KEPT_FOR = timedelta(days=1)
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{32}$")
NONCE_BYTES = 12


@dataclass(frozen=True)
class StagedRoll:
    token: str
    year: int
    filename: str
    on: date  # the day of the dry run
    rows: list[RollRow]


@dataclass(frozen=True)
class ImportResult:
    """What a committed import did, kept so that a second confirmation can say so."""

    token: str
    year: int
    filename: str
    rows: int
    new_residents: int
    existing_residents: int
    enrollments: int
    payable_total: Decimal


def upload_dir() -> Path:
    directory = Path(settings.ROLL_UPLOAD_DIR)
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def roll_stage(*, rows: list[RollRow], year: int, filename: str, user, on: date) -> str:
    """Keep a checked roll for its confirmation; returns the token for the confirm form."""
    _purge_expired()
    token = secrets.token_urlsafe(24)  # 32 characters
    payload = {"year": year, "filename": filename, "on": on.isoformat(), "rows": [list(row) for row in rows]}
    _write(_path(token, ".roll"), _seal(payload, token=token, user=user))
    return token


def roll_peek(*, token: str, user, today: date) -> StagedRoll | None:
    """The roll waiting under ``token`` for this user, or None (unknown, another user's, expired)."""
    if not TOKEN_PATTERN.match(token or ""):
        return None
    return _staged(_path(token, ".roll"), token=token, user=user, today=today)


def roll_take(*, token: str, user, today: date) -> StagedRoll | None:
    """Take the roll for its one confirmation: after this, nobody else can take it."""
    if roll_peek(token=token, user=user, today=today) is None:
        return None
    taken = _path(token, f".taken-{secrets.token_hex(4)}")
    try:
        os.rename(_path(token, ".roll"), taken)
    except FileNotFoundError:
        return None  # another request took it between the peek and the rename
    try:
        return _staged(taken, token=token, user=user, today=today)
    finally:
        taken.unlink(missing_ok=True)


def result_keep(*, token: str, report: ImportReport, staged: StagedRoll, user) -> None:
    payload = {
        "year": staged.year, "filename": staged.filename, "rows": report.rows,
        "new_residents": report.new_residents, "existing_residents": report.existing_residents,
        "enrollments": report.enrollments, "payable_total": str(report.payable_total),
    }
    _write(_path(token, ".done"), _seal(payload, token=token, user=user))


def result_find(*, token: str, user) -> ImportResult | None:
    if not TOKEN_PATTERN.match(token or ""):
        return None
    payload = _open(_path(token, ".done"), token=token, user=user)
    if payload is None:
        return None
    return ImportResult(token=token, **{**payload, "payable_total": Decimal(payload["payable_total"])})


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


def _write(path: Path, data: bytes) -> None:
    # Written under a temporary name and renamed, so a half-written file is never read.
    partial = path.with_name(path.name + ".partial")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(partial, path)


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
    """Rolls nobody confirmed, and old results, are deleted when the next roll is staged."""
    now = time.time()
    for path in upload_dir().iterdir():
        kept_for = RESULT_KEPT_FOR if path.suffix == ".done" else STAGED_FOR
        try:
            if now - path.stat().st_mtime > kept_for.total_seconds():
                path.unlink()
        except FileNotFoundError:
            pass  # taken or purged by another request meanwhile
