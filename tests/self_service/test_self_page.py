"""My security credentials (an IAM user's own page): what it shows, who may open it."""

from iamconsole.backends import get_backend

from .conftest import PASSWORD

PAGE = "/self/security-credentials"


def test_the_page_shows_the_users_own_credentials(alice, iam):
    own = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    bobs = iam.create_access_key(UserName="bob")["AccessKey"]["AccessKeyId"]

    response = alice.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "arn:aws:iam::123456789012:user/alice" in page
    assert own in page and bobs not in page
    assert "Sign out everywhere" in page


def test_a_user_without_permissions_sees_access_denied_not_an_error(client, users, iam):
    iam.create_user(UserName="carol")
    iam.create_login_profile(UserName="carol", Password="Carol-pass-1234")
    client.post("/signin", {"account": "123456789012", "username": "carol", "password": "Carol-pass-1234"})

    response = client.get(PAGE)

    assert response.status_code == 200
    assert "is not authorized to perform: iam:ListAccessKeys" in response.content.decode()


def test_a_root_operator_is_sent_to_the_root_users_page(client, account):
    client.force_login(account.root_operator)

    assert client.get(PAGE)["Location"] == "/account/security-credentials"


def test_anonymous_visitors_must_sign_in(client, db):
    assert client.get(PAGE).status_code == 302


def test_the_page_answers_only_get(alice):
    assert alice.post(PAGE).status_code == 405


def test_the_page_does_not_mention_the_password(alice):
    assert PASSWORD not in alice.get(PAGE).content.decode()


def test_the_page_says_the_sign_in_used_no_mfa(alice, account):
    page = alice.get(PAGE).content.decode()
    assert "Signed in with MFA" in page and "○</span> No" in page
    assert get_backend(account).get_user(UserName="alice")["User"]["PasswordLastUsed"]
