"""The decision order of aws-iam-facts.md §7 (default deny, explicit deny wins, identity must allow,
boundary must also allow), the statements reported, their positions, and compilation caching."""

import json

import botocore.session
import pytest

from iamconsole.backends.errors import MalformedPolicyDocument
from policies import engine
from policies.engine import MatchedStatement, PolicySet, Request, evaluate, statement_positions

from . import allow, decide, deny, document, user_arn

ALLOW_ALL = document(allow())
DENY_ALL = document(deny())
ALLOW_IAM = document(allow(action="iam:*"))
ALLOW_S3 = document(allow(action="s3:*"))
DENY_DELETE = document(deny(action="iam:Delete*"))
ALLOW_IF_TAG = document(allow(condition={"StringEquals": {"aws:PrincipalTag/team": "blue"}}))
DENY_UNLESS_MFA = document(deny(condition={"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}))

LOGIC_CASES = [
    # (identity policies, boundary, action, context, decision, boundary_allowed)
    ([], None, "iam:GetUser", {}, "implicitDeny", None),
    ([ALLOW_ALL], None, "iam:GetUser", {}, "allowed", None),
    ([DENY_ALL], None, "iam:GetUser", {}, "explicitDeny", None),
    ([ALLOW_ALL, DENY_ALL], None, "iam:GetUser", {}, "explicitDeny", None),
    ([DENY_ALL, ALLOW_ALL], None, "iam:GetUser", {}, "explicitDeny", None),
    ([ALLOW_IAM], None, "s3:GetObject", {}, "implicitDeny", None),
    ([ALLOW_IAM, ALLOW_S3], None, "s3:GetObject", {}, "allowed", None),
    ([ALLOW_IAM, DENY_DELETE], None, "iam:DeleteUser", {}, "explicitDeny", None),
    ([ALLOW_IAM, DENY_DELETE], None, "iam:CreateUser", {}, "allowed", None),
    ([DENY_DELETE], None, "iam:CreateUser", {}, "implicitDeny", None),
    ([ALLOW_IF_TAG], None, "iam:GetUser", {"aws:PrincipalTag/team": "blue"}, "allowed", None),
    ([ALLOW_IF_TAG], None, "iam:GetUser", {"aws:PrincipalTag/team": "red"}, "implicitDeny", None),
    ([ALLOW_ALL, DENY_UNLESS_MFA], None, "iam:GetUser", {}, "explicitDeny", None),
    (
        [ALLOW_ALL, DENY_UNLESS_MFA],
        None,
        "iam:GetUser",
        {"aws:MultiFactorAuthPresent": "false"},
        "explicitDeny",
        None,
    ),
    (
        [ALLOW_ALL, DENY_UNLESS_MFA],
        None,
        "iam:GetUser",
        {"aws:MultiFactorAuthPresent": "true"},
        "allowed",
        None,
    ),
    # permissions boundary: effective permissions = identity ∩ boundary
    ([ALLOW_ALL], ALLOW_IAM, "iam:GetUser", {}, "allowed", True),
    ([ALLOW_ALL], ALLOW_IAM, "s3:GetObject", {}, "implicitDeny", False),
    ([ALLOW_S3], ALLOW_IAM, "s3:GetObject", {}, "implicitDeny", False),
    ([ALLOW_S3], ALLOW_IAM, "iam:GetUser", {}, "implicitDeny", True),
    ([], ALLOW_ALL, "iam:GetUser", {}, "implicitDeny", True),
    ([ALLOW_ALL], DENY_ALL, "iam:GetUser", {}, "explicitDeny", False),
    ([ALLOW_ALL], document(allow(), deny(action="iam:Delete*")), "iam:DeleteUser", {}, "explicitDeny", False),
    ([ALLOW_ALL], document(allow(), deny(action="iam:Delete*")), "iam:CreateUser", {}, "allowed", True),
    ([DENY_ALL], ALLOW_ALL, "iam:GetUser", {}, "explicitDeny", True),
    ([ALLOW_ALL], ALLOW_IF_TAG, "iam:GetUser", {"aws:PrincipalTag/team": "blue"}, "allowed", True),
    ([ALLOW_ALL], ALLOW_IF_TAG, "iam:GetUser", {}, "implicitDeny", False),
    ([ALLOW_ALL], document(deny(action="s3:*")), "iam:GetUser", {}, "implicitDeny", False),
]


@pytest.mark.parametrize("policies,boundary,action,context,expected,boundary_allowed", LOGIC_CASES)
def test_the_decision_follows_iams_evaluation_order(
    policies, boundary, action, context, expected, boundary_allowed
):
    identity = [(f"p{i}", "user", text) for i, text in enumerate(policies)]
    decision = evaluate(Request(action, "*", context), identity, boundary)
    assert decision.decision == expected
    assert decision.boundary_allowed is boundary_allowed
    assert decision.allowed is (expected == "allowed")


def test_a_deny_in_a_group_policy_overrides_an_allow_in_a_user_policy():
    decision = evaluate(
        Request("iam:DeleteUser", user_arn("bob")),
        [
            ("UserInline", "user", ALLOW_ALL),
            ("Admins", "group", DENY_DELETE),
            ("IAMFullAccess", "aws-managed", ALLOW_IAM),
        ],
    )
    assert decision.decision == "explicitDeny"
    assert [m.source_policy_id for m in decision.matched_statements] == ["Admins"]
    assert decision.matched_statements[0].source_policy_type == "group"


def test_an_allowed_result_lists_every_allow_statement_that_applied():
    decision = evaluate(
        Request("iam:GetUser", user_arn("bob")),
        [("A", "user", ALLOW_ALL), ("B", "user-managed", ALLOW_S3), ("C", "aws-managed", ALLOW_IAM)],
    )
    assert decision.decision == "allowed"
    assert [(m.source_policy_id, m.source_policy_type) for m in decision.matched_statements] == [
        ("A", "user"),
        ("C", "aws-managed"),
    ]


def test_an_explicit_deny_lists_only_the_deny_statements():
    text = document(allow(), deny(action="iam:*"), allow(action="iam:GetUser"), deny(action="iam:Get*"))
    decision = evaluate(Request("iam:GetUser"), [("P", "user", text)])
    assert decision.decision == "explicitDeny"
    assert len(decision.matched_statements) == 2
    lines = text.splitlines()
    for matched in decision.matched_statements:
        assert '"Deny"' in lines[matched.start_line]


def test_an_implicit_deny_lists_no_statements():
    decision = evaluate(Request("iam:GetUser"), [("P", "user", ALLOW_S3)])
    assert decision.matched_statements == ()


def test_a_boundary_deny_is_reported_with_the_boundarys_source():
    decision = evaluate(
        Request("iam:GetUser"), [("P", "user", ALLOW_ALL)], boundary=("Boundary", "user-managed", DENY_ALL)
    )
    assert decision.decision == "explicitDeny"
    assert [(m.source_policy_id, m.source_policy_type) for m in decision.matched_statements] == [
        ("Boundary", "user-managed")
    ]


def test_a_boundary_given_as_bare_text_is_accepted():
    decision = evaluate(Request("iam:GetUser"), [("P", "user", ALLOW_ALL)], boundary=DENY_ALL)
    assert decision.decision == "explicitDeny"
    assert decision.matched_statements[0].source_policy_id == "PermissionsBoundary"


def test_the_boundary_allow_statements_are_not_listed_for_an_allowed_result():
    decision = evaluate(
        Request("iam:GetUser"), [("P", "user", ALLOW_ALL)], boundary=("B", "user-managed", ALLOW_ALL)
    )
    assert decision.decision == "allowed"
    assert [m.source_policy_id for m in decision.matched_statements] == ["P"]


# ----------------------------------------------------------------------------- positions


def test_positions_match_awss_documented_simulate_custom_policy_example():
    # aws iam simulate-custom-policy example (awscli examples): Line 1, Column 38 to Line 1, Column 167.
    text = (
        '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*",'
        '"Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
    )
    decision = evaluate(
        Request("dynamodb:CreateBackup", "*", {"aws:CurrentTime": "2019-04-25T11:00:00Z"}),
        [("PolicyInputList.1", "user", text)],
    )
    assert decision.decision == "allowed"
    assert decision.matched_statements[0].as_dict() == {
        "SourcePolicyId": "PolicyInputList.1",
        "SourcePolicyType": "user",
        "StartPosition": {"Line": 1, "Column": 38},
        "EndPosition": {"Line": 1, "Column": 167},
    }
    later = Request("dynamodb:CreateBackup", "*", {"aws:CurrentTime": "2014-04-25T11:00:00Z"})
    assert evaluate(later, [("PolicyInputList.1", "user", text)]).decision == "implicitDeny"


def test_positions_match_awss_documented_simulate_principal_policy_example():
    # The pretty-printed policy of the simulate-principal-policy example: Line 3, Column 19.
    text = (
        "{\n"
        '    "Version": "2012-10-17",\n'
        '    "Statement": {\n'
        '        "Effect": "Allow",\n'
        '        "Action": "codecommit:ListRepositories",\n'
        '        "Resource": "*"\n'
        "    }\n"
        "}"
    )
    assert statement_positions(text) == ((3, 19, 7, 6),)


def test_positions_of_statements_in_a_list():
    text = (
        "{\n"
        '  "Statement": [\n'
        '    {"Effect": "Allow", "Action": "*", "Resource": "*"},\n'
        "    {\n"
        '      "Effect": "Deny", "Action": "s3:*", "Resource": "*",\n'
        '      "Condition": {"StringEquals": {"k:a": ["{", "}", "[", "]"]}}\n'
        "    }\n"
        "  ],\n"
        '  "Version": "2012-10-17"\n'
        "}"
    )
    assert statement_positions(text) == ((3, 6, 3, 56), (4, 6, 7, 6))


def test_positions_ignore_braces_in_strings_and_other_keys():
    text = (
        '{"Id": "{Statement}", "Version": "2012-10-17",\n'
        ' "Statement": [{"Sid": "x", "Effect": "Allow", "Action": "a:\\"{b", "Resource": "*"}]}'
    )
    assert statement_positions(text) == ((2, 17, 2, 84),)
    assert text.splitlines()[1][15] == "{" and text.splitlines()[1][82] == "}"


def test_positions_count_crlf_and_escaped_key_names():
    text = '{\r\n"Version": "2012-10-17",\r\n"\\u0053tatement":\r\n  [\r\n  {"Effect": "Allow", "Action": "*", "Resource": "*"}]}'
    assert statement_positions(text) == ((5, 4, 5, 54),)


def test_positions_are_given_to_each_matched_statement():
    text = document(allow(action="iam:GetUser"), allow(action="iam:Get*"))
    decision = evaluate(Request("iam:GetUser"), [("P", "user", text)])
    first, second = decision.matched_statements
    assert (first.start_line, first.start_column) == (4, 10)
    assert second.start_line == first.end_line + 1
    assert second.start_line < second.end_line


def test_matched_statements_have_the_boto3_statement_shape():
    shape = botocore.session.get_session().get_service_model("iam").shape_for("Statement")
    matched = MatchedStatement("P", "user", 1, 2, 3, 4).as_dict()
    assert set(matched) == set(shape.members)
    assert matched["SourcePolicyType"] in shape.members["SourcePolicyType"].enum
    assert set(matched["StartPosition"]) == set(shape.members["StartPosition"].members)


# ----------------------------------------------------------------------------- missing values


def test_missing_context_values_come_only_from_statements_that_match_the_action_and_resource():
    text = document(
        allow(action="s3:*", condition={"StringEquals": {"s3:prefix": "x"}}),
        allow(action="iam:*", resource=user_arn("alice"), condition={"StringEquals": {"k:one": "x"}}),
        allow(action="iam:*", condition={"StringEquals": {"k:two": "x"}, "Null": {"k:three": "true"}}),
    )
    decision = evaluate(Request("iam:GetUser", user_arn("bob")), [("P", "user", text)])
    assert decision.missing_context_values == ("k:two",)
    decision = evaluate(Request("iam:GetUser", user_arn("bob"), {"k:two": "x"}), [("P", "user", text)])
    assert decision.decision == "allowed"
    assert decision.missing_context_values == ()


def test_missing_context_values_are_listed_once_across_policies():
    text = document(allow(condition={"StringEquals": {"aws:PrincipalTag/team": "x"}}))
    other = document(deny(condition={"StringEquals": {"AWS:PrincipalTag/team": "y"}}))
    decision = evaluate(
        Request("iam:GetUser"), [("A", "user", text), ("B", "user", text), ("C", "group", other)]
    )
    assert len(decision.missing_context_values) == 2  # as written in each policy
    assert {value.lower() for value in decision.missing_context_values} == {"aws:principaltag/team"}


# ----------------------------------------------------------------------------- compilation


def test_each_document_is_compiled_once_and_shared():
    text = document(allow(action="iam:Cached*"))
    assert engine.compile_policy(text) is engine.compile_policy(text)
    first = engine.policy_set([("A", "user", text)])
    assert engine.policy_set([["A", "user", text]]) is first
    assert engine.policy_set([("B", "user", text)]) is not first
    assert engine.policy_set([("B", "user", text)]).identity[0][0] is first.identity[0][0]


def test_a_policy_set_remembers_the_candidate_statements_per_action():
    policies = PolicySet([("A", "user", document(allow(action="iam:Get*"), deny(action="s3:*")))])
    decision = policies.evaluate(Request("IAM:GetUser"))
    assert decision.decision == "allowed"
    identity, boundary = policies._by_action["iam:getuser"]
    assert len(identity) == 1 and boundary is None
    assert policies.evaluate(Request("s3:GetObject")).decision == "explicitDeny"


def test_text_that_is_not_a_policy_is_refused():
    with pytest.raises(MalformedPolicyDocument):
        evaluate(Request("iam:GetUser"), [("P", "user", "not json")])
    with pytest.raises(MalformedPolicyDocument):
        evaluate(Request("iam:GetUser"), [("P", "user", json.dumps({"Statement": []}))])


def test_a_request_context_is_not_modified():
    context = {"AWS:UserName": "bob", "aws:TagKeys": ["a"]}
    evaluate(Request("iam:GetUser", "*", context), [("P", "user", ALLOW_IF_TAG)])
    assert context == {"AWS:UserName": "bob", "aws:TagKeys": ["a"]}


def test_decide_helper_matches_evaluate():
    assert decide(ALLOW_ALL, DENY_DELETE, action="iam:DeleteUser") == "explicitDeny"


def test_a_context_value_of_none_counts_as_absent():
    decision = evaluate(
        Request("iam:GetUser", "*", {"aws:PrincipalTag/team": None}), [("P", "user", ALLOW_IF_TAG)]
    )
    assert decision.decision == "implicitDeny"
    assert decision.missing_context_values == ("aws:PrincipalTag/team",)
