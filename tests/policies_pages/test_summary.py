"""The readable policy summary and the editor's findings (policies/summary.py)."""

from unittest import mock

from policies import summary


def doc(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def test_a_service_wildcard_is_full_access_and_patterns_are_limited():
    result = summary.summarize(
        doc(
            {
                "Effect": "Allow",
                "Action": ["ec2:*", "s3:Get*", "s3:ListBucket", "iam:TagUser"],
                "Resource": "*",
            }
        )
    )

    rows = {row.prefix: row for row in result.allow}
    assert rows["ec2"].access == "Full access"
    assert rows["s3"].access == "Limited: List, Read"
    assert rows["iam"].access == "Limited: Tagging"
    levels = {level["level"]: level for level in rows["s3"].level_counts}
    assert levels["List"]["granted"] == 1 and levels["List"]["names"] == ["ListBucket"]
    assert levels["Write"]["granted"] == 0 and levels["Write"]["total"] > 10


def test_actions_match_ignoring_case_and_merge_across_statements():
    result = summary.summarize(
        doc(
            {"Effect": "Allow", "Action": "S3:getobject", "Resource": "arn:aws:s3:::a/*"},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"},
        )
    )

    (row,) = result.allow
    assert row.granted == {"Read": ["GetObject"], "Write": ["PutObject"]}
    assert row.resource_text == "arn:aws:s3:::a/*, arn:aws:s3:::b/*"


def test_conditions_not_actions_and_everything_are_described():
    result = summary.summarize(
        doc(
            {"Effect": "Allow", "Action": "*", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
            {
                "Effect": "Deny",
                "Action": "s3:DeleteBucket",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        )
    )

    assert result.all_services == {"Allow": True, "Deny": False}
    assert result.notes == ["Deny: every action of every service except iam:*."]
    assert result.deny[0].condition_text == "aws:MultiFactorAuthPresent (Bool)"


def test_an_unknown_service_is_unrecognized():
    result = summary.summarize(doc({"Effect": "Allow", "Action": "madeup:DoThing", "Resource": "*"}))

    assert [(row.prefix, row.known, row.access) for row in result.allow] == [
        ("madeup", False, "Unrecognized service")
    ]


def test_without_the_catalog_the_verb_gives_the_level():
    with mock.patch.object(summary, "_definition", return_value=None):
        summary.service_actions.cache_clear()
        try:
            result = summary.summarize(
                doc(
                    {
                        "Effect": "Allow",
                        "Action": ["madeup:ListThings", "madeup:GetThing", "other:*"],
                        "Resource": "*",
                    }
                )
            )
            errors = summary.findings(doc({"Effect": "Allow", "Action": "madeup:X", "Resource": "*"}))
        finally:
            summary.service_actions.cache_clear()

    rows = {row.prefix: row for row in result.allow}
    assert rows["madeup"].access == "Limited: List, Read"
    assert rows["other"].access == "Full access"
    assert errors == []  # unknown services cannot be told without the catalog


def test_verb_levels():
    assert [
        summary.verb_level(a)
        for a in [
            "ListUsers",
            "GetObject",
            "DescribeInstances",
            "TagRole",
            "PutUserPolicy",
            "PassRole",
            "CreateUser",
        ]
    ] == ["List", "Read", "Read", "Tagging", "Permissions management", "Permissions management", "Write"]


def test_findings_name_the_statement():
    found = summary.findings(doc({"Sid": "Admin", "Effect": "Allow", "Action": "*", "Resource": ["*"]}))

    assert [(f.kind, f.message.split(":")[0]) for f in found] == [("security", "Statement 1 (Admin)")]
