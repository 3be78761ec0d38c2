"""SSH public keys through the contract: upload, get (SSH or PEM), list, update, delete."""

import base64
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519

from accounts.models import AuditEvent
from credentials.models import SSHPublicKey
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend
from tests.contract.test_server_certificates import rsa_key
from tests.contract.test_signing_certificates import as_user


def openssh(name: str = "a", bits: int = 2048) -> str:
    return (
        rsa_key(f"ssh-{name}", bits)
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )


def pem_public(name: str = "a") -> str:
    return (
        rsa_key(f"ssh-{name}")
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def md5_fingerprint(openssh_line: str) -> str:
    """What `ssh-keygen -l -E md5` prints, without the `MD5:` prefix."""
    digest = hashlib.md5(base64.b64decode(openssh_line.split()[1]), usedforsecurity=False).digest()
    return ":".join(f"{b:02x}" for b in digest)


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return "alice"


def upload(iam, body=None, user="alice"):
    return iam.upload_ssh_public_key(UserName=user, SSHPublicKeyBody=body or openssh())["SSHPublicKey"]


# -- upload ---------------------------------------------------------------------------------------


def test_it_uploads_an_openssh_key_with_an_apka_id_and_its_md5_fingerprint(iam, alice):
    key = upload(iam)

    assert key["SSHPublicKeyId"].startswith("APKA") and len(key["SSHPublicKeyId"]) == 21
    assert key["Fingerprint"] == md5_fingerprint(openssh())
    assert key["SSHPublicKeyBody"] == openssh()
    assert (key["UserName"], key["Status"]) == ("alice", "Active")
    assert key["UploadDate"].tzinfo is not None


def test_a_pem_key_gets_the_same_fingerprint_as_its_openssh_form(iam, alice):
    iam.create_user(UserName="bob")

    from_ssh = upload(iam, openssh(), "alice")
    from_pem = upload(iam, pem_public(), "bob")

    assert from_pem["Fingerprint"] == from_ssh["Fingerprint"]
    assert from_pem["SSHPublicKeyBody"] == pem_public()


def test_it_accepts_a_key_with_a_comment_and_a_trailing_newline(iam, alice):
    key = upload(iam, openssh() + " alice@laptop\n")

    assert key["Fingerprint"] == md5_fingerprint(openssh())


def test_it_refuses_a_key_shorter_than_2048_bits(iam, alice):
    with pytest.raises(errors.InvalidPublicKey) as exc:
        upload(iam, openssh("short", 1024))

    assert exc.value.message == "The public key must be at least 2048 bits long."
    assert exc.value.http_status == 400
    assert not SSHPublicKey.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        "ssh-rsa not-base64!",
        "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ==",
        "-----BEGIN PUBLIC KEY-----\nbm90IGEga2V5\n-----END PUBLIC KEY-----\n",
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode(),
    ],
    ids=["bad-base64", "truncated", "bad-pem", "ec-pem"],
)
def test_it_refuses_a_malformed_or_non_rsa_key_as_invalid(iam, alice, body):
    with pytest.raises(errors.InvalidPublicKey) as exc:
        upload(iam, body)

    assert exc.value.message == "The public key is malformed or otherwise invalid."
    assert not SSHPublicKey.objects.exists()


@pytest.mark.parametrize(
    "body",
    [
        ed25519.Ed25519PrivateKey.generate()
        .public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode(),
        "just some text",
        "   ",
        "---- BEGIN SSH2 PUBLIC KEY ----\nAAAAB3NzaC1yc2E=\n---- END SSH2 PUBLIC KEY ----",
    ],
    ids=["ed25519", "text", "blank", "rfc4716"],
)
def test_it_refuses_an_encoding_other_than_ssh_rsa_or_pem(iam, alice, body):
    with pytest.raises(errors.UnrecognizedPublicKeyEncoding) as exc:
        upload(iam, body)

    assert exc.value.message == "The public key encoding format is unsupported or unrecognized."
    assert exc.value.http_status == 400
    assert not SSHPublicKey.objects.exists()


def test_it_refuses_the_same_key_twice_for_a_user_in_either_encoding(iam, alice):
    upload(iam, openssh())

    for body in (openssh(), pem_public()):
        with pytest.raises(errors.DuplicateSSHPublicKey) as exc:
            upload(iam, body)
        assert exc.value.message == "The SSH public key is already associated with the specified IAM user."
        assert exc.value.http_status == 400
    assert SSHPublicKey.objects.count() == 1


def test_another_user_may_upload_the_same_key(iam, alice):
    iam.create_user(UserName="bob")
    upload(iam, openssh(), "alice")

    assert upload(iam, openssh(), "bob")["UserName"] == "bob"


def test_it_refuses_a_sixth_key(iam, alice):
    for n in range(5):
        upload(iam, openssh(f"k{n}"))

    with pytest.raises(errors.LimitExceeded) as exc:
        upload(iam, openssh("k5"))

    assert exc.value.message == "Cannot exceed quota for PublicKeysPerUser: 5"
    assert exc.value.http_status == 409
    assert len(iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"]) == 5


def test_upload_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        upload(iam, openssh(), "ghost")

    assert exc.value.message == "The user with name ghost cannot be found."


def test_an_upload_is_audited(iam, alice, account):
    key = upload(iam)

    event = AuditEvent.objects.get(account=account, event_name="UploadSSHPublicKey")
    assert event.error_code == ""
    assert event.response_elements["SSHPublicKey"]["SSHPublicKeyId"] == key["SSHPublicKeyId"]


# -- get ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("uploaded", [openssh, pem_public])
def test_get_returns_the_body_in_the_asked_encoding(iam, alice, uploaded):
    key_id = upload(iam, uploaded())["SSHPublicKeyId"]

    as_ssh = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    as_pem = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="PEM")["SSHPublicKey"]

    assert as_ssh["SSHPublicKeyBody"] == openssh()
    assert as_pem["SSHPublicKeyBody"] == pem_public()
    assert as_ssh["Fingerprint"] == as_pem["Fingerprint"] == md5_fingerprint(openssh())


def test_an_unknown_encoding_is_a_validation_error(iam, alice):
    key_id = upload(iam)["SSHPublicKeyId"]

    with pytest.raises(errors.ValidationError) as exc:
        iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="DER")

    assert "Member must satisfy enum value set" in exc.value.message


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("get_ssh_public_key", {"Encoding": "SSH"}),
        ("update_ssh_public_key", {"Status": "Inactive"}),
        ("delete_ssh_public_key", {}),
    ],
)
def test_an_unknown_key_id_is_no_such_entity(iam, alice, action, params):
    with pytest.raises(errors.NoSuchEntity) as exc:
        getattr(iam, action)(UserName="alice", SSHPublicKeyId="APKAXXXXXXXXXXXXXXXXX", **params)

    assert exc.value.message == "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found."
    assert exc.value.http_status == 404


def test_another_users_key_is_not_found(iam, alice):
    iam.create_user(UserName="bob")
    key_id = upload(iam, openssh(), "bob")["SSHPublicKeyId"]

    with pytest.raises(errors.NoSuchEntity):
        iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="SSH")


def test_another_accounts_user_of_the_same_name_does_not_see_the_key(iam, alice, other_account):
    key_id = upload(iam)["SSHPublicKeyId"]
    other = CheckedBackend(get_backend(other_account))
    other.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity):
        other.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="SSH")
    assert other.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"] == []


# -- list -----------------------------------------------------------------------------------------


def test_list_returns_metadata_only_oldest_first(iam, alice):
    assert iam.list_ssh_public_keys(UserName="alice") == {"SSHPublicKeys": [], "IsTruncated": False}
    first = upload(iam, openssh("one"))
    second = upload(iam, openssh("two"))

    listed = iam.list_ssh_public_keys(UserName="alice")

    assert listed["SSHPublicKeys"] == [
        {
            "UserName": "alice",
            "SSHPublicKeyId": k["SSHPublicKeyId"],
            "Status": "Active",
            "UploadDate": k["UploadDate"],
        }
        for k in (first, second)
    ]
    assert listed["IsTruncated"] is False


def test_list_pages_with_max_items_and_marker(iam, alice):
    ids = [upload(iam, openssh(f"p{n}"))["SSHPublicKeyId"] for n in range(3)]

    first = iam.list_ssh_public_keys(UserName="alice", MaxItems=2)
    second = iam.list_ssh_public_keys(UserName="alice", MaxItems=2, Marker=first["Marker"])

    assert [k["SSHPublicKeyId"] for k in first["SSHPublicKeys"] + second["SSHPublicKeys"]] == ids
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)


def test_list_without_a_user_name_is_the_callers(account, iam, alice, monkeypatch):
    key_id = upload(iam)["SSHPublicKeyId"]

    mine = as_user(account, "alice", monkeypatch).list_ssh_public_keys()["SSHPublicKeys"]

    assert [k["SSHPublicKeyId"] for k in mine] == [key_id]
    assert iam.list_ssh_public_keys() == {"SSHPublicKeys": [], "IsTruncated": False}  # root has none


def test_list_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.list_ssh_public_keys(UserName="ghost")

    assert exc.value.message == "The user with name ghost cannot be found."


# -- update and delete ----------------------------------------------------------------------------


def test_update_sets_the_status(iam, alice):
    key_id = upload(iam)["SSHPublicKeyId"]

    assert iam.update_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Status="Inactive") == {}

    got = iam.get_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Encoding="SSH")["SSHPublicKey"]
    assert got["Status"] == "Inactive"
    assert iam.list_ssh_public_keys(UserName="alice")["SSHPublicKeys"][0]["Status"] == "Inactive"


def test_update_refuses_the_expired_status(iam, alice):
    key_id = upload(iam)["SSHPublicKeyId"]

    with pytest.raises(errors.InvalidInput):
        iam.update_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id, Status="Expired")

    assert SSHPublicKey.objects.get().status == "Active"


def test_delete_removes_the_key(iam, alice):
    key_id = upload(iam)["SSHPublicKeyId"]

    assert iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id) == {}

    assert iam.list_ssh_public_keys(UserName="alice") == {"SSHPublicKeys": [], "IsTruncated": False}
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_ssh_public_key(UserName="alice", SSHPublicKeyId=key_id)
