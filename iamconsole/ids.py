"""Identifiers as IAM makes them (reference/aws-iam-facts.md §5).

Unique IDs are a 4-letter prefix (AIDA user, AGPA group, ANPA managed policy, APKA SSH key, ACCA
service-specific credential, ASCA server certificate) plus 17 characters, 21 in all; access key IDs
are AKIA + 16; secrets are 40 characters of base64.
"""

import base64
import hashlib
import secrets

# IAM's unique IDs use upper-case letters and digits; base32's alphabet keeps them unambiguous.
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _random(length: int) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def unique_id(prefix: str) -> str:
    """A 21-character unique ID such as `AIDAJQABLZS4A3QDU576Q`."""
    return prefix + _random(17)


def stable_id(prefix: str, seed: str) -> str:
    """A 21-character ID derived from `seed` (AWS managed policies keep one ID everywhere)."""
    digest = base64.b32encode(hashlib.sha256(seed.encode()).digest()).decode()
    return prefix + digest[:17]


def access_key_id() -> str:
    return "AKIA" + _random(16)


def secret_access_key() -> str:
    return base64.b64encode(secrets.token_bytes(30)).decode()


def account_id() -> str:
    """A random 12-digit account ID that does not start with 0."""
    return str(secrets.randbelow(9 * 10**11) + 10**11)
