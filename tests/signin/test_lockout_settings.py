"""The lockout follows the account's sign-in protection (failures before a lock, wait growth, maximum
wait) and the site-wide per-address limit (accounts/lockout.py, accounts/ops_signin_protection.py)."""

import pytest

from accounts import lockout
from iamconsole.backends import get_backend

from .conftest import sign_in

GENERIC = "Your authentication information is incorrect. Please try again."
LANDING = "/self/security-credentials"


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves forward."""
    now = [1_000_000.0]
    monkeypatch.setattr(lockout, "clock", lambda: now[0])
    return now


def _protect(account, failures, growth, max_minutes):
    get_backend(account).update_sign_in_protection(
        FailuresBeforeLock=failures, WaitGrowth=growth, MaximumWaitMinutes=max_minutes
    )


def _fail(client, times, username="alice", **kwargs):
    for _ in range(times):
        sign_in(client, username=username, password="Wrong-pass-0000", **kwargs)


def _locked() -> bool:
    return lockout.is_locked("123456789012", "alice", "127.0.0.1")


def test_the_name_locks_after_the_accounts_number_of_failures(client, account, alice, clock):
    _protect(account, failures=8, growth=2, max_minutes=15)

    _fail(client, 7)
    assert not _locked()  # the default (5) no longer applies

    _fail(client, 1)
    assert _locked()
    assert GENERIC in sign_in(client).content.decode()


def test_a_lower_threshold_locks_sooner(client, account, alice, clock):
    _protect(account, failures=3, growth=2, max_minutes=15)

    _fail(client, 3)

    assert _locked()


def test_the_wait_grows_by_the_accounts_factor(client, account, alice, clock):
    _protect(account, failures=3, growth=3, max_minutes=60)
    _fail(client, 3)  # locked 60 s
    clock[0] += 61
    _fail(client, 1)  # the fourth failure: 60 s x 3 = 180 s

    clock[0] += 179
    assert _locked()
    clock[0] += 2
    assert not _locked()
    assert sign_in(client)["Location"] == LANDING


def test_a_growth_of_one_keeps_every_lock_at_the_first_wait(client, account, alice, clock):
    _protect(account, failures=3, growth=1, max_minutes=60)
    _fail(client, 3)
    for _ in range(4):  # each further failure after a lock: still 60 s
        clock[0] += 61
        _fail(client, 1)
        assert _locked()

    clock[0] += 61

    assert not _locked()


def test_no_lock_lasts_longer_than_the_maximum_wait(client, account, alice, clock):
    _protect(account, failures=3, growth=10, max_minutes=2)
    _fail(client, 3)
    clock[0] += 61
    _fail(client, 1)  # 600 s by growth, capped at 120 s

    clock[0] += 119
    assert _locked()
    clock[0] += 2
    assert sign_in(client)["Location"] == LANDING


def test_a_change_applies_at_once_to_the_next_failure(client, account, alice, clock):
    _fail(client, 3)  # under the default of 5
    assert not _locked()

    client.force_login(account.root_operator)  # through the settings page, as an administrator would
    client.post(
        "/account/settings/sign-in-protection",
        {"failures_before_lock": "3", "wait_growth": "2", "max_wait_minutes": "15"},
    )
    client.logout()
    _fail(client, 1)  # the fourth: past the new threshold of 3, not the default's 5

    assert _locked()


def test_another_accounts_setting_does_not_apply(client, account, other_account, alice, clock):
    _protect(other_account, failures=3, growth=2, max_minutes=15)

    _fail(client, 4)

    assert not _locked()


def test_the_per_address_limit_is_the_sites(client, account, alice, clock, settings):
    settings.SIGNIN_IP_FAILURES = 4
    _protect(account, failures=50, growth=2, max_minutes=15)

    for i in range(4):
        _fail(client, 1, username=f"user{i}")

    assert lockout.is_locked("123456789012", "someone-else", "127.0.0.1")
    assert GENERIC in sign_in(client).content.decode()


def test_the_per_address_limit_reads_the_environment(monkeypatch):
    monkeypatch.setenv("IAMCONSOLE_SIGNIN_IP_FAILURES", "7")
    assert lockout._env_threshold("IAMCONSOLE_SIGNIN_IP_FAILURES", 20) == 7

    monkeypatch.setenv("IAMCONSOLE_SIGNIN_IP_FAILURES", "many")
    with pytest.raises(Exception, match="must be a whole number of at least 1"):
        lockout._env_threshold("IAMCONSOLE_SIGNIN_IP_FAILURES", 20)
