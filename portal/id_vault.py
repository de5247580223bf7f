"""ID numbers at rest (DESIGN.md section 4, PIPL art. 28): encrypted, found by a keyed digest.

Two keys are derived from settings.ID_NUMBER_KEY with HKDF: one encrypts (AES-256-GCM with a
random nonce, so equal numbers give different ciphertexts) and one makes the HMAC-SHA256 digest
that is the unique lookup column; neither can stand in for the other. Ciphertexts start with a
key version so that a later key rotation can tell old from new.
"""

import base64
import hashlib
import hmac
import os
from functools import lru_cache

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

VERSION = "v1"
NONCE_BYTES = 12


def _derive(secret: str, purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=purpose).derive(secret.encode())


@lru_cache(maxsize=4)
def _keys(secret: str) -> tuple[AESGCM, bytes]:
    return (
        AESGCM(_derive(secret, b"portal id-number encryption")),
        _derive(secret, b"portal id-number digest"),
    )


def id_digest(number: str) -> str:
    """The lookup digest of a normalised number (64 hex characters)."""
    _, digest_key = _keys(settings.ID_NUMBER_KEY)
    return hmac.digest(digest_key, number.encode("ascii"), hashlib.sha256).hex()


def id_encrypt(number: str) -> str:
    cipher, _ = _keys(settings.ID_NUMBER_KEY)
    nonce = os.urandom(NONCE_BYTES)
    sealed = cipher.encrypt(nonce, number.encode("ascii"), VERSION.encode())
    return f"{VERSION}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def id_decrypt(token: str) -> str:
    version, _, payload = token.partition(":")
    if version != VERSION:
        raise ValueError(f"unknown ID-number key version {version!r}")
    cipher, _ = _keys(settings.ID_NUMBER_KEY)
    raw = base64.b64decode(payload)
    return cipher.decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], version.encode()).decode("ascii")
