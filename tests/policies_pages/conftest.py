"""Fixtures of the policies pages' tests: a signed-in root operator and a customer managed policy."""

import json

import pytest

ARN = "arn:aws:iam::123456789012:policy/DevS3Access"
AWS_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "ReadBuckets", "Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"},
        {"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "arn:aws:s3:::prod-*"},
    ],
}


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def policy(iam):
    """DevS3Access (v1 default) attached to user alice and group developers; bob's boundary."""
    for name in ["alice", "bob"]:
        iam.create_user(UserName=name)
    iam.create_group(GroupName="developers")
    arn = iam.create_policy(
        PolicyName="DevS3Access", PolicyDocument=json.dumps(DOCUMENT), Description="Read buckets"
    )["Policy"]["Arn"]
    iam.attach_user_policy(UserName="alice", PolicyArn=arn)
    iam.attach_group_policy(GroupName="developers", PolicyArn=arn)
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=arn)
    return arn


def versions(iam, arn: str) -> list[tuple[str, bool]]:
    return [
        (v["VersionId"], v["IsDefaultVersion"]) for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]
    ]
