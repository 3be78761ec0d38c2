"""Fixtures shared by every test: an account (sandbox) and its root backend."""

import os

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend


@pytest.fixture(autouse=True)
def _fresh_policy_documents():
    """Tests roll their rows back, so a row ID can come back with other content in the next test: start
    each test without the process's cache of policy documents (policies/principals.py)."""
    from policies import principals

    principals._DOCUMENTS.clear()


@pytest.fixture
def account(db):
    return create_account(
        account_id="123456789012", root_email="root@example.com", root_password="Root-pass-1234"
    )


@pytest.fixture
def other_account(db):
    return create_account(
        account_id="210987654321", root_email="other@example.com", root_password="Root-pass-1234"
    )


@pytest.fixture
def catalog(transactional_db):
    """The AWS managed policies for a transactional test: a transactional test ends by emptying the
    database, the catalog (loaded by a migration) included, so it is loaded back when missing."""
    from policies.catalog import load_catalog
    from policies.models import ManagedPolicy, PolicyVersion

    if not ManagedPolicy.objects.filter(account__isnull=True).exists():
        load_catalog(ManagedPolicy, PolicyVersion)


@pytest.fixture
def iam(account):
    """The account's backend as its root."""
    return get_backend(account)


def pytest_runtest_setup(item):
    """PostgreSQL-only tests (concurrency) run when DATABASE_URL points at PostgreSQL; elsewhere they
    skip with a message, except in CI, where a missing PostgreSQL is a failure."""
    if item.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor != "postgresql":
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the PostgreSQL tests with DATABASE_URL=postgres://... (see .ci/run)")
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://postgres@127.0.0.1:5432/test")
