"""The IAM policy grammar (policies/grammar.py): AWS's MalformedPolicyDocument messages, the size
quotas checked before parsing, and the normalised statements handed to the evaluation engine.

Cases marked [AWS] are answers recorded against real AWS (aws-recorded scenarios, topic
policy_documents); [EMU] cases come from emulator test suites written against AWS (a weaker
source); the rest follow from the rules in facts §4 and the brief (size, nesting, duplicates).
"""

import json

import pytest

from iamconsole.backends import errors
from policies import grammar
from policies.catalog import read_catalog
from policies.grammar import parse_policy, policy_size, validate_policy_document

SYNTAX = "Syntax errors in policy."
VERSION = "Policy document must be version 2012-10-17 or greater."
LEGACY = "The policy failed legacy parsing"
NO_VENDOR = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
IAM_PATH = (
    'IAM resource path must either be "*", root, or start with user/, federated-user/, role/, group/, '
    "instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, "
    "report/, access-report/."
)
BUCKET = "arn:aws:s3:::example_bucket"


def doc(*statements, version="2012-10-17", **top):
    """A policy document as JSON text: one statement as an object, several as a list."""
    body = {"Version": version} if version else {}
    body["Statement"] = statements[0] if len(statements) == 1 else list(statements)
    body.update(top)
    return json.dumps(body)


def st(**members):
    return members


ALLOW_LIST = {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": BUCKET}

INVALID = [
    # -- syntax ---------------------------------------------------------------------------------
    ("not json [AWS]", "This is not a json document", SYNTAX),
    ("top-level array", json.dumps([{"Version": "2012-10-17", "Statement": ALLOW_LIST}]), SYNTAX),
    ("top-level string", json.dumps("policy"), SYNTAX),
    ("no statement [AWS]", json.dumps({"Version": "2012-10-17"}), SYNTAX),
    ("empty statement list [AWS]", json.dumps({"Version": "2012-10-17", "Statement": []}), SYNTAX),
    ("statement of strings [EMU]", json.dumps({"Version": "2012-10-17", "Statement": ["afd"]}), SYNTAX),
    ("extra top-level field [AWS]", doc(ALLOW_LIST, **{"Extra field": "value"}), SYNTAX),
    ("extra statement field [EMU]", doc({**ALLOW_LIST, "Extra field": "value"}), SYNTAX),
    ("lower-case element name", doc({"effect": "Allow", "Action": "s3:*", "Resource": "*"}), SYNTAX),
    (
        "Id as a list [AWS]",
        doc(ALLOW_LIST, Id=["cd3a324d2343d942772346-34234234423404-4c2242343242349d1642ee"]),
        SYNTAX,
    ),
    ("Id as an object [EMU]", doc(ALLOW_LIST, Id={}), SYNTAX),
    ("unknown Version [EMU]", doc(ALLOW_LIST, version="2013-10-17"), SYNTAX),
    ("Version as a number", json.dumps({"Version": 2012, "Statement": ALLOW_LIST}), SYNTAX),
    ("no Effect [AWS]", doc(st(Action="s3:ListBucket", Resource=BUCKET)), SYNTAX),
    ("Effect invalid [EMU]", doc({**ALLOW_LIST, "Effect": "invalid"}), SYNTAX),
    ("Effect with a trailing space", doc({**ALLOW_LIST, "Effect": "Allow "}), SYNTAX),
    ("Effect as a list", doc({**ALLOW_LIST, "Effect": ["Allow"]}), SYNTAX),
    ("Resource as an object [AWS]", doc({**ALLOW_LIST, "Resource": {"a": BUCKET}}), SYNTAX),
    (
        "Resource list with an object [AWS]",
        doc({**ALLOW_LIST, "Effect": "Deny", "Resource": ["adfdf", {}]}),
        SYNTAX,
    ),
    ("Resource and NotResource [AWS]", doc({**ALLOW_LIST, "NotResource": "*"}), SYNTAX),
    ("Resource and empty NotResource [EMU]", doc({**ALLOW_LIST, "NotResource": []}), SYNTAX),
    ("Action list in a list [AWS]", doc({**ALLOW_LIST, "Effect": "Deny", "Action": [[]]}), SYNTAX),
    ("Action as an object [AWS]", doc({**ALLOW_LIST, "Action": {}}), SYNTAX),
    ("Action as a number", doc({**ALLOW_LIST, "Action": 3}), SYNTAX),
    ("Action and NotAction [EMU]", doc({**ALLOW_LIST, "NotAction": "iam:dsf"}), SYNTAX),
    ("Sid as an object [AWS]", doc({**ALLOW_LIST, "Sid": {}}), SYNTAX),
    ("Sid as a list [EMU]", doc({**ALLOW_LIST, "Sid": []}), SYNTAX),
    ("Condition as a string [AWS]", doc({**ALLOW_LIST, "Condition": "a"}), SYNTAX),
    ("Condition as a list [EMU]", doc({**ALLOW_LIST, "Condition": []}), SYNTAX),
    (
        "Condition operator not an object [AWS]",
        doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": "b"}}),
        SYNTAX,
    ),
    ("Condition operator a list [EMU]", doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": []}}), SYNTAX),
    (
        "Condition value an object [AWS]",
        doc(st(Effect="Allow", Resource=BUCKET, Condition={"DateGreaterThan": {"a": {}}})),
        SYNTAX,
    ),  # fmt: skip
    ("unknown operator with a test [EMU]", doc({**ALLOW_LIST, "Condition": {"x": {"a": "1"}}}), SYNTAX),
    (
        "double colon in a set operator [AWS]",
        doc({**ALLOW_LIST, "Condition": {"ForAnyValue::StringEqualsIfExists": {"a": "asf"}}}),
        SYNTAX,
    ),  # fmt: skip
    ("Condition value null", doc({**ALLOW_LIST, "Condition": {"StringEquals": {"a": None}}}), SYNTAX),
    (
        "duplicate top-level key",
        '{"Version": "2012-10-17", "Statement": [], "Statement": ' + json.dumps(ALLOW_LIST) + "}",
        SYNTAX,
    ),  # fmt: skip
    (
        "duplicate statement key",
        '{"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}',
        SYNTAX,
    ),  # fmt: skip
    (
        "NaN is not JSON",
        '{"Version": "2012-10-17", "Statement": ' + json.dumps(ALLOW_LIST)[:-1] + ', "Sid": NaN}}',
        SYNTAX,
    ),  # fmt: skip
    ("trailing comma", doc(ALLOW_LIST)[:-1] + ",}", SYNTAX),
    ("10k-deep nesting", "[" * 10_000 + "]" * 10_000, SYNTAX),
    (
        "10k-deep nesting inside a statement",
        doc({**ALLOW_LIST, "Condition": {}}).replace("{}", "[" * 10_000 + "]" * 10_000),
        SYNTAX,
    ),  # fmt: skip
    # -- version --------------------------------------------------------------------------------
    ("2008-10-17 [AWS]", doc(ALLOW_LIST, version="2008-10-17"), VERSION),
    ("no Version [EMU]", doc(ALLOW_LIST, version=None), VERSION),
    (
        "no Version and duplicate Sids [AWS]",
        doc({"Sid": "sdf", **ALLOW_LIST}, {"Sid": "sdf", "Effect": "Allow"}, version=None),
        VERSION,
    ),  # fmt: skip
    ("no Version and denY [AWS]", doc({**ALLOW_LIST, "Effect": "denY"}, version=None), VERSION),
    # -- principal ------------------------------------------------------------------------------
    (
        "Principal in an identity policy",
        doc({**ALLOW_LIST, "Principal": {"AWS": "arn:aws:iam::123456789012:root"}}),
        "Policy document should not specify a principal.",
    ),  # fmt: skip
    (
        "NotPrincipal in an identity policy",
        doc({**ALLOW_LIST, "NotPrincipal": "*"}),
        "Policy document should not specify a principal.",
    ),  # fmt: skip
    # -- legacy parsing -------------------------------------------------------------------------
    ("denY with a Version [EMU]", doc({**ALLOW_LIST, "Effect": "denY"}), LEGACY),
    (
        "allow in lower case before a resource error [EMU]",
        doc(st(Effect="allow", Resource="arn:aws:s3:us-east-1::example_bucket")),
        LEGACY,
    ),  # fmt: skip
    (
        "aLLow before duplicate Sids [EMU]",
        doc({"Sid": "sdf", **ALLOW_LIST, "Effect": "aLLow"}, {"Sid": "sdf", "Effect": "Allow"}),
        LEGACY,
    ),  # fmt: skip
    (
        "a date that is no date [AWS]",
        doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": {"a": "sdfdsf"}}}),
        LEGACY,
    ),
    ("month 13 [EMU]", doc({**ALLOW_LIST, "Condition": {"DateLessThanEquals": {"a": "234-13"}}}), LEGACY),
    (
        "a one-digit offset [AWS]",
        doc({**ALLOW_LIST, "Condition": {"DateLessThanEquals": {"a": "2016-12-13t2:00:00.593194+1"}}}),
        LEGACY,
    ),  # fmt: skip
    (
        "ten fraction digits [EMU]",
        doc(
            {**ALLOW_LIST, "Condition": {"DateLessThanEquals": {"a": "2016-12-13t2:00:00.1999999999+10:59"}}}
        ),
        LEGACY,
    ),  # fmt: skip
    (
        "epoch beyond 64 bits [AWS]",
        doc({**ALLOW_LIST, "Condition": {"DateLessThan": {"a": "9223372036854775808"}}}),
        LEGACY,
    ),  # fmt: skip
    (
        "a bad date in a list",
        doc({**ALLOW_LIST, "Condition": {"DateEquals": {"a": ["2020-01-01", "nope"]}}}),
        LEGACY,
    ),
    (
        "a bad date before a bad partition [EMU]",
        doc(
            {
                **ALLOW_LIST,
                "Resource": "arn:error:s3:::example_bucket",
                "Condition": {"DateGreaterThan": {"a": "x"}},
            }
        ),
        LEGACY,
    ),  # fmt: skip
    (
        "a bad date without actions [EMU]",
        doc(st(Effect="Allow", Condition={"DateGreaterThan": {"a": "sdfdsf"}})),
        LEGACY,
    ),
    ("empty ARN segments, too few of them [AWS]", doc({**ALLOW_LIST, "Resource": "arn:aws::fdsasf"}), LEGACY),
    ("four segments [EMU]", doc({**ALLOW_LIST, "Resource": "arn:aws:s3::example_bucket"}), LEGACY),
    (
        "four segments without actions [AWS]",
        doc(st(Effect="Allow", Resource="arn:aws:s3::example_bucket")),
        LEGACY,
    ),
    (
        "four segments in NotResource [AWS]",
        doc(st(Effect="Allow", Action="s3:ListBucket", NotResource="arn:aws:s3::example_bucket")),
        LEGACY,
    ),  # fmt: skip
    (
        "no service [AWS]",
        doc(st(Effect="Allow", NotAction="s3:ListBucket", Resource="arn:aws::::example_bucket")),
        LEGACY,
    ),
    # -- Sid ------------------------------------------------------------------------------------
    (
        "duplicate Sids [AWS]",
        doc({"Sid": "sdf", **ALLOW_LIST}, {"Sid": "sdf", "Effect": "Allow"}),
        "Statement IDs (SID) in a single policy must be unique.",
    ),  # fmt: skip
    (
        "a Sid with a hyphen",
        doc({"Sid": "Allow-List", **ALLOW_LIST}),
        "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*",
    ),  # fmt: skip
    # -- actions and resources present ------------------------------------------------------------
    ("no actions [EMU]", doc(st(Effect="Allow", Resource=BUCKET)), "Policy statement must contain actions."),
    ("empty actions [AWS]", doc({**ALLOW_LIST, "Action": []}), "Policy statement must contain actions."),
    (
        "one statement without actions [EMU]",
        doc({"Effect": "Deny"}, ALLOW_LIST),
        "Policy statement must contain actions.",
    ),
    ("nothing but an Effect [EMU]", doc({"Effect": "Allow"}), "Policy statement must contain actions."),
    (
        "no resources [EMU]",
        doc(st(Effect="Allow", Action="s3:ListBucket")),
        "Policy statement must contain resources.",
    ),
    (
        "empty resources [AWS]",
        doc({**ALLOW_LIST, "Resource": []}),
        "Policy statement must contain resources.",
    ),
    (
        "no resources before a bad action [EMU]",
        doc(st(Effect="Allow", Action="invalid")),
        "Policy statement must contain resources.",
    ),  # fmt: skip
    # -- resource formats -----------------------------------------------------------------------
    ("empty resource [AWS]", doc({**ALLOW_LIST, "Resource": ""}), 'Resource  must be in ARN format or "*".'),
    (
        "empty resources in two statements [AWS]",
        doc({"Sid": "A", **ALLOW_LIST, "Resource": ""}, {"Sid": "B", **ALLOW_LIST, "Resource": ""}),
        'Resource  must be in ARN format or "*".',
    ),  # fmt: skip
    (
        "no colon in a list [AWS]",
        doc({**ALLOW_LIST, "Resource": ["adf"]}),
        'Resource adf must be in ARN format or "*".',
    ),
    (
        "a resource with a space [EMU]",
        doc({**ALLOW_LIST, "Resource": "invalid resource"}),
        'Resource invalid resource must be in ARN format or "*".',
    ),  # fmt: skip
    (
        "resource error before a bad action [EMU]",
        doc(st(Effect="Allow", Action="s:3:ListBucket", Resource="sdfsadf")),
        'Resource sdfsadf must be in ARN format or "*".',
    ),  # fmt: skip
    (
        "partition without a service [EMU]",
        doc({**ALLOW_LIST, "Resource": "a:bsdfdsafsad"}),
        'Partition "bsdfdsafsad" is not valid for resource "arn:bsdfdsafsad:*:*:*:*".',
    ),  # fmt: skip
    (
        "partition b [AWS]",
        doc(st(Effect="Allow", NotAction="s3s:ListBucket", Resource="a:b:cadfsdf")),
        'Partition "b" is not valid for resource "arn:b:cadfsdf:*:*:*".',
    ),  # fmt: skip
    (
        "partition with many segments [EMU]",
        doc({**ALLOW_LIST, "Resource": "a:b:c:d:e:f:g:h"}),
        'Partition "b" is not valid for resource "arn:b:c:d:e:f:g:h".',
    ),  # fmt: skip
    (
        "no arn prefix [AWS]",
        doc({**ALLOW_LIST, "Resource": "aws:s3:::example_bucket"}),
        'Partition "s3" is not valid for resource "arn:s3:::example_bucket:*".',
    ),  # fmt: skip
    (
        "the first bad partition of a list [EMU]",
        doc({**ALLOW_LIST, "Resource": ["arn:error:s3:::example_bucket", "arn:error:s3::example_bucket"]}),
        'Partition "error" is not valid for resource "arn:error:s3:::example_bucket".',
    ),  # fmt: skip
    (
        "another partition's ARN",
        doc({**ALLOW_LIST, "Resource": "arn:aws-us-gov:s3:::b"}),
        'Partition "aws-us-gov" is not valid for resource "arn:aws-us-gov:s3:::b".',
    ),  # fmt: skip
    (
        "no vendor [EMU]",
        doc({**ALLOW_LIST, "Resource": "arn:aws"}),
        "Resource vendor must be fully qualified and cannot contain regexes.",
    ),  # fmt: skip
    ("IAM resource path [AWS]", doc({**ALLOW_LIST, "Resource": "arn:aws:iam:::example_bucket"}), IAM_PATH),
    (
        "IAM resource with a region [AWS]",
        doc({**ALLOW_LIST, "Resource": "arn:aws:iam:us-east-1::example_bucket"}),
        "IAM resource arn:aws:iam:us-east-1::example_bucket cannot contain region information.",
    ),  # fmt: skip
    (
        "S3 bucket with a region [EMU]",
        doc({**ALLOW_LIST, "Resource": "arn:aws:s3:us-east-1::example_bucket"}),
        "Resource arn:aws:s3:us-east-1::example_bucket can not contain region information.",
    ),  # fmt: skip
    # -- actions --------------------------------------------------------------------------------
    ("an action without vendor [AWS]", doc({**ALLOW_LIST, "Action": "invalid"}), NO_VENDOR),
    ("an empty NotAction [EMU]", doc(st(Effect="Allow", NotAction="", Resource=BUCKET)), NO_VENDOR),
    (
        "a vendor with a space [AWS]",
        doc({**ALLOW_LIST, "Action": "a a:ListBucket"}),
        "Vendor a a is not valid",
    ),
    (
        "two colons [EMU]",
        doc({**ALLOW_LIST, "Action": "s3:List:Bucket"}),
        "Actions/Condition can contain only one colon.",
    ),
    (
        "two colons in the second statement [AWS]",
        doc({**ALLOW_LIST, "Action": "s3s:ListBucket"}, {**ALLOW_LIST, "Action": "s:3s:ListBucket"}),
        "Actions/Condition can contain only one colon.",
    ),  # fmt: skip
]

VALID = [
    ("resource list [AWS]", doc({**ALLOW_LIST, "Resource": [BUCKET]})),
    ("statement list [AWS]", doc(ALLOW_LIST, ALLOW_LIST)),
    ("a resource and a star [AWS]", doc({**ALLOW_LIST, "Resource": [BUCKET, "*"]})),
    ("action star [EMU]", doc({**ALLOW_LIST, "Action": "*"})),
    ("spaces after the vendor [EMU]", doc({**ALLOW_LIST, "Action": "iam: asdf safdsf af "})),
    (
        "vendor with a hyphen or a dot [AWS]",
        doc({**ALLOW_LIST, "Action": ["s3-s:ListBucket", "s3.s:ListBucket"]}),
    ),
    ("IAM user path [AWS]", doc({**ALLOW_LIST, "Resource": "arn:aws:iam:::user/example_bucket"})),
    (
        "IAM root and star",
        doc({**ALLOW_LIST, "Resource": ["arn:aws:iam::123456789012:root", "arn:aws:iam::*:*"]}),
    ),
    ("three segments [AWS]", doc({**ALLOW_LIST, "Resource": "arn:aws:fdsasf"})),
    (
        "unknown services, with regions [AWS]",
        doc(
            {
                **ALLOW_LIST,
                "Resource": [
                    "arn:aws:invalid-service:us-east-1::x",
                    "arn:aws:ec2:us-east-1::x",
                    "arn:aws:s33:::x",
                ],
            }
        ),
    ),  # fmt: skip
    ("an S3 access point has a region", doc({**ALLOW_LIST, "Resource": "arn:aws:s3:*:*:accesspoint/*"})),
    ("an empty Condition [EMU]", doc({**ALLOW_LIST, "Condition": {}})),
    ("an empty operator block [AWS]", doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": {}}})),
    ("unknown operators testing nothing [AWS]", doc({**ALLOW_LIST, "Condition": {"x": {}, "y": {}}})),
    ("an empty value list [EMU]", doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": {"a": []}}})),
    (
        "set operator and IfExists [AWS]",
        doc({**ALLOW_LIST, "Condition": {"ForAnyValue:StringEqualsIfExists": {"a": "asf"}}}),
    ),
    (
        "ForAllValues [AWS]",
        doc({**ALLOW_LIST, "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": "Department"}}}),
    ),
    (
        "JSON booleans and numbers as values",
        doc(
            {
                **ALLOW_LIST,
                "Condition": {"Bool": {"aws:SecureTransport": False}, "NumericLessThan": {"s3:max-keys": 10}},
            }
        ),
    ),  # fmt: skip
    (
        "ISO dates [AWS]",
        doc(
            {
                **ALLOW_LIST,
                "Condition": {
                    "DateLessThanEquals": {"a": "2016-12-13T21:20:37.593194+00:00"},
                    "DateGreaterThan": {"aws:CurrentTime": "2017-07-01T00:00:00Z"},
                },
            }
        ),
    ),  # fmt: skip
    (
        "Joda-style short dates [EMU]",
        doc({**ALLOW_LIST, "Condition": {"DateGreaterThan": {"a": ["01T", "2016-12-13t2:00:00.593194+23"]}}}),
    ),  # fmt: skip
    (
        "the earliest year and an epoch [AWS]",
        doc({**ALLOW_LIST, "Condition": {"DateLessThan": {"a": ["-292275054", "1500000000"]}}}),
    ),
    (
        "an alphanumeric Sid and an Id [AWS]",
        doc({**ALLOW_LIST, "Sid": "dsfsdfsdfsdfsdfsadfsd"}, Id="sdfsdfsdf"),
    ),
    ("NotAction with NotResource [AWS]", doc(st(Effect="Allow", NotAction="s3:ListBucket", NotResource="*"))),
    ("policy variables [AWS]", doc({**ALLOW_LIST, "Resource": "arn:aws:iam::*:user/${aws:username}"})),
    (
        "cognito variable with a colon [EMU]",
        doc(
            {
                **ALLOW_LIST,
                "Resource": "arn:aws:s3:::bucket-name/cognito/${cognito-identity.amazonaws.com:sub}/*",
            }
        ),
    ),  # fmt: skip
    ("nested but shallow", doc({**ALLOW_LIST, "Condition": {"StringLike": {"s3:prefix": ["", "home/"]}}})),
]


@pytest.mark.parametrize("text, message", [pytest.param(t, m, id=i) for i, t, m in INVALID])
def test_it_answers_an_invalid_document_with_aws_message(text, message):
    # Managed documents are size-checked first; the 10k-deep ones are judged as inline documents.
    kind = "managed" if policy_size(text) <= grammar.MANAGED_POLICY_SIZE else "inline"

    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        validate_policy_document(text, kind=kind)

    assert exc.value.message == message
    assert exc.value.http_status == 400


@pytest.mark.parametrize("text", [pytest.param(t, id=i) for i, t in VALID])
def test_it_accepts_a_valid_document(text):
    policy = validate_policy_document(text, kind="managed")

    assert policy.version == "2012-10-17"
    assert policy.statements


def test_every_recorded_policy_document_is_answered_as_aws_did():
    recorded = json.loads((grammar_data_dir() / "scenarios.json").read_text())["scenarios"]
    cases = [s for s in recorded if s["topic"] == "policy_documents"]
    assert len(cases) >= 60
    for scenario in cases:
        step = scenario["steps"][0]
        expected = step["expect"].get("error", {}).get("Message", "accepted")
        expected = expected.replace("<partition>", "aws").replace("<region>", "us-east-1")
        try:
            validate_policy_document(step["params"]["PolicyDocument"], kind="managed")
            got = "accepted"
        except errors.MalformedPolicyDocument as error:
            got = error.message
        assert got == expected, scenario["id"]


def grammar_data_dir():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "data" / "aws_recorded"


# -- sizes ----------------------------------------------------------------------------------------


def padded(size: int) -> str:
    """A valid document of exactly `size` characters without whitespace (the Sid pads it)."""
    base = doc({**ALLOW_LIST, "Sid": ""})
    return base.replace('"Sid": ""', '"Sid": "' + "a" * (size - policy_size(base)) + '"')


def test_policy_size_does_not_count_whitespace():
    assert policy_size('{ "a" :\n\t"b c" }\r\n') == len('{"a":"bc"}')


def test_a_managed_policy_may_hold_6144_characters_without_whitespace():
    text = padded(6144).replace(",", ",    \n")

    assert len(text) > 6144
    validate_policy_document(text, kind="managed")


def test_a_larger_managed_policy_exceeds_the_quota_before_it_is_parsed():
    with pytest.raises(errors.LimitExceeded) as exc:
        validate_policy_document(padded(6145), kind="managed")
    with pytest.raises(errors.LimitExceeded):
        validate_policy_document("x" * 7000, kind="managed")

    assert exc.value.message == "Cannot exceed quota for PolicySize: 6144"
    assert exc.value.http_status == 409


def test_an_inline_document_has_no_per_document_quota_below_the_api_maximum():
    validate_policy_document(padded(20_000), kind="inline")

    with pytest.raises(errors.ValidationError) as exc:
        validate_policy_document(" " * 131_073, kind="inline")

    assert "Member must have length less than or equal to 131072" in exc.value.message


def test_a_huge_nested_document_is_a_syntax_error_without_recursion():
    text = '{"Version": "2012-10-17", "Statement": ' + "[" * 60_000 + "]" * 60_000 + "}"

    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        validate_policy_document(text, kind="inline")

    assert exc.value.message == SYNTAX


def test_brackets_inside_strings_do_not_count_as_nesting():
    validate_policy_document(doc({**ALLOW_LIST, "Resource": "arn:aws:s3:::b/" + "[{" * 100}), kind="managed")


def test_it_refuses_an_unknown_kind():
    with pytest.raises(ValueError):
        validate_policy_document(doc(ALLOW_LIST), kind="resource")


# -- normalised statements ------------------------------------------------------------------------


def test_parse_policy_normalises_every_element_to_tuples():
    text = doc(
        {"Sid": "One", "Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::b/*", "*"]},
        {
            "Effect": "Deny",
            "NotAction": ["iam:*"],
            "NotResource": "*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": False}, "NumericLessThan": {"n": [1, "2"]}},
        },
    )

    first, second = parse_policy(text).statements

    assert first == grammar.Statement(
        sid="One",
        effect="Allow",
        actions=("s3:GetObject",),
        not_actions=None,
        resources=("arn:aws:s3:::b/*", "*"),
        not_resources=None,
        conditions=(),
        index=0,
    )
    assert (second.effect, second.actions, second.not_actions, second.not_resources) == (
        "Deny",
        None,
        ("iam:*",),
        ("*",),
    )
    assert second.conditions == (
        grammar.Condition("Bool", "aws:MultiFactorAuthPresent", ("false",)),
        grammar.Condition("NumericLessThan", "n", ("1", "2")),
    )
    assert type(second.conditions[1].values[0]) is str


def test_validate_returns_the_same_statements_as_parse():
    text = doc(ALLOW_LIST, {**ALLOW_LIST, "Effect": "Deny"})

    assert validate_policy_document(text, kind="inline") == parse_policy(text)


def test_parse_policy_still_refuses_what_is_not_a_policy():
    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        parse_policy('{"Statement": 1}')

    assert exc.value.message == SYNTAX


def test_every_aws_managed_policy_parses_for_the_engine():
    for item in read_catalog():
        policy = parse_policy(json.dumps(item["Document"], indent=4))
        assert policy.statements, item["PolicyName"]
        assert all(s.effect in ("Allow", "Deny") for s in policy.statements)


def test_aws_managed_policies_of_customer_size_pass_the_strict_grammar():
    # Only documents naming `role-template/` ARNs, newer than IAM's recorded path message, fail.
    failures = []
    for item in read_catalog():
        text = json.dumps(item["Document"])
        if policy_size(text) > grammar.MANAGED_POLICY_SIZE:
            continue
        try:
            validate_policy_document(text, kind="managed")
        except errors.IAMError as error:
            failures.append((text, error.message))

    assert len(failures) <= 2
    assert all("role-template/" in text and message == IAM_PATH for text, message in failures)


# -- through the backend --------------------------------------------------------------------------


def test_create_policy_answers_a_malformed_document_and_writes_nothing(iam):
    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        iam.create_policy(PolicyName="p", PolicyDocument=doc({**ALLOW_LIST, "Action": "invalid"}))

    assert exc.value.message == NO_VENDOR
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_create_policy_answers_an_oversized_document_with_limit_exceeded(iam):
    with pytest.raises(errors.LimitExceeded) as exc:
        iam.create_policy(PolicyName="p", PolicyDocument=padded(6145))

    assert exc.value.message == "Cannot exceed quota for PolicySize: 6144"
    assert iam.list_policies(Scope="Local")["Policies"] == []
