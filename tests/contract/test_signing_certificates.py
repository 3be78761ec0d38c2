"""Signing certificates through the contract: upload, list, update, delete (two per user)."""

import re

import pytest

from credentials.models import SigningCertificate
from iamconsole.backends import errors, get_backend
from iamconsole.backends.base import Principal
from tests.contract.conftest import CheckedBackend, allow
from tests.contract.test_server_certificates import certificate, pem, rsa_key
from users.models import IAMUser


def signing_cert(name: str = "one", **options) -> str:
    return pem(certificate(f"Signing {name}", rsa_key(f"signing-{name}"), **options))


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return "alice"


def as_user(account, name, monkeypatch) -> CheckedBackend:
    """The backend as the IAM user `name`, allowed every IAM action by an inline policy."""
    allow(get_backend(account), name)
    return CheckedBackend(
        get_backend(account, Principal(account, IAMUser.objects.get(account=account, name=name)))
    )


def test_it_uploads_an_active_certificate_with_a_28_character_id(iam, alice):
    body = signing_cert()

    answer = iam.upload_signing_certificate(UserName="alice", CertificateBody=body)["Certificate"]

    assert re.fullmatch(r"[A-Z0-9]{28}", answer["CertificateId"])
    assert answer["UserName"] == "alice"
    assert answer["CertificateBody"] == body
    assert answer["Status"] == "Active"
    assert answer["UploadDate"].tzinfo is not None


def test_it_refuses_a_malformed_certificate_with_awss_words(iam, alice):
    with pytest.raises(errors.MalformedCertificate) as exc:
        iam.upload_signing_certificate(UserName="alice", CertificateBody="invalid-certificate-body")

    assert exc.value.message == "Certificate invalid-certificate-body is malformed."
    assert exc.value.http_status == 400
    assert not SigningCertificate.objects.exists()


def test_it_refuses_an_expired_certificate(iam, alice):
    with pytest.raises(errors.InvalidCertificate) as exc:
        iam.upload_signing_certificate(
            UserName="alice", CertificateBody=signing_cert("old", start_days_ago=30, days=2)
        )

    assert exc.value.message == "The certificate is expired or not yet valid."
    assert not SigningCertificate.objects.exists()


def test_it_refuses_a_third_certificate(iam, alice):
    iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("one"))
    iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("two"))

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("three"))

    assert exc.value.message == "Cannot exceed quota for CertificatesPerUser: 2"
    assert exc.value.http_status == 409
    assert SigningCertificate.objects.count() == 2


def test_inactive_certificates_count_toward_the_quota(iam, alice):
    for name in ("one", "two"):
        cert_id = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert(name))[
            "Certificate"
        ]["CertificateId"]
        iam.update_signing_certificate(UserName="alice", CertificateId=cert_id, Status="Inactive")

    with pytest.raises(errors.LimitExceeded):
        iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert("three"))


@pytest.mark.parametrize("second_user", ["alice", "bob"])
def test_a_certificate_is_accepted_once_in_the_account(iam, alice, second_user):
    iam.create_user(UserName="bob")
    body = signing_cert()
    iam.upload_signing_certificate(UserName="alice", CertificateBody=body)

    with pytest.raises(errors.DuplicateCertificate) as exc:
        iam.upload_signing_certificate(UserName=second_user, CertificateBody=body)

    assert exc.value.message == "The same certificate is already associated with an IAM user in this account."
    assert exc.value.http_status == 409
    assert SigningCertificate.objects.count() == 1


def test_another_account_may_upload_the_same_certificate(iam, alice, other_account):
    body = signing_cert()
    iam.upload_signing_certificate(UserName="alice", CertificateBody=body)
    other = CheckedBackend(get_backend(other_account))
    other.create_user(UserName="alice")

    other.upload_signing_certificate(UserName="alice", CertificateBody=body)

    assert len(other.list_signing_certificates(UserName="alice")["Certificates"]) == 1


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("upload_signing_certificate", {"CertificateBody": "x"}),
        ("list_signing_certificates", {}),
        ("delete_signing_certificate", {"CertificateId": "NONEXISTENTCERTID12345678901"}),
        (
            "update_signing_certificate",
            {"CertificateId": "NONEXISTENTCERTID12345678901", "Status": "Inactive"},
        ),
    ],
)
def test_an_unknown_user_is_no_such_entity(iam, action, params):
    with pytest.raises(errors.NoSuchEntity) as exc:
        getattr(iam, action)(UserName="nonexistent-user", **params)

    assert exc.value.message == "The user with name nonexistent-user cannot be found."
    assert exc.value.http_status == 404


@pytest.mark.parametrize(
    ("action", "params"),
    [("delete_signing_certificate", {}), ("update_signing_certificate", {"Status": "Inactive"})],
)
def test_an_unknown_certificate_id_is_no_such_entity(iam, alice, action, params):
    with pytest.raises(errors.NoSuchEntity) as exc:
        getattr(iam, action)(UserName="alice", CertificateId="NONEXISTENTCERTID12345678901", **params)

    assert exc.value.message == "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found."


def test_another_users_certificate_is_not_found(iam, alice):
    iam.create_user(UserName="bob")
    cert_id = iam.upload_signing_certificate(UserName="bob", CertificateBody=signing_cert())["Certificate"][
        "CertificateId"
    ]

    with pytest.raises(errors.NoSuchEntity):
        iam.delete_signing_certificate(UserName="alice", CertificateId=cert_id)
    assert SigningCertificate.objects.count() == 1


def test_lifecycle_lists_updates_and_deletes(iam, alice):
    body = signing_cert()
    cert_id = iam.upload_signing_certificate(UserName="alice", CertificateBody=body)["Certificate"][
        "CertificateId"
    ]

    listed = iam.list_signing_certificates(UserName="alice")
    iam.update_signing_certificate(UserName="alice", CertificateId=cert_id, Status="Inactive")
    inactive = iam.list_signing_certificates(UserName="alice")["Certificates"][0]["Status"]
    iam.update_signing_certificate(UserName="alice", CertificateId=cert_id, Status="Active")
    active = iam.list_signing_certificates(UserName="alice")["Certificates"][0]["Status"]
    assert iam.delete_signing_certificate(UserName="alice", CertificateId=cert_id) == {}

    assert listed["IsTruncated"] is False
    assert [(c["CertificateId"], c["CertificateBody"]) for c in listed["Certificates"]] == [(cert_id, body)]
    assert (inactive, active) == ("Inactive", "Active")
    assert iam.list_signing_certificates(UserName="alice") == {"Certificates": [], "IsTruncated": False}


def test_status_expired_cannot_be_set(iam, alice):
    cert_id = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert())["Certificate"][
        "CertificateId"
    ]

    with pytest.raises(errors.InvalidInput):
        iam.update_signing_certificate(UserName="alice", CertificateId=cert_id, Status="Expired")

    assert SigningCertificate.objects.get().status == "Active"


def test_it_pages_through_a_users_certificates(iam, alice):
    ids = [
        iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert(name))["Certificate"][
            "CertificateId"
        ]
        for name in ("one", "two")
    ]

    first = iam.list_signing_certificates(UserName="alice", MaxItems=1)
    second = iam.list_signing_certificates(UserName="alice", MaxItems=1, Marker=first["Marker"])

    assert [c["CertificateId"] for c in first["Certificates"] + second["Certificates"]] == ids
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)


def test_without_a_user_name_an_iam_user_manages_their_own(account, iam, alice, monkeypatch):
    as_alice = as_user(account, "alice", monkeypatch)

    cert_id = as_alice.upload_signing_certificate(CertificateBody=signing_cert())["Certificate"][
        "CertificateId"
    ]
    as_alice.update_signing_certificate(CertificateId=cert_id, Status="Inactive")

    listed = as_alice.list_signing_certificates()["Certificates"]
    assert [(c["UserName"], c["Status"]) for c in listed] == [("alice", "Inactive")]


def test_root_without_a_user_name_starts_with_no_signing_certificates(iam):
    assert iam.list_signing_certificates() == {"Certificates": [], "IsTruncated": False}
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_signing_certificate(CertificateId="NONEXISTENTCERTID12345678901")


def test_the_root_user_can_hold_two_signing_certificates_of_its_own(iam, alice):
    uploaded = [
        iam.upload_signing_certificate(CertificateBody=signing_cert(name))["Certificate"]
        for name in ("r1", "r2")
    ]

    assert {c["UserName"] for c in uploaded} == {"123456789012"}
    listed = iam.list_signing_certificates()["Certificates"]
    assert [c["CertificateId"] for c in listed] == [c["CertificateId"] for c in uploaded]
    assert iam.list_signing_certificates(UserName="alice")["Certificates"] == []
    assert iam.get_account_summary()["SummaryMap"]["AccountSigningCertificatesPresent"] == 1
    with pytest.raises(errors.LimitExceeded):
        iam.upload_signing_certificate(CertificateBody=signing_cert("r3"))
    iam.delete_signing_certificate(CertificateId=uploaded[0]["CertificateId"])
    assert len(iam.list_signing_certificates()["Certificates"]) == 1
