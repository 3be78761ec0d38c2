"""IAM groups through the contract: CreateGroup, GetGroup, ListGroups, UpdateGroup, DeleteGroup,
AddUserToGroup, RemoveUserFromGroup, ListGroupsForUser. Expected answers are AWS's (aws-recorded
scenarios, topic `groups`; facts §4-§6)."""

import pytest
from django.utils import timezone

from iamconsole.backends import errors, get_backend


def group_names(result):
    return [group["GroupName"] for group in result["Groups"]]


def user_names(result):
    return [user["UserName"] for user in result["Users"]]


# -- CreateGroup / GetGroup -----------------------------------------------------------------------


def test_it_creates_a_group_with_an_aws_shaped_id_and_arn(iam):
    group = iam.create_group(GroupName="devs", Path="/some/location/")["Group"]

    assert group["GroupName"] == "devs"
    assert group["Path"] == "/some/location/"
    assert group["GroupId"].startswith("AGPA") and len(group["GroupId"]) == 21
    assert group["Arn"] == "arn:aws:iam::123456789012:group/some/location/devs"
    assert set(group) == {"Path", "GroupName", "GroupId", "Arn", "CreateDate"}


def test_get_group_returns_the_group_and_no_users(iam):
    created = iam.create_group(GroupName="devs")["Group"]

    assert iam.get_group(GroupName="DEVS") == {"Group": created, "Users": [], "IsTruncated": False}


def test_create_group_refuses_a_name_taken_in_any_case(iam):
    iam.create_group(GroupName="Devs")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_group(GroupName="devs")

    assert exc.value.message == "Group with name devs already exists."
    assert exc.value.http_status == 409
    assert group_names(iam.list_groups()) == ["Devs"]


@pytest.mark.parametrize("name", ["has space", "a/b", "x" * 129, ""])
def test_create_group_rejects_bad_names(iam, name):
    with pytest.raises(errors.ValidationError):
        iam.create_group(GroupName=name)

    assert iam.list_groups()["Groups"] == []


def test_create_group_refuses_the_groups_quota(iam, monkeypatch):
    monkeypatch.setattr("groups.ops.GROUPS_PER_ACCOUNT", 2)
    iam.create_group(GroupName="g1")
    iam.create_group(GroupName="g2")

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_group(GroupName="g3")

    assert exc.value.message == "Cannot exceed quota for GroupsPerAccount: 2"
    assert group_names(iam.list_groups()) == ["g1", "g2"]


def test_get_group_answers_no_such_entity_for_an_unknown_group(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_group(GroupName="non-existent-group")

    assert exc.value.message == "The group with name non-existent-group cannot be found."
    assert exc.value.http_status == 404


def test_a_group_of_another_account_is_not_found(iam, other_account):
    get_backend(other_account).create_group(GroupName="theirs")

    with pytest.raises(errors.NoSuchEntity):
        iam.get_group(GroupName="theirs")
    assert iam.list_groups()["Groups"] == []


def test_get_group_lists_members_by_name_and_pages_them(iam):
    iam.create_group(GroupName="devs")
    for name in ["carol", "Alice", "bob", "dave", "outsider"]:
        iam.create_user(UserName=name)
        if name != "outsider":
            iam.add_user_to_group(GroupName="devs", UserName=name)

    first = iam.get_group(GroupName="devs", MaxItems=3)
    second = iam.get_group(GroupName="devs", MaxItems=3, Marker=first["Marker"])

    assert user_names(first) == ["Alice", "bob", "carol"] and first["IsTruncated"] is True
    assert user_names(second) == ["dave"] and second["IsTruncated"] is False
    assert "Marker" not in second
    assert second["Group"]["GroupName"] == "devs"
    assert "Tags" not in first["Users"][0]


@pytest.mark.parametrize("count", [5, 50])
def test_get_group_query_count_does_not_grow_with_members(iam, count, django_assert_max_num_queries):
    iam.create_group(GroupName="devs")
    for n in range(count):
        iam.create_user(UserName=f"user{n:02d}")
        iam.add_user_to_group(GroupName="devs", UserName=f"user{n:02d}")

    # The group and one page of members, inside the call's savepoint.
    with django_assert_max_num_queries(4):
        result = iam.get_group(GroupName="devs")

    assert len(result["Users"]) == count


# -- ListGroups -----------------------------------------------------------------------------------


def test_list_groups_orders_by_name_case_insensitively(iam):
    for name in ["ops", "Admins", "devs"]:
        iam.create_group(GroupName=name)

    result = iam.list_groups()

    assert group_names(result) == ["Admins", "devs", "ops"]
    assert result["IsTruncated"] is False and "Marker" not in result


def test_list_groups_filters_by_path_prefix(iam):
    iam.create_group(GroupName="a", Path="/eng/")
    iam.create_group(GroupName="b", Path="/eng/ops/")
    iam.create_group(GroupName="c", Path="/ENG/")
    iam.create_group(GroupName="d")

    assert group_names(iam.list_groups(PathPrefix="/eng/")) == ["a", "b"]
    assert group_names(iam.list_groups(PathPrefix="/eng/ops/")) == ["b"]
    assert group_names(iam.list_groups()) == ["a", "b", "c", "d"]


def test_list_groups_pages_with_a_marker(iam):
    for n in range(5):
        iam.create_group(GroupName=f"g{n}")

    first = iam.list_groups(MaxItems=4)
    second = iam.list_groups(MaxItems=4, Marker=first["Marker"])

    assert group_names(first) == ["g0", "g1", "g2", "g3"] and first["IsTruncated"] is True
    assert group_names(second) == ["g4"] and second["IsTruncated"] is False


def test_list_groups_refuses_a_marker_of_another_action(iam):
    iam.create_user(UserName="a")
    iam.create_user(UserName="b")
    marker = iam.list_users(MaxItems=1)["Marker"]

    with pytest.raises(errors.ValidationError) as exc:
        iam.list_groups(Marker=marker)

    assert exc.value.message == "Invalid Marker."


@pytest.mark.parametrize("count", [5, 50])
def test_list_groups_query_count_does_not_grow_with_groups(
    iam, account, count, django_assert_max_num_queries
):
    from groups.models import Group

    now = timezone.now()
    Group.objects.bulk_create(
        Group(
            account=account, group_id=f"AGPA{n:017d}", name=f"g{n:02d}", name_lower=f"g{n:02d}", created=now
        )
        for n in range(count)
    )

    with django_assert_max_num_queries(3):
        result = iam.list_groups()

    assert len(result["Groups"]) == count


# -- UpdateGroup ----------------------------------------------------------------------------------


def test_update_group_renames_and_moves_keeping_id_and_members(iam):
    created = iam.create_group(GroupName="devs")["Group"]
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")

    assert iam.update_group(GroupName="devs", NewGroupName="developers", NewPath="/new-path/") == {}

    result = iam.get_group(GroupName="developers")
    assert result["Group"]["GroupId"] == created["GroupId"]
    assert result["Group"]["Arn"] == "arn:aws:iam::123456789012:group/new-path/developers"
    assert user_names(result) == ["alice"]
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_group(GroupName="devs")
    assert exc.value.message == "The group with name devs cannot be found."


def test_update_group_may_change_only_the_case_of_the_name(iam):
    iam.create_group(GroupName="devs")

    iam.update_group(GroupName="devs", NewGroupName="Devs")

    assert group_names(iam.list_groups()) == ["Devs"]


def test_update_group_refuses_a_taken_name_and_changes_nothing(iam):
    iam.create_group(GroupName="group-1")
    iam.create_group(GroupName="group-2")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.update_group(GroupName="group-1", NewGroupName="GROUP-2", NewPath="/moved/")

    assert exc.value.message == "Group with name GROUP-2 already exists."
    assert iam.get_group(GroupName="group-1")["Group"]["Path"] == "/"


def test_update_group_answers_no_such_entity_for_an_unknown_group(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.update_group(GroupName="nonexisting", NewGroupName="new-name")

    assert exc.value.message == "The group with name nonexisting cannot be found."


# -- DeleteGroup ----------------------------------------------------------------------------------


def test_delete_group_removes_an_empty_group(iam):
    iam.create_group(GroupName="devs")

    assert iam.delete_group(GroupName="devs") == {}

    assert iam.list_groups()["Groups"] == []


def test_delete_group_answers_no_such_entity_for_an_unknown_group(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_group(GroupName="unknown-group")

    assert exc.value.message == "The group with name unknown-group cannot be found."
    assert exc.value.http_status == 404


def test_delete_group_reports_members_then_inline_then_attached_policies(iam, account):
    from groups.models import Group
    from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment

    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    group = Group.objects.get(account=account, name="devs")
    now = timezone.now()
    InlinePolicy.objects.create(account=account, group=group, name="inline", document="{}", created=now)
    policy = ManagedPolicy.objects.get(arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    PolicyAttachment.objects.create(account=account, policy=policy, group=group, created=now)
    steps = [
        (
            "Cannot delete entity, must remove users from group first.",
            lambda: iam.remove_user_from_group(GroupName="devs", UserName="alice"),
        ),
        (
            "Cannot delete entity, must delete policies first.",
            InlinePolicy.objects.filter(group=group).delete,
        ),
        (
            "Cannot delete entity, must detach all policies first.",
            PolicyAttachment.objects.filter(group=group).delete,
        ),
    ]

    for message, remove in steps:
        with pytest.raises(errors.DeleteConflict) as exc:
            iam.delete_group(GroupName="devs")
        assert exc.value.message == message
        assert exc.value.http_status == 409
        assert group_names(iam.list_groups()) == ["devs"]
        remove()

    assert iam.delete_group(GroupName="devs") == {}
    assert iam.get_user(UserName="alice")["User"]["UserName"] == "alice"


# -- memberships ----------------------------------------------------------------------------------


def test_add_user_to_group_twice_is_a_no_op(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")

    assert iam.add_user_to_group(GroupName="devs", UserName="alice") == {}
    assert iam.add_user_to_group(GroupName="DEVS", UserName="ALICE") == {}

    assert user_names(iam.get_group(GroupName="devs")) == ["alice"]
    assert group_names(iam.list_groups_for_user(UserName="alice")) == ["devs"]


def test_add_user_to_group_answers_no_such_entity_for_the_user_first(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity) as unknown_user:
        iam.add_user_to_group(GroupName="devs", UserName="nonexistent-user")
    with pytest.raises(errors.NoSuchEntity) as unknown_group:
        iam.add_user_to_group(GroupName="nonexistent-group", UserName="alice")
    with pytest.raises(errors.NoSuchEntity) as both:
        iam.add_user_to_group(GroupName="nonexistent-group", UserName="any-user")

    assert unknown_user.value.message == "The user with name nonexistent-user cannot be found."
    assert unknown_group.value.message == "The group with name nonexistent-group cannot be found."
    assert both.value.message == "The user with name any-user cannot be found."
    assert iam.get_group(GroupName="devs")["Users"] == []


def test_a_user_may_be_in_at_most_ten_groups(iam):
    iam.create_user(UserName="alice")
    for n in range(11):
        iam.create_group(GroupName=f"g{n:02d}")
    for n in range(10):
        iam.add_user_to_group(GroupName=f"g{n:02d}", UserName="alice")

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.add_user_to_group(GroupName="g10", UserName="alice")

    assert exc.value.message == "Cannot exceed quota for GroupsPerUser: 10"
    assert exc.value.http_status == 409
    assert len(iam.list_groups_for_user(UserName="alice")["Groups"]) == 10
    assert iam.get_group(GroupName="g10")["Users"] == []
    # Re-adding a group the user is already in is still a no-op at the quota.
    assert iam.add_user_to_group(GroupName="g00", UserName="alice") == {}


def test_remove_user_from_group_ends_the_membership(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")

    assert iam.remove_user_from_group(GroupName="devs", UserName="alice") == {}

    assert iam.get_group(GroupName="devs")["Users"] == []
    assert iam.list_groups_for_user(UserName="alice") == {"Groups": [], "IsTruncated": False}


def test_removing_a_user_who_is_not_a_member_succeeds(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")

    assert iam.remove_user_from_group(GroupName="devs", UserName="alice") == {}


def test_remove_user_from_group_answers_no_such_entity_for_the_user_first(iam):
    iam.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity) as both:
        iam.remove_user_from_group(GroupName="non-existent-group", UserName="any-user")
    with pytest.raises(errors.NoSuchEntity) as unknown_group:
        iam.remove_user_from_group(GroupName="nonexistent-group", UserName="alice")

    assert both.value.message == "The user with name any-user cannot be found."
    assert unknown_group.value.message == "The group with name nonexistent-group cannot be found."


def test_list_groups_for_user_orders_and_pages(iam):
    iam.create_user(UserName="alice")
    for name in ["ops", "Admins", "devs", "unrelated"]:
        iam.create_group(GroupName=name)
        if name != "unrelated":
            iam.add_user_to_group(GroupName=name, UserName="alice")

    first = iam.list_groups_for_user(UserName="alice", MaxItems=2)
    second = iam.list_groups_for_user(UserName="alice", MaxItems=2, Marker=first["Marker"])

    assert group_names(first) == ["Admins", "devs"] and first["IsTruncated"] is True
    assert group_names(second) == ["ops"] and second["IsTruncated"] is False
    assert set(first["Groups"][0]) == {"Path", "GroupName", "GroupId", "Arn", "CreateDate"}


def test_list_groups_for_user_answers_no_such_entity_for_an_unknown_user(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.list_groups_for_user(UserName="ghost")

    assert exc.value.message == "The user with name ghost cannot be found."


def test_deleting_a_group_is_refused_while_a_renamed_member_remains(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    iam.update_user(UserName="alice", NewUserName="alicia")

    with pytest.raises(errors.DeleteConflict):
        iam.delete_group(GroupName="devs")

    assert group_names(iam.list_groups_for_user(UserName="alicia")) == ["devs"]
