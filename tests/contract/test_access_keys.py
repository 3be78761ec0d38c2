"""CreateAccessKey, UpdateAccessKey, DeleteAccessKey, ListAccessKeys, GetAccessKeyLastUsed, and the
helpers the SigV4 verifier will use (secret_for, record_key_use).

Messages are AWS's recorded answers (reference/aws-recorded, topic access_keys, and the same tests'
snapshots for the update and last-used errors).
"""

import datetime
import json
import re
import threading

import pytest
from django.db import connection

from accounts.models import Account, AuditEvent
from credentials import ops_keys
from credentials.models import AccessKey
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend, allow
from users.models import IAMUser

UNKNOWN_KEY = "AKIAIOSFODNN7EXAMPLE"


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return IAMUser.objects.get(name="alice")


def test_it_creates_an_active_key_with_aws_shaped_id_and_secret(iam, alice):
    key = iam.create_access_key(UserName="alice")["AccessKey"]

    assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key["AccessKeyId"])
    assert re.fullmatch(r"[A-Za-z0-9/+]{40}", key["SecretAccessKey"])
    assert key["Status"] == "Active"
    assert key["UserName"] == "alice"
    assert isinstance(key["CreateDate"], datetime.datetime)


def test_the_stored_secret_is_encrypted_and_readable_by_the_verifier(iam, alice):
    key = iam.create_access_key(UserName="alice")["AccessKey"]

    stored = AccessKey.objects.get(access_key_id=key["AccessKeyId"]).secret_encrypted
    assert key["SecretAccessKey"] not in stored
    found, secret = ops_keys.secret_for(key["AccessKeyId"])
    assert secret == key["SecretAccessKey"]
    assert found.user == alice


def test_a_ciphertext_moved_to_another_key_does_not_decrypt(iam, alice):
    first = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    second = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    stolen = AccessKey.objects.get(access_key_id=first).secret_encrypted
    AccessKey.objects.filter(access_key_id=second).update(secret_encrypted=stolen)

    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        ops_keys.secret_for(second)


def test_secrets_appear_only_in_the_create_response(iam, alice):
    secret = iam.create_access_key(UserName="alice")["AccessKey"]["SecretAccessKey"]

    listing = iam.list_access_keys(UserName="alice")
    assert "SecretAccessKey" not in listing["AccessKeyMetadata"][0]
    assert secret not in repr(listing)
    logged = json.dumps([[e.request_parameters, e.response_elements] for e in AuditEvent.objects.all()])
    assert "CreateAccessKey" in AuditEvent.objects.values_list("event_name", flat=True)
    assert secret not in logged


def test_it_refuses_a_third_access_key_even_when_one_is_inactive(iam, alice):
    first = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName="alice")
    iam.update_access_key(UserName="alice", AccessKeyId=first, Status="Inactive")

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_access_key(UserName="alice")

    assert exc.value.message == "Cannot exceed quota for AccessKeysPerUser: 2"
    assert exc.value.http_status == 409
    assert AccessKey.objects.filter(user=alice).count() == 2


def test_a_deleted_key_frees_its_place(iam, alice):
    first = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.create_access_key(UserName="alice")
    iam.delete_access_key(UserName="alice", AccessKeyId=first)

    iam.create_access_key(UserName="alice")

    assert AccessKey.objects.filter(user=alice).count() == 2


def test_it_refuses_a_key_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.create_access_key(UserName="nonexistent-user")

    assert exc.value.message == "The user with name nonexistent-user cannot be found."


def test_root_owns_its_own_keys_when_it_names_no_user(iam, alice):
    iam.create_access_key(UserName="alice")
    root_key = iam.create_access_key()["AccessKey"]

    assert AccessKey.objects.get(access_key_id=root_key["AccessKeyId"]).user is None
    listed = iam.list_access_keys()["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [root_key["AccessKeyId"]]
    assert "UserName" not in listed[0]


def test_an_iam_user_naming_no_user_manages_its_own_keys(account, iam, alice, monkeypatch):
    allow(iam, alice.name)
    as_alice = CheckedBackend(get_backend(account, alice))
    iam.create_access_key()  # root's key stays out of alice's listing

    key_id = as_alice.create_access_key()["AccessKey"]["AccessKeyId"]

    assert AccessKey.objects.get(access_key_id=key_id).user == alice
    assert [k["AccessKeyId"] for k in as_alice.list_access_keys()["AccessKeyMetadata"]] == [key_id]
    as_alice.delete_access_key(AccessKeyId=key_id)
    assert not AccessKey.objects.filter(user=alice).exists()


def test_roots_quota_is_two_keys_too(iam):
    iam.create_access_key()
    iam.create_access_key()

    with pytest.raises(errors.LimitExceeded):
        iam.create_access_key()


def test_update_switches_the_status_both_ways(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    assert iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive") == {}
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Active")
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Active"


def test_update_of_an_unknown_key_is_no_such_entity(iam, alice):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_access_key(UserName="alice", AccessKeyId=UNKNOWN_KEY, Status="Inactive")

    assert exc.value.message == f"The Access Key with id {UNKNOWN_KEY} cannot be found."
    assert exc.value.http_status == 404


def test_update_cannot_set_expired(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    with pytest.raises(errors.InvalidInput):
        iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Expired")

    assert AccessKey.objects.get(access_key_id=key_id).status == "Active"


def test_another_users_key_is_not_found_and_not_touched(iam, alice):
    iam.create_user(UserName="bob")
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    with pytest.raises(errors.NoSuchEntity):
        iam.update_access_key(UserName="bob", AccessKeyId=key_id, Status="Inactive")
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_access_key(UserName="bob", AccessKeyId=key_id)
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_access_key(AccessKeyId=key_id)  # root's keys

    assert AccessKey.objects.get(access_key_id=key_id).status == "Active"


def test_delete_removes_the_key(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    assert iam.delete_access_key(UserName="alice", AccessKeyId=key_id) == {}

    assert iam.list_access_keys(UserName="alice") == {"AccessKeyMetadata": [], "IsTruncated": False}
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_access_key(UserName="alice", AccessKeyId=key_id)


def test_list_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity):
        iam.list_access_keys(UserName="ghost")


def test_list_pages_with_max_items_and_marker(iam, alice):
    ids = [iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"] for _ in range(2)]

    first = iam.list_access_keys(UserName="alice", MaxItems=1)
    assert first["IsTruncated"] is True
    second = iam.list_access_keys(UserName="alice", MaxItems=1, Marker=first["Marker"])
    assert second["IsTruncated"] is False and "Marker" not in second
    listed = first["AccessKeyMetadata"] + second["AccessKeyMetadata"]
    assert sorted(k["AccessKeyId"] for k in listed) == sorted(ids)


def test_a_forged_marker_is_invalid(iam, alice):
    with pytest.raises(errors.ValidationError) as exc:
        iam.list_access_keys(UserName="alice", Marker="invalid-marker-value")

    assert exc.value.message == "Invalid Marker."


def test_last_used_is_not_applicable_for_a_new_key(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]

    assert iam.get_access_key_last_used(AccessKeyId=key_id) == {
        "UserName": "alice",
        "AccessKeyLastUsed": {"ServiceName": "N/A", "Region": "N/A"},
    }


def test_last_used_records_the_first_use_in_a_15_minute_window(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    key = AccessKey.objects.get(access_key_id=key_id)
    when = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)

    ops_keys.record_key_use(key, "iam", "us-east-1", when)
    ops_keys.record_key_use(key, "s3", "", when + datetime.timedelta(minutes=10))

    used = iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]
    assert used == {"LastUsedDate": when, "ServiceName": "iam", "Region": "us-east-1"}
    ops_keys.record_key_use(key, "s3", "", when + datetime.timedelta(minutes=16))
    used = iam.get_access_key_last_used(AccessKeyId=key_id)["AccessKeyLastUsed"]
    assert (used["ServiceName"], used["Region"]) == ("s3", "N/A")


def test_last_used_of_an_unknown_key_is_access_denied(iam):
    with pytest.raises(errors.AccessDenied) as exc:
        iam.get_access_key_last_used(AccessKeyId=UNKNOWN_KEY)

    assert exc.value.message == (
        "User: arn:aws:iam::123456789012:root is not authorized to perform iam:GetAccessKeyLastUsed "
        f"on resource: access key {UNKNOWN_KEY}"
    )
    assert exc.value.http_status == 403


def test_another_accounts_key_does_not_exist_here(iam, other_account):
    other = get_backend(other_account)
    other.create_user(UserName="alice")
    key_id = other.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity):
        iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive")
    with pytest.raises(errors.AccessDenied):
        iam.get_access_key_last_used(AccessKeyId=key_id)


def test_secret_for_ignores_inactive_and_unknown_keys(iam, alice):
    key_id = iam.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    iam.update_access_key(UserName="alice", AccessKeyId=key_id, Status="Inactive")

    assert ops_keys.secret_for(key_id) is None
    assert ops_keys.secret_for(key_id, active_only=False) is not None
    assert ops_keys.secret_for(UNKNOWN_KEY) is None


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_quota_holds_under_concurrent_creates(account):
    get_backend(account).create_user(UserName="alice")
    barrier = threading.Barrier(4)
    outcomes = []

    def create():
        try:
            barrier.wait()
            get_backend(Account.objects.get(pk=account.pk)).create_access_key(UserName="alice")
            outcomes.append("created")
        except errors.LimitExceeded:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=create) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created", "created", "refused", "refused"]
    assert AccessKey.objects.filter(user__name="alice").count() == 2
