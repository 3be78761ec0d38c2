"""IAM users through the contract: CreateUser, GetUser, ListUsers, UpdateUser, DeleteUser and the
permissions boundary. Expected answers are AWS's (aws-recorded scenarios, topic `users`; facts §4-§6)."""

import pytest
from django.utils import timezone

from iamconsole.backends import errors, get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
BOUNDARY_TYPE = "Policy"  # what AWS answers, although botocore's enum says PermissionsBoundaryPolicy


@pytest.fixture
def raw_iam(account):
    """The root backend without the output-shape check, for answers carrying a permissions boundary
    (AWS's "Policy" type is outside botocore's enum)."""
    return get_backend(account)


def names(result, member="Users", field="UserName"):
    return [item[field] for item in result[member]]


# -- CreateUser / GetUser -------------------------------------------------------------------------


def test_it_creates_a_user_with_an_aws_shaped_id_and_arn(iam):
    user = iam.create_user(UserName="alice", Path="/division/")["User"]

    assert user["UserName"] == "alice"
    assert user["Path"] == "/division/"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["Arn"] == "arn:aws:iam::123456789012:user/division/alice"
    assert user["CreateDate"].tzinfo is not None
    assert "Tags" not in user and "PermissionsBoundary" not in user


def test_get_user_answers_what_create_user_made(iam):
    created = iam.create_user(UserName="alice")["User"]

    assert iam.get_user(UserName="alice")["User"] == created


def test_get_user_finds_a_user_by_a_case_variant_of_its_name(iam):
    iam.create_user(UserName="Alice")

    assert iam.get_user(UserName="ALICE")["User"]["UserName"] == "Alice"


def test_it_refuses_a_name_that_differs_only_in_case(iam):
    iam.create_user(UserName="Alice")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_user(UserName="alice")

    assert exc.value.message == "User with name alice already exists."
    assert exc.value.http_status == 409
    assert names(iam.list_users()) == ["Alice"]


@pytest.mark.parametrize("name", ["has space", "a/b", "x" * 65, "tab\there", "аdmin", ""])
def test_it_rejects_bad_user_names_with_a_validation_error(iam, name):
    with pytest.raises(errors.ValidationError):
        iam.create_user(UserName=name)

    assert iam.list_users()["Users"] == []


def test_it_rejects_a_path_that_does_not_end_with_a_slash(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_user(UserName="alice", Path="/nope")

    assert exc.value.message.startswith("The specified value for path is invalid.")
    assert iam.list_users()["Users"] == []


def test_get_user_answers_no_such_entity_for_an_unknown_name(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_user(UserName="ghost")

    assert exc.value.message == "The user with name ghost cannot be found."
    assert exc.value.http_status == 404


def test_get_user_without_a_name_describes_the_root_caller(raw_iam):
    # AWS omits Path and UserName for root, although botocore marks them required.
    user = raw_iam.get_user()["User"]

    assert user["Arn"] == "arn:aws:iam::123456789012:root"
    assert user["UserId"] == "123456789012"


def test_a_user_of_another_account_is_not_found(iam, other_account):
    get_backend(other_account).create_user(UserName="stranger")

    with pytest.raises(errors.NoSuchEntity):
        iam.get_user(UserName="stranger")
    assert iam.list_users()["Users"] == []


def test_it_refuses_the_users_quota(iam, monkeypatch):
    monkeypatch.setattr("users.ops.USERS_PER_ACCOUNT", 2)
    iam.create_user(UserName="one")
    iam.create_user(UserName="two")

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_user(UserName="three")

    assert exc.value.message == "Cannot exceed quota for UsersPerAccount: 2"
    assert names(iam.list_users()) == ["one", "two"]


# -- permissions boundary -------------------------------------------------------------------------


def test_it_creates_a_user_with_a_permissions_boundary(raw_iam):
    user = raw_iam.create_user(UserName="alice", PermissionsBoundary=READ_ONLY)["User"]

    boundary = {"PermissionsBoundaryType": BOUNDARY_TYPE, "PermissionsBoundaryArn": READ_ONLY}
    assert user["PermissionsBoundary"] == boundary
    assert raw_iam.get_user(UserName="alice")["User"]["PermissionsBoundary"] == boundary


def test_create_user_refuses_an_unknown_boundary_and_creates_nothing(iam):
    arn = "arn:aws:iam::123456789012:policy/nothing-here"

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.create_user(UserName="alice", PermissionsBoundary=arn)

    assert exc.value.message == f"Policy {arn} does not exist or is not attachable."
    assert iam.list_users()["Users"] == []


def test_create_user_refuses_a_boundary_that_is_not_an_arn(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_user(UserName="alice", PermissionsBoundary="ReadOnlyAccess-not-an-arn")

    assert exc.value.message == "ARN ReadOnlyAccess-not-an-arn is not valid."
    assert iam.list_users()["Users"] == []


def test_it_puts_replaces_and_deletes_a_permissions_boundary(raw_iam):
    raw_iam.create_user(UserName="alice")
    assert "PermissionsBoundary" not in raw_iam.get_user(UserName="alice")["User"]

    raw_iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=READ_ONLY)
    admin = "arn:aws:iam::aws:policy/AdministratorAccess"
    raw_iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=admin)
    assert (
        raw_iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == admin
    )

    assert raw_iam.delete_user_permissions_boundary(UserName="alice") == {}
    assert "PermissionsBoundary" not in raw_iam.get_user(UserName="alice")["User"]
    assert raw_iam.delete_user_permissions_boundary(UserName="alice") == {}


def test_put_boundary_refuses_an_unknown_policy_and_keeps_the_old_one(raw_iam):
    raw_iam.create_user(UserName="alice", PermissionsBoundary=READ_ONLY)
    arn = "arn:aws:iam::aws:policy/NoSuchPolicy"

    with pytest.raises(errors.NoSuchEntity) as exc:
        raw_iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=arn)

    assert exc.value.message == f"Policy {arn} does not exist or is not attachable."
    assert (
        raw_iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"]
        == READ_ONLY
    )


def test_boundary_actions_answer_no_such_entity_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as put:
        iam.put_user_permissions_boundary(UserName="ghost", PermissionsBoundary=READ_ONLY)
    with pytest.raises(errors.NoSuchEntity) as delete:
        iam.delete_user_permissions_boundary(UserName="ghost")

    assert put.value.message == delete.value.message == "The user with name ghost cannot be found."


# -- ListUsers ------------------------------------------------------------------------------------


def test_list_users_orders_by_name_case_insensitively_without_tags_or_boundary(iam, raw_iam):
    raw_iam.create_user(UserName="bob", Tags=[{"Key": "team", "Value": "a"}], PermissionsBoundary=READ_ONLY)
    iam.create_user(UserName="Alice")
    iam.create_user(UserName="carol")

    result = iam.list_users()

    assert names(result) == ["Alice", "bob", "carol"]
    assert result["IsTruncated"] is False and "Marker" not in result
    assert all("Tags" not in user and "PermissionsBoundary" not in user for user in result["Users"])
    assert set(result["Users"][1]) == {"Path", "UserName", "UserId", "Arn", "CreateDate"}


def test_list_users_filters_by_path_prefix_case_sensitively(iam):
    iam.create_user(UserName="a", Path="/eng/")
    iam.create_user(UserName="b", Path="/eng/ops/")
    iam.create_user(UserName="c", Path="/Eng/")
    iam.create_user(UserName="d")

    assert names(iam.list_users(PathPrefix="/eng/")) == ["a", "b"]
    assert names(iam.list_users(PathPrefix="/eng/ops")) == ["b"]
    assert names(iam.list_users(PathPrefix="/")) == ["a", "b", "c", "d"]
    assert iam.list_users(PathPrefix="/nowhere/")["Users"] == []


def test_list_users_pages_with_an_opaque_marker(iam):
    for name in ["u1", "u2", "u3", "u4", "u5"]:
        iam.create_user(UserName=name)

    first = iam.list_users(MaxItems=2)
    second = iam.list_users(MaxItems=2, Marker=first["Marker"])
    third = iam.list_users(MaxItems=2, Marker=second["Marker"])

    assert (names(first), first["IsTruncated"]) == (["u1", "u2"], True)
    assert (names(second), second["IsTruncated"]) == (["u3", "u4"], True)
    assert (names(third), third["IsTruncated"]) == (["u5"], False)
    assert "Marker" not in third
    assert "u2" not in first["Marker"]


def test_list_users_pages_stay_stable_when_a_seen_user_is_deleted(iam):
    for name in ["u1", "u2", "u3"]:
        iam.create_user(UserName=name)
    first = iam.list_users(MaxItems=2)

    iam.delete_user(UserName="u2")

    assert names(iam.list_users(MaxItems=2, Marker=first["Marker"])) == ["u3"]


def test_list_users_returns_100_by_default(iam, account):
    from users.models import IAMUser

    now = timezone.now()
    IAMUser.objects.bulk_create(
        IAMUser(
            account=account, user_id=f"AIDA{n:017d}", name=f"u{n:03d}", name_lower=f"u{n:03d}", created=now
        )
        for n in range(101)
    )

    result = iam.list_users()

    assert len(result["Users"]) == 100 and result["IsTruncated"] is True
    assert names(iam.list_users(Marker=result["Marker"])) == ["u100"]


@pytest.mark.parametrize("marker", ["not-a-marker", "W10=", "WyJMaXN0R3JvdXBzIiwiYSJd"])
def test_list_users_refuses_a_marker_it_did_not_make(iam, marker):
    # "W10=" is base64 of [] and the last one a ListGroups marker.
    with pytest.raises(errors.ValidationError) as exc:
        iam.list_users(Marker=marker)

    assert exc.value.message == "Invalid Marker."


def test_list_users_rejects_max_items_out_of_range(iam):
    with pytest.raises(errors.ValidationError):
        iam.list_users(MaxItems=0)
    with pytest.raises(errors.ValidationError):
        iam.list_users(MaxItems=1001)


@pytest.mark.parametrize("count", [5, 50])
def test_list_users_query_count_does_not_grow_with_users(iam, raw_iam, count, django_assert_max_num_queries):
    for n in range(count):
        raw_iam.create_user(UserName=f"user{n:02d}", PermissionsBoundary=READ_ONLY)

    # One SELECT, inside the call's savepoint (SAVEPOINT / RELEASE in a test transaction).
    with django_assert_max_num_queries(3):
        result = iam.list_users()

    assert len(result["Users"]) == count


# -- UpdateUser -----------------------------------------------------------------------------------


def test_update_user_renames_and_moves_keeping_the_unique_id(iam):
    created = iam.create_user(UserName="alice")["User"]

    assert iam.update_user(UserName="alice", NewUserName="alicia", NewPath="/moved/") == {}

    user = iam.get_user(UserName="alicia")["User"]
    assert user["UserId"] == created["UserId"]
    assert user["Arn"] == "arn:aws:iam::123456789012:user/moved/alicia"
    assert user["CreateDate"] == created["CreateDate"]
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_user(UserName="alice")
    assert exc.value.message == "The user with name alice cannot be found."


def test_update_user_keeps_tags_boundary_and_groups(raw_iam):
    raw_iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "a"}], PermissionsBoundary=READ_ONLY)
    raw_iam.create_group(GroupName="devs")
    raw_iam.add_user_to_group(GroupName="devs", UserName="alice")

    raw_iam.update_user(UserName="alice", NewUserName="alicia")

    user = raw_iam.get_user(UserName="alicia")["User"]
    assert user["Tags"] == [{"Key": "team", "Value": "a"}]
    assert user["PermissionsBoundary"]["PermissionsBoundaryArn"] == READ_ONLY
    assert names(raw_iam.get_group(GroupName="devs")) == ["alicia"]


def test_update_user_may_change_only_the_case_of_the_name(iam):
    iam.create_user(UserName="alice")

    iam.update_user(UserName="alice", NewUserName="Alice")

    assert names(iam.list_users()) == ["Alice"]


def test_update_user_moves_only_the_path(iam):
    iam.create_user(UserName="alice")

    iam.update_user(UserName="alice", NewPath="/ops/")

    assert iam.get_user(UserName="alice")["User"]["Path"] == "/ops/"


def test_update_user_refuses_a_name_taken_in_any_case(iam):
    iam.create_user(UserName="alice", Path="/a/")
    iam.create_user(UserName="Bob")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.update_user(UserName="alice", NewUserName="bob", NewPath="/b/")

    assert exc.value.message == "User with name bob already exists."
    assert exc.value.http_status == 409
    assert iam.get_user(UserName="alice")["User"]["Path"] == "/a/"


def test_update_user_answers_no_such_entity_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_user(UserName="nonexistent-user", NewUserName="x")

    assert exc.value.message == "The user with name nonexistent-user cannot be found."


def test_update_user_rejects_an_invalid_new_name(iam):
    iam.create_user(UserName="alice")

    with pytest.raises(errors.ValidationError):
        iam.update_user(UserName="alice", NewUserName="x" * 65)

    assert names(iam.list_users()) == ["alice"]


# -- DeleteUser -----------------------------------------------------------------------------------


def test_delete_user_removes_a_user_with_tags_and_a_boundary(raw_iam):
    raw_iam.create_user(UserName="alice", Tags=[{"Key": "a", "Value": "b"}], PermissionsBoundary=READ_ONLY)

    assert raw_iam.delete_user(UserName="alice") == {}

    with pytest.raises(errors.NoSuchEntity) as exc:
        raw_iam.get_user(UserName="alice")
    assert exc.value.message == "The user with name alice cannot be found."


def test_delete_user_answers_no_such_entity_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_user(UserName="nonexistent-user")

    assert exc.value.message == "The user with name nonexistent-user cannot be found."
    assert exc.value.http_status == 404


def _attach_everything(iam, account, name):
    """Give `name` one of every item that blocks DeleteUser, built directly where the owning
    app's operations may not exist yet. Returns the removers, in AWS's reporting order."""
    from credentials.models import (
        AccessKey,
        LoginProfile,
        ServiceSpecificCredential,
        SigningCertificate,
        SSHPublicKey,
        VirtualMFADevice,
    )
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment
    from users.models import IAMUser

    user = IAMUser.objects.get(account=account, name=name)
    now = timezone.now()
    LoginProfile.objects.create(user=user, password_hash="x", created=now, password_changed=now)
    AccessKey.objects.create(
        account=account, user=user, access_key_id="AKIA" + "A" * 16, secret_encrypted="x", created=now
    )
    SigningCertificate.objects.create(
        account=user.account, user=user, certificate_id="C" * 28, body="x", uploaded=now
    )
    SSHPublicKey.objects.create(
        user=user, ssh_public_key_id="APKA" + "B" * 17, body="x", fingerprint="f", uploaded=now
    )
    ServiceSpecificCredential.objects.create(
        user=user,
        credential_id="ACCA" + "C" * 17,
        service_name="codecommit.amazonaws.com",
        service_user_name=f"{name}-at-123456789012",
        password_hash="x",
        created=now,
    )
    VirtualMFADevice.objects.create(
        account=account,
        serial_number=f"arn:aws:iam::123456789012:mfa/{name}",
        name=name,
        seed_encrypted="x",
        user=user,
        enable_date=now,
        created=now,
    )
    InlinePolicy.objects.create(account=account, user=user, name="inline", document="{}", created=now)
    policy = ManagedPolicy.objects.get(arn=READ_ONLY)
    PolicyAttachment.objects.create(account=account, policy=policy, user=user, created=now)
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(GroupName="devs", UserName=name)
    return [
        (
            "Cannot delete entity, must delete login profile first.",
            LoginProfile.objects.filter(user=user).delete,
        ),
        ("Cannot delete entity, must delete access keys first.", AccessKey.objects.filter(user=user).delete),
        (
            "Cannot delete entity, must delete signing certificates first.",
            SigningCertificate.objects.filter(user=user).delete,
        ),
        (
            "Cannot delete entity, must remove referenced objects first.",
            SSHPublicKey.objects.filter(user=user).delete,
        ),
        (
            "Cannot delete entity, must remove referenced objects first.",
            ServiceSpecificCredential.objects.filter(user=user).delete,
        ),
        (
            "Cannot delete entity, must delete MFA device first.",
            VirtualMFADevice.objects.filter(user=user).delete,
        ),
        ("Cannot delete entity, must delete policies first.", InlinePolicy.objects.filter(user=user).delete),
        (
            "Cannot delete entity, must detach all policies first.",
            PolicyAttachment.objects.filter(user=user).delete,
        ),
        (
            "Cannot delete entity, must remove users from group first.",
            lambda: iam.remove_user_from_group(GroupName="devs", UserName=name),
        ),
    ]


def test_delete_user_reports_what_is_attached_in_aws_order(iam, account):
    iam.create_user(UserName="alice")
    removers = _attach_everything(iam, account, "alice")

    for message, remove in removers:
        with pytest.raises(errors.DeleteConflict) as exc:
            iam.delete_user(UserName="alice")
        assert exc.value.message == message
        assert exc.value.http_status == 409
        assert iam.get_user(UserName="alice")["User"]["UserName"] == "alice"
        remove()

    assert iam.delete_user(UserName="alice") == {}
    assert iam.list_users()["Users"] == []


@pytest.mark.parametrize("blocker", range(9))
def test_each_attached_item_alone_blocks_delete_user(iam, account, blocker):
    iam.create_user(UserName="alice")
    removers = _attach_everything(iam, account, "alice")
    for index, (_, remove) in enumerate(removers):
        if index != blocker:
            remove()

    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_user(UserName="alice")

    assert exc.value.message == removers[blocker][0]
    assert names(iam.list_users()) == ["alice"]


def test_an_unassigned_virtual_mfa_device_does_not_block_delete_user(iam, account):
    from credentials.models import VirtualMFADevice

    iam.create_user(UserName="alice")
    VirtualMFADevice.objects.create(
        account=account,
        serial_number="arn:aws:iam::123456789012:mfa/spare",
        name="spare",
        seed_encrypted="x",
        created=timezone.now(),
    )

    assert iam.delete_user(UserName="alice") == {}
    assert VirtualMFADevice.objects.filter(name="spare").exists()
