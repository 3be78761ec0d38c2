"""Scenarios from the IAM User Guide's example policies, each decided for several requests."""

import pytest

from policies.engine import Request, evaluate

from . import ACCOUNT, allow, deny, document, user_arn

OWN_CREDENTIALS = document(
    allow(action=["iam:ListUsers", "iam:GetAccountPasswordPolicy"]),
    allow(
        action=[
            "iam:*AccessKey*",
            "iam:ChangePassword",
            "iam:GetUser",
            "iam:*ServiceSpecificCredential*",
            "iam:*SigningCertificate*",
        ],
        resource=["arn:aws:iam::*:user/${aws:username}"],
    ),
)
SOURCE_IP = document(
    allow(),
    deny(
        condition={
            "NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"]},
            "Bool": {"aws:ViaAWSService": "false"},
        }
    ),
)
TIME_WINDOW = document(
    allow(
        action="dynamodb:*",
        condition={
            "DateGreaterThan": {"aws:CurrentTime": "2020-04-01T00:00:00Z"},
            "DateLessThan": {"aws:CurrentTime": "2020-06-30T23:59:59Z"},
        },
    )
)
REGIONS = document(
    allow(),
    {
        "Sid": "DenyAllOutsideRequestedRegions",
        "Effect": "Deny",
        "NotAction": ["cloudfront:*", "iam:*", "route53:*", "support:*"],
        "Resource": "*",
        "Condition": {"StringNotEquals": {"aws:RequestedRegion": ["eu-central-1", "eu-west-1"]}},
    },
)
MFA = document(
    allow(action=["iam:ListUsers", "iam:ListVirtualMFADevices"]),
    allow(action=["iam:ChangePassword", "iam:GetUser"], resource="arn:aws:iam::*:user/${aws:username}"),
    allow(action=["iam:CreateVirtualMFADevice"], resource="arn:aws:iam::*:mfa/*"),
    allow(
        action=["iam:EnableMFADevice", "iam:ListMFADevices"], resource="arn:aws:iam::*:user/${aws:username}"
    ),
    {
        "Sid": "BlockMostAccessUnlessSignedInWithMFA",
        "Effect": "Deny",
        "NotAction": [
            "iam:CreateVirtualMFADevice",
            "iam:EnableMFADevice",
            "iam:GetUser",
            "iam:ChangePassword",
            "iam:ListMFADevices",
            "iam:ListVirtualMFADevices",
            "iam:ResyncMFADevice",
            "sts:GetSessionToken",
        ],
        "Resource": "*",
        "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}},
    },
)
HOME_FOLDER = document(
    allow(action="s3:ListAllMyBuckets"),
    allow(
        action="s3:ListBucket",
        resource="arn:aws:s3:::amzn-s3-demo-bucket",
        condition={"StringLike": {"s3:prefix": ["", "home/", "home/${aws:username}/*"]}},
    ),
    allow(action="s3:*", resource="arn:aws:s3:::amzn-s3-demo-bucket/home/${aws:username}/*"),
)
ABAC = document(
    allow(
        action=["iam:*User*", "iam:*Tag*"],
        resource=f"arn:aws:iam::{ACCOUNT}:user/*",
        condition={"StringEquals": {"aws:ResourceTag/access-project": "${aws:PrincipalTag/access-project}"}},
    )
)
TAGGED_CREATION = document(
    allow(
        action=["iam:CreateUser", "iam:TagUser"],
        resource="*",
        condition={
            "ForAllValues:StringEquals": {"aws:TagKeys": ["Department", "JobFunction"]},
            "StringEqualsIfExists": {"aws:RequestTag/Department": ["Development", "QualityAssurance"]},
        },
    )
)
DELEGATED_ADMIN = document(
    allow(
        action=["iam:CreateUser", "iam:PutUserPermissionsBoundary"],
        resource=f"arn:aws:iam::{ACCOUNT}:user/*",
        condition={
            "StringEquals": {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"}
        },
    ),
    allow(action=["iam:Get*", "iam:List*"]),
    deny(
        action=[
            "iam:CreatePolicyVersion",
            "iam:DeletePolicy",
            "iam:DeletePolicyVersion",
            "iam:SetDefaultPolicyVersion",
        ],
        resource=f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries",
    ),
    deny(action="iam:DeleteUserPermissionsBoundary"),
)
BOUNDARY = document(
    allow(action=["iam:*", "s3:*", "cloudwatch:*"]),
    deny(action="iam:*", resource=f"arn:aws:iam::{ACCOUNT}:user/admins/*"),
)
BOB = {"aws:username": "bob"}

EXAMPLES = [
    # own credentials with ${aws:username}
    (OWN_CREDENTIALS, None, "iam:CreateAccessKey", user_arn("bob"), BOB, "allowed"),
    (OWN_CREDENTIALS, None, "iam:UpdateSigningCertificate", user_arn("bob"), BOB, "allowed"),
    (OWN_CREDENTIALS, None, "iam:CreateAccessKey", user_arn("alice"), BOB, "implicitDeny"),
    (OWN_CREDENTIALS, None, "iam:DeleteUser", user_arn("bob"), BOB, "implicitDeny"),
    (OWN_CREDENTIALS, None, "iam:ListUsers", "*", BOB, "allowed"),
    (OWN_CREDENTIALS, None, "iam:GetUser", user_arn("bob"), {}, "implicitDeny"),
    # deny outside the corporate addresses unless a service calls on the user's behalf
    (
        SOURCE_IP,
        None,
        "ec2:RunInstances",
        "*",
        {"aws:SourceIp": "192.0.2.10", "aws:ViaAWSService": "false"},
        "allowed",
    ),
    (
        SOURCE_IP,
        None,
        "ec2:RunInstances",
        "*",
        {"aws:SourceIp": "198.51.100.1", "aws:ViaAWSService": "false"},
        "explicitDeny",
    ),
    (
        SOURCE_IP,
        None,
        "ec2:RunInstances",
        "*",
        {"aws:SourceIp": "198.51.100.1", "aws:ViaAWSService": "true"},
        "allowed",
    ),
    (SOURCE_IP, None, "ec2:RunInstances", "*", {"aws:SourceIp": "198.51.100.1"}, "allowed"),
    # a time window
    (TIME_WINDOW, None, "dynamodb:GetItem", "*", {"aws:CurrentTime": "2020-05-01T12:00:00Z"}, "allowed"),
    (TIME_WINDOW, None, "dynamodb:GetItem", "*", {"aws:CurrentTime": "2020-07-01T00:00:00Z"}, "implicitDeny"),
    (TIME_WINDOW, None, "dynamodb:GetItem", "*", {"aws:CurrentTime": "2020-03-31T23:59:59Z"}, "implicitDeny"),
    (TIME_WINDOW, None, "dynamodb:GetItem", "*", {}, "implicitDeny"),
    # requested regions, global services exempted through NotAction
    (REGIONS, None, "ec2:RunInstances", "*", {"aws:RequestedRegion": "eu-west-1"}, "allowed"),
    (REGIONS, None, "ec2:RunInstances", "*", {"aws:RequestedRegion": "us-east-1"}, "explicitDeny"),
    (REGIONS, None, "iam:CreateUser", "*", {"aws:RequestedRegion": "us-east-1"}, "allowed"),
    (REGIONS, None, "ec2:RunInstances", "*", {}, "explicitDeny"),
    # MFA self-service
    (MFA, None, "iam:ListUsers", "*", {**BOB, "aws:MultiFactorAuthPresent": "false"}, "explicitDeny"),
    (MFA, None, "iam:ListUsers", "*", {**BOB, "aws:MultiFactorAuthPresent": "true"}, "allowed"),
    (MFA, None, "iam:ListUsers", "*", BOB, "explicitDeny"),
    (MFA, None, "iam:ChangePassword", user_arn("bob"), BOB, "allowed"),
    (MFA, None, "iam:EnableMFADevice", user_arn("bob"), BOB, "allowed"),
    (MFA, None, "iam:EnableMFADevice", user_arn("alice"), BOB, "implicitDeny"),
    (MFA, None, "iam:CreateVirtualMFADevice", f"arn:aws:iam::{ACCOUNT}:mfa/bob", BOB, "allowed"),
    # S3 home folders
    (
        HOME_FOLDER,
        None,
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {**BOB, "s3:prefix": ""},
        "allowed",
    ),
    (
        HOME_FOLDER,
        None,
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {**BOB, "s3:prefix": "home/"},
        "allowed",
    ),
    (
        HOME_FOLDER,
        None,
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {**BOB, "s3:prefix": "home/bob/docs"},
        "allowed",
    ),
    (
        HOME_FOLDER,
        None,
        "s3:ListBucket",
        "arn:aws:s3:::amzn-s3-demo-bucket",
        {**BOB, "s3:prefix": "home/alice/"},
        "implicitDeny",
    ),
    (HOME_FOLDER, None, "s3:GetObject", "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/a.txt", BOB, "allowed"),
    (
        HOME_FOLDER,
        None,
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/home/alice/a.txt",
        BOB,
        "implicitDeny",
    ),
    (
        HOME_FOLDER,
        None,
        "s3:GetObject",
        "arn:aws:s3:::amzn-s3-demo-bucket/home/bob/a.txt",
        {},
        "implicitDeny",
    ),
    # ABAC: the resource's tag must equal the principal's
    (
        ABAC,
        None,
        "iam:TagUser",
        user_arn("x"),
        {"aws:ResourceTag/access-project": "peg", "aws:PrincipalTag/access-project": "peg"},
        "allowed",
    ),
    (
        ABAC,
        None,
        "iam:TagUser",
        user_arn("x"),
        {"aws:ResourceTag/access-project": "peg", "aws:PrincipalTag/access-project": "ped"},
        "implicitDeny",
    ),
    (ABAC, None, "iam:TagUser", user_arn("x"), {"aws:ResourceTag/access-project": "peg"}, "implicitDeny"),
    (ABAC, None, "iam:ListGroups", user_arn("x"), {}, "implicitDeny"),
    # creating users only with allowed tags
    (
        TAGGED_CREATION,
        None,
        "iam:CreateUser",
        user_arn("x"),
        {"aws:TagKeys": ["Department"], "aws:RequestTag/Department": "Development"},
        "allowed",
    ),
    (
        TAGGED_CREATION,
        None,
        "iam:CreateUser",
        user_arn("x"),
        {"aws:TagKeys": ["Department"], "aws:RequestTag/Department": "Sales"},
        "implicitDeny",
    ),
    (TAGGED_CREATION, None, "iam:CreateUser", user_arn("x"), {"aws:TagKeys": ["Owner"]}, "implicitDeny"),
    (TAGGED_CREATION, None, "iam:CreateUser", user_arn("x"), {}, "allowed"),
    # delegated administration with a required permissions boundary
    (
        DELEGATED_ADMIN,
        None,
        "iam:CreateUser",
        user_arn("x"),
        {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries"},
        "allowed",
    ),
    (
        DELEGATED_ADMIN,
        None,
        "iam:CreateUser",
        user_arn("x"),
        {"iam:PermissionsBoundary": f"arn:aws:iam::{ACCOUNT}:policy/Other"},
        "implicitDeny",
    ),
    (DELEGATED_ADMIN, None, "iam:CreateUser", user_arn("x"), {}, "implicitDeny"),
    (
        DELEGATED_ADMIN,
        None,
        "iam:DeletePolicy",
        f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries",
        {},
        "explicitDeny",
    ),
    (
        DELEGATED_ADMIN,
        None,
        "iam:GetPolicy",
        f"arn:aws:iam::{ACCOUNT}:policy/XCompanyBoundaries",
        {},
        "allowed",
    ),
    (DELEGATED_ADMIN, None, "iam:DeleteUserPermissionsBoundary", user_arn("x"), {}, "explicitDeny"),
    # an identity policy capped by a boundary
    (document(allow()), BOUNDARY, "iam:CreateUser", user_arn("x"), {}, "allowed"),
    (document(allow()), BOUNDARY, "ec2:RunInstances", "*", {}, "implicitDeny"),
    (document(allow()), BOUNDARY, "iam:DeleteUser", user_arn("root", "/admins/"), {}, "explicitDeny"),
    (document(allow(action="s3:GetObject")), BOUNDARY, "iam:CreateUser", user_arn("x"), {}, "implicitDeny"),
]


@pytest.mark.parametrize("policy,boundary,action,resource,context,expected", EXAMPLES)
def test_documented_example_policies(policy, boundary, action, resource, context, expected):
    decision = evaluate(Request(action, resource, context), [("Example", "user-managed", policy)], boundary)
    assert decision.decision == expected
