"""Quotas and unique names hold when two requests race (PostgreSQL, real transactions)."""

import threading

import pytest
from django.db import connections

from accounts.services import create_account
from iamconsole.backends import IAMError, get_backend

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(func, times=2):
    """Run `func` in `times` threads released at the same moment; return results and errors."""
    barrier = threading.Barrier(times)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(func())
        except IAMError as error:
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def sandbox():
    return create_account(
        account_id="123456789012", root_email="root@example.com", root_password="x-Pass-1234"
    )


def test_two_simultaneous_create_user_of_one_name_make_one_user(sandbox):
    results, errors = race(lambda: get_backend(sandbox).create_user(UserName="racer"))

    assert len(results) == 1
    assert [e.code for e in errors] == ["EntityAlreadyExists"]
    assert errors[0].message == "User with name racer already exists."
    assert len(get_backend(sandbox).list_users()["Users"]) == 1


def test_two_simultaneous_create_access_key_never_make_a_third_key(sandbox):
    iam = get_backend(sandbox)
    iam.create_user(UserName="keyholder")
    iam.create_access_key(UserName="keyholder")

    results, errors = race(lambda: get_backend(sandbox).create_access_key(UserName="keyholder"), times=3)

    assert len(results) == 1
    assert {e.code for e in errors} == {"LimitExceeded"}
    assert len(iam.list_access_keys(UserName="keyholder")["AccessKeyMetadata"]) == 2
