"""Managed policies through the contract: CreatePolicy, GetPolicy, ListPolicies, DeletePolicy,
ListEntitiesForPolicy and the policy tags. Expected answers are AWS's (aws-recorded scenarios,
topics policies, managed_policies, tags; facts §4-§6)."""

import json

import pytest

from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend

DOCUMENT = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:ListUsers"], "Resource": "*"}],
    }
)
ACCOUNT_ARN = "arn:aws:iam::123456789012:policy"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
CHANGE_PASSWORD = "arn:aws:iam::aws:policy/IAMUserChangePassword"


@pytest.fixture
def other(other_account):
    """The other account's root backend."""
    return CheckedBackend(get_backend(other_account))


def create(iam, name="p", **members):
    return iam.create_policy(PolicyName=name, PolicyDocument=DOCUMENT, **members)["Policy"]


def local_names(iam, **filters):
    return [p["PolicyName"] for p in iam.list_policies(Scope="Local", **filters)["Policies"]]


# -- CreatePolicy ---------------------------------------------------------------------------------


def test_it_creates_a_policy_with_v1_as_default_version(iam):
    policy = create(iam, "ListUsersOnly", Path="/team/", Description="lists users")

    assert policy["PolicyName"] == "ListUsersOnly"
    assert policy["Arn"] == f"{ACCOUNT_ARN}/team/ListUsersOnly"
    assert policy["PolicyId"].startswith("ANPA") and len(policy["PolicyId"]) == 21
    assert policy["DefaultVersionId"] == "v1"
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"]) == (0, 0)
    assert policy["IsAttachable"] is True
    assert policy["CreateDate"] == policy["UpdateDate"]
    # As recorded: CreatePolicy leaves the Description out, and Tags when none were given.
    assert set(policy) == {
        "PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
        "PermissionsBoundaryUsageCount", "IsAttachable", "CreateDate", "UpdateDate",
    }  # fmt: skip
    version = iam.get_policy_version(PolicyArn=policy["Arn"], VersionId="v1")["PolicyVersion"]
    assert version["Document"] == json.loads(DOCUMENT)


def test_create_policy_echoes_the_tags_in_the_order_given(iam):
    tags = [{"Key": "abc", "Value": "first"}, {"Key": "b", "Value": ""}, {"Key": "A", "Value": "x"}]

    assert create(iam, Tags=tags)["Tags"] == tags


def test_create_policy_refuses_a_name_taken_in_any_case(iam):
    create(iam, "Readers")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        create(iam, "readers", Path="/other/")

    assert exc.value.message == "A policy called readers already exists. Duplicate names are not allowed."
    assert exc.value.http_status == 409
    assert local_names(iam) == ["Readers"]


def test_a_customer_policy_may_share_a_name_with_an_aws_policy_or_another_account(iam, other):
    create(iam, "ReadOnlyAccess")
    create(other, "ReadOnlyAccess")

    assert local_names(iam) == ["ReadOnlyAccess"]
    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["Arn"] == READ_ONLY


@pytest.mark.parametrize(
    "tags, message",
    [
        (
            [{"Key": "aws:team", "Value": "x"}],
            "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use.",
        ),
        (
            [{"Key": "AWS:team", "Value": "x"}],
            "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use.",
        ),
        ([{"Key": "k", "Value": "1"}, {"Key": "k", "Value": "2"}], "Duplicate tag keys found."),
    ],
)
def test_create_policy_refuses_bad_tags_and_writes_nothing(iam, tags, message):
    with pytest.raises(errors.InvalidInput) as exc:
        create(iam, Tags=tags)

    assert exc.value.message == message
    assert local_names(iam) == []


@pytest.mark.parametrize("path", ["team/", "/team", "/a*b/"])
def test_create_policy_refuses_a_bad_path(iam, path):
    with pytest.raises(errors.ValidationError):
        create(iam, Path=path)

    assert local_names(iam) == []


def test_create_policy_refuses_the_policies_quota(iam, monkeypatch):
    monkeypatch.setattr("policies.ops.POLICIES_PER_ACCOUNT", 2)
    create(iam, "p1")
    create(iam, "p2")

    with pytest.raises(errors.LimitExceeded) as exc:
        create(iam, "p3")

    assert exc.value.message == "Cannot exceed quota for PoliciesPerAccount: 2"
    assert local_names(iam) == ["p1", "p2"]


# -- GetPolicy ------------------------------------------------------------------------------------


def test_get_policy_adds_the_description_and_the_tags_in_iam_order(iam):
    tags = [
        {"Key": "abc", "Value": "1"},
        {"Key": "b", "Value": "2"},
        {"Key": "z", "Value": "3"},
        {"Key": "a", "Value": "4"},
    ]
    arn = create(iam, Description="testing", Tags=tags)["Arn"]

    policy = iam.get_policy(PolicyArn=arn)["Policy"]

    assert policy["Description"] == "testing"
    assert [tag["Key"] for tag in policy["Tags"]] == ["a", "b", "z", "abc"]


def test_get_policy_always_shows_tags_and_only_a_set_description(iam):
    policy = iam.get_policy(PolicyArn=create(iam)["Arn"])["Policy"]

    assert policy["Tags"] == []
    assert "Description" not in policy


def test_get_policy_shows_an_aws_managed_policy(iam):
    policy = iam.get_policy(PolicyArn="arn:aws:iam::aws:policy/job-function/SystemAdministrator")["Policy"]

    assert policy["PolicyName"] == "SystemAdministrator"
    assert policy["Path"] == "/job-function/"
    assert policy["DefaultVersionId"] == "v12"
    assert policy["PolicyId"].startswith("ANPA")
    assert (policy["AttachmentCount"], policy["PermissionsBoundaryUsageCount"], policy["Tags"]) == (0, 0, [])


def test_aws_managed_policy_counts_are_per_account(iam, other):
    iam.create_user(UserName="alice", PermissionsBoundary=READ_ONLY)
    iam.create_user(UserName="bob")
    iam.attach_user_policy(UserName="alice", PolicyArn=READ_ONLY)
    iam.attach_user_policy(UserName="bob", PolicyArn=READ_ONLY)

    mine = iam.get_policy(PolicyArn=READ_ONLY)["Policy"]
    theirs = other.get_policy(PolicyArn=READ_ONLY)["Policy"]

    assert (mine["AttachmentCount"], mine["PermissionsBoundaryUsageCount"]) == (2, 1)
    assert (theirs["AttachmentCount"], theirs["PermissionsBoundaryUsageCount"]) == (0, 0)


def test_get_policy_answers_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_policy(PolicyArn=f"{ACCOUNT_ARN}/ghost")

    assert exc.value.message == f"Policy {ACCOUNT_ARN}/ghost was not found."
    assert exc.value.http_status == 404


def test_another_accounts_policy_does_not_exist_here(iam, other):
    arn = create(other, "theirs")["Arn"]

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_policy(PolicyArn=arn)

    assert exc.value.message == f"Policy {arn} was not found."


@pytest.mark.parametrize("arn", ["longpolicynamebutnoarn", "arn:aws:iam::123456789012"])
def test_get_policy_refuses_what_is_not_an_arn(iam, arn):
    with pytest.raises(errors.ValidationError) as exc:
        iam.get_policy(PolicyArn=arn)

    assert exc.value.message == f"ARN {arn} is not valid."


# -- ListPolicies ---------------------------------------------------------------------------------


def test_list_policies_by_scope(iam):
    create(iam, "mine")

    local = iam.list_policies(Scope="Local")
    aws = iam.list_policies(Scope="AWS", MaxItems=1000)
    everything = iam.list_policies()

    assert [p["PolicyName"] for p in local["Policies"]] == ["mine"]
    assert local["IsTruncated"] is False and "Marker" not in local
    assert "mine" not in [p["PolicyName"] for p in aws["Policies"]]
    assert len(aws["Policies"]) == 1000 and aws["IsTruncated"] is True
    # The account's own policies come first, as AWS answered (the new policy on page one).
    assert everything["Policies"][0]["PolicyName"] == "mine"
    assert len(everything["Policies"]) == 100
    assert set(everything["Policies"][0]) == {
        "PolicyName", "PolicyId", "Arn", "Path", "DefaultVersionId", "AttachmentCount",
        "PermissionsBoundaryUsageCount", "IsAttachable", "CreateDate", "UpdateDate",
    }  # fmt: skip


def test_list_policies_pages_through_every_policy_once(iam):
    for name in ("b", "a", "C"):
        create(iam, name)
    seen, marker = [], None
    while True:
        page = iam.list_policies(MaxItems=400, **({"Marker": marker} if marker else {}))
        seen += [p["Arn"] for p in page["Policies"]]
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]

    assert len(seen) == len(set(seen)) == 1582 + 3
    assert [arn.rsplit("/", 1)[1] for arn in seen[:3]] == ["a", "b", "C"]
    assert CHANGE_PASSWORD in seen


def test_list_policies_refuses_a_marker_it_did_not_make(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.list_policies(Marker="not-a-marker")

    assert exc.value.message == "Invalid Marker."


def test_list_policies_filters_by_path_prefix(iam):
    create(iam, "root")
    create(iam, "deep", Path="/team/a/")
    create(iam, "other", Path="/Team/")

    assert local_names(iam, PathPrefix="/team/") == ["deep"]
    jobs = iam.list_policies(Scope="AWS", PathPrefix="/job-function/")["Policies"]
    assert jobs and all(p["Path"] == "/job-function/" for p in jobs)


def test_list_policies_only_attached_and_by_usage(iam):
    attached, boundary = create(iam, "attached")["Arn"], create(iam, "boundary")["Arn"]
    create(iam, "unused")
    iam.create_user(UserName="alice", PermissionsBoundary=boundary)
    iam.attach_user_policy(UserName="alice", PolicyArn=attached)
    iam.attach_user_policy(UserName="alice", PolicyArn=CHANGE_PASSWORD)

    only_attached = iam.list_policies(OnlyAttached=True)["Policies"]

    assert [(p["PolicyName"], p["AttachmentCount"]) for p in only_attached] == [
        ("attached", 1),
        ("IAMUserChangePassword", 1),
    ]
    assert local_names(iam, PolicyUsageFilter="PermissionsBoundary") == ["boundary"]
    assert local_names(iam, PolicyUsageFilter="PermissionsPolicy") == ["attached"]


def test_list_policies_costs_the_same_queries_whatever_the_attachments(iam, django_assert_max_num_queries):
    for index in range(5):
        arn = create(iam, f"p{index}")["Arn"]
        iam.create_user(UserName=f"u{index}", PermissionsBoundary=arn)
        iam.attach_user_policy(UserName=f"u{index}", PolicyArn=arn)

    with django_assert_max_num_queries(4):
        policies = iam.list_policies(MaxItems=200)["Policies"]

    assert [p["AttachmentCount"] for p in policies[:5]] == [1] * 5
    assert [p["PermissionsBoundaryUsageCount"] for p in policies[:5]] == [1] * 5


# -- DeletePolicy ---------------------------------------------------------------------------------


def test_it_deletes_a_policy_and_its_version(iam):
    arn = create(iam)["Arn"]

    assert iam.delete_policy(PolicyArn=arn) == {}

    assert local_names(iam) == []
    with pytest.raises(errors.NoSuchEntity):
        iam.get_policy_version(PolicyArn=arn, VersionId="v1")


def test_delete_policy_answers_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_policy(PolicyArn=f"{ACCOUNT_ARN}/non-existent-policy")

    assert exc.value.message == f"Policy {ACCOUNT_ARN}/non-existent-policy was not found."


def test_aws_managed_policies_cannot_be_deleted(iam):
    arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"

    with pytest.raises(errors.AccessDenied) as exc:
        iam.delete_policy(PolicyArn=arn)

    assert exc.value.message == "Cannot delete policies outside your own account."
    assert exc.value.http_status == 403
    assert iam.get_policy(PolicyArn=arn)["Policy"]["PolicyName"] == "AWSLambdaBasicExecutionRole"


def test_delete_policy_refuses_an_attached_policy(iam):
    arn = create(iam)["Arn"]
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)

    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_policy(PolicyArn=arn)

    assert exc.value.message == "Cannot delete a policy attached to entities."
    assert exc.value.http_status == 409
    assert local_names(iam) == ["p"]


def test_delete_policy_refuses_a_policy_used_as_a_boundary(iam):
    arn = create(iam)["Arn"]
    iam.create_user(UserName="alice", PermissionsBoundary=arn)

    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_policy(PolicyArn=arn)

    assert exc.value.message == "Cannot delete a policy attached to entities."


def test_delete_policy_refuses_a_policy_with_other_versions(iam):
    arn = create(iam)["Arn"]
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOCUMENT)

    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_policy(PolicyArn=arn)

    assert exc.value.message == (
        "This policy has more than one version. Before you delete a policy, you must delete the policy's "
        "versions. The default version is deleted with the policy."
    )
    iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    iam.delete_policy(PolicyArn=arn)
    assert local_names(iam) == []


# -- ListEntitiesForPolicy ------------------------------------------------------------------------


@pytest.fixture
def used_policy(iam):
    """A policy attached to two groups and a user, and the boundary of another user."""
    arn = create(iam)["Arn"]
    for group, path in (("ops", "/"), ("devs", "/eng/")):
        iam.create_group(GroupName=group, Path=path)
        iam.attach_group_policy(GroupName=group, PolicyArn=arn)
    iam.create_user(UserName="zoe", Path="/eng/")
    iam.attach_user_policy(UserName="zoe", PolicyArn=arn)
    iam.create_user(UserName="bob", PermissionsBoundary=arn)
    iam.create_user(UserName="idle")
    return arn


def test_list_entities_for_policy_lists_groups_and_users(iam, used_policy):
    result = iam.list_entities_for_policy(PolicyArn=used_policy)

    assert [g["GroupName"] for g in result["PolicyGroups"]] == ["devs", "ops"]
    assert [u["UserName"] for u in result["PolicyUsers"]] == ["bob", "zoe"]
    assert result["PolicyRoles"] == [] and result["IsTruncated"] is False
    assert result["PolicyGroups"][0]["GroupId"].startswith("AGPA")
    assert result["PolicyUsers"][0]["UserId"].startswith("AIDA")


@pytest.mark.parametrize(
    "filters, groups, users",
    [
        ({"EntityFilter": "User"}, [], ["bob", "zoe"]),
        ({"EntityFilter": "Group"}, ["devs", "ops"], []),
        ({"EntityFilter": "Role"}, [], []),
        ({"EntityFilter": "AWSManagedPolicy"}, [], []),
        ({"EntityFilter": "LocalManagedPolicy"}, ["devs", "ops"], ["bob", "zoe"]),
        ({"PolicyUsageFilter": "PermissionsPolicy"}, ["devs", "ops"], ["zoe"]),
        ({"PolicyUsageFilter": "PermissionsBoundary"}, [], ["bob"]),
        ({"PathPrefix": "/eng/"}, ["devs"], ["zoe"]),
    ],
)
def test_list_entities_for_policy_filters(iam, used_policy, filters, groups, users):
    result = iam.list_entities_for_policy(PolicyArn=used_policy, **filters)

    assert [g["GroupName"] for g in result["PolicyGroups"]] == groups
    assert [u["UserName"] for u in result["PolicyUsers"]] == users


def test_list_entities_for_policy_pages(iam, used_policy):
    first = iam.list_entities_for_policy(PolicyArn=used_policy, MaxItems=3)
    second = iam.list_entities_for_policy(PolicyArn=used_policy, MaxItems=3, Marker=first["Marker"])

    assert first["IsTruncated"] is True and second["IsTruncated"] is False
    assert len(first["PolicyGroups"]) + len(first["PolicyUsers"]) == 3
    assert [u["UserName"] for u in second["PolicyUsers"]] == ["zoe"]


def test_list_entities_for_an_aws_policy_counts_this_account_only(iam, other):
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=READ_ONLY)

    assert [u["UserName"] for u in iam.list_entities_for_policy(PolicyArn=READ_ONLY)["PolicyUsers"]] == [
        "alice"
    ]
    assert other.list_entities_for_policy(PolicyArn=READ_ONLY)["PolicyUsers"] == []


def test_list_entities_for_policy_answers_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.list_entities_for_policy(PolicyArn=f"{ACCOUNT_ARN}/NonExistentPolicy")

    assert exc.value.message == f"Policy {ACCOUNT_ARN}/NonExistentPolicy does not exist or is not attachable."


# -- tags -----------------------------------------------------------------------------------------


def tags_of(iam, arn):
    return [(tag["Key"], tag["Value"]) for tag in iam.list_policy_tags(PolicyArn=arn)["Tags"]]


def test_list_policy_tags_orders_shorter_keys_first(iam):
    arn = create(iam, Tags=[{"Key": "abc", "Value": "first"}, {"Key": "b", "Value": "second"}, {"Key": "a", "Value": "l"},
                            {"Key": "A", "Value": "u"}])["Arn"]  # fmt: skip

    result = iam.list_policy_tags(PolicyArn=arn)

    assert [(t["Key"], t["Value"]) for t in result["Tags"]] == [
        ("A", "u"),
        ("a", "l"),
        ("b", "second"),
        ("abc", "first"),
    ]
    assert result["IsTruncated"] is False


def test_tag_policy_adds_and_replaces_case_sensitively(iam):
    arn = create(iam, Tags=[{"Key": "team", "Value": "a"}])["Arn"]

    assert (
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "team", "Value": "b"}, {"Key": "Team", "Value": "c"}])
        == {}
    )

    assert tags_of(iam, arn) == [("Team", "c"), ("team", "b")]


def test_untag_policy_removes_named_keys_and_ignores_others(iam):
    arn = create(iam, Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])["Arn"]

    assert iam.untag_policy(PolicyArn=arn, TagKeys=["a", "B", "missing"]) == {}

    assert tags_of(iam, arn) == [("b", "2")]


def test_tag_policy_refuses_more_than_50_tags_in_all(iam):
    arn = create(iam, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(49)])["Arn"]
    iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "k0", "Value": "again"}, {"Key": "new", "Value": ""}])

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "one-more", "Value": ""}])

    assert exc.value.message == "Cannot exceed quota for TagsPerPolicy: 50"
    assert len(tags_of(iam, arn)) == 50


def test_tag_policy_refuses_reserved_keys_and_keeps_the_tags(iam):
    arn = create(iam, Tags=[{"Key": "a", "Value": "1"}])["Arn"]

    with pytest.raises(errors.InvalidInput):
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "b", "Value": "2"}, {"Key": "aws:x", "Value": "3"}])

    assert tags_of(iam, arn) == [("a", "1")]


def test_list_policy_tags_pages(iam):
    arn = create(iam, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(5)])["Arn"]

    first = iam.list_policy_tags(PolicyArn=arn, MaxItems=3)
    second = iam.list_policy_tags(PolicyArn=arn, MaxItems=3, Marker=first["Marker"])

    assert [t["Key"] for t in first["Tags"] + second["Tags"]] == [f"k{i}" for i in range(5)]
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)


def test_aws_managed_policies_cannot_be_tagged(iam):
    with pytest.raises(errors.AccessDenied) as exc:
        iam.tag_policy(PolicyArn=READ_ONLY, Tags=[{"Key": "a", "Value": "b"}])
    with pytest.raises(errors.AccessDenied):
        iam.untag_policy(PolicyArn=READ_ONLY, TagKeys=["a"])

    assert exc.value.message == "Cannot update policies outside your own account."
    assert iam.list_policy_tags(PolicyArn=READ_ONLY)["Tags"] == []


def test_policy_tags_of_a_missing_policy(iam):
    arn = f"{ACCOUNT_ARN}/ghost"
    for call in (
        lambda: iam.tag_policy(PolicyArn=arn, Tags=[{"Key": "a", "Value": "b"}]),
        lambda: iam.untag_policy(PolicyArn=arn, TagKeys=["a"]),
        lambda: iam.list_policy_tags(PolicyArn=arn),
    ):
        with pytest.raises(errors.NoSuchEntity) as exc:
            call()
        assert exc.value.message == f"Policy {arn} was not found."
