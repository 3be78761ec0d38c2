"""Server certificates through the contract: upload, get, list, update, delete, tags.

Certificates and keys are made here with `cryptography` (RSA 2048); the helpers at the top are also
used by test_signing_certificates.py.
"""

import datetime
import functools
import json

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from accounts.models import AuditEvent
from credentials.models import ServerCertificate
from iamconsole import crypto
from iamconsole.backends import errors
from tests.contract.conftest import allow

UNPARSABLE = "Unable to parse certificate. Please ensure the certificate is in PEM format."


# -- certificates and keys ------------------------------------------------------------------------


def rsa_key(name: str = "a", bits: int = 2048) -> rsa.RSAPrivateKey:
    """One RSA key per name and size, made once per test run (key generation is the slow part)."""
    return _rsa_key(name, bits)


@functools.cache
def _rsa_key(name: str, bits: int) -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


def certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    *,
    issuer: str | None = None,
    signer: rsa.RSAPrivateKey | None = None,
    days: int = 365,
    start_days_ago: int = 1,
) -> x509.Certificate:
    """An X.509 certificate for `key`, self-signed unless an issuer name and signing key are given."""
    now = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    start = now - datetime.timedelta(days=start_days_ago)
    return (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=days))
        .sign(signer or key, hashes.SHA256())
    )


def pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode()


def key_pem(key: rsa.RSAPrivateKey, fmt=serialization.PrivateFormat.TraditionalOpenSSL) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt, serialization.NoEncryption()).decode()


@functools.cache
def server_pair() -> tuple[str, str, datetime.datetime]:
    """(body, private key, expiry) of one self-signed server certificate."""
    cert = certificate("www.example.com", rsa_key("server"))
    return pem(cert), key_pem(rsa_key("server")), cert.not_valid_after_utc


@functools.cache
def chained() -> dict:
    """A leaf signed by an intermediate signed by a root: the body, its key and the chain pieces."""
    root = certificate("Example Root", rsa_key("root"))
    intermediate = certificate(
        "Example Intermediate", rsa_key("intermediate"), issuer="Example Root", signer=rsa_key("root")
    )
    leaf = certificate(
        "shop.example.com", rsa_key("leaf"), issuer="Example Intermediate", signer=rsa_key("intermediate")
    )
    return {
        "body": pem(leaf),
        "key": key_pem(rsa_key("leaf")),
        "intermediate": pem(intermediate),
        "root": pem(root),
    }


def upload(iam, name="web", **extra):
    body, key, _ = server_pair()
    params = {"ServerCertificateName": name, "CertificateBody": body, "PrivateKey": key, **extra}
    return iam.upload_server_certificate(**params)["ServerCertificateMetadata"]


# -- upload and get -------------------------------------------------------------------------------


def test_it_uploads_a_certificate_with_an_aws_shaped_id_arn_and_the_certificates_expiry(iam):
    metadata = upload(iam, "web", Path="/cloudfront/")

    assert metadata["ServerCertificateName"] == "web"
    assert metadata["Path"] == "/cloudfront/"
    assert metadata["ServerCertificateId"].startswith("ASCA") and len(metadata["ServerCertificateId"]) == 21
    assert metadata["Arn"] == "arn:aws:iam::123456789012:server-certificate/cloudfront/web"
    assert metadata["Expiration"] == server_pair()[2]
    assert metadata["UploadDate"].tzinfo is not None


def test_get_returns_the_body_and_empty_tags_but_never_the_private_key(iam):
    upload(iam, "web")

    answer = iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]

    assert answer["CertificateBody"] == server_pair()[0]
    assert answer["Tags"] == []
    assert "CertificateChain" not in answer
    assert "PRIVATE KEY" not in json.dumps(answer, default=str)


def test_it_accepts_a_pkcs8_private_key(iam):
    body, _, _ = server_pair()
    iam.upload_server_certificate(
        ServerCertificateName="pkcs8",
        CertificateBody=body,
        PrivateKey=key_pem(rsa_key("server"), serialization.PrivateFormat.PKCS8),
    )

    assert (
        iam.get_server_certificate(ServerCertificateName="pkcs8")["ServerCertificate"]["CertificateBody"]
        == body
    )


def test_it_keeps_the_private_key_encrypted_and_out_of_outputs_and_audit_events(iam, account):
    body, key, _ = server_pair()
    answers = [
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=key),
        iam.get_server_certificate(ServerCertificateName="web"),
        iam.list_server_certificates(),
    ]

    stored = ServerCertificate.objects.get(account=account, name="web")
    assert stored.private_key_encrypted.startswith("v1:")
    assert "PRIVATE KEY" not in stored.private_key_encrypted
    assert crypto.decrypt(stored.private_key_encrypted, "server-certificate-key") == key
    key_line = key.splitlines()[1]
    assert all(key_line not in json.dumps(answer, default=str) for answer in answers)
    events = list(AuditEvent.objects.filter(account=account, event_name="UploadServerCertificate"))
    assert len(events) == 1
    assert events[0].request_parameters["PrivateKey"] == "HIDDEN_DUE_TO_SECURITY_REASONS"
    assert key_line not in json.dumps([events[0].request_parameters, events[0].response_elements])


def test_it_uploads_a_chain_and_returns_it(iam):
    pieces = chained()
    chain = pieces["intermediate"] + pieces["root"]

    iam.upload_server_certificate(
        ServerCertificateName="shop",
        CertificateBody=pieces["body"],
        PrivateKey=pieces["key"],
        CertificateChain=chain,
    )

    assert (
        iam.get_server_certificate(ServerCertificateName="shop")["ServerCertificate"]["CertificateChain"]
        == chain
    )


def test_a_chain_may_stop_at_the_intermediate(iam):
    pieces = chained()

    iam.upload_server_certificate(
        ServerCertificateName="shop",
        CertificateBody=pieces["body"],
        PrivateKey=pieces["key"],
        CertificateChain=pieces["intermediate"],
    )

    assert (
        iam.list_server_certificates()["ServerCertificateMetadataList"][0]["ServerCertificateName"] == "shop"
    )


@pytest.mark.parametrize(
    ("chain_of", "index"),
    [
        (lambda p: p["root"], -1),  # does not start with the body's issuer
        (lambda p: p["intermediate"] + pem(certificate("Stranger", rsa_key("stranger"))), 0),
    ],
)
def test_it_refuses_a_chain_out_of_order_with_the_index_of_the_break(iam, account, chain_of, index):
    pieces = chained()

    with pytest.raises(errors.MalformedCertificate) as exc:
        iam.upload_server_certificate(
            ServerCertificateName="shop",
            CertificateBody=pieces["body"],
            PrivateKey=pieces["key"],
            CertificateChain=chain_of(pieces),
        )

    assert exc.value.message == (
        "Unable to validate certificate chain. The certificate chain must start with the immediate signing "
        "certificate, followed by any intermediaries in order. The index within the chain of the invalid "
        f"certificate is: {index}"
    )
    assert exc.value.http_status == 400
    assert not ServerCertificate.objects.filter(account=account).exists()


def test_it_refuses_a_private_key_that_is_not_the_certificates(iam, account):
    body, _, _ = server_pair()

    with pytest.raises(errors.KeyPairMismatch) as exc:
        iam.upload_server_certificate(
            ServerCertificateName="web", CertificateBody=body, PrivateKey=key_pem(rsa_key("other"))
        )

    assert exc.value.message == "Public Key Certificate and Private Key doesn't match."
    assert exc.value.http_status == 400
    assert not ServerCertificate.objects.filter(account=account).exists()


@pytest.mark.parametrize("member", ["CertificateBody", "PrivateKey", "CertificateChain"])
def test_it_refuses_a_body_key_or_chain_that_is_not_pem(iam, account, member):
    body, key, _ = server_pair()
    params = {"ServerCertificateName": "web", "CertificateBody": body, "PrivateKey": key}
    params[member] = "-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n"

    with pytest.raises(errors.MalformedCertificate) as exc:
        iam.upload_server_certificate(**params)

    assert exc.value.message == UNPARSABLE
    assert not ServerCertificate.objects.filter(account=account).exists()


def test_an_error_about_the_key_does_not_repeat_it(iam, account):
    body, _, _ = server_pair()
    secret = "-----BEGIN RSA PRIVATE KEY-----\nc2VjcmV0LWtleS1tYXRlcmlhbA==\n-----END RSA PRIVATE KEY-----\n"

    with pytest.raises(errors.MalformedCertificate) as exc:
        iam.upload_server_certificate(ServerCertificateName="web", CertificateBody=body, PrivateKey=secret)

    assert "c2VjcmV0" not in exc.value.message
    event = AuditEvent.objects.get(account=account, event_name="UploadServerCertificate")
    assert event.error_code == "MalformedCertificate"
    assert "c2VjcmV0" not in json.dumps([event.request_parameters, event.error_message])


def test_it_refuses_a_name_that_exists_in_any_case(iam):
    upload(iam, "Web")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        upload(iam, "web")

    assert exc.value.message == "The Server Certificate with name web already exists."
    assert exc.value.http_status == 409


def test_it_refuses_a_twenty_first_certificate(iam, account):
    for number in range(20):
        upload(iam, f"cert{number}")

    with pytest.raises(errors.LimitExceeded) as exc:
        upload(iam, "cert20")

    assert exc.value.message == "Cannot exceed quota for ServerCertificatesPerAccount: 20"
    assert exc.value.http_status == 409
    assert ServerCertificate.objects.filter(account=account).count() == 20


@pytest.mark.parametrize(
    "action", ["get_server_certificate", "delete_server_certificate", "list_server_certificate_tags"]
)
def test_an_unknown_name_is_no_such_entity(iam, action):
    with pytest.raises(errors.NoSuchEntity) as exc:
        getattr(iam, action)(ServerCertificateName="nonexistent-certificate")

    assert exc.value.message == "The Server Certificate with name nonexistent-certificate cannot be found."
    assert exc.value.http_status == 404


def test_another_accounts_certificate_is_not_found(iam, other_account):
    from iamconsole.backends import get_backend

    upload(iam, "web")

    with pytest.raises(errors.NoSuchEntity):
        get_backend(other_account).get_server_certificate(ServerCertificateName="web")
    assert get_backend(other_account).list_server_certificates()["ServerCertificateMetadataList"] == []


# -- list -----------------------------------------------------------------------------------------


def test_it_lists_by_name_under_a_path_prefix_case_sensitively(iam):
    upload(iam, "b-cert", Path="/cloudfront/")
    upload(iam, "a-cert", Path="/cloudfront/prod/")
    upload(iam, "c-cert", Path="/CloudFront/")

    listed = iam.list_server_certificates(PathPrefix="/cloudfront/")

    assert [m["ServerCertificateName"] for m in listed["ServerCertificateMetadataList"]] == [
        "a-cert",
        "b-cert",
    ]
    assert listed["IsTruncated"] is False
    assert "Marker" not in listed


def test_it_pages_through_the_list(iam):
    for name in ["d", "a", "c", "b", "e"]:
        upload(iam, name)

    first = iam.list_server_certificates(MaxItems=2)
    second = iam.list_server_certificates(MaxItems=2, Marker=first["Marker"])
    third = iam.list_server_certificates(MaxItems=2, Marker=second["Marker"])

    names = [
        [m["ServerCertificateName"] for m in page["ServerCertificateMetadataList"]]
        for page in (first, second, third)
    ]
    assert names == [["a", "b"], ["c", "d"], ["e"]]
    assert (first["IsTruncated"], second["IsTruncated"], third["IsTruncated"]) == (True, True, False)


# -- update and delete ----------------------------------------------------------------------------


def test_it_renames_and_moves_a_certificate(iam):
    before = upload(iam, "web")

    iam.update_server_certificate(
        ServerCertificateName="web", NewServerCertificateName="www", NewPath="/cloudfront/"
    )

    after = iam.get_server_certificate(ServerCertificateName="www")["ServerCertificate"][
        "ServerCertificateMetadata"
    ]
    assert after["Arn"] == "arn:aws:iam::123456789012:server-certificate/cloudfront/www"
    assert after["ServerCertificateId"] == before["ServerCertificateId"]
    with pytest.raises(errors.NoSuchEntity):
        iam.get_server_certificate(ServerCertificateName="web")


def test_a_rename_may_change_only_the_case(iam):
    upload(iam, "web")

    iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="Web")

    assert (
        iam.list_server_certificates()["ServerCertificateMetadataList"][0]["ServerCertificateName"] == "Web"
    )


def test_it_refuses_to_rename_onto_an_existing_name(iam):
    upload(iam, "web")
    upload(iam, "www")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="WWW")

    assert exc.value.message == "The Server Certificate with name WWW already exists."
    assert iam.get_server_certificate(ServerCertificateName="web")


def test_update_of_an_unknown_certificate_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_server_certificate(ServerCertificateName="ghost", NewPath="/x/")

    assert exc.value.message == "The Server Certificate with name ghost cannot be found."


def test_it_deletes_a_certificate_and_its_key(iam, account):
    upload(iam, "web")

    assert iam.delete_server_certificate(ServerCertificateName="web") == {}

    assert not ServerCertificate.objects.filter(account=account).exists()
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_server_certificate(ServerCertificateName="web")
    assert exc.value.message == "The Server Certificate with name web cannot be found."


# -- tags -----------------------------------------------------------------------------------------


def test_it_uploads_with_tags_and_returns_them(iam):
    tags = [{"Key": "env", "Value": "prod"}]

    answer = iam.upload_server_certificate(
        ServerCertificateName="web", CertificateBody=server_pair()[0], PrivateKey=server_pair()[1], Tags=tags
    )

    assert answer["Tags"] == tags
    assert iam.get_server_certificate(ServerCertificateName="web")["ServerCertificate"]["Tags"] == tags


def test_tags_are_added_overwritten_listed_by_key_and_removed(iam):
    upload(iam, "web", Tags=[{"Key": "team", "Value": "a"}])

    iam.tag_server_certificate(
        ServerCertificateName="web", Tags=[{"Key": "team", "Value": "b"}, {"Key": "Env", "Value": "prod"}]
    )
    listed = iam.list_server_certificate_tags(ServerCertificateName="web")
    iam.untag_server_certificate(ServerCertificateName="web", TagKeys=["team", "absent"])

    assert listed["Tags"] == [{"Key": "Env", "Value": "prod"}, {"Key": "team", "Value": "b"}]
    assert listed["IsTruncated"] is False
    remaining = iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"]
    assert remaining == [{"Key": "Env", "Value": "prod"}]


def test_tag_keys_of_a_server_certificate_are_case_sensitive(iam):
    upload(iam, "web", Tags=[{"Key": "team", "Value": "a"}])

    iam.tag_server_certificate(ServerCertificateName="web", Tags=[{"Key": "Team", "Value": "b"}])

    assert len(iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"]) == 2


@pytest.mark.parametrize(
    ("tags", "message"),
    [
        (
            [{"Key": "aws:owner", "Value": "x"}],
            "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use.",
        ),
        (
            [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}],
            "Duplicate tag keys found. Please note that Tag keys are case sensitive.",
        ),
    ],
)
def test_it_refuses_reserved_or_repeated_tag_keys(iam, account, tags, message):
    with pytest.raises(errors.InvalidInput) as exc:
        upload(iam, "web", Tags=tags)

    assert exc.value.message == message
    assert not ServerCertificate.objects.filter(account=account).exists()


def test_it_refuses_more_than_fifty_tags_in_all(iam):
    upload(iam, "web", Tags=[{"Key": f"k{n}", "Value": "v"} for n in range(50)])

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.tag_server_certificate(ServerCertificateName="web", Tags=[{"Key": "one-more", "Value": "v"}])

    assert exc.value.message == "Cannot exceed quota for TagsPerServerCertificate: 50"
    assert len(iam.list_server_certificate_tags(ServerCertificateName="web")["Tags"]) == 50


def test_a_rename_needs_permission_on_the_new_name_too(iam, account, monkeypatch):
    from iamconsole.backends import get_backend
    from iamconsole.backends.base import Principal
    from users.models import IAMUser

    upload(iam, "web")
    iam.create_user(UserName="alice")
    allow(
        iam,
        "alice",
        action="iam:UpdateServerCertificate",
        resource="arn:aws:iam::123456789012:server-certificate/web",
    )
    as_alice = get_backend(account, Principal(account, IAMUser.objects.get(name="alice")))

    with pytest.raises(errors.AccessDenied) as exc:
        as_alice.update_server_certificate(ServerCertificateName="web", NewServerCertificateName="www")

    assert "server-certificate/www" in exc.value.message
    assert iam.get_server_certificate(ServerCertificateName="web")
