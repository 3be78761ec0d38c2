"""A TOTP code sent twice at once is accepted once (PostgreSQL, real transactions, two threads): the
device row is locked while the code is checked and spent (credentials/ops_mfa.py verify_totp)."""

import threading
import time

import pytest
from django.db import connections
from django.test import Client
from django.utils import timezone

from accounts.services import create_account
from credentials import ops_mfa
from credentials.models import VirtualMFADevice
from credentials.ops_mfa import verify_totp
from iamconsole.backends import IAMError, get_backend

from .conftest import PASSWORD, code_at, current_step, sign_in

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

GENERIC = "Your authentication information is incorrect. Please try again."


def race(*funcs):
    """Run each of `funcs` in its own thread, all released at the same moment; results and errors."""
    barrier = threading.Barrier(len(funcs))
    results, errors = [], []

    def run(func):
        try:
            barrier.wait()
            results.append(func())
        except IAMError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(func,)) for func in funcs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def sandbox():
    account = create_account(
        account_id="123456789012", root_email="root@example.com", root_password="Root-pass-1234"
    )
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password=PASSWORD)
    return account


def _new_device(account) -> tuple[str, str]:
    device = get_backend(account).create_virtual_mfa_device(VirtualMFADeviceName="alice-phone")
    device = device["VirtualMFADevice"]
    return device["SerialNumber"], device["Base32StringSeed"].decode()


@pytest.fixture
def slow_check(monkeypatch):
    """Checking a code takes 0.2 s, so the second request arrives while the first is still checking:
    without the row lock both would see the code unspent and accept it."""
    matches = ops_mfa._matches

    def slow(*args, **kwargs):
        time.sleep(0.2)
        return matches(*args, **kwargs)

    monkeypatch.setattr(ops_mfa, "_matches", slow)


@pytest.fixture
def seed(sandbox):
    """alice's enabled device; the codes of the previous and current steps are spent."""
    serial, seed = _new_device(sandbox)
    step = current_step()
    get_backend(sandbox).enable_mfa_device(
        UserName="alice",
        SerialNumber=serial,
        AuthenticationCode1=code_at(seed, step - 1),
        AuthenticationCode2=code_at(seed, step),
    )
    return seed


def test_verify_totp_accepts_a_code_sent_twice_at_once_only_once(sandbox, seed, slow_check):
    code = code_at(seed, current_step() + 1)

    def check():
        device = VirtualMFADevice.objects.get(user__name="alice")
        return verify_totp(device, code, now=timezone.now())

    results, errors = race(check, check)

    assert sorted(results) == [False, True]
    assert errors == []


def test_two_simultaneous_enable_mfa_device_with_the_same_codes_enable_it_once(sandbox):
    serial, seed = _new_device(sandbox)
    step = current_step()

    def enable():
        return get_backend(sandbox).enable_mfa_device(
            UserName="alice",
            SerialNumber=serial,
            AuthenticationCode1=code_at(seed, step - 1),
            AuthenticationCode2=code_at(seed, step),
        )

    results, errors = race(enable, enable)

    assert results == [{}]
    assert [(e.code, e.message) for e in errors] == [("EntityAlreadyExists", "MFA Device is already in use.")]
    devices = get_backend(sandbox).list_mfa_devices(UserName="alice")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == [serial]


def test_the_signin_mfa_step_accepts_a_code_sent_twice_at_once_only_once(sandbox, seed, slow_check):
    # Two browsers past the password step, each waiting for alice's code.
    browsers = [Client(), Client()]
    for browser in browsers:
        assert sign_in(browser)["Location"] == "/signin/session/mfa"
    code = code_at(seed, current_step() + 1)

    results, errors = race(*[lambda b=b: b.post("/signin/session/mfa", {"code": code}) for b in browsers])

    assert errors == []
    signed_in = [r for r in results if r.status_code == 302]
    refused = [r for r in results if r.status_code == 200]
    assert len(signed_in) == 1 and signed_in[0]["Location"] == "/self/security-credentials"
    assert len(refused) == 1 and GENERIC in refused[0].content.decode()
