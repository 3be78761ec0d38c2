"""Local operations on SSH public keys (CodeCommit): upload, get, list, update, delete.

Keys are ssh-rsa or PEM, at least 2048 bits, five per user; each has an APKA... ID and the MD5
fingerprint of the key. The body is kept as uploaded and converted when GetSSHPublicKey asks for the
other encoding. Calling conventions: iamconsole/backends/base.py.
"""

from iamconsole import ids
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import DuplicateSSHPublicKey, InvalidInput, LimitExceeded, NoSuchEntity
from iamconsole.backends.paging import offset_page
from users.ops import get_user_or_404

from .certs import parse_ssh_public_key
from .models import SSHPublicKey

SSH_KEYS_PER_USER = 5
# Not recorded from AWS: the quota name follows "CertificatesPerUser" and AWS's "Public Key" wording.
SSH_KEY_QUOTA_MESSAGE = f"Cannot exceed quota for PublicKeysPerUser: {SSH_KEYS_PER_USER}"
DUPLICATE_MESSAGE = "The SSH public key is already associated with the specified IAM user."
# The enum allows Expired, which only IAM itself sets; a caller may choose Active or Inactive.
SETTABLE_STATUSES = ("Active", "Inactive")


def key_not_found(key_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Public Key with id {key_id} cannot be found.")


def ssh_key_metadata(key: SSHPublicKey) -> dict:
    """The `SSHPublicKeyMetadata` shape (ListSSHPublicKeys)."""
    return {
        "UserName": key.user.name,
        "SSHPublicKeyId": key.ssh_public_key_id,
        "Status": key.status,
        "UploadDate": key.uploaded,
    }


def ssh_key_dict(key: SSHPublicKey, body: str | None = None) -> dict:
    """The `SSHPublicKey` shape; `body` replaces the stored body (another encoding)."""
    return {
        "UserName": key.user.name,
        "SSHPublicKeyId": key.ssh_public_key_id,
        "Fingerprint": key.fingerprint,
        "SSHPublicKeyBody": key.body if body is None else body,
        "Status": key.status,
        "UploadDate": key.uploaded,
    }


def _owner(ctx, UserName):
    """The IAM user named `UserName`, else the calling user; None when the caller is root."""
    if UserName is None and ctx.principal.is_root:
        return None
    return get_user_or_404(ctx, UserName or ctx.principal.user_name)


def _get_key(ctx, UserName, SSHPublicKeyId) -> SSHPublicKey:
    """The user's key with that ID (a key of another user is not found)."""
    user = get_user_or_404(ctx, UserName)
    key = (
        SSHPublicKey.objects.select_related("user")
        .filter(user=user, ssh_public_key_id=SSHPublicKeyId)
        .first()
    )
    if key is None:
        raise key_not_found(SSHPublicKeyId)
    return key


@operation("UploadSSHPublicKey", resource=user_resource)
def upload_ssh_public_key(ctx, *, UserName, SSHPublicKeyBody):
    """Parse and store a key; five keys per user, and the same key once per user."""
    # The user's row lock keeps the count right under concurrent uploads.
    user = get_user_or_404(ctx, UserName, lock=True)
    parsed = parse_ssh_public_key(SSHPublicKeyBody)
    existing = list(SSHPublicKey.objects.filter(user=user).values_list("fingerprint", flat=True))
    if parsed.fingerprint in existing:
        raise DuplicateSSHPublicKey(DUPLICATE_MESSAGE)
    if len(existing) >= SSH_KEYS_PER_USER:
        raise LimitExceeded(SSH_KEY_QUOTA_MESSAGE)
    key = SSHPublicKey.objects.create(
        user=user,
        ssh_public_key_id=ids.unique_id("APKA"),
        body=SSHPublicKeyBody,
        fingerprint=parsed.fingerprint,
        status="Active",
        uploaded=ctx.now,
    )
    return {"SSHPublicKey": ssh_key_dict(key)}


@operation("GetSSHPublicKey", resource=user_resource)
def get_ssh_public_key(ctx, *, UserName, SSHPublicKeyId, Encoding):
    """One key, its body in the asked encoding (SSH: `ssh-rsa AAAA...`, PEM: a PUBLIC KEY block)."""
    key = _get_key(ctx, UserName, SSHPublicKeyId)
    stored_is_pem = key.body.lstrip().startswith("-----BEGIN")
    if (Encoding == "PEM") == stored_is_pem:
        body = key.body
    else:
        body = parse_ssh_public_key(key.body).body(Encoding)
    return {"SSHPublicKey": ssh_key_dict(key, body)}


@operation("ListSSHPublicKeys", resource=user_resource)
def list_ssh_public_keys(ctx, *, UserName=None, Marker=None, MaxItems=None):
    """The user's keys (the caller's when UserName is omitted; root has none), oldest first."""
    user = _owner(ctx, UserName)
    keys = list(SSHPublicKey.objects.select_related("user").filter(user=user)) if user is not None else []
    page, more = offset_page(keys, kind="ListSSHPublicKeys", Marker=Marker, MaxItems=MaxItems)
    return {"SSHPublicKeys": [ssh_key_metadata(key) for key in page], **more}


@operation("UpdateSSHPublicKey", resource=user_resource)
def update_ssh_public_key(ctx, *, UserName, SSHPublicKeyId, Status):
    """Set a key Active or Inactive."""
    key = _get_key(ctx, UserName, SSHPublicKeyId)
    if Status not in SETTABLE_STATUSES:
        raise InvalidInput(f"Status {Status} is not valid: the status must be Active or Inactive.")
    key.status = Status
    key.save(update_fields=["status"])
    return {}


@operation("DeleteSSHPublicKey", resource=user_resource)
def delete_ssh_public_key(ctx, *, UserName, SSHPublicKeyId):
    _get_key(ctx, UserName, SSHPublicKeyId).delete()
    return {}
