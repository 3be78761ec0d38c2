"""Parsing helpers for SSH public keys, X.509 certificates and private keys, shared by the credential
operations (ops_ssh, ops_certs).

Everything is parsed with `cryptography`; nothing here touches the database. The error wording is
AWS's where it is known (reference/aws-iam-facts.md, aws-recorded/scenarios.json); the rest follows
the wording of the error's documentation in botocore's model.
"""

import base64
import binascii
import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from iamconsole.backends.errors import InvalidPublicKey, UnrecognizedPublicKeyEncoding

# UploadSSHPublicKey: "The minimum bit-length of the public key is 2048 bits" (botocore's model).
MIN_SSH_KEY_BITS = 2048

# Wording for the modeled errors whose real AWS message is not recorded anywhere we could find.
UNRECOGNIZED_KEY_MESSAGE = "The public key encoding format is unsupported or unrecognized."
INVALID_KEY_MESSAGE = "The public key is malformed or otherwise invalid."
SHORT_KEY_MESSAGE = f"The public key must be at least {MIN_SSH_KEY_BITS} bits long."


@dataclass(frozen=True)
class SSHKey:
    """An uploaded SSH public key: the RSA key and its MD5 fingerprint (colon-hex, as ssh-keygen -E md5)."""

    key: rsa.RSAPublicKey
    fingerprint: str

    def body(self, encoding: str) -> str:
        """The key as GetSSHPublicKey returns it: `ssh-rsa AAAA...` (SSH) or a PEM block (PEM)."""
        if encoding == "PEM":
            return self.key.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            ).decode()
        return self.key.public_bytes(
            serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
        ).decode()


def parse_ssh_public_key(body: str) -> SSHKey:
    """Parse an ssh-rsa (OpenSSH) or PEM public key; refuse other encodings and keys under 2048 bits.

    An OpenSSH line of another key type (ssh-ed25519, ecdsa-...) or text in neither format is an
    unrecognized encoding; a body in a recognised format that does not decode to an RSA key is invalid.
    """
    text = body.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm):
            raise InvalidPublicKey(INVALID_KEY_MESSAGE)
    elif text.split(None, 1)[:1] == ["ssh-rsa"]:
        try:
            key = serialization.load_ssh_public_key(text.encode("latin-1"))
        except (ValueError, UnsupportedAlgorithm, binascii.Error):
            raise InvalidPublicKey(INVALID_KEY_MESSAGE)
    else:
        raise UnrecognizedPublicKeyEncoding(UNRECOGNIZED_KEY_MESSAGE)
    if not isinstance(key, rsa.RSAPublicKey):
        raise InvalidPublicKey(INVALID_KEY_MESSAGE)
    if key.key_size < MIN_SSH_KEY_BITS:
        raise InvalidPublicKey(SHORT_KEY_MESSAGE)
    return SSHKey(key=key, fingerprint=ssh_fingerprint(key))


def ssh_fingerprint(key: rsa.RSAPublicKey) -> str:
    """MD5 of the key's SSH wire blob in colon-hex (`12:34:...:ef`), the same for either encoding."""
    line = key.public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    blob = base64.b64decode(line.split()[1])
    return ":".join(f"{byte:02x}" for byte in hashlib.md5(blob, usedforsecurity=False).digest())


def load_certificate(body: str) -> x509.Certificate | None:
    """The first PEM certificate in `body`, or None when it is not one."""
    try:
        return x509.load_pem_x509_certificate(body.strip().encode("latin-1"))
    except ValueError:
        return None


def load_certificate_chain(text: str) -> list[x509.Certificate] | None:
    """Every PEM certificate of a chain, in order, or None when any is not parsable (or there is none)."""
    try:
        chain = x509.load_pem_x509_certificates(text.strip().encode("latin-1"))
    except ValueError:
        return None
    return chain or None


def load_private_key(text: str):
    """An unencrypted PEM private key (PKCS#1 or PKCS#8), or None when it is not one."""
    try:
        return serialization.load_pem_private_key(text.strip().encode("latin-1"), password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        return None


def key_matches_certificate(private_key, certificate: x509.Certificate) -> bool:
    """Whether the private key is the certificate's key (same public key)."""
    fmt = (serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return private_key.public_key().public_bytes(*fmt) == certificate.public_key().public_bytes(*fmt)


def issued_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """Whether `issuer` signed `certificate` (the names match and the signature verifies)."""
    try:
        certificate.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
        return False
    return True


def broken_chain_index(certificate: x509.Certificate, chain: list[x509.Certificate]) -> int | None:
    """Where a certificate chain breaks, as AWS numbers it, or None when it is in order.

    AWS wants "the immediate signing certificate, followed by any intermediaries in order". It reports
    -1 when the chain does not start with the body's issuer (as seen when an old intermediate is sent
    with a renewed certificate), else the index of the first chain member not signed by the next one.
    The last member may be a root (self-signed) or an intermediate whose issuer is left out.
    """
    if not issued_by(certificate, chain[0]):
        return -1
    for index in range(len(chain) - 1):
        if not issued_by(chain[index], chain[index + 1]):
            return index
    return None


def not_after(certificate: x509.Certificate) -> datetime.datetime:
    """The certificate's expiry, to the second, in UTC."""
    return certificate.not_valid_after_utc.replace(microsecond=0)


def not_before(certificate: x509.Certificate) -> datetime.datetime:
    return certificate.not_valid_before_utc.replace(microsecond=0)


def certificate_der(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.DER)
