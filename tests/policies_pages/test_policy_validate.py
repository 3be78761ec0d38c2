"""The editor's live check: IAM's MalformedPolicyDocument message or "valid", with findings."""

import json

import pytest

ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def validate(client, document) -> str:
    text = document if isinstance(document, str) else json.dumps(document)
    response = client.post("/policies/validate", {"document": text}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="validation"')
    return body


def test_it_answers_with_aws_message_for_a_malformed_document(signed_in):
    assert "✕ Syntax errors in policy." in validate(signed_in, '{"Version": ')
    no_version = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}
    assert "Policy document must be version 2012-10-17 or greater." in validate(signed_in, no_version)


def test_it_says_valid_for_a_clean_policy(signed_in):
    clean = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
    }

    body = validate(signed_in, clean)

    assert "✓ valid" in body
    assert "No security warnings or errors." in body


@pytest.mark.parametrize(
    "statement, warning",
    [
        ({"Effect": "Allow", "Action": "*", "Resource": "*"}, "full administrator access"),
        ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, "NotAction with Allow"),
        ({"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*"}, "iam:PassRole on"),
        ({"Effect": "Allow", "Action": "iam:Pass*", "Resource": "*"}, "iam:PassRole on"),
    ],
)
def test_it_warns_about_risky_grants(signed_in, statement, warning):
    body = validate(signed_in, {"Version": "2012-10-17", "Statement": [statement]})

    assert "✓ valid" in body
    assert "Security warning" in body and warning in body


def test_a_deny_or_a_named_role_is_not_a_risk(signed_in):
    statements = [
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/app"},
    ]

    assert "No security warnings or errors." in validate(
        signed_in, {"Version": "2012-10-17", "Statement": statements}
    )


def test_it_reports_unknown_services_and_actions_as_errors(signed_in):
    statement = {"Effect": "Allow", "Action": ["nosuchservice:Get", "s3:NoSuchAction"], "Resource": "*"}

    body = validate(signed_in, {"Version": "2012-10-17", "Statement": [statement]})

    assert "✓ valid" in body  # IAM accepts them; the console's validation flags them
    assert "the service prefix nosuchservice is not recognized" in body
    assert "the action s3:NoSuchAction matches no action of Amazon S3" in body


def test_an_empty_editor_asks_for_a_policy(signed_in):
    assert "Type a policy to check it." in validate(signed_in, "")


def test_a_managed_policy_over_the_size_quota_gets_iams_message(signed_in):
    statement = {"Effect": "Allow", "Action": [f"s3:GetObject{i}" for i in range(600)], "Resource": "*"}

    assert "Cannot exceed quota for PolicySize: 6144" in validate(
        signed_in, {"Version": "2012-10-17", "Statement": [statement]}
    )


def test_it_needs_a_signed_in_operator(client, account):
    assert client.post("/policies/validate", {"document": "{}"}).status_code == 302


def test_it_refuses_get(signed_in):
    assert signed_in.get("/policies/validate").status_code == 405
