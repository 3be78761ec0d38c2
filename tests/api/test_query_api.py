"""The Query API end to end: boto3 clients over real HTTP, so botocore's own parser reads our XML.

Each test drives an area through `/aws` as the AWS SDKs do: success answers parsed into the shapes
boto3 returns, and AWS's error codes, messages and HTTP statuses for the main failures.
"""

import datetime
import json

import pyotp
import pytest
from botocore.exceptions import ClientError

from accounts.models import AuditEvent
from credentials.models import AccessKey
from iamconsole.backends import get_backend
from users.models import IAMUser

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/*"}],
}


def error_of(call, **params) -> tuple[str, str, int]:
    with pytest.raises(ClientError) as exc:
        call(**params)
    response = exc.value.response
    error = response["Error"]
    return error["Code"], error.get("Message", ""), response["ResponseMetadata"]["HTTPStatusCode"]


# --------------------------------------------------------------------------------------------------
# Users


def test_it_creates_a_user_with_tags_and_answers_like_iam(iam, account):
    out = iam.create_user(UserName="alice", Path="/team/", Tags=[{"Key": "dept", "Value": "eng"}])

    user = out["User"]
    assert user["UserName"] == "alice"
    assert user["Path"] == "/team/"
    assert user["Arn"] == "arn:aws:iam::123456789012:user/team/alice"
    assert user["UserId"].startswith("AIDA")
    assert user["Tags"] == [{"Key": "dept", "Value": "eng"}]
    assert user["CreateDate"].tzinfo is not None
    assert abs(user["CreateDate"] - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    headers = out["ResponseMetadata"]["HTTPHeaders"]
    assert headers["content-type"] == "text/xml"
    assert headers["x-amzn-requestid"] == out["ResponseMetadata"]["RequestId"]
    assert IAMUser.objects.filter(account=account, name="alice").exists()


def test_the_call_is_audited_as_made_through_the_api(iam, account):
    iam.create_user(UserName="alice")

    event = AuditEvent.objects.get(account=account, event_name="CreateUser")
    assert event.via == "api"
    assert event.principal_arn == "arn:aws:iam::123456789012:root"
    assert event.source_ip == "127.0.0.1"
    assert "Boto3" in event.user_agent


def test_it_lists_gets_updates_and_deletes_users(iam):
    for name in ("carol", "alice", "bob"):
        iam.create_user(UserName=name)

    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice", "bob", "carol"]
    page = iam.list_users(MaxItems=2)
    assert page["IsTruncated"] is True
    rest = iam.list_users(Marker=page["Marker"])
    assert [u["UserName"] for u in page["Users"] + rest["Users"]] == ["alice", "bob", "carol"]
    assert rest["IsTruncated"] is False
    assert "Marker" not in rest

    iam.update_user(UserName="bob", NewUserName="robert", NewPath="/ops/")
    assert iam.get_user(UserName="robert")["User"]["Path"] == "/ops/"
    assert iam.delete_user(UserName="robert")["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert [
        u["UserName"] for u in iam.get_paginator("list_users").paginate().build_full_result()["Users"]
    ] == [
        "alice",
        "carol",
    ]


def test_get_user_without_a_name_is_the_root_user(iam):
    user = iam.get_user()["User"]

    assert user["Arn"] == "arn:aws:iam::123456789012:root"
    assert user["UserId"] == "123456789012"


def test_user_errors_carry_aws_codes_messages_and_statuses(iam, make_client, root_key):
    iam.create_user(UserName="alice")
    unchecked = make_client(root_key, parameter_validation=False)  # botocore would refuse MaxItems=0 itself

    assert error_of(iam.create_user, UserName="alice") == (
        "EntityAlreadyExists",
        "User with name alice already exists.",
        409,
    )
    assert error_of(iam.get_user, UserName="ghost") == (
        "NoSuchEntity",
        "The user with name ghost cannot be found.",
        404,
    )
    code, message, status = error_of(unchecked.list_users, MaxItems=0)
    assert (code, status) == ("ValidationError", 400)
    assert message == (
        "1 validation error detected: Value at 'maxItems' failed to satisfy constraint: "
        "Member must have value greater than or equal to 1"
    )


def test_a_user_with_attachments_cannot_be_deleted(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="inline", PolicyDocument=json.dumps(POLICY))

    assert error_of(iam.delete_user, UserName="alice") == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
        409,
    )


def test_user_tags_round_trip(iam):
    iam.create_user(UserName="alice")
    iam.tag_user(UserName="alice", Tags=[{"Key": "b", "Value": "2"}, {"Key": "a", "Value": ""}])
    iam.untag_user(UserName="alice", TagKeys=["b"])

    assert iam.list_user_tags(UserName="alice")["Tags"] == [{"Key": "a", "Value": ""}]
    code, _, status = error_of(iam.tag_user, UserName="alice", Tags=[{"Key": "aws:x", "Value": "1"}])
    assert (code, status) == ("InvalidInput", 400)


# --------------------------------------------------------------------------------------------------
# Groups


def test_groups_and_their_members(iam):
    iam.create_user(UserName="alice")
    group = iam.create_group(GroupName="devs")["Group"]
    iam.add_user_to_group(GroupName="devs", UserName="alice")

    assert group["Arn"] == "arn:aws:iam::123456789012:group/devs"
    got = iam.get_group(GroupName="devs")
    assert got["Group"]["GroupName"] == "devs"
    assert [u["UserName"] for u in got["Users"]] == ["alice"]
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]] == ["devs"]
    assert error_of(iam.create_group, GroupName="devs") == (
        "EntityAlreadyExists",
        "Group with name devs already exists.",
        409,
    )
    assert error_of(iam.get_group, GroupName="nope") == (
        "NoSuchEntity",
        "The group with name nope cannot be found.",
        404,
    )


# --------------------------------------------------------------------------------------------------
# Policies and documents


def test_inline_policy_documents_travel_url_encoded_and_come_back_as_dicts(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=json.dumps(POLICY))

    out = iam.get_user_policy(UserName="alice", PolicyName="read")
    assert out["PolicyDocument"] == POLICY  # botocore URL-decodes and JSON-decodes it
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["read"]


def test_a_malformed_policy_document_is_refused(iam):
    iam.create_user(UserName="alice")

    code, _, status = error_of(
        iam.put_user_policy, UserName="alice", PolicyName="bad", PolicyDocument='{"Version": "2012-10-17"'
    )

    assert (code, status) == ("MalformedPolicyDocument", 400)
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []


def test_managed_policies_versions_and_attachments(iam, catalog):
    iam.create_user(UserName="alice")
    policy = iam.create_policy(PolicyName="readers", PolicyDocument=json.dumps(POLICY), Description="d")[
        "Policy"
    ]
    arn = policy["Arn"]
    assert arn == "arn:aws:iam::123456789012:policy/readers"
    assert policy["IsAttachable"] is True
    assert policy["DefaultVersionId"] == "v1"

    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    attached = iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"]
    assert {p["PolicyName"] for p in attached} == {"readers", "ReadOnlyAccess"}

    newer = dict(POLICY, Statement=[dict(POLICY["Statement"][0], Action="s3:*")])
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=json.dumps(newer), SetAsDefault=True)
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert version["Document"] == newer
    assert version["IsDefaultVersion"] is True
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1
    entities = iam.list_entities_for_policy(PolicyArn=arn)
    assert [u["UserName"] for u in entities["PolicyUsers"]] == ["alice"]
    assert error_of(iam.delete_policy, PolicyArn=arn)[0] == "DeleteConflict"


def test_account_authorization_details_carry_decoded_documents(iam):
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="read", PolicyDocument=json.dumps(POLICY))

    details = iam.get_account_authorization_details(Filter=["User"])

    (user,) = details["UserDetailList"]
    assert user["UserPolicyList"] == [{"PolicyName": "read", "PolicyDocument": POLICY}]


# --------------------------------------------------------------------------------------------------
# Credentials


def test_access_keys_are_created_listed_updated_and_deleted(iam):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]

    assert key["AccessKeyId"].startswith("AKIA")
    assert len(key["SecretAccessKey"]) == 40
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")
    (listed,) = iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]
    assert listed["Status"] == "Inactive"
    assert "SecretAccessKey" not in listed
    iam.create_access_key(UserName="alice")
    assert error_of(iam.create_access_key, UserName="alice") == (
        "LimitExceeded",
        "Cannot exceed quota for AccessKeysPerUser: 2",
        409,
    )
    iam.delete_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"])
    assert len(iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]) == 1


def test_the_signing_key_records_its_last_use(iam, root_key):
    iam.list_users()

    last = iam.get_access_key_last_used(AccessKeyId=root_key[0])["AccessKeyLastUsed"]
    assert last["ServiceName"] == "iam"
    assert last["Region"] == "us-east-1"
    assert abs(last["LastUsedDate"] - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    assert AccessKey.objects.get(access_key_id=root_key[0]).last_used_service == "iam"


def test_login_profiles(iam):
    iam.create_user(UserName="alice")
    profile = iam.create_login_profile(
        UserName="alice", Password="Str0ng-Passw0rd!", PasswordResetRequired=True
    )

    assert profile["LoginProfile"]["PasswordResetRequired"] is True
    assert iam.get_login_profile(UserName="alice")["LoginProfile"]["UserName"] == "alice"
    assert error_of(iam.create_login_profile, UserName="alice", Password="Str0ng-Passw0rd!") == (
        "EntityAlreadyExists",
        "Login Profile for user alice already exists.",
        409,
    )
    iam.delete_login_profile(UserName="alice")
    assert error_of(iam.get_login_profile, UserName="alice") == (
        "NoSuchEntity",
        "Login Profile for User alice cannot be found.",
        404,
    )


def test_virtual_mfa_with_codes_from_the_returned_seed(iam):
    iam.create_user(UserName="alice")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="phone")["VirtualMFADevice"]
    seed = device["Base32StringSeed"]  # a blob: base64 on the wire, bytes in boto3
    assert isinstance(seed, bytes)
    assert device["QRCodePNG"].startswith(b"\x89PNG")
    totp = pyotp.TOTP(seed.decode())
    now = datetime.datetime.now()

    assert error_of(
        iam.enable_mfa_device,
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1="123456",
        AuthenticationCode2="654321",
    ) == ("InvalidAuthenticationCode", "Authentication code for device is not valid.", 403)
    iam.enable_mfa_device(
        UserName="alice",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now, counter_offset=-1),
        AuthenticationCode2=totp.at(now),
    )
    (listed,) = iam.list_mfa_devices(UserName="alice")["MFADevices"]
    assert listed["SerialNumber"] == device["SerialNumber"] == "arn:aws:iam::123456789012:mfa/phone"
    virtual = iam.list_virtual_mfa_devices(AssignmentStatus="Assigned")["VirtualMFADevices"]
    assert virtual[0]["User"]["UserName"] == "alice"
    assert "Base32StringSeed" not in virtual[0]


def test_the_credential_report_is_a_base64_blob_of_csv(iam):
    with pytest.raises(ClientError) as exc:
        iam.get_credential_report()
    assert exc.value.response["Error"]["Code"] == "ReportNotPresent"
    assert str(exc.value).endswith(": Unknown")  # no message, as AWS answers it
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 410
    assert iam.generate_credential_report()["State"] in ("STARTED", "COMPLETE")

    report = iam.get_credential_report()

    assert report["ReportFormat"] == "text/csv"
    lines = report["Content"].decode().splitlines()
    assert lines[0].startswith("user,arn,user_creation_time,")
    assert lines[1].startswith("<root_account>,arn:aws:iam::123456789012:root,")


def test_the_account_summary_is_a_map(iam):
    iam.create_user(UserName="alice")

    summary = iam.get_account_summary()["SummaryMap"]

    assert summary["Users"] == 1
    assert summary["AccessKeysPerUserQuota"] == 2
    assert summary["AccountAccessKeysPresent"] == 1


def test_the_password_policy_round_trips_booleans_and_integers(iam):
    iam.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=False)

    policy = iam.get_account_password_policy()["PasswordPolicy"]

    assert policy["MinimumPasswordLength"] == 12
    assert policy["RequireSymbols"] is True
    assert policy["RequireNumbers"] is False


# --------------------------------------------------------------------------------------------------
# Principals and accounts


def test_an_iam_user_key_is_denied_by_the_authorization_hook(make_client, iam, account):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice = make_client((key["AccessKeyId"], key["SecretAccessKey"]))

    code, message, status = error_of(alice.list_users)

    assert (code, status) == ("AccessDenied", 403)
    # The resource named is the backend's business (ARCHITECTURE.md §2); the API carries the message as is.
    assert message.startswith(
        "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ListUsers on resource: "
    )
    assert message.endswith("because no identity-based policy allows the iam:ListUsers action")
    assert AuditEvent.objects.filter(
        account=account, event_name="ListUsers", error_code="AccessDenied"
    ).exists()


def test_a_key_acts_on_its_own_account_only(make_client, iam, other_account):
    iam.create_user(UserName="alice")
    other = get_backend(other_account).create_access_key()["AccessKey"]
    other_iam = make_client((other["AccessKeyId"], other["SecretAccessKey"]))

    assert other_iam.list_users()["Users"] == []
    assert error_of(other_iam.get_user, UserName="alice")[0] == "NoSuchEntity"
    assert other_iam.get_user()["User"]["Arn"] == "arn:aws:iam::210987654321:root"


def test_sts_get_caller_identity_for_root_and_for_an_iam_user(make_client, iam, root_key):
    iam.create_user(UserName="alice")
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    alice_id = iam.get_user(UserName="alice")["User"]["UserId"]

    root = make_client(root_key, "sts").get_caller_identity()
    alice = make_client((key["AccessKeyId"], key["SecretAccessKey"]), "sts").get_caller_identity()

    assert (root["Account"], root["Arn"], root["UserId"]) == (
        "123456789012",
        "arn:aws:iam::123456789012:root",
        "123456789012",
    )
    assert (alice["Account"], alice["Arn"], alice["UserId"]) == (
        "123456789012",
        "arn:aws:iam::123456789012:user/alice",
        alice_id,
    )
    assert AccessKey.objects.get(access_key_id=key["AccessKeyId"]).last_used_service == "sts"


def test_other_sts_actions_are_named_as_not_implemented(make_client, root_key):
    sts = make_client(root_key, "sts")

    code, message, status = error_of(sts.get_session_token)

    assert (code, status) == ("NotImplemented", 501)
    assert "GetSessionToken" in message


def test_an_iam_action_the_backend_lacks_is_named_never_a_500(iam):
    code, message, status = error_of(iam.list_roles)

    assert (code, status) == ("NotImplemented", 501)
    assert "ListRoles" in message


def test_a_client_configured_for_another_region_is_served(make_client, root_key):
    # With a custom endpoint botocore signs IAM for the client's region; the sandbox accepts any region
    # (AWS's global endpoint wants us-east-1), and still records IAM's use in us-east-1.
    iam = make_client(root_key, region="eu-west-1")

    assert iam.list_users()["Users"] == []
    assert iam.get_access_key_last_used(AccessKeyId=root_key[0])["AccessKeyLastUsed"]["Region"] == "us-east-1"
