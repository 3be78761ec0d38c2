"""A representative subset of the contract tests' behaviours, run on AwsBackend against a moto server:
users, groups, managed and inline policies and their attachments, access keys, login profiles, tags and
the password policy. Every output goes through tests/contract/shapes.py `check_output` (the `iam`
fixture). Where moto answers unlike AWS, the AWS-side error is tested in test_errors.py instead."""

import json

import pytest

from iamconsole.backends import errors

DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
}


def names(result, member="Users", field="UserName"):
    return [item[field] for item in result[member]]


def test_it_creates_gets_lists_and_deletes_a_user(iam):
    created = iam.create_user(UserName="alice", Path="/division/")["User"]

    assert created["Arn"] == "arn:aws:iam::123456789012:user/division/alice"
    assert created["CreateDate"].tzinfo is not None
    assert iam.get_user(UserName="alice")["User"]["UserId"] == created["UserId"]
    assert names(iam.list_users()) == ["alice"]
    assert iam.delete_user(UserName="alice") == {}
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_user(UserName="alice")
    assert exc.value.http_status == 404
    assert "alice" in exc.value.message


def test_results_carry_no_response_metadata(backend):
    assert "ResponseMetadata" not in backend.create_user(UserName="alice")
    assert backend.delete_user(UserName="alice") == {}


def test_a_duplicate_user_is_entity_already_exists(iam):
    iam.create_user(UserName="alice")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_user(UserName="alice")

    assert exc.value.code == "EntityAlreadyExists"
    assert exc.value.http_status == 409
    assert names(iam.list_users()) == ["alice"]


def test_a_bad_request_is_refused_with_the_local_wording_before_any_call(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_user(UserName="bad name!")

    assert exc.value.message.startswith("1 validation error detected: Value at 'userName'")
    assert iam.list_users()["Users"] == []


def test_groups_membership_and_deletion(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")

    group = iam.get_group(GroupName="devs")
    assert group["Group"]["Arn"] == "arn:aws:iam::123456789012:group/devs"
    assert names(group) == ["alice"]
    assert names(iam.list_groups_for_user(UserName="alice"), "Groups", "GroupName") == ["devs"]

    iam.remove_user_from_group(GroupName="devs", UserName="alice")
    iam.delete_group(GroupName="devs")
    assert iam.list_groups()["Groups"] == []


def test_managed_policies_attach_to_users_and_groups(iam):
    arn = iam.create_policy(PolicyName="read-s3", PolicyDocument=json.dumps(DOCUMENT))["Policy"]["Arn"]
    iam.create_user(UserName="alice")
    iam.create_group(GroupName="devs")
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_group_policy(GroupName="devs", PolicyArn=arn)

    assert arn == "arn:aws:iam::123456789012:policy/read-s3"
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    assert attached == [{"PolicyName": "read-s3", "PolicyArn": arn}]
    assert names(iam.list_attached_group_policies(GroupName="devs"), "AttachedPolicies", "PolicyName") == [
        "read-s3"
    ]
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]
    assert version["Document"] == DOCUMENT  # a dict, as on the local backend

    iam.detach_user_policy(UserName="alice", PolicyArn=arn)
    iam.detach_group_policy(GroupName="devs", PolicyArn=arn)
    iam.delete_policy(PolicyArn=arn)
    with pytest.raises(errors.NoSuchEntity):
        iam.get_policy(PolicyArn=arn)


def test_an_unknown_policy_cannot_be_attached(iam):
    iam.create_user(UserName="alice")

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::123456789012:policy/missing")

    assert exc.value.http_status == 404
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []


def test_inline_policies_come_back_as_dicts(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(DOCUMENT))

    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["inline"]
    assert iam.get_user_policy(UserName="alice", PolicyName="inline")["PolicyDocument"] == DOCUMENT
    iam.delete_user_policy(UserName="alice", PolicyName="inline")
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []


def test_access_keys_are_created_listed_updated_and_deleted(iam):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]

    assert key["Status"] == "Active" and key["SecretAccessKey"]
    listed = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in listed] == [key["AccessKeyId"]]
    assert "SecretAccessKey" not in listed[0]

    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["Status"] == "Inactive"
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    assert iam.list_access_keys(UserName="alice")["AccessKeyMetadata"] == []


def test_it_refuses_a_third_access_key(iam):
    iam.create_user(UserName="alice")
    iam.create_access_key(UserName="alice")
    iam.create_access_key(UserName="alice")

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_access_key(UserName="alice")

    assert exc.value.http_status == 409
    assert len(iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]) == 2


def test_login_profiles_are_created_read_and_deleted(iam):
    iam.create_user(UserName="alice")
    profile = iam.create_login_profile(
        UserName="alice", Password="Secret-pass-123", PasswordResetRequired=True
    )

    assert profile["LoginProfile"]["UserName"] == "alice"
    # (moto answers PasswordResetRequired false in GetLoginProfile: not asserted, see test_errors.py)
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["UserName"] == "alice"
    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_login_profile(UserName="alice", Password="Secret-pass-123")
    iam.delete_login_profile(UserName="alice")
    with pytest.raises(errors.NoSuchEntity):
        iam.get_login_profile(UserName="alice")


def test_user_tags_are_added_listed_and_removed(iam):
    iam.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
    iam.tag_user(UserName="alice", Tags=[{"Key": "env", "Value": "dev"}])

    tags = iam.list_user_tags(UserName="alice")["Tags"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("env", "dev"), ("team", "blue")]
    iam.untag_user(UserName="alice", TagKeys=["team"])
    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "env", "Value": "dev"}]


def test_the_password_policy_is_set_read_and_deleted(iam):
    with pytest.raises(errors.NoSuchEntity):
        iam.get_account_password_policy()

    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True)
    policy = iam.get_account_password_policy()["PasswordPolicy"]
    assert policy["MinimumPasswordLength"] == 12 and policy["RequireSymbols"] is True

    iam.delete_account_password_policy()
    with pytest.raises(errors.NoSuchEntity):
        iam.get_account_password_policy()


def test_get_account_authorization_details_lists_users_with_their_groups(iam):
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")

    details = iam.get_account_authorization_details(Filter=["User"])

    assert [(u["UserName"], u["GroupList"]) for u in details["UserDetailList"]] == [("alice", ["devs"])]
