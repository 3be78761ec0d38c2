"""Brute force: per-name and per-address counters, a temporary exponential lock, an administrator's
Unlock (accounts/lockout.py)."""

import pytest
from django.contrib.messages import get_messages

from accounts import lockout, signin_iam
from iamconsole.backends import get_backend

from .conftest import code_at, current_step, sign_in

GENERIC = "Your authentication information is incorrect. Please try again."


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves forward."""
    now = [1_000_000.0]
    monkeypatch.setattr(lockout, "clock", lambda: now[0])
    return now


def _fail(client, times, username="alice", **kwargs):
    for _ in range(times):
        sign_in(client, username=username, password="Wrong-pass-0000", **kwargs)


def test_the_correct_password_is_refused_while_the_name_is_locked(client, alice, clock):
    _fail(client, lockout.USER_THRESHOLD)

    response = sign_in(client)

    assert GENERIC in response.content.decode()
    assert signin_iam.SIGNED_IN not in client.session


def test_case_variants_of_the_name_share_one_counter(client, alice, clock):
    for name in ("alice", "ALICE", "Alice", "aLiCe", "alicE"):
        _fail(client, 1, username=name)

    assert lockout.is_locked("123456789012", "alice", "127.0.0.1")


def test_the_lock_expires_and_doubles_with_each_failure_past_the_threshold(client, alice, clock):
    _fail(client, lockout.USER_THRESHOLD)
    clock[0] += lockout.BASE_WAIT + 1
    _fail(client, 1)  # the sixth failure: two minutes now

    clock[0] += lockout.BASE_WAIT + 1
    assert GENERIC in sign_in(client).content.decode()

    clock[0] += lockout.BASE_WAIT + 1
    assert sign_in(client)["Location"] == "/self/security-credentials"


def test_failures_while_locked_do_not_lengthen_the_lock(client, alice, clock):
    _fail(client, lockout.USER_THRESHOLD)
    _fail(client, 20)

    clock[0] += lockout.BASE_WAIT + 1

    assert sign_in(client)["Location"] == "/self/security-credentials"


def test_a_success_forgets_the_failures(client, alice, clock):
    _fail(client, lockout.USER_THRESHOLD - 1)
    sign_in(client)
    client.post("/signout")

    _fail(client, lockout.USER_THRESHOLD - 1)

    assert not lockout.is_locked("123456789012", "alice", "127.0.0.1")


def test_wrong_mfa_codes_count_as_failures(client, alice_mfa, clock):
    sign_in(client)
    for _ in range(lockout.USER_THRESHOLD):
        client.post("/signin/session/mfa", {"code": "000000"})

    response = client.post("/signin/session/mfa", {"code": code_at(alice_mfa, current_step() + 1)})

    assert GENERIC in response.content.decode()
    assert lockout.is_locked("123456789012", "alice", "127.0.0.1")


def test_one_address_spraying_many_names_is_locked(client, alice, clock):
    for i in range(lockout.IP_THRESHOLD):
        _fail(client, 1, username=f"user{i}")

    assert GENERIC in sign_in(client).content.decode()
    other_address = sign_in(client, REMOTE_ADDR="10.0.0.9")  # a data field, not a header: ignored
    assert GENERIC in other_address.content.decode()


def test_failures_for_unknown_accounts_are_counted_without_error(client, db, clock):
    _fail(client, lockout.USER_THRESHOLD, account="no-such-alias")

    assert lockout.is_locked("no-such-alias", "alice", "127.0.0.1")


def test_an_administrator_unlocks_a_user(client, account, alice, clock):
    _fail(client, lockout.USER_THRESHOLD)
    client.force_login(account.root_operator)

    response = client.post("/users/details/alice/signin-unlock")

    assert (
        response.status_code == 302
        and response["Location"] == "/users/details/alice?tab=security_credentials"
    )
    assert not lockout.is_locked("123456789012", "alice", "127.0.0.1")
    client.logout()
    assert sign_in(client)["Location"] == "/self/security-credentials"


def test_unlock_is_post_only_and_404s_for_an_unknown_user(client, account, alice):
    client.force_login(account.root_operator)

    assert client.get("/users/details/alice/signin-unlock").status_code == 405
    assert client.post("/users/details/nobody/signin-unlock").status_code == 404


def test_an_iam_user_without_permission_cannot_unlock(client, account, alice):
    get_backend(account).create_user(UserName="mallory")
    get_backend(account).create_login_profile(UserName="mallory", Password="Mallory-pass-1234")
    lockout.record_failure("123456789012", "alice", "10.1.1.1")
    sign_in(client, username="mallory", password="Mallory-pass-1234")

    response = client.post("/users/details/alice/signin-unlock")

    flashes = [str(m) for m in get_messages(response.wsgi_request)]
    assert "not authorized to perform: iam:UpdateLoginProfile" in flashes[0]
    assert lockout.failures("123456789012", "alice") == 1


def test_anonymous_unlock_goes_to_sign_in(client, alice):
    assert client.post("/users/details/alice/signin-unlock").status_code == 302


def test_an_unlock_is_audited_as_update_login_profile(client, account, alice):
    from accounts.models import AuditEvent

    client.force_login(account.root_operator)
    client.post("/users/details/alice/signin-unlock")

    event = AuditEvent.objects.filter(event_name="UpdateLoginProfile").latest("pk")
    assert event.request_parameters == {"UserName": "alice"}
    assert event.principal_arn == "arn:aws:iam::123456789012:root"
