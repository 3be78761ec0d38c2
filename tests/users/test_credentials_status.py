"""Activate / Deactivate: /users/<name>/<kind>/<id>/status for access keys, SSH public keys, HTTPS Git
credentials and signing certificates."""

import pytest

from iamconsole.backends import get_backend
from tests.contract.test_signing_certificates import signing_cert
from tests.contract.test_ssh_keys import openssh


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    return iam


def access_key(iam):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    return key_id, lambda: iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"]


def ssh_key(iam):
    key_id = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh())["SSHPublicKey"][
        "SSHPublicKeyId"
    ]
    return key_id, lambda: iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"][0]["Status"]


def git_credential(iam):
    credential = iam.create_service_specific_credential(
        UserName="alice", ServiceName="codecommit.amazonaws.com"
    )
    credential_id = credential["ServiceSpecificCredential"]["ServiceSpecificCredentialId"]
    return credential_id, lambda: iam.list_service_specific_credentials(UserName="alice")[
        "ServiceSpecificCredentials"
    ][0]["Status"]


def certificate(iam):
    cert_id = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert())["Certificate"]
    return cert_id["CertificateId"], lambda: iam.list_signing_certificates(UserName="alice")["Certificates"][
        0
    ]["Status"]


KINDS = [
    ("access-keys", access_key, "Access key"),
    ("ssh-keys", ssh_key, "SSH public key"),
    ("git-credentials", git_credential, "HTTPS Git credential"),
    ("signing-certificates", certificate, "Signing certificate"),
]


@pytest.mark.parametrize("kind, make, label", KINDS)
def test_deactivate_then_activate(signed_in, iam, kind, make, label):
    credential_id, status = make(iam)
    url = f"/users/details/alice/{kind}/{credential_id}/status"

    response = signed_in.post(url, {"status": "Inactive"}, follow=True)

    assert response.redirect_chain == [("/users/details/alice?tab=security_credentials", 302)]
    assert f"{label} {credential_id} deactivated." in response.content.decode()
    assert status() == "Inactive"

    signed_in.post(url, {"status": "Active"})

    assert status() == "Active"


def test_next_delete_returns_to_the_delete_page(signed_in, iam):
    key_id, status = access_key(iam)

    response = signed_in.post(
        f"/users/details/alice/access-keys/{key_id}/status", {"status": "Inactive", "next": "delete"}
    )

    assert response["Location"] == f"/users/details/alice/access-keys/{key_id}/delete"
    assert status() == "Inactive"


@pytest.mark.parametrize("status", ["", "Expired", "inactive"])
def test_an_invalid_status_changes_nothing(signed_in, iam, status):
    key_id, current = access_key(iam)

    response = signed_in.post(
        f"/users/details/alice/access-keys/{key_id}/status", {"status": status}, follow=True
    )

    assert "Choose Activate or Deactivate." in response.content.decode()
    assert current() == "Active"


def test_an_unknown_credential_is_an_error_flash_with_awss_message(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/access-keys/AKIAUNKNOWN000000000/status", {"status": "Inactive"}, follow=True
    )

    assert "The Access Key with id AKIAUNKNOWN000000000 cannot be found." in response.content.decode()


def test_a_key_of_another_user_is_not_touched(signed_in, iam):
    key_id, status = access_key(iam)
    iam.create_user(UserName="bob")

    response = signed_in.post(
        f"/users/details/bob/access-keys/{key_id}/status", {"status": "Inactive"}, follow=True
    )

    assert f"The Access Key with id {key_id} cannot be found." in response.content.decode()
    assert status() == "Active"


def test_an_unknown_user_or_kind_is_a_404(signed_in, iam):
    key_id, _ = access_key(iam)

    assert (
        signed_in.post(
            f"/users/details/nobody/access-keys/{key_id}/status", {"status": "Inactive"}
        ).status_code
        == 404
    )
    assert (
        signed_in.post(f"/users/details/alice/passwords/{key_id}/status", {"status": "Inactive"}).status_code
        == 404
    )


def test_an_htmx_post_gets_a_client_redirect(signed_in, iam):
    key_id, _ = access_key(iam)

    response = signed_in.post(
        f"/users/details/alice/access-keys/{key_id}/status",
        {"status": "Inactive"},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == "/users/details/alice?tab=security_credentials"


def test_it_is_post_only_and_needs_sign_in(signed_in, iam):
    key_id, _ = access_key(iam)
    url = f"/users/details/alice/access-keys/{key_id}/status"

    assert signed_in.get(url).status_code == 405
    signed_in.logout()
    assert signed_in.post(url, {"status": "Inactive"})["Location"].startswith("/login?next=")
