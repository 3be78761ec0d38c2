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


def test_it_recommends_what_needs_fixing_with_links(signed_in, account):
    import datetime

    from credentials.models import AccessKey

    iam = get_backend(account)
    iam.create_user(UserName="nomfa")
    iam.create_login_profile(UserName="nomfa", Password="No-mfa-pass-1234")
    iam.create_user(UserName="oldkey")
    key = iam.create_access_key(UserName="oldkey")["AccessKey"]["AccessKeyId"]
    AccessKey.objects.filter(access_key_id=key).update(
        created=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=120)
    )

    response = signed_in.get("/")

    body = response.content.decode()
    recommendations = response.context["recommendations"]
    assert recommendations["RootMFA"] is False
    assert recommendations["UsersWithoutMFA"] == {"Count": 1, "Users": ["nomfa"]}
    assert recommendations["OldAccessKeys"] == {"Count": 1, "Users": ["oldkey"]}
    assert recommendations["UnusedCredentials"] == {"Count": 1, "Users": ["oldkey"]}
    assert "Add MFA for root user" in body
    assert "1 active access key older than 90 days" in body
    assert 'href="/users?sort=active_key_age&amp;dir=desc"' in body


def test_a_clean_account_gets_ticks(signed_in, account):
    body = signed_in.get("/").content.decode()

    assert "Every user with console access has MFA" in body
    assert "No credentials unused for 90 days" in body
