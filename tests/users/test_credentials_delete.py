"""Delete a credential: /users/<name>/<kind>/<id>/delete. Access keys must be deactivated first and their
ID typed, as in the console; the other kinds ask for a plain confirmation."""

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


@pytest.fixture
def key_id(iam):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.tag_user(UserName="alice", Tags=[{"Key": key_id, "Value": "laptop"}, {"Key": "team", "Value": "ops"}])
    return key_id


def keys(iam) -> list[str]:
    return [k["AccessKeyId"] for k in iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]]


def test_an_active_key_must_be_deactivated_first(signed_in, iam, key_id):
    page = signed_in.get(f"/users/details/alice/access-keys/{key_id}/delete")
    refused = signed_in.post(f"/users/details/alice/access-keys/{key_id}/delete", {"confirmation": key_id})

    assert "Deactivate this access key before you delete it." in page.content.decode()
    assert 'name="next" value="delete"' in page.content.decode()
    assert refused.status_code == 200
    assert keys(iam) == [key_id]


def test_an_inactive_key_is_deleted_after_its_id_is_typed_with_its_description_tag(signed_in, iam, key_id):
    iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive")

    page = signed_in.get(f"/users/details/alice/access-keys/{key_id}/delete")
    response = signed_in.post(
        f"/users/details/alice/access-keys/{key_id}/delete", {"confirmation": key_id}, follow=True
    )

    assert (
        f'To confirm deletion, enter the access key ID <strong class="mono">{key_id}</strong>'
        in page.content.decode()
    )
    assert f"Access key {key_id} deleted." in response.content.decode()
    assert keys(iam) == []
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "team", "Value": "ops"}]


def test_a_wrong_confirmation_deletes_nothing(signed_in, iam, key_id):
    iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive")

    response = signed_in.post(
        f"/users/details/alice/access-keys/{key_id}/delete", {"confirmation": key_id.lower()}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["confirmation"] == [f"Enter “{key_id}” to confirm the deletion."]
    assert keys(iam) == [key_id]


def test_ssh_keys_git_credentials_and_certificates_delete_after_a_plain_confirmation(signed_in, iam):
    ssh = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh())["SSHPublicKey"][
        "SSHPublicKeyId"
    ]
    git = iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]["ServiceSpecificCredentialId"]
    cert = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert())["Certificate"][
        "CertificateId"
    ]

    for kind, credential_id, label in (
        ("ssh-keys", ssh, "SSH public key"),
        ("git-credentials", git, "HTTPS Git credential"),
        ("signing-certificates", cert, "Signing certificate"),
    ):
        page = signed_in.get(f"/users/details/alice/{kind}/{credential_id}/delete")
        response = signed_in.post(f"/users/details/alice/{kind}/{credential_id}/delete", follow=True)

        assert f"<h1>Delete {credential_id}?</h1>" in page.content.decode()
        assert 'name="confirmation"' not in page.content.decode()
        assert f"{label} {credential_id} deleted." in response.content.decode()
    assert iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"] == []
    assert iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"] == []
    assert iam.list_signing_certificates(UserName="alice")["Certificates"] == []


def test_an_unknown_credential_or_user_is_a_404(signed_in, iam, key_id):
    iam.create_user(UserName="bob")

    assert signed_in.get("/users/details/alice/ssh-keys/APKAUNKNOWN00000000/delete").status_code == 404
    assert signed_in.get(f"/users/details/bob/access-keys/{key_id}/delete").status_code == 404
    assert (
        signed_in.post(
            f"/users/details/nobody/access-keys/{key_id}/delete", {"confirmation": key_id}
        ).status_code
        == 404
    )
    assert keys(iam) == [key_id]


def test_it_needs_sign_in_and_refuses_other_methods(signed_in, iam, key_id):
    url = f"/users/details/alice/access-keys/{key_id}/delete"

    assert signed_in.put(url).status_code == 405
    signed_in.logout()
    assert signed_in.get(url)["Location"].startswith("/login?next=")
