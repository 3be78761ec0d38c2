"""`manage.py rotate_encryption_key --old-key-file F`: re-encrypt every stored secret under the current key.

Rotation (README "Deployment"): put the old key in a file, set IAMCONSOLE_ENCRYPTION_KEY (or its _FILE)
to the new one, stop the web workers, run this, start them again. Access-key secrets, TOTP seeds,
server-certificate private keys and pending one-time downloads are opened with the old key and sealed
again with the current one (iamconsole/crypto.py, same purposes), all in one transaction: either every
row moves or none does. A row that already opens with the current key is left alone, so a second run
is harmless. The add-user wizard's custom password lives only in a session for a few minutes and is not
rotated: a wizard left open across the rotation must be started again.
"""

import base64
from pathlib import Path

from cryptography.exceptions import InvalidTag
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts import downloads
from accounts.models import OneTimeDownload
from credentials import ops_keys, ops_mfa
from credentials.models import AccessKey, ServerCertificate, VirtualMFADevice
from credentials.ops_certs import PRIVATE_KEY_PURPOSE
from iamconsole import crypto

# (label, model, encrypted field, the columns its purpose is built from, the purpose it is bound to)
SECRETS = [
    (
        "access-key secrets",
        AccessKey,
        "secret_encrypted",
        ["access_key_id"],
        lambda row: ops_keys._purpose(row.access_key_id),
    ),
    (
        "TOTP seeds",
        VirtualMFADevice,
        "seed_encrypted",
        ["serial_number"],
        lambda row: ops_mfa._purpose(row.serial_number),
    ),
    (
        "server-certificate keys",
        ServerCertificate,
        "private_key_encrypted",
        [],
        lambda row: PRIVATE_KEY_PURPOSE,
    ),
    ("one-time downloads", OneTimeDownload, "content_encrypted", [], lambda row: downloads._PURPOSE),
]


def open_with(key: str, token: str, purpose: str) -> str:
    """The plaintext of a `v1:` token sealed under `key` (crypto.decrypt, but with a key given)."""
    if not token.startswith("v1:"):
        raise ValueError("unknown ciphertext version")
    blob = base64.b64decode(token[3:])
    return crypto._key(key).decrypt(blob[:12], blob[12:], purpose.encode()).decode()


class Command(BaseCommand):
    help = "Re-encrypt stored secrets, now under the old key in --old-key-file, under the current key."

    def add_arguments(self, parser):
        parser.add_argument(
            "--old-key-file", required=True, help="file holding the previous IAMCONSOLE_ENCRYPTION_KEY"
        )

    def handle(self, *args, old_key_file, **options):
        old_key = self._read_key(old_key_file)
        if old_key == settings.IAMCONSOLE_ENCRYPTION_KEY:
            raise CommandError("The old key is the current IAMCONSOLE_ENCRYPTION_KEY: set the new one first.")
        with transaction.atomic():
            counts = [(label, *self._rotate(old_key, *secret)) for label, *secret in SECRETS]
        for label, moved, current in counts:
            note = f" ({current} already under the current key)" if current else ""
            self.stdout.write(f"{label}: {moved} re-encrypted{note}")

    def _read_key(self, path: str) -> str:
        try:
            key = Path(path).read_text().strip()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}")
        try:
            crypto._key(key)  # the same checks as the current key: base64 of 32 bytes
        except ImproperlyConfigured as error:
            raise CommandError(f"The old key in {path} is not valid: {str(error).split(' ', 1)[1]}")
        return key

    def _rotate(self, old_key, model, field, columns, purpose) -> tuple[int, int]:
        """Re-seal every row of `model`; (rows re-encrypted, rows already under the current key)."""
        changed, current = [], 0
        for row in model.objects.select_for_update().only("pk", field, *columns):
            token, bound_to = getattr(row, field), purpose(row)
            try:
                plaintext = open_with(old_key, token, bound_to)
            except (InvalidTag, ValueError):
                try:
                    crypto.decrypt(token, bound_to)
                except (InvalidTag, ValueError):
                    # Rolls the whole transaction back: no secret is left half-rotated.
                    raise CommandError(
                        f"{model._meta.verbose_name} #{row.pk} opens with neither the old nor the current key;"
                        " nothing was changed."
                    )
                current += 1
                continue
            setattr(row, field, crypto.encrypt(plaintext, bound_to))
            changed.append(row)
        model.objects.bulk_update(changed, [field], batch_size=500)
        return len(changed), current
