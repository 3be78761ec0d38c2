"""Upload an SSH public key or an X.509 signing certificate: /users/<name>/<kind>/upload."""

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


def ssh_keys(iam) -> list[dict]:
    return iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"]


def test_the_pages_ask_for_the_body(signed_in, iam):
    ssh = signed_in.get("/users/details/alice/ssh-keys/upload").content.decode()
    cert = signed_in.get("/users/details/alice/signing-certificates/upload").content.decode()

    assert "<h1>Upload SSH public key</h1>" in ssh and '<label for="id_body">SSH public key</label>' in ssh
    assert (
        "<h1>Upload X.509 certificate</h1>" in cert
        and '<label for="id_body">Certificate body</label>' in cert
    )


def test_an_ssh_key_is_uploaded(signed_in, iam):
    response = signed_in.post("/users/details/alice/ssh-keys/upload", {"body": openssh()}, follow=True)

    [key] = ssh_keys(iam)
    assert response.redirect_chain == [("/users/details/alice?tab=security_credentials", 302)]
    assert f"SSH public key {key['SSHPublicKeyId']} uploaded." in response.content.decode()


def test_a_certificate_is_uploaded(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/signing-certificates/upload", {"body": signing_cert()}, follow=True
    )

    [cert] = iam.list_signing_certificates(UserName="alice")["Certificates"]
    assert f"Signing certificate {cert['CertificateId']} uploaded." in response.content.decode()


def test_a_key_the_backend_refuses_comes_back_on_the_field_with_awss_message(signed_in, iam):
    response = signed_in.post("/users/details/alice/ssh-keys/upload", {"body": "ssh-rsa AAAA nope"})

    assert response.status_code == 200
    assert response.context["form"].errors["body"] == ["The public key is malformed or otherwise invalid."]
    assert ssh_keys(iam) == []


def test_a_duplicate_key_comes_back_on_the_field(signed_in, iam):
    iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh())

    response = signed_in.post("/users/details/alice/ssh-keys/upload", {"body": openssh()})

    assert response.context["form"].errors["body"] == [
        "The SSH public key is already associated with the specified IAM user."
    ]


def test_a_third_certificate_comes_back_on_the_field(signed_in, iam):
    iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("one"))
    iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("two"))

    response = signed_in.post(
        "/users/details/alice/signing-certificates/upload", {"body": signing_cert("three")}
    )

    assert response.context["form"].errors["body"] == ["Cannot exceed quota for CertificatesPerUser: 2"]


@pytest.mark.parametrize("body", ["", "   \n", "ssh-rsa \u20ac"])
def test_an_empty_or_non_latin_1_body_is_refused_before_the_backend(signed_in, iam, body):
    response = signed_in.post("/users/details/alice/ssh-keys/upload", {"body": body})

    assert response.status_code == 200
    assert response.context["form"].errors["body"]


def test_an_unknown_user_or_kind_is_a_404(signed_in, iam):
    assert signed_in.get("/users/details/nobody/ssh-keys/upload").status_code == 404
    assert signed_in.post("/users/details/nobody/ssh-keys/upload", {"body": openssh()}).status_code == 404
    assert signed_in.get("/users/details/alice/access-keys/upload").status_code == 404


def test_it_needs_sign_in_and_refuses_other_methods(signed_in, iam):
    assert signed_in.put("/users/details/alice/ssh-keys/upload").status_code == 405
    signed_in.logout()
    assert signed_in.get("/users/details/alice/ssh-keys/upload")["Location"].startswith("/login?next=")
