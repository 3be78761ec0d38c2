"""Fixtures shared by every test: an account (sandbox) and its root backend."""

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend


@pytest.fixture
def account(db):
    return create_account(account_id="123456789012", root_email="root@example.com", root_password="Root-pass-1234")


@pytest.fixture
def other_account(db):
    return create_account(account_id="210987654321", root_email="other@example.com", root_password="Root-pass-1234")


@pytest.fixture
def iam(account):
    """The account's backend as its root."""
    return get_backend(account)
