"""Short-lived personal data kept outside the database, such as an uploaded list waiting in the
shared cache between its dry run and its confirmation: sealed with AES-GCM under a key derived
from ID_NUMBER_KEY, and bound to who may open it, so that the cache (Redis) never holds ID
numbers in the clear and another account's token opens nothing."""

import os
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

NONCE_BYTES = 12


def seal(plain: bytes, *, bound_to: str) -> bytes:
    nonce = os.urandom(NONCE_BYTES)
    return nonce + _cipher(settings.ID_NUMBER_KEY).encrypt(nonce, plain, bound_to.encode())


def unseal(sealed: bytes, *, bound_to: str) -> bytes | None:
    """The plain bytes, or None when the seal was made for someone else or has been tampered with."""
    try:
        return _cipher(settings.ID_NUMBER_KEY).decrypt(sealed[:NONCE_BYTES], sealed[NONCE_BYTES:], bound_to.encode())
    except (InvalidTag, ValueError):
        return None


@lru_cache(maxsize=4)
def _cipher(secret: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"portal sealed upload").derive(secret.encode())
    return AESGCM(key)
