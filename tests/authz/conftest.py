"""The cast of the authorization matrix: IAM users of account 123456789012 whose permissions come from
AWS managed policies, AWS's documented self-service policy, permissions boundaries and explicit denies,
plus bob, a bystander whom the others try to read, change and delete.

| user       | identity policies                                   | permissions boundary               |
|------------|-----------------------------------------------------|------------------------------------|
| admin      | AdministratorAccess                                 | -                                  |
| readonly   | IAMReadOnlyAccess                                   | -                                  |
| changepw   | IAMUserChangePassword                               | -                                  |
| selfmanage | SelfManageCredentials (AWS's "Allows IAM users to    | -                                  |
|            | manage their own credentials", ${aws:username})     |                                    |
| capped     | AdministratorAccess                                 | GetListOnly (iam:Get*, iam:List*)  |
| denied     | AdministratorAccess + inline Deny iam:Delete*       | -                                  |
| fenced     | AdministratorAccess                                 | AllButDeleteUser (* minus a Deny)  |
"""

import json

import pytest

from iamconsole.backends import get_backend

ACCOUNT = "123456789012"
PASSWORD = "Matrix-pass-1234"
ADMIN = "arn:aws:iam::aws:policy/AdministratorAccess"
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"
USERS = ("admin", "readonly", "changepw", "selfmanage", "capped", "denied", "fenced")

OWN = "arn:aws:iam::*:user/${aws:username}"
# AWS: Allows IAM users to manage their own credentials on the Security credentials page (IAM User
# Guide, reference_policies_examples_aws_my-sec-creds-self-manage-no-mfa).
SELF_MANAGE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "AllowViewAccountInfo",
            "Effect": "Allow",
            "Action": ["iam:GetAccountPasswordPolicy", "iam:GetAccountSummary"],
            "Resource": "*",
        },
        {
            "Sid": "AllowManageOwnPasswords",
            "Effect": "Allow",
            "Action": ["iam:ChangePassword", "iam:GetUser"],
            "Resource": OWN,
        },
        {
            "Sid": "AllowManageOwnAccessKeys",
            "Effect": "Allow",
            "Action": [
                "iam:CreateAccessKey",
                "iam:DeleteAccessKey",
                "iam:GetAccessKeyLastUsed",
                "iam:ListAccessKeys",
                "iam:UpdateAccessKey",
            ],
            "Resource": OWN,
        },
        {
            "Sid": "AllowManageOwnSigningCertificates",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSigningCertificate",
                "iam:ListSigningCertificates",
                "iam:UpdateSigningCertificate",
                "iam:UploadSigningCertificate",
            ],
            "Resource": OWN,
        },
        {
            "Sid": "AllowManageOwnSSHPublicKeys",
            "Effect": "Allow",
            "Action": [
                "iam:DeleteSSHPublicKey",
                "iam:GetSSHPublicKey",
                "iam:ListSSHPublicKeys",
                "iam:UpdateSSHPublicKey",
                "iam:UploadSSHPublicKey",
            ],
            "Resource": OWN,
        },
        {
            "Sid": "AllowManageOwnGitCredentials",
            "Effect": "Allow",
            "Action": [
                "iam:CreateServiceSpecificCredential",
                "iam:DeleteServiceSpecificCredential",
                "iam:ListServiceSpecificCredentials",
                "iam:ResetServiceSpecificCredential",
                "iam:UpdateServiceSpecificCredential",
            ],
            "Resource": OWN,
        },
    ],
}
GET_LIST_ONLY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"}],
}
ALL_BUT_DELETE_USER = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "Action": "iam:DeleteUser", "Resource": "*"},
    ],
}
NO_DELETES = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Deny", "Action": "iam:Delete*", "Resource": "*"}],
}


@pytest.fixture
def cast(account):
    """Create the users of the table above (each with a console password) and bob; a password policy
    that does not let every user change their password, so that only policies grant ChangePassword."""
    iam = get_backend(account)
    iam.update_account_password_policy(MinimumPasswordLength=12, AllowUsersToChangePassword=False)

    def arn_of(name, document):
        return iam.create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]

    self_manage = arn_of("SelfManageCredentials", SELF_MANAGE)
    get_list_only = arn_of("GetListOnly", GET_LIST_ONLY)
    all_but_delete_user = arn_of("AllButDeleteUser", ALL_BUT_DELETE_USER)
    attached = {
        "admin": [ADMIN],
        "readonly": [READ_ONLY],
        "changepw": [CHANGE_PASSWORD],
        "selfmanage": [self_manage],
        "capped": [ADMIN],
        "denied": [ADMIN],
        "fenced": [ADMIN],
    }
    for name in (*USERS, "bob"):
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password=PASSWORD)
        for arn in attached.get(name, []):
            iam.attach_user_policy(UserName=name, PolicyArn=arn)
    iam.put_user_permissions_boundary(UserName="capped", PermissionsBoundary=get_list_only)
    iam.put_user_permissions_boundary(UserName="fenced", PermissionsBoundary=all_but_delete_user)
    iam.put_user_policy(UserName="denied", PolicyName="NoDeletes", PolicyDocument=json.dumps(NO_DELETES))
    return iam


def backend_of(account, name: str):
    """The backend bound to IAM user `name`, as the console and the Query API bind it."""
    from users.models import IAMUser  # tests may read models; views may not

    return get_backend(account, IAMUser.objects.get(account=account, name=name))
