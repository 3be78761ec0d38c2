"""The console's user delete (reference/aws-iam-facts.md §1.3): what IAM's DeleteUser refuses to do
alone, done first through the backend in AWS's order (§6), so it works the same on any backend.

Each step is reported; a failed step stops that user's deletion (DeleteUser would refuse anyway),
and the report says what was removed before it.
"""

from dataclasses import dataclass, field

from iamconsole.backends import IAMError


@dataclass
class Step:
    action: str
    target: str
    error: str = ""

    @property
    def ok(self) -> bool:
        return not self.error


@dataclass
class UserDeletion:
    user_name: str
    steps: list[Step] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return bool(self.steps) and self.steps[-1].action == "DeleteUser" and self.steps[-1].ok


def _paged(call, key, **params):
    marker = None
    while True:
        page = call(**params, **({"Marker": marker} if marker else {}))
        yield from page[key]
        if not page.get("IsTruncated"):
            return
        marker = page["Marker"]


def _plan(iam, name):
    """The calls that empty and delete one user, in AWS's order: password, access keys, signing
    certificates, SSH keys, service-specific credentials, MFA, inline policies, managed policies, groups."""
    try:
        iam.get_login_profile(UserName=name)
        yield "DeleteLoginProfile", "console password", lambda: iam.delete_login_profile(UserName=name)
    except IAMError as error:
        if error.code != "NoSuchEntity":
            raise
    for key in _paged(iam.list_access_keys, "AccessKeyMetadata", UserName=name):
        key_id = key["AccessKeyId"]
        yield "DeleteAccessKey", key_id, lambda k=key_id: iam.delete_access_key(UserName=name, AccessKeyId=k)
    for cert in _paged(iam.list_signing_certificates, "Certificates", UserName=name):
        cert_id = cert["CertificateId"]
        yield (
            "DeleteSigningCertificate",
            cert_id,
            lambda c=cert_id: iam.delete_signing_certificate(UserName=name, CertificateId=c),
        )
    for ssh in _paged(iam.list_ssh_public_keys, "SSHPublicKeys", UserName=name):
        ssh_id = ssh["SSHPublicKeyId"]
        yield (
            "DeleteSSHPublicKey",
            ssh_id,
            lambda s=ssh_id: iam.delete_ssh_public_key(UserName=name, SSHPublicKeyId=s),
        )
    for cred in iam.list_service_specific_credentials(UserName=name)["ServiceSpecificCredentials"]:
        cred_id = cred["ServiceSpecificCredentialId"]
        yield (
            "DeleteServiceSpecificCredential",
            cred_id,
            lambda c=cred_id: iam.delete_service_specific_credential(
                UserName=name, ServiceSpecificCredentialId=c
            ),
        )
    for device in _paged(iam.list_mfa_devices, "MFADevices", UserName=name):
        serial = device["SerialNumber"]
        yield (
            "DeactivateMFADevice",
            serial,
            lambda s=serial: iam.deactivate_mfa_device(UserName=name, SerialNumber=s),
        )
        if ":mfa/" in serial:  # virtual devices are deleted with the user, as the console does
            yield (
                "DeleteVirtualMFADevice",
                serial,
                lambda s=serial: iam.delete_virtual_mfa_device(SerialNumber=s),
            )
    for policy_name in _paged(iam.list_user_policies, "PolicyNames", UserName=name):
        yield (
            "DeleteUserPolicy",
            policy_name,
            lambda p=policy_name: iam.delete_user_policy(UserName=name, PolicyName=p),
        )
    for policy in _paged(iam.list_attached_user_policies, "AttachedPolicies", UserName=name):
        arn = policy["PolicyArn"]
        yield "DetachUserPolicy", arn, lambda a=arn: iam.detach_user_policy(UserName=name, PolicyArn=a)
    for group in _paged(iam.list_groups_for_user, "Groups", UserName=name):
        group_name = group["GroupName"]
        yield (
            "RemoveUserFromGroup",
            group_name,
            lambda g=group_name: iam.remove_user_from_group(UserName=name, GroupName=g),
        )
    yield "DeleteUser", name, lambda: iam.delete_user(UserName=name)


def delete_user_cascade(iam, name: str) -> UserDeletion:
    """Delete `name` and everything attached to it; the per-step result, stopping at the first failure."""
    result = UserDeletion(name)
    try:
        for action, target, call in _plan(iam, name):
            step = Step(action, target)
            result.steps.append(step)
            try:
                call()
            except IAMError as error:
                step.error = f"{error.code}: {error.message}"
                return result
    except IAMError as error:  # a listing failed (the user vanished, or access was denied)
        result.steps.append(Step("List", name, f"{error.code}: {error.message}"))
    return result
