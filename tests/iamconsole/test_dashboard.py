"""The IAM dashboard: counts from GetAccountSummary and the sign-in URL."""

import pytest

from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


def test_it_shows_the_counts_and_the_sign_in_url(signed_in, account):
    iam = get_backend(account)
    iam.create_user(UserName="one")
    iam.create_user(UserName="two")

    response = signed_in.get("/")

    assert response.status_code == 200
    assert response.context["summary"]["Users"] == 2
    assert b"https://123456789012.signin.aws.amazon.com/console" in response.content


def test_it_needs_sign_in(client, db):
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=/")


def test_it_refuses_post(signed_in):
    assert signed_in.post("/").status_code == 405
