"""ID numbers at rest (DESIGN.md section 4, PIPL art. 28): encrypted, found by a keyed digest.

Keys are derived with HKDF, so no key can stand in for another:
- the encryption key (AES-256-GCM, random nonce, so equal numbers give different ciphertexts)
  from settings.ID_NUMBER_KEY; settings.ID_NUMBER_KEY_PREVIOUS, while set, still decrypts what
  the previous key wrote, so a key rotation needs no downtime (manage.py rotate_id_number_key);
- the digest key (HMAC-SHA256, the unique lookup column) from settings.ID_DIGEST_KEY, or from
  ID_NUMBER_KEY when that is unset. Digests are also kept in the append-only access log and in
  settlement records, which cannot be rewritten, so a rotation keeps the digest key unchanged
  (SECURITY.md, "Rotating the ID-number key").

A ciphertext reads ``v2:<key id>:<base64 nonce + sealed>``; the key id is a fingerprint of the
key that wrote it, so the rotation finds the rows still under an old key without decrypting
everything. ``v1:<base64>`` ciphertexts carry no key id (written before rotation existed) and are
opened with whichever configured key authenticates them.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v2"
LEGACY_VERSION = "v1"
NONCE_BYTES = 12


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


@lru_cache(maxsize=8)
def _cipher(secret: str) -> AESGCM:
    return AESGCM(_derive(secret, b"portal id-number encryption"))


@lru_cache(maxsize=8)
def _digest_key(secret: str) -> bytes:
    return _derive(secret, b"portal id-number digest")


@lru_cache(maxsize=8)
def key_id(secret: str) -> str:
    """A short public fingerprint of a key (8 hex characters); it reveals nothing of the key."""
    return _derive(secret, b"portal id-number key id")[:4].hex()


def current_key_id() -> str:
    return key_id(settings.ID_NUMBER_KEY)


def current_prefix() -> str:
    """How every ciphertext written under the current key begins."""
    return f"{VERSION}:{current_key_id()}:"


def _keys_by_id() -> dict[str, str]:
    """The current key and, during a rotation, the previous one, by key id."""
    keys = {key_id(settings.ID_NUMBER_KEY): settings.ID_NUMBER_KEY}
    previous = getattr(settings, "ID_NUMBER_KEY_PREVIOUS", "")
    if previous:
        keys.setdefault(key_id(previous), previous)
    return keys


def id_digest(number: str) -> str:
    """The lookup digest of a normalised number (64 hex characters)."""
    secret = getattr(settings, "ID_DIGEST_KEY", "") or settings.ID_NUMBER_KEY
    return hmac.digest(_digest_key(secret), number.encode("ascii"), hashlib.sha256).hex()


def id_encrypt(number: str) -> str:
    header = f"{VERSION}:{current_key_id()}"
    nonce = os.urandom(NONCE_BYTES)
    sealed = _cipher(settings.ID_NUMBER_KEY).encrypt(nonce, number.encode("ascii"), header.encode())
    return f"{header}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def id_decrypt(token: str) -> str:
    """The number inside a ciphertext; ValueError if no configured key wrote it."""
    version, _, rest = token.partition(":")
    if version == VERSION:
        kid, _, payload = rest.partition(":")
        secret = _keys_by_id().get(kid)
        if secret is None:
            raise ValueError(f"ID number encrypted under key {kid!r}, which is not configured")
        return _open(secret, payload, f"{VERSION}:{kid}")
    if version == LEGACY_VERSION:
        for secret in _keys_by_id().values():
            try:
                return _open(secret, rest, LEGACY_VERSION)
            except InvalidTag:
                continue
        raise ValueError("ID number encrypted under a key that is not configured")
    raise ValueError(f"unknown ID-number ciphertext version {version!r}")


def _open(secret: str, payload: str, associated: str) -> str:
    raw = base64.b64decode(payload)
    return _cipher(secret).decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], associated.encode()).decode("ascii")
