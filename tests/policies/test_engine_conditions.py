"""Every condition operator of aws-iam-facts.md §7, with and without IfExists, against present,
absent and multi-valued request keys; set operators; Null; key and value case; AND/OR/NOR logic.

Each case of CASES is (operator, policy values, request values or MISSING, whether the condition
holds). The condition sits in the only Allow statement, so "holds" means "allowed". Every case is
also run with `IfExists` appended (except for Null): the same answer for a present key, and true for
an absent one.
"""

import pytest

from iamconsole.backends.errors import MalformedPolicyDocument
from policies.conditions import parse_date
from policies.engine import Request, evaluate

from . import MISSING, allow, decide, deny, document

KEY = "test:Key"
T1 = "2020-01-01T00:00:00Z"

CASES = [
    # --- String operators
    ("StringEquals", "abc", "abc", True),
    ("StringEquals", "abc", "ABC", False),
    ("StringEquals", "abc", "abcd", False),
    ("StringEquals", "abc", "", False),
    ("StringEquals", "abc", MISSING, False),
    ("StringEquals", ["x", "abc"], "abc", True),
    ("StringEquals", ["x", "y"], "abc", False),
    ("StringEquals", "a*", "abc", False),
    ("StringEquals", "a*", "a*", True),
    ("StringEquals", [], "abc", False),
    ("StringNotEquals", "abc", "abc", False),
    ("StringNotEquals", "abc", "ABC", True),
    ("StringNotEquals", "abc", MISSING, True),
    ("StringNotEquals", ["a", "b"], "a", False),
    ("StringNotEquals", ["a", "b"], "b", False),
    ("StringNotEquals", ["a", "b"], "c", True),
    ("StringNotEquals", [], "c", True),
    ("StringEqualsIgnoreCase", "AbC", "aBc", True),
    ("StringEqualsIgnoreCase", "AbC", "abd", False),
    ("StringEqualsIgnoreCase", "AbC", MISSING, False),
    ("StringEqualsIgnoreCase", ["x", "HELLO"], "hello", True),
    ("StringNotEqualsIgnoreCase", "AbC", "abc", False),
    ("StringNotEqualsIgnoreCase", "AbC", "x", True),
    ("StringNotEqualsIgnoreCase", "AbC", MISSING, True),
    ("StringNotEqualsIgnoreCase", ["a", "B"], "b", False),
    ("StringLike", "home/*", "home/alice/notes", True),
    ("StringLike", "home/*", "home/", True),
    ("StringLike", "home/*", "Home/alice", False),
    ("StringLike", "home/*", "house/alice", False),
    ("StringLike", "a?c", "abc", True),
    ("StringLike", "a?c", "ac", False),
    ("StringLike", "a?c", "abbc", False),
    ("StringLike", "*", "", True),
    ("StringLike", "*", "anything:at/all", True),
    ("StringLike", "a*", MISSING, False),
    ("StringLike", "exact", "exact", True),
    ("StringLike", "a.c", "abc", False),
    ("StringLike", "a+", "aa", False),
    ("StringLike", ["x*", "*y"], "zzy", True),
    ("StringNotLike", "home/*", "home/x", False),
    ("StringNotLike", "home/*", "other", True),
    ("StringNotLike", "home/*", MISSING, True),
    ("StringNotLike", ["a*", "b*"], "bx", False),
    ("StringNotLike", ["a*", "b*"], "cx", True),
    # --- Numeric operators
    ("NumericEquals", "10", "10", True),
    ("NumericEquals", "10", "10.0", True),
    ("NumericEquals", "10", "1e1", True),
    ("NumericEquals", "10", "11", False),
    ("NumericEquals", "10", "ten", False),
    ("NumericEquals", "10", MISSING, False),
    ("NumericEquals", ["1", "2"], "2", True),
    ("NumericNotEquals", "10", "10", False),
    ("NumericNotEquals", "10", "11", True),
    ("NumericNotEquals", "10", MISSING, True),
    ("NumericNotEquals", ["1", "2"], "2", False),
    ("NumericNotEquals", ["1", "2"], "3", True),
    ("NumericLessThan", "10", "9", True),
    ("NumericLessThan", "10", "10", False),
    ("NumericLessThan", "10", "-1", True),
    ("NumericLessThan", "10", "9.999", True),
    ("NumericLessThan", "10", "11", False),
    ("NumericLessThan", "10", MISSING, False),
    ("NumericLessThanEquals", "10", "10", True),
    ("NumericLessThanEquals", "10", "11", False),
    ("NumericLessThanEquals", "10", MISSING, False),
    ("NumericGreaterThan", "10", "11", True),
    ("NumericGreaterThan", "10", "10", False),
    ("NumericGreaterThan", "10", "10.5", True),
    ("NumericGreaterThan", "10", MISSING, False),
    ("NumericGreaterThanEquals", "10", "10", True),
    ("NumericGreaterThanEquals", "10", "9.99", False),
    ("NumericGreaterThanEquals", "3600", "3601", True),
    ("NumericGreaterThanEquals", "10", MISSING, False),
    # --- Date operators (ISO 8601 or epoch seconds, offsets honoured)
    ("DateEquals", T1, T1, True),
    ("DateEquals", T1, "2020-01-01T01:00:00+01:00", True),
    ("DateEquals", T1, "1577836800", True),
    ("DateEquals", T1, "2020-01-01", True),
    ("DateEquals", T1, "2020-01-01T00:00:01Z", False),
    ("DateEquals", T1, "yesterday", False),
    ("DateEquals", T1, MISSING, False),
    ("DateNotEquals", T1, T1, False),
    ("DateNotEquals", T1, "2021-01-01T00:00:00Z", True),
    ("DateNotEquals", T1, MISSING, True),
    ("DateLessThan", T1, "2019-12-31T23:59:59Z", True),
    ("DateLessThan", T1, T1, False),
    ("DateLessThan", T1, "2020-06-01T00:00:00Z", False),
    ("DateLessThan", "1577836800", "2019-12-31T00:00:00Z", True),
    ("DateLessThan", T1, MISSING, False),
    ("DateLessThanEquals", T1, T1, True),
    ("DateLessThanEquals", T1, "2020-01-01T00:00:01Z", False),
    ("DateGreaterThan", T1, "2020-01-01T00:00:01Z", True),
    ("DateGreaterThan", T1, T1, False),
    ("DateGreaterThan", T1, "1600000000", True),
    ("DateGreaterThan", T1, MISSING, False),
    ("DateGreaterThanEquals", T1, T1, True),
    ("DateGreaterThanEquals", T1, "2019-12-31T23:59:59Z", False),
    ("DateGreaterThanEquals", "2020-01-01", "2020-01-01T00:00:00Z", True),
    # --- Bool
    ("Bool", "true", "true", True),
    ("Bool", "true", "false", False),
    ("Bool", "false", "false", True),
    ("Bool", "true", "True", True),
    ("Bool", True, "true", True),
    ("Bool", "true", "yes", False),
    ("Bool", "true", MISSING, False),
    ("Bool", "false", MISSING, False),
    # --- BinaryEquals (base64)
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "QmluYXJ5VmFsdWU=", True),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", "T3RoZXJWYWx1ZQ==", False),
    ("BinaryEquals", "QmluYXJ5VmFsdWU=", MISSING, False),
    # --- IP addresses (IPv4 and IPv6, CIDR or single address)
    ("IpAddress", "203.0.113.0/24", "203.0.113.7", True),
    ("IpAddress", "203.0.113.0/24", "203.0.114.1", False),
    ("IpAddress", "203.0.113.7", "203.0.113.7", True),
    ("IpAddress", "203.0.113.7/32", "203.0.113.8", False),
    ("IpAddress", "2001:db8::/32", "2001:db8::1", True),
    ("IpAddress", "2001:db8::/32", "2001:db9::1", False),
    ("IpAddress", "203.0.113.0/24", "2001:db8::1", False),
    ("IpAddress", "203.0.113.0/24", "not-an-ip", False),
    ("IpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "192.168.4.4", True),
    ("IpAddress", "203.0.113.0/24", MISSING, False),
    ("NotIpAddress", "203.0.113.0/24", "203.0.113.7", False),
    ("NotIpAddress", "203.0.113.0/24", "198.51.100.1", True),
    ("NotIpAddress", "203.0.113.0/24", MISSING, True),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "10.1.1.1", False),
    ("NotIpAddress", ["10.0.0.0/8", "192.168.0.0/16"], "172.16.0.1", True),
    # --- ARN operators (case-sensitive, wildcards per segment; Equals and Like are the same)
    ("ArnEquals", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/bob", True),
    ("ArnLike", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/bob", True),
    ("ArnLike", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:USER/bob", False),
    ("ArnLike", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::210987654321:user/bob", False),
    ("ArnLike", "arn:aws:sns:*:123456789012:topic", "arn:aws:sns:us-east-1:123456789012:topic", True),
    ("ArnLike", "arn:aws:sns:us-?-1:*:topic", "arn:aws:sns:us-east-1:123456789012:topic", False),
    ("ArnEquals", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket", True),
    ("ArnEquals", "arn:aws:s3:::bucket", "arn:aws:s3:::bucket2", False),
    ("ArnLike", "arn:aws:s3:::bucket", MISSING, False),
    ("ArnNotEquals", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/bob", False),
    ("ArnNotLike", "arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:role/admin", True),
    ("ArnNotLike", "arn:aws:iam::123456789012:user/*", MISSING, True),
    ("ArnNotEquals", ["arn:aws:s3:::a", "arn:aws:s3:::b"], "arn:aws:s3:::b", False),
    # --- Set operators on multivalued keys
    ("ForAllValues:StringEquals", ["a", "b"], ["a"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "b"], True),
    ("ForAllValues:StringEquals", ["a", "b"], ["a", "c"], False),
    ("ForAllValues:StringEquals", ["a", "b"], MISSING, True),
    ("ForAllValues:StringEquals", ["a", "b"], [], True),
    ("ForAllValues:StringLike", ["team", "cost-*"], ["team", "cost-center"], True),
    ("ForAllValues:StringLike", ["team", "cost-*"], ["owner"], False),
    ("ForAllValues:StringEqualsIgnoreCase", ["Team"], ["TEAM", "team"], True),
    ("ForAllValues:StringNotEquals", ["a"], ["b", "c"], True),
    ("ForAllValues:StringNotEquals", ["a"], ["a", "b"], False),
    ("ForAllValues:StringNotEquals", ["a"], MISSING, True),
    ("ForAllValues:NumericLessThan", "10", ["1", "2"], True),
    ("ForAllValues:NumericLessThan", "10", ["1", "20"], False),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c", "a"], True),
    ("ForAnyValue:StringEquals", ["a", "b"], ["c"], False),
    ("ForAnyValue:StringEquals", ["a", "b"], MISSING, False),
    ("ForAnyValue:StringEquals", ["a", "b"], [], False),
    ("ForAnyValue:StringLike", ["dept-*"], ["x", "dept-7"], True),
    ("ForAnyValue:StringNotEquals", ["a"], ["a", "b"], True),
    ("ForAnyValue:StringNotEquals", ["a"], ["a"], False),
    ("ForAnyValue:StringNotEquals", ["a"], MISSING, False),
    (
        "ForAnyValue:ArnLike",
        "arn:aws:iam::*:role/x",
        ["arn:aws:iam::1:role/y", "arn:aws:iam::1:role/x"],
        True,
    ),
    ("ForAnyValue:IpAddress", "10.0.0.0/8", ["192.168.0.1", "10.0.0.1"], True),
    # --- several values in the request without a set operator: any of them
    ("StringEquals", "a", ["b", "a"], True),
    ("StringNotEquals", "a", ["b", "a"], False),
]

NULL_CASES = [
    ("true", MISSING, True),
    ("true", "x", False),
    ("true", [], True),
    ("false", "x", True),
    ("false", MISSING, False),
    ("false", ["a", "b"], True),
    (True, MISSING, True),
    (False, "x", True),
    ("maybe", "x", False),
    ("maybe", MISSING, False),
    (["true", "false"], "x", True),
    (["true", "false"], MISSING, True),
]


def holds(operator, values, request, key=KEY, context_key=KEY) -> bool:
    context = {} if request is MISSING else {context_key: request}
    text = document(allow(condition={operator: {key: values}}))
    return decide(text, context=context) == "allowed"


def _case_id(case) -> str:
    operator, values, request, expected = case
    request = "MISSING" if request is MISSING else request
    return f"{operator}-{values}-{request}-{expected}"


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_each_operator_answers_as_iam_documents(case):
    operator, values, request, expected = case
    assert holds(operator, values, request) is expected


@pytest.mark.parametrize("case", CASES, ids=[_case_id(c) for c in CASES])
def test_if_exists_holds_for_an_absent_key_and_changes_nothing_else(case):
    operator, values, request, expected = case
    expected = True if request is MISSING else expected
    assert holds(operator + "IfExists", values, request) is expected


@pytest.mark.parametrize(
    "values,request_value,expected", NULL_CASES, ids=[f"{v}-{r is MISSING or r}" for v, r, _ in NULL_CASES]
)
def test_null_tests_whether_the_key_is_absent(values, request_value, expected):
    assert holds("Null", values, request_value) is expected


@pytest.mark.parametrize(
    "policy_key,context_key",
    [
        ("aws:PrincipalTag/Team", "aws:principaltag/team"),
        ("AWS:PRINCIPALTAG/TEAM", "aws:PrincipalTag/Team"),
        ("aws:principaltag/team", "AWS:PrincipalTag/TEAM"),
        ("s3:Prefix", "S3:prefix"),
    ],
)
def test_condition_key_names_are_case_insensitive(policy_key, context_key):
    assert holds("StringEquals", "blue", "blue", key=policy_key, context_key=context_key)
    assert not holds("StringEquals", "blue", "Blue", key=policy_key, context_key=context_key)


def test_an_unknown_operator_testing_a_key_is_a_syntax_error():
    with pytest.raises(MalformedPolicyDocument):
        holds("StringSoundsLike", "abc", "abc")


def test_an_unknown_operator_with_an_empty_block_tests_nothing():
    assert decide(document(allow(condition={"StringSoundsLike": {}}))) == "allowed"


def test_several_keys_of_one_operator_must_all_hold():
    text = document(allow(condition={"StringEquals": {"k:a": "1", "k:b": "2"}}))
    assert decide(text, context={"k:a": "1", "k:b": "2"}) == "allowed"
    assert decide(text, context={"k:a": "1", "k:b": "3"}) == "implicitDeny"
    assert decide(text, context={"k:a": "1"}) == "implicitDeny"


def test_several_operators_must_all_hold():
    text = document(
        allow(
            condition={
                "StringEquals": {"aws:PrincipalTag/team": "blue"},
                "NumericLessThan": {"k:n": "5"},
                "Bool": {"aws:SecureTransport": "true"},
            }
        )
    )
    good = {"aws:PrincipalTag/team": "blue", "k:n": "4", "aws:SecureTransport": "true"}
    assert decide(text, context=good) == "allowed"
    for key, bad in [("aws:PrincipalTag/team", "red"), ("k:n", "5"), ("aws:SecureTransport", "false")]:
        assert decide(text, context={**good, key: bad}) == "implicitDeny"


def test_a_deny_with_a_negated_if_exists_operator_still_denies_when_the_key_is_missing():
    text = document(
        allow(),
        deny(condition={"StringNotEqualsIfExists": {"aws:RequestedRegion": ["us-east-1", "eu-west-1"]}}),
    )
    assert decide(text) == "explicitDeny"
    assert decide(text, context={"aws:RequestedRegion": "us-east-1"}) == "allowed"
    assert decide(text, context={"aws:RequestedRegion": "ap-south-1"}) == "explicitDeny"


def test_a_deny_with_a_plain_negated_operator_denies_when_the_key_is_missing():
    text = document(allow(), deny(condition={"StringNotEquals": {"aws:PrincipalTag/team": "blue"}}))
    assert decide(text) == "explicitDeny"
    assert decide(text, context={"aws:PrincipalTag/team": "blue"}) == "allowed"


def test_for_all_values_with_allow_alone_allows_a_request_without_the_key():
    # The documented pitfall: ForAllValues holds for a missing key, so it grants access.
    text = document(allow(condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["team"]}}))
    assert decide(text) == "allowed"
    assert decide(text, context={"aws:TagKeys": ["team", "owner"]}) == "implicitDeny"


def test_guarding_for_all_values_with_null_false_refuses_a_request_without_the_key():
    text = document(
        allow(
            condition={
                "ForAllValues:StringEquals": {"aws:TagKeys": ["team"]},
                "Null": {"aws:TagKeys": "false"},
            }
        )
    )
    assert decide(text) == "implicitDeny"
    assert decide(text, context={"aws:TagKeys": ["team"]}) == "allowed"


def test_context_values_may_be_booleans_and_numbers():
    text = document(allow(condition={"Bool": {"aws:SecureTransport": "true"}, "NumericEquals": {"k:n": "3"}}))
    assert decide(text, context={"aws:SecureTransport": True, "k:n": 3}) == "allowed"
    assert decide(text, context={"aws:SecureTransport": False, "k:n": 3}) == "implicitDeny"


def test_an_empty_condition_block_holds():
    assert decide(document(allow(condition={}))) == "allowed"
    assert decide(document(allow(condition={"StringEquals": {}}))) == "allowed"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("2020-01-01T00:00:00Z", 1577836800.0),
        ("2020-01-01T00:00:00.500Z", 1577836800.5),
        ("2020-01-01T02:00:00+02:00", 1577836800.0),
        ("2020-01-01", 1577836800.0),
        ("2020-01", 1577836800.0),
        ("20200101T000000Z", 1577836800.0),
        ("1577836800", 1577836800.0),
        ("not a date", None),
        ("2020-13-01", None),
    ],
)
def test_dates_are_read_as_iso_8601_or_epoch_seconds(text, expected):
    assert parse_date(text) == expected


def test_missing_condition_keys_are_reported_as_written_in_the_policy():
    text = document(
        allow(
            condition={
                "StringEquals": {"aws:PrincipalTag/Team": "blue"},
                "BoolIfExists": {"aws:MultiFactorAuthPresent": "true"},
                "Null": {"aws:TokenIssueTime": "true"},
            }
        )
    )
    decision = evaluate(Request("iam:GetUser", "*", {}), [("p", "user", text)])
    assert decision.decision == "implicitDeny"
    assert decision.missing_context_values == ("aws:MultiFactorAuthPresent", "aws:PrincipalTag/Team")
