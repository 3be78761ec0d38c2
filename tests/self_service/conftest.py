"""Fixtures of the self-service tests: alice signed in, allowed to manage her own credentials by a
policy scoped with ${aws:username}, and bob, another user of the account."""

import json

import pytest
from django.core.cache import cache

from iamconsole.backends import get_backend

PASSWORD = "Alice-pass-1234"
SELF_MANAGE = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": [
                "iam:GetUser",
                "iam:GetLoginProfile",
                "iam:ChangePassword",
                "iam:*AccessKey*",
                "iam:*SSHPublicKey*",
                "iam:ListMFADevices",
                "iam:EnableMFADevice",
                "iam:DeactivateMFADevice",
            ],
            "Resource": "arn:aws:iam::*:user/${aws:username}",
        },
        {
            "Effect": "Allow",
            "Action": ["iam:CreateVirtualMFADevice", "iam:DeleteVirtualMFADevice"],
            "Resource": "arn:aws:iam::*:mfa/*",
        },
        {"Effect": "Allow", "Action": "iam:GetAccountPasswordPolicy", "Resource": "*"},
    ],
}


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def iam(account):
    return get_backend(account)


@pytest.fixture
def users(iam):
    for name, password in (("alice", PASSWORD), ("bob", "Bob-pass-123456")):
        iam.create_user(UserName=name)
        iam.create_login_profile(UserName=name, Password=password)
    iam.put_user_policy(UserName="alice", PolicyName="self-manage", PolicyDocument=json.dumps(SELF_MANAGE))
    iam.update_account_password_policy(
        MinimumPasswordLength=10, RequireNumbers=True, PasswordReusePrevention=2
    )


@pytest.fixture
def alice(client, users):
    """The Django client, signed in as alice (no MFA)."""
    response = client.post("/signin", {"account": "123456789012", "username": "alice", "password": PASSWORD})
    assert response["Location"] == "/self/security-credentials"
    return client
