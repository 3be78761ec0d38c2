"""Fixtures of the IAM-user sign-in tests: a user with a console password, an MFA device, a clean
lockout cache, and helpers that walk the sign-in steps with the Django client."""

import time

import pyotp
import pytest
from django.core.cache import cache

from iamconsole.backends import get_backend

PASSWORD = "Alice-pass-1234"


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice(account):
    """alice, with a console password and no reset required."""
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password=PASSWORD)
    return "alice"


def code_at(seed: str, step: int) -> str:
    return pyotp.TOTP(seed).generate_otp(step)


def current_step() -> int:
    return int(time.time()) // 30


@pytest.fixture
def alice_mfa(account, alice):
    """alice's TOTP seed; her device took the codes of the previous and current steps at enrolment, so
    the next accepted code is the next step's."""
    iam = get_backend(account)
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")["VirtualMFADevice"]
    seed = device["Base32StringSeed"].decode()
    step = current_step()
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=code_at(seed, step - 1),
        AuthenticationCode2=code_at(seed, step),
    )
    return seed


def sign_in(client, username="alice", password=PASSWORD, account="123456789012", **extra):
    return client.post("/signin", {"account": account, "username": username, "password": password, **extra})
