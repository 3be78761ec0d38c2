"""Action/NotAction and Resource/NotResource matching: case, `*` and `?` wildcards, ARN segments."""

import pytest

from . import ACCOUNT, allow, decide, deny, document, user_arn

ACTION_CASES = [
    ("iam:CreateUser", "iam:CreateUser", True),
    ("iam:CreateUser", "IAM:createuser", True),
    ("IAM:CREATEUSER", "iam:CreateUser", True),
    ("iam:CreateUser", "iam:CreateUser2", False),
    ("iam:CreateUser", "iam:Create", False),
    ("iam:CreateUser", "s3:CreateUser", False),
    ("iam:*", "iam:CreateUser", True),
    ("iam:*", "iam:ListUsers", True),
    ("iam:*", "s3:GetObject", False),
    ("IAM:*", "iam:GetUser", True),
    ("*", "iam:CreateUser", True),
    ("*", "ec2:RunInstances", True),
    ("iam:*AccessKey*", "iam:CreateAccessKey", True),
    ("iam:*AccessKey*", "iam:ListAccessKeys", True),
    ("iam:*AccessKey*", "iam:GetAccessKeyLastUsed", True),
    ("iam:*AccessKey*", "iam:CreateUser", False),
    ("iam:*accesskey*", "iam:UpdateAccessKey", True),
    ("iam:Get?ser", "iam:GetUser", True),
    ("iam:Get?ser", "iam:GetUsers", False),
    ("iam:Get?ser", "iam:GetUUser", False),
    ("iam:List*", "iam:ListUsers", True),
    ("iam:List*", "iam:List", True),
    ("iam:List*", "iam:GetUser", False),
    ("iam:*User", "iam:CreateUser", True),
    ("iam:*User", "iam:CreateUsers", False),
    ("*:Get*", "s3:GetObject", True),
    ("*:Get*", "iam:GetUser", True),
    ("*:Get*", "iam:ListUsers", False),
    ("i?m:GetUser", "iam:GetUser", True),
    ("i?m:GetUser", "ia:GetUser", False),
    ("iam*", "iam:GetUser", True),
    ("iam:Get.ser", "iam:GetUser", False),
    (["s3:*", "iam:GetUser"], "iam:GetUser", True),
    (["s3:*", "iam:GetUser"], "s3:PutObject", True),
    (["s3:*", "iam:GetUser"], "iam:ListUsers", False),
    (["iam:Get*", "iam:List*", "iam:Simulate*"], "iam:SimulatePrincipalPolicy", True),
    ([], "iam:GetUser", False),
]


@pytest.mark.parametrize("pattern,action,expected", ACTION_CASES)
def test_action_patterns_match_case_insensitively_with_wildcards(pattern, action, expected):
    assert (decide(document(allow(action=pattern)), action=action) == "allowed") is expected


@pytest.mark.parametrize("pattern,action,expected", ACTION_CASES)
def test_not_action_with_allow_grants_every_other_action(pattern, action, expected):
    text = document({"Effect": "Allow", "NotAction": pattern, "Resource": "*"})
    assert (decide(text, action=action) == "allowed") is (not expected)


@pytest.mark.parametrize("pattern,action,expected", ACTION_CASES)
def test_not_action_with_deny_denies_every_other_action(pattern, action, expected):
    text = document(allow(), {"Effect": "Deny", "NotAction": pattern, "Resource": "*"})
    assert decide(text, action=action) == ("allowed" if expected else "explicitDeny")


BOB = user_arn("bob")
RESOURCE_CASES = [
    ("*", BOB, True),
    ("*", "*", True),
    ("*", "arn:aws:s3:::bucket/key", True),
    (BOB, BOB, True),
    (BOB, user_arn("Bob"), False),
    (BOB, user_arn("bob2"), False),
    (BOB, user_arn("bob", "/path/"), False),
    (BOB, "*", False),
    (f"arn:aws:iam::{ACCOUNT}:user/*", BOB, True),
    (f"arn:aws:iam::{ACCOUNT}:user/*", user_arn("bob", "/division/team/"), True),
    (f"arn:aws:iam::{ACCOUNT}:user/*", f"arn:aws:iam::{ACCOUNT}:group/admins", False),
    (f"arn:aws:iam::{ACCOUNT}:user/*", "arn:aws:iam::210987654321:user/bob", False),
    (f"arn:aws:iam::{ACCOUNT}:user/division/*", user_arn("bob", "/division/"), True),
    (f"arn:aws:iam::{ACCOUNT}:user/division/*", BOB, False),
    (f"arn:aws:iam::{ACCOUNT}:USER/*", BOB, False),
    (f"arn:aws:iam::{ACCOUNT}:user/b?b", BOB, True),
    (f"arn:aws:iam::{ACCOUNT}:user/b?b", user_arn("boob"), False),
    (f"arn:aws:iam::{ACCOUNT}:user/b?b", user_arn("bb"), False),
    (f"arn:aws:iam::{ACCOUNT}:user/*/bob", user_arn("bob", "/a/b/"), True),
    ("arn:aws:iam::*:user/bob", BOB, True),
    ("arn:aws:iam::*:user/bob", "arn:aws:iam::210987654321:user/bob", True),
    ("arn:aws:iam::12345678901?:user/bob", BOB, True),
    ("arn:aws:iam::1234567890?:user/bob", BOB, False),
    # `*` inside a segment stops at a colon; a `*` ending a segment runs on across colons.
    ("arn:aws:iam::*", BOB, True),
    ("arn:aws:*", BOB, True),
    (f"arn:aws:iam::{ACCOUNT}:*", BOB, True),
    ("arn:aws:s3:::a*b", "arn:aws:s3:::axxb", True),
    ("arn:aws:s3:::a*b", "arn:aws:s3:::a:x:b", False),
    ("arn:aws:ecs:*:*:task/*", "arn:aws:ecs:us-east-1:123456789012:task/cluster/abc", True),
    (
        "arn:aws:logs:us-east-1:*:log-group:app*",
        "arn:aws:logs:us-east-1:1:log-group:app-1:log-stream:x",
        True,
    ),
    ("arn:aws:sns:us-east-?:123456789012:t", "arn:aws:sns:us-east-1:123456789012:t", True),
    ("arn:aws:sns:us-east-?:123456789012:t", "arn:aws:sns:us-east-10:123456789012:t", False),
    ("arn:aws:sns:us-east-?:123456789012:t", "arn:aws:sns:us-east::123456789012:t", False),
    ("arn:aws:s3:::bucket", "arn:aws-cn:s3:::bucket", False),
    ("arn:aws:s3:::bucket", "arn:aws:s3:::bucket/key", False),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/key", True),
    ("arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", False),
    ("arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", True),
    ("arn:aws:s3:::bucket/a.b", "arn:aws:s3:::bucket/aXb", False),
    ("arn:aws:s3:::bucket/(x)+", "arn:aws:s3:::bucket/(x)+", True),
    ([BOB, f"arn:aws:iam::{ACCOUNT}:group/*"], f"arn:aws:iam::{ACCOUNT}:group/admins", True),
    ([BOB, f"arn:aws:iam::{ACCOUNT}:group/*"], user_arn("alice"), False),
    ([], BOB, False),
]


@pytest.mark.parametrize("pattern,resource,expected", RESOURCE_CASES)
def test_resource_patterns_match_per_arn_segment(pattern, resource, expected):
    assert (decide(document(allow(resource=pattern)), resource=resource) == "allowed") is expected


@pytest.mark.parametrize("pattern,resource,expected", RESOURCE_CASES)
def test_not_resource_with_allow_grants_every_other_resource(pattern, resource, expected):
    text = document({"Effect": "Allow", "Action": "*", "NotResource": pattern})
    assert (decide(text, resource=resource) == "allowed") is (not expected)


@pytest.mark.parametrize("pattern,resource,expected", RESOURCE_CASES)
def test_not_resource_with_deny_denies_every_other_resource(pattern, resource, expected):
    text = document(allow(), {"Effect": "Deny", "Action": "*", "NotResource": pattern})
    assert decide(text, resource=resource) == ("allowed" if expected else "explicitDeny")


def test_not_action_and_not_resource_combine():
    # Deny everything except IAM reads, on anything except the user's own ARN.
    text = document(allow(), {"Effect": "Deny", "NotAction": "iam:Get*", "NotResource": BOB})
    assert decide(text, action="iam:GetUser", resource=user_arn("alice")) == "allowed"
    assert decide(text, action="iam:DeleteUser", resource=BOB) == "allowed"
    assert decide(text, action="iam:DeleteUser", resource=user_arn("alice")) == "explicitDeny"


def test_a_statement_without_resources_applies_to_nothing():
    # Only a stored document can lack them (validation refuses it); it must never widen access.
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*"}]}'
    assert decide(text) == "implicitDeny"
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Resource": "*"}]}'
    assert decide(text) == "implicitDeny"


def test_a_lower_case_effect_in_a_stored_document_still_counts():
    text = document({"Effect": "deny", "Action": "*", "Resource": "*"}, allow())
    assert decide(text) == "explicitDeny"


def test_a_deny_scoped_to_other_resources_leaves_the_allow_in_force():
    text = document(allow(), deny(resource=f"arn:aws:iam::{ACCOUNT}:user/protected/*"))
    assert decide(text, resource=BOB) == "allowed"
    assert decide(text, resource=user_arn("x", "/protected/")) == "explicitDeny"
