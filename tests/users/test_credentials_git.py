"""HTTPS Git credentials for AWS CodeCommit: /users/<name>/git-credentials/generate and
/users/<name>/git-credentials/<id>/reset, the password shown once with Cache-Control: no-store."""

import urllib.parse

import pytest

from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    return iam


def credentials(iam) -> list[dict]:
    return iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"]


def test_generate_shows_the_user_name_and_password_once(signed_in, iam):
    response = signed_in.post("/users/details/alice/git-credentials/generate")

    html = response.content.decode()
    credential = response.context["credential"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert credential["ServiceName"] == "codecommit.amazonaws.com"
    assert "alice-at-123456789012" in html and credential["ServicePassword"] in html
    assert [c["ServiceSpecificCredentialId"] for c in credentials(iam)] == [
        credential["ServiceSpecificCredentialId"]
    ]
    csv = urllib.parse.unquote(response.context["csv_uri"].removeprefix("data:text/csv;charset=utf-8,"))
    assert csv == f"\ufeffUser Name,Password\r\nalice-at-123456789012,{credential['ServicePassword']}\r\n"
    later = signed_in.get("/users/details/alice", {"tab": "security_credentials"}).content.decode()
    assert credential["ServicePassword"] not in later
    assert credential["ServicePassword"] not in str(dict(signed_in.session))


def test_a_third_credential_is_refused_with_a_flash(signed_in, iam):
    for _ in range(2):
        iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")

    response = signed_in.post("/users/details/alice/git-credentials/generate", follow=True)

    assert response.redirect_chain == [("/users/details/alice?tab=security_credentials", 302)]
    assert (
        "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2" in response.content.decode()
    )
    assert len(credentials(iam)) == 2


def test_reset_asks_first_then_shows_a_new_password(signed_in, iam):
    old = iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]
    url = f"/users/details/alice/git-credentials/{old['ServiceSpecificCredentialId']}/reset"

    page = signed_in.get(url)
    response = signed_in.post(url)

    assert "<h1>Reset password?</h1>" in page.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    new = response.context["credential"]
    assert new["ServiceSpecificCredentialId"] == old["ServiceSpecificCredentialId"]
    assert new["ServicePassword"] != old["ServicePassword"]
    assert new["ServicePassword"] in response.content.decode()
    assert f"HTTPS Git credential {old['ServiceSpecificCredentialId']} reset." in response.content.decode()


def test_reset_of_an_unknown_credential_or_user_is_a_404(signed_in, iam):
    assert (
        signed_in.get("/users/details/alice/git-credentials/ACCAUNKNOWN0000000000/reset").status_code == 404
    )
    assert (
        signed_in.post("/users/details/alice/git-credentials/ACCAUNKNOWN0000000000/reset").status_code == 404
    )
    assert signed_in.post("/users/details/nobody/git-credentials/generate").status_code == 404


def test_generate_is_post_only_and_reset_refuses_other_methods(signed_in, iam):
    assert signed_in.get("/users/details/alice/git-credentials/generate").status_code == 405
    assert (
        signed_in.put("/users/details/alice/git-credentials/ACCAUNKNOWN0000000000/reset").status_code == 405
    )


def test_both_need_sign_in(client, iam):
    assert client.post("/users/details/alice/git-credentials/generate")["Location"].startswith("/login?next=")
    assert client.get("/users/details/alice/git-credentials/ACCA0000000000000000/reset")[
        "Location"
    ].startswith("/login")
