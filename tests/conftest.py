"""Fixtures shared by every test: an account (sandbox) and its root backend."""

import os

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend


@pytest.fixture(autouse=True)
def _fresh_policy_documents():
    """Tests roll their rows back, so a row ID can come back with other content in the next test: start
    each test without the process's caches of policy documents, AWS managed policy rows and users'
    policies (the rollback sends no signal)."""
    from policies import lookup, policy_cache, principals

    principals._DOCUMENTS.clear()
    policy_cache.forget_all()
    lookup.forget_aws_policies()


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


# -- no server errors unnoticed -----------------------------------------------------------------------

# Tests that provoke a server error on purpose. Each should carry @pytest.mark.server_error itself; until
# it does, it is marked here by node ID.
EXPECTED_SERVER_ERRORS = {
    "tests/api/test_wire.py::test_an_unexpected_failure_is_aws_service_failure_never_an_html_page",
    "tests/production/test_readyz.py::test_it_is_not_ready_when_the_database_fails_and_says_nothing_more",
    "tests/production/test_readyz.py::test_it_is_not_ready_when_the_configured_redis_is_unreachable",
}


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "server_error: the test expects a 5xx answer (the no-server-errors check is off)"
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if item.nodeid.split("[")[0] in EXPECTED_SERVER_ERRORS:
            item.add_marker(pytest.mark.server_error)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a test if any answer of Django's test client was a server error (5xx), unless the test is
    marked `server_error`: a 500 a test did not look at (a redirect followed past it, a status not
    asserted) is still a bug. 501 is not counted: it is the deliberate answer for an operation this
    console does not implement."""
    if item.get_closest_marker("server_error") is not None:
        return (yield)
    from django.test import client as test_client

    seen: list[str] = []
    original = test_client.Client.request

    def request(self, **request):
        response = original(self, **request)
        if response.status_code >= 500 and response.status_code != 501:
            seen.append(
                f"{request.get('REQUEST_METHOD', 'GET')} {request.get('PATH_INFO')} -> {response.status_code}"
            )
        return response

    test_client.Client.request = request
    try:
        result = yield
    finally:
        test_client.Client.request = original
    if seen:
        pytest.fail("server error answered during the test: " + "; ".join(seen), pytrace=False)
    return result
