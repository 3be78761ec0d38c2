"""Policy variables: only with Version 2012-10-17, in Resource, NotResource and condition values;
defaults, escapes, missing values (a Resource then matches nothing, StringEquals fails,
StringNotEquals holds)."""

import pytest

from policies.engine import Request, evaluate
from policies.variables import Template, Variable, parse_template

from . import ACCOUNT, allow, decide, deny, document, user_arn

HOME = f"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"
BOB = {"aws:username": "bob"}

RESOURCE_CASES = [
    # (Version, Resource pattern, request resource, context, allowed?)
    ("2012-10-17", HOME, user_arn("bob"), BOB, True),
    ("2012-10-17", HOME, user_arn("alice"), BOB, False),
    ("2012-10-17", HOME, user_arn("bob"), {}, False),
    ("2012-10-17", HOME, user_arn("${aws:username}"), {}, False),
    ("2012-10-17", HOME, user_arn("Bob"), BOB, False),
    ("2012-10-17", f"arn:aws:iam::{ACCOUNT}:user/${{AWS:UserName}}", user_arn("bob"), BOB, True),
    ("2012-10-17", HOME, user_arn("bob"), {"AWS:USERNAME": "bob"}, True),
    ("2008-10-17", HOME, user_arn("bob"), BOB, False),
    ("2008-10-17", HOME, user_arn("${aws:username}"), BOB, True),
    (None, HOME, user_arn("bob"), BOB, False),
    (None, HOME, user_arn("${aws:username}"), BOB, True),
    (
        "2012-10-17",
        "arn:aws:s3:::bucket/home/${aws:username}/*",
        "arn:aws:s3:::bucket/home/bob/a.txt",
        BOB,
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::bucket/home/${aws:username}/*",
        "arn:aws:s3:::bucket/home/bo/a.txt",
        BOB,
        False,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:userid}",
        "arn:aws:s3:::b/AIDAEXAMPLE",
        {"aws:userid": "AIDAEXAMPLE"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:PrincipalTag/team}",
        "arn:aws:s3:::b/blue",
        {"aws:PrincipalTag/team": "blue"},
        True,
    ),
    ("2012-10-17", "arn:aws:s3:::b/${aws:PrincipalTag/team}", "arn:aws:s3:::b/blue", {}, False),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}",
        "arn:aws:s3:::b/company-wide",
        {},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:PrincipalTag/team,'company-wide'}",
        "arn:aws:s3:::b/company-wide",
        {},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}",
        "arn:aws:s3:::b/blue",
        {"aws:PrincipalTag/team": "blue"},
        True,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:PrincipalTag/team, 'company-wide'}",
        "arn:aws:s3:::b/company-wide",
        {"aws:PrincipalTag/team": "blue"},
        False,
    ),
    (
        "2012-10-17",
        "arn:aws:s3:::b/${aws:CurrentTime}",
        "arn:aws:s3:::b/2026-01-01T00:00:00Z",
        {"aws:CurrentTime": "2026-01-01T00:00:00Z"},
        True,
    ),
    # escapes: a literal `*`, `?` or `$` where a wildcard would otherwise be read
    ("2012-10-17", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/*", {}, True),
    ("2012-10-17", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/x", {}, False),
    ("2012-10-17", "arn:aws:s3:::bucket/a${?}", "arn:aws:s3:::bucket/a?", {}, True),
    ("2012-10-17", "arn:aws:s3:::bucket/a${?}", "arn:aws:s3:::bucket/ab", {}, False),
    ("2012-10-17", "arn:aws:s3:::bucket/${$}x", "arn:aws:s3:::bucket/$x", {}, True),
    ("2008-10-17", "arn:aws:s3:::bucket/${*}", "arn:aws:s3:::bucket/${x}", {}, True),
    # a variable's value is literal text, never a wildcard
    ("2012-10-17", HOME, user_arn("a*"), {"aws:username": "a*"}, True),
    ("2012-10-17", HOME, user_arn("abc"), {"aws:username": "a*"}, False),
    ("2012-10-17", HOME, user_arn("ab"), {"aws:username": "a?"}, False),
    # a multivalued key cannot be substituted
    ("2012-10-17", "arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/x", {"aws:TagKeys": ["x", "y"]}, False),
    ("2012-10-17", "arn:aws:s3:::b/${aws:TagKeys}", "arn:aws:s3:::b/x", {"aws:TagKeys": ["x"]}, True),
    # not a variable: left as literal text
    ("2012-10-17", "arn:aws:s3:::b/${}", "arn:aws:s3:::b/${}", {}, True),
]


@pytest.mark.parametrize("version,pattern,resource,context,expected", RESOURCE_CASES)
def test_variables_in_resources(version, pattern, resource, context, expected):
    text = document(allow(resource=pattern), version=version)
    assert (decide(text, resource=resource, context=context) == "allowed") is expected


@pytest.mark.parametrize("version,pattern,resource,context,expected", RESOURCE_CASES)
def test_variables_in_not_resource(version, pattern, resource, context, expected):
    text = document(allow(), {"Effect": "Deny", "Action": "*", "NotResource": pattern}, version=version)
    assert decide(text, resource=resource, context=context) == ("allowed" if expected else "explicitDeny")


PREFIX = "s3:prefix"
CONDITION_CASES = [
    # (operator, value, context, holds?)
    ("StringEquals", "home/${aws:username}", {PREFIX: "home/bob", **BOB}, True),
    ("StringEquals", "home/${aws:username}", {PREFIX: "home/alice", **BOB}, False),
    ("StringEquals", "home/${aws:username}", {PREFIX: "home/"}, False),
    ("StringEquals", "home/${aws:username}", {PREFIX: "home/${aws:username}"}, False),
    ("StringNotEquals", "home/${aws:username}", {PREFIX: "home/bob", **BOB}, False),
    ("StringNotEquals", "home/${aws:username}", {PREFIX: "home/alice", **BOB}, True),
    ("StringNotEquals", "home/${aws:username}", {PREFIX: "home/"}, True),
    ("StringLike", "home/${aws:username}/*", {PREFIX: "home/bob/x", **BOB}, True),
    ("StringLike", "home/${aws:username}/*", {PREFIX: "home/alice/x", **BOB}, False),
    ("StringLike", "home/${aws:username}/*", {PREFIX: "home/bob/x"}, False),
    ("StringLike", "home/${aws:username}", {PREFIX: "home/bob", "aws:username": "b*"}, False),
    ("StringLike", "home/${*}", {PREFIX: "home/*"}, True),
    ("StringLike", "home/${*}", {PREFIX: "home/x"}, False),
    ("StringNotLike", "home/${aws:username}/*", {PREFIX: "home/bob/x"}, True),
    ("StringEqualsIgnoreCase", "${aws:username}", {PREFIX: "BOB", **BOB}, True),
    ("StringEquals", "${aws:PrincipalTag/team, 'none'}", {PREFIX: "none"}, True),
    ("ArnLike", "arn:aws:iam::*:user/${aws:username}", {PREFIX: user_arn("bob"), **BOB}, True),
    ("ArnLike", "arn:aws:iam::*:user/${aws:username}", {PREFIX: user_arn("eve"), **BOB}, False),
    ("ArnNotLike", "arn:aws:iam::*:user/${aws:username}", {PREFIX: user_arn("eve")}, True),
    ("NumericLessThan", "${test:limit}", {PREFIX: "5", "test:limit": "10"}, True),
    (
        "DateLessThan",
        "${aws:CurrentTime}",
        {PREFIX: "2020-01-01T00:00:00Z", "aws:CurrentTime": "2026-01-01T00:00:00Z"},
        True,
    ),
]


@pytest.mark.parametrize("operator,value,context,expected", CONDITION_CASES)
def test_variables_in_condition_values(operator, value, context, expected):
    text = document(allow(condition={operator: {PREFIX: value}}))
    assert (decide(text, context=context) == "allowed") is expected


def test_a_value_with_a_missing_variable_drops_out_of_the_list():
    text = document(allow(condition={"StringLike": {PREFIX: ["", "home/", "home/${aws:username}/*"]}}))
    assert decide(text, context={PREFIX: "home/"}) == "allowed"
    assert decide(text, context={PREFIX: "home/bob/x"}) == "implicitDeny"
    assert decide(text, context={PREFIX: "home/bob/x", **BOB}) == "allowed"


def test_variables_are_literal_in_conditions_of_documents_without_the_2012_version():
    text = document(allow(condition={"StringEquals": {PREFIX: "home/${aws:username}"}}), version="2008-10-17")
    assert decide(text, context={PREFIX: "home/bob", **BOB}) == "implicitDeny"
    assert decide(text, context={PREFIX: "home/${aws:username}", **BOB}) == "allowed"


def test_null_and_binary_equals_take_no_variables():
    text = document(allow(condition={"BinaryEquals": {PREFIX: "${aws:username}"}}))
    assert decide(text, context={PREFIX: "${aws:username}", **BOB}) == "allowed"
    assert decide(text, context={PREFIX: "bob", **BOB}) == "implicitDeny"


def test_actions_take_no_variables():
    text = document(allow(action="iam:${aws:username}"))
    assert decide(text, action="iam:GetUser", context={"aws:username": "GetUser"}) == "implicitDeny"


def test_a_user_may_manage_only_their_own_access_keys():
    text = document(allow(action="iam:*AccessKey*", resource=HOME))
    assert decide(text, action="iam:CreateAccessKey", resource=user_arn("bob"), context=BOB) == "allowed"
    assert (
        decide(text, action="iam:CreateAccessKey", resource=user_arn("alice"), context=BOB) == "implicitDeny"
    )


def test_missing_variables_are_reported_with_the_missing_context_values():
    text = document(
        allow(resource=HOME, condition={"StringEquals": {PREFIX: "${aws:PrincipalTag/team}"}}),
        deny(resource="arn:aws:s3:::x/${aws:userid}"),
    )
    decision = evaluate(Request("iam:GetUser", user_arn("bob")), [("p", "user", text)])
    assert decision.decision == "implicitDeny"
    assert decision.missing_context_values == ("aws:userid", "aws:username")
    decision = evaluate(Request("iam:GetUser", user_arn("bob"), BOB), [("p", "user", text)])
    assert decision.missing_context_values == ("aws:PrincipalTag/team", "aws:userid", "s3:prefix")


def test_a_deny_on_a_variable_resource_does_not_apply_without_the_value():
    text = document(allow(), deny(resource=HOME))
    assert decide(text, resource=user_arn("bob")) == "allowed"
    assert decide(text, resource=user_arn("bob"), context=BOB) == "explicitDeny"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("plain", "plain"),
        ("a${aws:username}", Template((("p", "a"), Variable("aws:username", "aws:username", None)))),
        ("${ aws:username , 'x y' }", Template((Variable("aws:username", "aws:username", "x y"),))),
        ("${*}${?}${$}", Template((("l", "*"), ("l", "?"), ("l", "$")))),
        ("${}", "${}"),
        ("${a${b}}", Template((("p", "${a"), Variable("b", "b", None), ("p", "}")))),
    ],
)
def test_templates_are_parsed_into_pieces(text, expected):
    assert parse_template(text, True) == expected
    assert parse_template(text, False) == text
