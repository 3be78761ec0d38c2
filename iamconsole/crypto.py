"""AES-GCM for the secrets the console must be able to read back (ARCHITECTURE.md §6).

Access-key secrets (SigV4 needs them), TOTP seeds (to check codes) and server-certificate private
keys are stored as `v1:<base64(nonce + ciphertext)>`, with the key from IAMCONSOLE_ENCRYPTION_KEY.
The associated data binds each ciphertext to its purpose, so one cannot be swapped for another.
"""

import base64
import functools
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@functools.cache
def _key(encoded: str) -> AESGCM:
    try:
        raw = base64.b64decode(encoded, validate=True)
    except ValueError:
        raise ImproperlyConfigured("IAMCONSOLE_ENCRYPTION_KEY must be base64")
    if len(raw) != 32:
        raise ImproperlyConfigured("IAMCONSOLE_ENCRYPTION_KEY must decode to 32 bytes")
    return AESGCM(raw)


def encrypt(plaintext: str, purpose: str) -> str:
    nonce = os.urandom(12)
    sealed = _key(settings.IAMCONSOLE_ENCRYPTION_KEY).encrypt(nonce, plaintext.encode(), purpose.encode())
    return "v1:" + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, purpose: str) -> str:
    if not token.startswith("v1:"):
        raise ValueError("unknown ciphertext version")
    blob = base64.b64decode(token[3:])
    return _key(settings.IAMCONSOLE_ENCRYPTION_KEY).decrypt(blob[:12], blob[12:], purpose.encode()).decode()
