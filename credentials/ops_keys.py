"""Local operations on access keys, plus the helpers the SigV4 verifier will use.

Each function is one IAM action (see iamconsole/backends/base.py for the calling convention). A key
belongs to an IAM user, or to the account's root when `AccessKey.user` is null (UserName omitted by
root). The secret is generated here, returned once by CreateAccessKey and kept AES-GCM encrypted
(iamconsole.crypto), bound to its key ID; no other output carries it.

`paginate` is the Marker/MaxItems paging the credentials list operations share.
"""

import base64
import binascii
import datetime

from accounts.models import Account
from iamconsole import crypto, ids
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import (
    AccessDenied,
    InvalidInput,
    LimitExceeded,
    NoSuchEntity,
    ValidationError,
)
from iamconsole.backends.paging import DEFAULT_MAX_ITEMS
from users.models import IAMUser
from users.ops import get_user_or_404

from .models import AccessKey

ACCESS_KEYS_PER_USER = 2  # inactive keys count too (reference/aws-iam-facts.md §4)
# AWS records the first use in a 15-minute window (credential report documentation).
LAST_USED_GRANULARITY = datetime.timedelta(minutes=15)
NOT_APPLICABLE = "N/A"

# --- paging -------------------------------------------------------------------------------------

_MARKER_PREFIX = "iamconsole:1:"


def encode_marker(key: str) -> str:
    """An opaque Marker that resumes a listing at the item whose sort key is `key`."""
    return base64.urlsafe_b64encode((_MARKER_PREFIX + key).encode()).decode()


def decode_marker(marker: str) -> str:
    """The sort key a Marker resumes at; AWS's ValidationError "Invalid Marker." for anything else."""
    try:
        text = base64.urlsafe_b64decode(marker.encode("ascii")).decode()
    except (UnicodeError, ValueError, binascii.Error):
        raise ValidationError("Invalid Marker.")
    if not text.startswith(_MARKER_PREFIX):
        raise ValidationError("Invalid Marker.")
    return text[len(_MARKER_PREFIX) :]


def paginate(items: list, key, Marker=None, MaxItems=None) -> tuple[list, str | None]:
    """One page of `items` (already sorted by `key`) and the Marker of the next page, if any.

    The Marker names the first item of the next page, so a listing that changes between calls
    resumes at the right place instead of skipping or repeating items.
    """
    if Marker is not None:
        start = decode_marker(Marker)
        items = [item for item in items if key(item) >= start]
    limit = MaxItems or DEFAULT_MAX_ITEMS
    if len(items) > limit:
        return items[:limit], encode_marker(key(items[limit]))
    return items, None


def page_output(member: str, page: list, marker: str | None) -> dict:
    """`{member: [...], "IsTruncated": ..., "Marker": ...}` as IAM's list actions return it."""
    out = {member: page, "IsTruncated": marker is not None}
    if marker is not None:
        out["Marker"] = marker
    return out


# --- access keys --------------------------------------------------------------------------------


def _purpose(access_key_id: str) -> str:
    # Binds each ciphertext to its key ID: one key's secret cannot be pasted onto another key.
    return f"access-key-secret:{access_key_id}"


def _owner(ctx, name: str | None) -> IAMUser | None:
    """The user named `name`, or the caller when omitted (None: the account's root)."""
    if name is not None:
        return get_user_or_404(ctx, name)
    return ctx.principal.user


def _owner_name(ctx, owner: IAMUser | None) -> str:
    # AccessKey.UserName is required even for root's keys; AWS's value for root is UNVERIFIED, the
    # account ID (root's UserId, as GetUser answers it) stands in.
    return owner.name if owner is not None else ctx.account_id


def _key_of(ctx, owner: IAMUser | None, access_key_id: str) -> AccessKey:
    key = AccessKey.objects.filter(account=ctx.account, user=owner, access_key_id=access_key_id).first()
    if key is None:
        raise NoSuchEntity(f"The Access Key with id {access_key_id} cannot be found.")
    return key


def metadata_dict(key: AccessKey, owner: IAMUser | None) -> dict:
    """The `AccessKeyMetadata` shape (no secret); root's keys carry no UserName."""
    out = {"AccessKeyId": key.access_key_id, "Status": key.status, "CreateDate": key.created}
    if owner is not None:
        out["UserName"] = owner.name
    return out


@operation("CreateAccessKey", resource=user_resource)
def create_access_key(ctx, *, UserName=None):
    """A new active key for the user (or root); the secret is in this response and nowhere else."""
    owner = _owner(ctx, UserName)
    # Lock the owner's row before counting, so two concurrent calls cannot both see one key.
    if owner is not None:
        IAMUser.objects.select_for_update().only("pk").get(pk=owner.pk)
    else:
        Account.objects.select_for_update().only("pk").get(pk=ctx.account.pk)
    if AccessKey.objects.filter(account=ctx.account, user=owner).count() >= ACCESS_KEYS_PER_USER:
        raise LimitExceeded(f"Cannot exceed quota for AccessKeysPerUser: {ACCESS_KEYS_PER_USER}")
    key_id, secret = ids.access_key_id(), ids.secret_access_key()
    key = AccessKey.objects.create(
        account=ctx.account,
        user=owner,
        access_key_id=key_id,
        secret_encrypted=crypto.encrypt(secret, _purpose(key_id)),
        status="Active",
        created=ctx.now,
    )
    return {
        "AccessKey": {
            "UserName": _owner_name(ctx, owner),
            "AccessKeyId": key.access_key_id,
            "Status": key.status,
            "SecretAccessKey": secret,
            "CreateDate": key.created,
        }
    }


@operation("UpdateAccessKey", resource=user_resource)
def update_access_key(ctx, *, AccessKeyId, Status, UserName=None):
    """Activate or deactivate a key (a key of another user is NoSuchEntity)."""
    owner = _owner(ctx, UserName)
    key = _key_of(ctx, owner, AccessKeyId)
    if Status not in ("Active", "Inactive"):
        # "Expired" is in the model's enum but is IAM's state to set, not the caller's (wording UNVERIFIED).
        raise InvalidInput(f"The status {Status} is not valid for an access key: use Active or Inactive.")
    key.status = Status
    key.save(update_fields=["status"])
    return {}


@operation("DeleteAccessKey", resource=user_resource)
def delete_access_key(ctx, *, AccessKeyId, UserName=None):
    """Delete a key at once; the API, unlike the console, does not ask to deactivate it first."""
    owner = _owner(ctx, UserName)
    _key_of(ctx, owner, AccessKeyId).delete()
    return {}


def _sort_key(key: AccessKey) -> str:
    # Creation order, as the console numbers keys 1 and 2; the key ID breaks ties within a second.
    return f"{key.created:%Y%m%d%H%M%S}.{key.access_key_id}"


@operation("ListAccessKeys", resource=user_resource)
def list_access_keys(ctx, *, UserName=None, Marker=None, MaxItems=None):
    """The user's (or root's) keys, oldest first, without secrets."""
    owner = _owner(ctx, UserName)
    keys = sorted(AccessKey.objects.filter(account=ctx.account, user=owner), key=_sort_key)
    page, marker = paginate(keys, _sort_key, Marker, MaxItems)
    return page_output("AccessKeyMetadata", [metadata_dict(key, owner) for key in page], marker)


def _key_owner_resource(ctx, params: dict) -> str:
    """GetAccessKeyLastUsed is authorized on the key owner's ARN (root's for root keys)."""
    key = (
        AccessKey.objects.filter(account=ctx.account, access_key_id=params.get("AccessKeyId", ""))
        .select_related("user")
        .first()
    )
    if key is None:
        return "*"
    return key.user.arn if key.user_id else ctx.account.root_arn


@operation("GetAccessKeyLastUsed", resource=_key_owner_resource)
def get_access_key_last_used(ctx, *, AccessKeyId):
    """When, where and with which service the key was last used ("N/A" when never)."""
    key = (
        AccessKey.objects.filter(account=ctx.account, access_key_id=AccessKeyId)
        .select_related("user")
        .first()
    )
    if key is None:
        # AWS does not confirm that a key ID exists elsewhere: an unknown key is an AccessDenied.
        raise AccessDenied(
            f"User: {ctx.principal.arn} is not authorized to perform iam:GetAccessKeyLastUsed "
            f"on resource: access key {AccessKeyId}"
        )
    last_used = {
        "ServiceName": key.last_used_service or NOT_APPLICABLE,
        "Region": key.last_used_region or NOT_APPLICABLE,
    }
    if key.last_used_date:
        last_used["LastUsedDate"] = key.last_used_date
    out = {"AccessKeyLastUsed": last_used}
    if key.user_id:
        out["UserName"] = key.user.name
    return out


# --- for the SigV4 verifier ---------------------------------------------------------------------


def secret_for(access_key_id: str, *, active_only: bool = True) -> tuple[AccessKey, str] | None:
    """The key (with its account and user loaded) and its decrypted secret, or None.

    By default only an Active key is returned: an inactive key signs nothing, as in AWS. Any account's
    key is found, since a signed request names the key before it names an account.
    """
    keys = AccessKey.objects.select_related("account", "user").filter(access_key_id=access_key_id)
    if active_only:
        keys = keys.filter(status="Active")
    key = keys.first()
    if key is None:
        return None
    return key, crypto.decrypt(key.secret_encrypted, _purpose(key.access_key_id))


def record_key_use(key: AccessKey, service: str, region: str, when: datetime.datetime) -> None:
    """Remember a signed request made with `key` for GetAccessKeyLastUsed and the credential report.

    Like AWS, only the first use in a 15-minute window is recorded, so a busy key does not write on
    every request. `region` is "" for a global service (shown as N/A).
    """
    window_start = when - LAST_USED_GRANULARITY
    fields = {"last_used_date": when, "last_used_service": service, "last_used_region": region}
    recorded = AccessKey.objects.filter(pk=key.pk).exclude(last_used_date__gt=window_start).update(**fields)
    if recorded:
        for name, value in fields.items():
            setattr(key, name, value)
