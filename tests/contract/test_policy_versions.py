"""Managed policy versions through the contract: CreatePolicyVersion, GetPolicyVersion,
ListPolicyVersions, DeletePolicyVersion, SetDefaultPolicyVersion. Expected answers are AWS's
(aws-recorded scenarios, topics policy_versions and managed_policies; facts §4-§6)."""

import datetime
import json

import pytest

from iamconsole.backends import errors

ACCOUNT_ARN = "arn:aws:iam::123456789012:policy"
AWS_POLICY = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
VERSION_PATTERN = (
    "1 validation error detected: Value at 'versionId' failed to satisfy constraint: "
    "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"
)


def document(action: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Sid": "S1", "Effect": "Allow", "Action": [action], "Resource": "*"}],
        }
    )


@pytest.fixture
def arn(iam):
    return iam.create_policy(PolicyName="p", PolicyDocument=document("iam:ListUsers"))["Policy"]["Arn"]


def versions(iam, arn):
    return [
        (v["VersionId"], v["IsDefaultVersion"]) for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]
    ]


def missing_version(arn, version_id):
    return f"Policy {arn} version {version_id} does not exist or is not attachable."


# -- CreatePolicyVersion --------------------------------------------------------------------------


def test_create_policy_version_adds_a_non_default_version(iam, arn):
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:ListBucket"))[
        "PolicyVersion"
    ]

    assert set(created) == {"VersionId", "IsDefaultVersion", "CreateDate"}
    assert (created["VersionId"], created["IsDefaultVersion"]) == ("v2", False)
    assert versions(iam, arn) == [("v2", False), ("v1", True)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v1"


def test_create_policy_version_can_become_the_default(iam, arn):
    created = iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"), SetAsDefault=True)

    assert created["PolicyVersion"]["IsDefaultVersion"] is True
    assert versions(iam, arn) == [("v2", True), ("v1", False)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"


def test_a_new_version_moves_the_update_date(iam, monkeypatch):
    start = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: start)
    arn = iam.create_policy(PolicyName="p", PolicyDocument=document("s3:*"))["Policy"]["Arn"]
    monkeypatch.setattr("django.utils.timezone.now", lambda: start + datetime.timedelta(days=1))

    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))

    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["CreateDate"] == start
    assert policy["UpdateDate"] == start + datetime.timedelta(days=1)


def test_a_policy_keeps_at_most_five_versions(iam, arn):
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("iam:ListUsers"))

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("iam:ListUsers"))

    assert exc.value.message == (
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version."
    )
    assert exc.value.http_status == 409
    assert versions(iam, arn) == [("v5", False), ("v4", False), ("v3", False), ("v2", False), ("v1", True)]
    iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    # Version numbers are never reused.
    assert (
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))["PolicyVersion"][
            "VersionId"
        ]
        == "v6"
    )


def test_create_policy_version_checks_the_document(iam, arn):
    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument='{"Version": "2012-10-17"}')

    assert exc.value.message == "Syntax errors in policy."
    assert versions(iam, arn) == [("v1", True)]


def test_create_policy_version_answers_for_missing_and_aws_policies(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.create_policy_version(PolicyArn=f"{ACCOUNT_ARN}/ghost", PolicyDocument=document("s3:*"))
    assert exc.value.message == f"Policy {ACCOUNT_ARN}/ghost was not found."

    with pytest.raises(errors.AccessDenied) as exc:
        iam.create_policy_version(PolicyArn=AWS_POLICY, PolicyDocument=document("s3:*"))
    assert exc.value.message == "Cannot update policies outside your own account."
    assert len(iam.list_policy_versions(PolicyArn=AWS_POLICY)["Versions"]) == 1


# -- GetPolicyVersion / ListPolicyVersions --------------------------------------------------------


def test_get_policy_version_returns_the_document_as_stored(iam, arn):
    text = '{\n    "Version": "2012-10-17",\n    "Statement": {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}\n}'
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=text)

    version = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]

    assert version["Document"] == json.loads(text)
    assert (version["VersionId"], version["IsDefaultVersion"]) == ("v2", False)
    assert isinstance(version["CreateDate"], datetime.datetime)


def test_get_policy_version_of_an_aws_managed_policy(iam):
    version = iam.get_policy_version(PolicyArn=AWS_POLICY, VersionId="v1")["PolicyVersion"]

    assert version["IsDefaultVersion"] is True
    assert version["Document"]["Version"] == "2012-10-17"


@pytest.mark.parametrize("policy, version_id", [(f"{ACCOUNT_ARN}/TestNonExistingPolicy", "v1"), (None, "v9")])
def test_get_policy_version_answers_no_such_entity(iam, arn, policy, version_id):
    policy = policy or arn

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_policy_version(PolicyArn=policy, VersionId=version_id)

    assert exc.value.message == missing_version(policy, version_id)


def test_a_malformed_version_id_is_a_validation_error(iam, arn):
    with pytest.raises(errors.ValidationError) as exc:
        iam.get_policy_version(PolicyArn=AWS_POLICY, VersionId="v2-does-not-exist")
    assert exc.value.message == VERSION_PATTERN

    with pytest.raises(errors.ValidationError) as exc:
        iam.set_default_policy_version(PolicyArn=arn, VersionId="wrong_version_id")
    assert exc.value.message == VERSION_PATTERN


def test_list_policy_versions_pages_newest_first(iam, arn):
    for _ in range(3):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))

    first = iam.list_policy_versions(PolicyArn=arn, MaxItems=3)
    second = iam.list_policy_versions(PolicyArn=arn, MaxItems=3, Marker=first["Marker"])

    assert [v["VersionId"] for v in first["Versions"]] == ["v4", "v3", "v2"]
    assert [v["VersionId"] for v in second["Versions"]] == ["v1"]
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)
    assert "Document" not in first["Versions"][0]


def test_list_policy_versions_answers_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.list_policy_versions(PolicyArn=f"{ACCOUNT_ARN}/ghost")

    assert exc.value.message == f"Policy {ACCOUNT_ARN}/ghost was not found."


# -- DeletePolicyVersion / SetDefaultPolicyVersion ------------------------------------------------


def test_it_deletes_a_non_default_version(iam, arn):
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))

    assert iam.delete_policy_version(PolicyArn=arn, VersionId="v2") == {}

    assert versions(iam, arn) == [("v1", True)]


def test_the_default_version_cannot_be_deleted(iam, arn):
    with pytest.raises(errors.DeleteConflict) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v1")

    assert exc.value.message == "Cannot delete the default version of a policy."
    assert exc.value.http_status == 409
    assert versions(iam, arn) == [("v1", True)]


def test_delete_policy_version_answers_no_such_entity(iam, arn):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v9")
    assert exc.value.message == missing_version(arn, "v9")

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_policy_version(PolicyArn=f"{ACCOUNT_ARN}/ghost", VersionId="v2")
    assert exc.value.message == missing_version(f"{ACCOUNT_ARN}/ghost", "v2")


def test_set_default_policy_version_switches_the_default(iam, arn):
    iam.create_policy_version(PolicyArn=arn, PolicyDocument=document("s3:*"))

    assert iam.set_default_policy_version(PolicyArn=arn, VersionId="v2") == {}
    assert versions(iam, arn) == [("v2", True), ("v1", False)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v2"

    iam.delete_policy_version(PolicyArn=arn, VersionId="v1")
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")  # already the default: nothing changes
    assert versions(iam, arn) == [("v2", True)]


def test_set_default_policy_version_answers_no_such_entity(iam, arn):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.set_default_policy_version(PolicyArn=arn, VersionId="v4")
    assert exc.value.message == missing_version(arn, "v4")

    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.set_default_policy_version(PolicyArn=f"{ACCOUNT_ARN}/TestNonExistingPolicy", VersionId="v1")
    assert exc.value.message == missing_version(f"{ACCOUNT_ARN}/TestNonExistingPolicy", "v1")


def test_aws_managed_policy_versions_are_read_only(iam):
    with pytest.raises(errors.AccessDenied) as exc:
        iam.delete_policy_version(PolicyArn=AWS_POLICY, VersionId="v2")
    assert exc.value.message == "Cannot delete policy versions for policies outside your own account."
    assert exc.value.http_status == 403

    with pytest.raises(errors.AccessDenied) as exc:
        iam.set_default_policy_version(PolicyArn=AWS_POLICY, VersionId="v1")
    assert exc.value.message == "Cannot update policies outside your own account."
    assert versions(iam, AWS_POLICY) == [("v1", True)]


def test_another_accounts_policy_versions_are_not_found(iam, other_account):
    from iamconsole.backends import get_backend

    theirs = get_backend(other_account).create_policy(PolicyName="p", PolicyDocument=document("s3:*"))[
        "Policy"
    ]["Arn"]

    with pytest.raises(errors.NoSuchEntity):
        iam.get_policy_version(PolicyArn=theirs, VersionId="v1")
    with pytest.raises(errors.NoSuchEntity):
        iam.set_default_policy_version(PolicyArn=theirs, VersionId="v1")
