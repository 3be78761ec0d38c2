"""Local operations on service-specific credentials (CodeCommit HTTPS Git, Amazon Keyspaces).

A credential is a generated user name (`alice-at-123456789012`, then `alice+1-at-...` for a user's
second one) and a generated password that is shown once, by Create and Reset, and kept only as a
Django password hash. Two per supported service per user. Calling conventions: iamconsole/backends/base.py.

Bedrock and CloudWatch Logs API keys (CredentialAgeDays, ServiceCredentialAlias/Secret, expiry) are
not offered: the model has no expiry to keep, so they answer as unsupported services do.
"""

import base64
import secrets

from django.contrib.auth.hashers import make_password

from iamconsole import ids
from iamconsole.backends.base import operation, user_resource
from iamconsole.backends.errors import InvalidInput, LimitExceeded, NoSuchEntity
from iamconsole.backends.paging import offset_page
from users.models import IAMUser
from users.ops import get_user_or_404

from .models import ServiceSpecificCredential

SUPPORTED_SERVICES = ("codecommit.amazonaws.com", "cassandra.amazonaws.com")
CREDENTIALS_PER_SERVICE = 2
# Not recorded from AWS; the quota is per user and per service (botocore's documentation).
QUOTA_MESSAGE = (
    f"Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: {CREDENTIALS_PER_SERVICE}"
)
SETTABLE_STATUSES = ("Active", "Inactive")


def service_not_supported(name: str) -> NoSuchEntity:
    # AWS answers NoSuchEntity (404) here, not the modeled NotSupportedService (recorded).
    return NoSuchEntity(f"No such service {name} is supported for Service Specific Credentials")


def credential_not_found(credential_id: str) -> NoSuchEntity:
    return NoSuchEntity(f"No such credential {credential_id} exists")


def new_password() -> str:
    """A 60-character base64 password (44 random bytes), as IAM generates them."""
    return base64.b64encode(secrets.token_bytes(44)).decode()


def credential_metadata(credential: ServiceSpecificCredential) -> dict:
    """The `ServiceSpecificCredentialMetadata` shape (ListServiceSpecificCredentials)."""
    return {
        "UserName": credential.user.name,
        "Status": credential.status,
        "ServiceUserName": credential.service_user_name,
        "CreateDate": credential.created,
        "ServiceSpecificCredentialId": credential.credential_id,
        "ServiceName": credential.service_name,
    }


def credential_dict(credential: ServiceSpecificCredential, password: str) -> dict:
    """The `ServiceSpecificCredential` shape with the password (Create and Reset only)."""
    return {
        "CreateDate": credential.created,
        "ServiceName": credential.service_name,
        "ServiceUserName": credential.service_user_name,
        "ServicePassword": password,
        "ServiceSpecificCredentialId": credential.credential_id,
        "UserName": credential.user.name,
        "Status": credential.status,
    }


def _caller(ctx, UserName) -> IAMUser | None:
    """The user named `UserName`, else the calling IAM user; None for root, who has no credentials."""
    if UserName is None and ctx.principal.is_root:
        return None
    return get_user_or_404(ctx, UserName or ctx.principal.user_name)


def _get_credential(ctx, UserName, credential_id) -> ServiceSpecificCredential:
    """The user's credential with that ID; a credential of another user is not found."""
    user = _caller(ctx, UserName)
    credential = (
        ServiceSpecificCredential.objects.select_related("user")
        .filter(user=user, credential_id=credential_id)
        .first()
        if user is not None
        else None
    )
    if credential is None:
        raise credential_not_found(credential_id)
    return credential


def _service_user_name(user: IAMUser, taken: set[str], account_id: str) -> str:
    """`alice-at-123456789012` for the first credential, `alice+1-at-...` while that one exists."""
    slot = 0
    while True:
        name = f"{user.name}{f'+{slot}' if slot else ''}-at-{account_id}"
        if name not in taken:
            return name
        slot += 1


@operation("CreateServiceSpecificCredential", resource=user_resource)
def create_service_specific_credential(ctx, *, UserName, ServiceName, CredentialAgeDays=None):
    """A new credential for one service; the password is in this answer only."""
    # The user's row lock keeps the count right under concurrent creations.
    user = get_user_or_404(ctx, UserName, lock=True)
    if ServiceName not in SUPPORTED_SERVICES:
        raise service_not_supported(ServiceName)
    if CredentialAgeDays is not None:
        raise InvalidInput(
            "CredentialAgeDays is only valid for services that support long-term API keys, "
            f"and {ServiceName} does not."
        )
    existing = ServiceSpecificCredential.objects.filter(user=user, service_name=ServiceName)
    taken = set(existing.values_list("service_user_name", flat=True))
    if len(taken) >= CREDENTIALS_PER_SERVICE:
        raise LimitExceeded(QUOTA_MESSAGE)
    password = new_password()
    credential = ServiceSpecificCredential.objects.create(
        user=user,
        credential_id=ids.unique_id("ACCA"),
        service_name=ServiceName,
        service_user_name=_service_user_name(user, taken, ctx.account_id),
        password_hash=make_password(password),
        status="Active",
        created=ctx.now,
    )
    return {"ServiceSpecificCredential": credential_dict(credential, password)}


@operation("ListServiceSpecificCredentials", resource=user_resource)
def list_service_specific_credentials(
    ctx, *, UserName=None, ServiceName=None, AllUsers=None, Marker=None, MaxItems=None
):
    """A user's credentials (the caller's by default), or every user's with AllUsers; never passwords."""
    if AllUsers and UserName is not None:
        raise InvalidInput("AllUsers cannot be specified together with UserName.")
    credentials = ServiceSpecificCredential.objects.select_related("user").filter(user__account=ctx.account)
    if not AllUsers:
        user = _caller(ctx, UserName)
        credentials = credentials.filter(user=user) if user is not None else credentials.none()
    if ServiceName is not None and ServiceName not in SUPPORTED_SERVICES:
        raise service_not_supported(ServiceName)
    if ServiceName is not None:
        credentials = credentials.filter(service_name=ServiceName)
    page, more = offset_page(
        list(credentials), kind="ListServiceSpecificCredentials", Marker=Marker, MaxItems=MaxItems
    )
    return {"ServiceSpecificCredentials": [credential_metadata(c) for c in page], **more}


@operation("ResetServiceSpecificCredential", resource=user_resource)
def reset_service_specific_credential(ctx, *, ServiceSpecificCredentialId, UserName=None):
    """A new password for the credential (the old one stops working); shown in this answer only."""
    credential = _get_credential(ctx, UserName, ServiceSpecificCredentialId)
    password = new_password()
    credential.password_hash = make_password(password)
    credential.save(update_fields=["password_hash"])
    return {"ServiceSpecificCredential": credential_dict(credential, password)}


@operation("UpdateServiceSpecificCredential", resource=user_resource)
def update_service_specific_credential(ctx, *, ServiceSpecificCredentialId, Status, UserName=None):
    """Set the credential Active or Inactive."""
    credential = _get_credential(ctx, UserName, ServiceSpecificCredentialId)
    if Status not in SETTABLE_STATUSES:
        raise InvalidInput(f"Status {Status} is not valid: the status must be Active or Inactive.")
    credential.status = Status
    credential.save(update_fields=["status"])
    return {}


@operation("DeleteServiceSpecificCredential", resource=user_resource)
def delete_service_specific_credential(ctx, *, ServiceSpecificCredentialId, UserName=None):
    """Delete the credential."""
    _get_credential(ctx, UserName, ServiceSpecificCredentialId).delete()
    return {}
