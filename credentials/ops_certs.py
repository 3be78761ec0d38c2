"""Local operations on X.509 certificates: users' signing certificates and the account's server
certificates (with their tags).

Signing certificates: two per user, a 28-character ID, the body kept as uploaded. Server
certificates: body, optional chain and private key, checked with `cryptography`; the private key is
kept encrypted (iamconsole.crypto, purpose "server-certificate-key") and never returned, logged or
echoed in an error. Calling conventions: iamconsole/backends/base.py.
"""

import secrets

from iamconsole import crypto, ids
from iamconsole.backends import authz
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import (
    DuplicateCertificate,
    EntityAlreadyExists,
    InvalidCertificate,
    InvalidInput,
    KeyPairMismatch,
    LimitExceeded,
    MalformedCertificate,
    NoSuchEntity,
)
from iamconsole.backends.paging import keyset_page, offset_page, under_path
from iamconsole.backends.rows import lock_account, save_new, save_renamed
from iamconsole.backends.tagging import check_tags, merge_tags, remove_tags, sorted_tags
from users.models import IAMUser
from users.ops import get_user_or_404

from . import certs
from .models import ServerCertificate, SigningCertificate

PRIVATE_KEY_PURPOSE = "server-certificate-key"

SIGNING_CERTIFICATES_PER_USER = 2
SERVER_CERTIFICATES_PER_ACCOUNT = 20
TAGS_PER_RESOURCE = 50
SETTABLE_STATUSES = ("Active", "Inactive")

# AWS's words, recorded or seen in real output (reference/aws-iam-facts.md conventions).
SIGNING_QUOTA_MESSAGE = f"Cannot exceed quota for CertificatesPerUser: {SIGNING_CERTIFICATES_PER_USER}"
UNPARSABLE_MESSAGE = "Unable to parse certificate. Please ensure the certificate is in PEM format."
CHAIN_MESSAGE = (
    "Unable to validate certificate chain. The certificate chain must start with the immediate signing "
    "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
    "certificate is: {index}"
)
KEY_MISMATCH_MESSAGE = "Public Key Certificate and Private Key doesn't match."
# Not recorded from AWS: worded after the quota messages above and the errors' documentation.
SERVER_QUOTA_MESSAGE = (
    f"Cannot exceed quota for ServerCertificatesPerAccount: {SERVER_CERTIFICATES_PER_ACCOUNT}"
)
DUPLICATE_SIGNING_MESSAGE = "The same certificate is already associated with an IAM user in this account."
EXPIRED_MESSAGE = "The certificate is expired or not yet valid."

# Signing certificate IDs are 28 upper-case letters and digits, e.g. TA7SMP42TDN5Z26OBPJE7EXAMPLE.
_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def signing_certificate_id() -> str:
    return "".join(secrets.choice(_ID_ALPHABET) for _ in range(28))


# ----------------------------------------------------------------------------- signing certificates


def certificate_not_found(certificate_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Certificate with id {certificate_id} cannot be found.")


def signing_certificate_dict(certificate: SigningCertificate) -> dict:
    """The `SigningCertificate` shape (Upload and List answer the same members)."""
    return {
        # The root's own certificates carry the account ID, as its access keys do.
        "UserName": certificate.user.name if certificate.user_id else certificate.account.account_id,
        "CertificateId": certificate.certificate_id,
        "CertificateBody": certificate.body,
        "Status": certificate.status,
        "UploadDate": certificate.uploaded,
    }


def _certificate_owner(ctx, UserName, *, lock: bool = False) -> IAMUser | None:
    """The user named `UserName`, else the calling IAM user; None when root calls without a name."""
    if UserName is None and ctx.principal.is_root:
        return None
    return get_user_or_404(ctx, UserName or ctx.principal.user_name, lock=lock)


def _owned(ctx, user):
    """Signing certificates of `user`, or of the account's root when `user` is None."""
    return SigningCertificate.objects.select_related("user", "account").filter(account=ctx.account, user=user)


def _get_signing_certificate(ctx, UserName, certificate_id) -> SigningCertificate:
    user = _certificate_owner(ctx, UserName)
    certificate = _owned(ctx, user).filter(certificate_id=certificate_id).first()
    if certificate is None:
        raise certificate_not_found(certificate_id)
    return certificate


@operation("UploadSigningCertificate", resource=user_resource)
def upload_signing_certificate(ctx, *, CertificateBody, UserName=None):
    """Store a user's X.509 signing certificate (Active); two per user, each certificate once per account."""
    user = _certificate_owner(ctx, UserName, lock=True)
    if user is None:
        lock_account(ctx)  # the root's quota of two holds under concurrent uploads
    parsed = certs.load_certificate(CertificateBody)
    if parsed is None:
        raise MalformedCertificate(f"Certificate {CertificateBody} is malformed.")
    if not certs.not_before(parsed) <= ctx.now <= certs.not_after(parsed):
        raise InvalidCertificate(EXPIRED_MESSAGE)
    der = certs.certificate_der(parsed)
    for body in SigningCertificate.objects.filter(account=ctx.account).values_list("body", flat=True):
        other = certs.load_certificate(body)
        if other is not None and certs.certificate_der(other) == der:
            raise DuplicateCertificate(DUPLICATE_SIGNING_MESSAGE)
    if _owned(ctx, user).count() >= SIGNING_CERTIFICATES_PER_USER:
        raise LimitExceeded(SIGNING_QUOTA_MESSAGE)
    certificate = SigningCertificate.objects.create(
        account=ctx.account,
        user=user,
        certificate_id=signing_certificate_id(),
        body=CertificateBody,
        status="Active",
        uploaded=ctx.now,
    )
    return {"Certificate": signing_certificate_dict(certificate)}


@operation("ListSigningCertificates", resource=user_resource)
def list_signing_certificates(ctx, *, UserName=None, Marker=None, MaxItems=None):
    """The user's signing certificates, oldest first (the caller's when UserName is omitted)."""
    user = _certificate_owner(ctx, UserName)
    items = list(_owned(ctx, user))
    page, more = offset_page(items, kind="ListSigningCertificates", Marker=Marker, MaxItems=MaxItems)
    return {"Certificates": [signing_certificate_dict(c) for c in page], **more}


@operation("UpdateSigningCertificate", resource=user_resource)
def update_signing_certificate(ctx, *, CertificateId, Status, UserName=None):
    """Set a signing certificate Active or Inactive."""
    certificate = _get_signing_certificate(ctx, UserName, CertificateId)
    if Status not in SETTABLE_STATUSES:
        raise InvalidInput(f"Status {Status} is not valid: the status must be Active or Inactive.")
    certificate.status = Status
    certificate.save(update_fields=["status"])
    return {}


@operation("DeleteSigningCertificate", resource=user_resource)
def delete_signing_certificate(ctx, *, CertificateId, UserName=None):
    """Delete a signing certificate."""
    _get_signing_certificate(ctx, UserName, CertificateId).delete()
    return {}


# ----------------------------------------------------------------------------- server certificates


def server_certificate_resource(ctx, params: dict) -> str:
    """`arn:aws:iam::<account>:server-certificate/<path><name>` of the named certificate.

    The path is the stored one when the certificate exists (policies may match on it), else the
    requested Path.
    """
    name = params.get("ServerCertificateName", "")
    path = (
        ServerCertificate.objects.filter(account=ctx.account, name_lower=name.lower())
        .values_list("path", flat=True)
        .first()
    )
    return ctx.arn(f"server-certificate{path or params.get('Path') or '/'}{name}")


def server_certificate_not_found(name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The Server Certificate with name {name} cannot be found.")


def server_certificate_exists(name: str) -> EntityAlreadyExists:
    return EntityAlreadyExists(f"The Server Certificate with name {name} already exists.")


def server_certificate_metadata(certificate: ServerCertificate, ctx) -> dict:
    """The `ServerCertificateMetadata` shape."""
    return {
        "Path": certificate.path,
        "ServerCertificateName": certificate.name,
        "ServerCertificateId": certificate.server_certificate_id,
        "Arn": ctx.arn(f"server-certificate{certificate.path}{certificate.name}"),
        "UploadDate": certificate.uploaded,
        "Expiration": certificate.expiration,
    }


def _get_server_certificate(ctx, name: str, *, lock: bool = False) -> ServerCertificate:
    certificates = ServerCertificate.objects.filter(account=ctx.account, name_lower=name.lower())
    certificate = (certificates.select_for_update() if lock else certificates).first()
    if certificate is None:
        raise server_certificate_not_found(name)
    return certificate


def _check_server_certificate(CertificateBody, PrivateKey, CertificateChain):
    """Parse the body, the key and the chain; return the body's certificate.

    The key must be the certificate's, and the chain must start with the body's issuer and go up in
    order. No message repeats the private key.
    """
    certificate = certs.load_certificate(CertificateBody)
    if certificate is None:
        raise MalformedCertificate(UNPARSABLE_MESSAGE)
    private_key = certs.load_private_key(PrivateKey)
    if private_key is None:
        raise MalformedCertificate(UNPARSABLE_MESSAGE)
    if not certs.key_matches_certificate(private_key, certificate):
        raise KeyPairMismatch(KEY_MISMATCH_MESSAGE)
    if CertificateChain is not None:
        chain = certs.load_certificate_chain(CertificateChain)
        if chain is None:
            raise MalformedCertificate(UNPARSABLE_MESSAGE)
        index = certs.broken_chain_index(certificate, chain)
        if index is not None:
            raise MalformedCertificate(CHAIN_MESSAGE.format(index=index))
    return certificate


@operation("UploadServerCertificate", resource=server_certificate_resource)
def upload_server_certificate(
    ctx, *, ServerCertificateName, CertificateBody, PrivateKey, Path="/", CertificateChain=None, Tags=None
):
    """Store a server certificate; its expiry comes from the certificate, its key is kept encrypted."""
    certificate = _check_server_certificate(CertificateBody, PrivateKey, CertificateChain)
    Tags = list(Tags or [])
    check_tags(Tags, case_insensitive=False)
    # The account row's lock keeps the per-account quota and the name check right under concurrency.
    lock_account(ctx)
    if ServerCertificate.objects.filter(
        account=ctx.account, name_lower=ServerCertificateName.lower()
    ).exists():
        raise server_certificate_exists(ServerCertificateName)
    if ServerCertificate.objects.filter(account=ctx.account).count() >= SERVER_CERTIFICATES_PER_ACCOUNT:
        raise LimitExceeded(SERVER_QUOTA_MESSAGE)
    stored = ServerCertificate(
        account=ctx.account,
        server_certificate_id=ids.unique_id("ASCA"),
        name=ServerCertificateName,
        name_lower=ServerCertificateName.lower(),
        path=Path,
        body=CertificateBody,
        chain=CertificateChain or "",
        private_key_encrypted=crypto.encrypt(PrivateKey, PRIVATE_KEY_PURPOSE),
        uploaded=ctx.now,
        expiration=certs.not_after(certificate),
        tags=Tags,
    )
    save_new(stored, exists_message=server_certificate_exists(ServerCertificateName).message)
    out = {"ServerCertificateMetadata": server_certificate_metadata(stored, ctx)}
    if Tags:
        out["Tags"] = Tags
    return out


@operation("GetServerCertificate", resource=server_certificate_resource)
def get_server_certificate(ctx, *, ServerCertificateName):
    """The certificate's metadata, body, chain and tags; never the private key."""
    certificate = _get_server_certificate(ctx, ServerCertificateName)
    out = {
        "ServerCertificateMetadata": server_certificate_metadata(certificate, ctx),
        "CertificateBody": certificate.body,
        # AWS answers an empty Tags list when there are none (recorded).
        "Tags": list(certificate.tags),
    }
    if certificate.chain:
        out["CertificateChain"] = certificate.chain
    return {"ServerCertificate": out}


@operation("ListServerCertificates")
def list_server_certificates(ctx, *, PathPrefix=None, Marker=None, MaxItems=None):
    """The account's server certificates whose path starts with PathPrefix, by name."""
    certificates = under_path(ServerCertificate.objects.filter(account=ctx.account), PathPrefix)
    page, more = keyset_page(
        certificates, kind="ListServerCertificates", key="name_lower", Marker=Marker, MaxItems=MaxItems
    )
    return {"ServerCertificateMetadataList": [server_certificate_metadata(c, ctx) for c in page], **more}


@operation("UpdateServerCertificate", resource=server_certificate_resource)
def update_server_certificate(ctx, *, ServerCertificateName, NewPath=None, NewServerCertificateName=None):
    """Rename the certificate and/or move it to a new path.

    As in IAM, the caller needs permission on the new name too, not only on the current one.
    """
    certificate = _get_server_certificate(ctx, ServerCertificateName, lock=True)
    if NewServerCertificateName is not None or NewPath is not None:
        new_name = NewServerCertificateName or certificate.name
        authz.authorize(
            ctx,
            "UpdateServerCertificate",
            ctx.arn(f"server-certificate{NewPath or certificate.path}{new_name}"),
        )
    if NewServerCertificateName is not None and NewServerCertificateName.lower() != certificate.name_lower:
        taken = ServerCertificate.objects.filter(
            account=ctx.account, name_lower=NewServerCertificateName.lower()
        )
        if taken.exists():
            raise server_certificate_exists(NewServerCertificateName)
    if NewServerCertificateName is not None:
        certificate.name = NewServerCertificateName
        certificate.name_lower = NewServerCertificateName.lower()
    if NewPath is not None:
        certificate.path = NewPath
    save_renamed(
        certificate,
        exists_message=server_certificate_exists(NewServerCertificateName).message,
        update_fields=["name", "name_lower", "path"],
    )
    return {}


@operation("DeleteServerCertificate", resource=server_certificate_resource)
def delete_server_certificate(ctx, *, ServerCertificateName):
    """Delete the certificate (and its encrypted key)."""
    _get_server_certificate(ctx, ServerCertificateName).delete()
    return {}


@operation("TagServerCertificate", resource=server_certificate_resource)
def tag_server_certificate(ctx, *, ServerCertificateName, Tags):
    """Add tags; a key already present gets the new value. At most 50 tags in all."""
    certificate = _get_server_certificate(ctx, ServerCertificateName, lock=True)
    check_tags(Tags, case_insensitive=False)
    # Kept in insertion order: GetServerCertificate answers the tags as stored.
    certificate.tags = merge_tags(
        certificate.tags,
        Tags,
        case_insensitive=False,
        quota=TAGS_PER_RESOURCE,
        quota_name="TagsPerServerCertificate",
    )
    certificate.save(update_fields=["tags"])
    return {}


@operation("UntagServerCertificate", resource=server_certificate_resource)
def untag_server_certificate(ctx, *, ServerCertificateName, TagKeys):
    """Remove the tags with these keys; keys that are not there are ignored."""
    certificate = _get_server_certificate(ctx, ServerCertificateName, lock=True)
    certificate.tags = remove_tags(certificate.tags, TagKeys, case_insensitive=False)
    certificate.save(update_fields=["tags"])
    return {}


@operation("ListServerCertificateTags", resource=server_certificate_resource)
def list_server_certificate_tags(ctx, *, ServerCertificateName, Marker=None, MaxItems=None):
    """The certificate's tags, sorted by key."""
    certificate = _get_server_certificate(ctx, ServerCertificateName)
    tags = sorted_tags(certificate.tags)
    page, more = offset_page(tags, kind="ListServerCertificateTags", Marker=Marker, MaxItems=MaxItems)
    return {"Tags": page, **more}
