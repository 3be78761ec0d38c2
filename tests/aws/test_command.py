"""`manage.py account connect|test` against a moto server."""

import datetime
import io
import json

import boto3
import pytest
from botocore.stub import Stubber
from django.core.management import CommandError, call_command

from accounts.management.commands.account import NEEDED_ACTIONS, Command
from accounts.models import Account
from iamconsole.backends import get_backend
from iamconsole.backends.aws import AwsBackend


def run(*args) -> str:
    out = io.StringIO()
    call_command("account", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def connected(db, moto_reset):
    """Account 123456789012 connected through the command, pointed at the moto server."""
    out = run(
        "connect", "--account-id", "123456789012", "--alias", "acme", "--endpoint-url", moto_reset, "--json"
    )
    return json.loads(out)


def test_connect_creates_an_aws_account_with_its_settings_and_operator(connected, moto_reset):
    account = Account.objects.get(account_id="123456789012")

    assert (account.kind, account.alias, account.endpoint_url, account.profile) == (
        "aws",
        "acme",
        moto_reset,
        "",
    )
    assert account.root_operator.email == "root+123456789012@iamconsole.local"
    assert account.root_operator.check_password(connected["RootPassword"])
    assert connected["Kind"] == "aws" and connected["EndpointUrl"] == moto_reset
    assert isinstance(get_backend(account), AwsBackend)


def test_a_connected_account_answers_through_aws(connected):
    iam = get_backend("123456789012")
    iam.create_user(UserName="alice")

    assert [u["UserName"] for u in iam.list_users()["Users"]] == ["alice"]


def test_connect_keeps_a_given_operator_and_password_unprinted(db, moto_reset):
    out = run(
        "connect",
        "--account-id",
        "111122223333",
        "--profile",
        "audit",
        "--region",
        "eu-west-1",
        "--root-email",
        "Ops@Example.com",
        "--root-password",
        "Given-pass-1234",
    )

    account = Account.objects.get(account_id="111122223333")
    assert (account.profile, account.region, account.role_arn) == ("audit", "eu-west-1", "")
    assert account.root_operator.email == "ops@example.com"
    assert "Given-pass-1234" not in out and "RootPassword" not in out


def test_connect_refuses_a_known_account_a_bad_id_and_profile_with_role(connected):
    with pytest.raises(CommandError, match="already exists"):
        run("connect", "--account-id", "123456789012")
    with pytest.raises(CommandError, match="12 digits"):
        run("connect", "--account-id", "12345")
    with pytest.raises(CommandError):
        run(
            "connect", "--account-id", "111122223333", "--profile", "p", "--role-arn", "arn:aws:iam::1:role/r"
        )
    assert Account.objects.count() == 1


def test_test_prints_the_caller_and_tries_the_reads_for_a_non_user_caller(connected):
    result = json.loads(run("test", "123456789012", "--json"))

    # moto's caller is arn:aws:sts::123456789012:user/moto: not an IAM user ARN, so the reads are tried.
    assert result["CallerAccount"] == "123456789012"
    assert result["CallerArn"].endswith(":user/moto")
    assert result["Checked"] == "tried the reads"
    assert result["Denied"] == []
    assert "Warning" not in result


def test_test_with_a_role_prints_the_assumed_role(db, moto_reset):
    run("connect", "--account-id", "123456789012", "--endpoint-url", moto_reset, "--role-arn",
        "arn:aws:iam::123456789012:role/console")  # fmt: skip

    out = run("test", "123456789012")

    assert "CallerArn: arn:aws:sts::123456789012:assumed-role/console/iamconsole" in out
    assert "Denied: none" in out


def test_test_refuses_an_unknown_account(db):
    with pytest.raises(CommandError, match="No connected AWS account 999999999999"):
        run("test", "999999999999")


def test_an_iam_user_callers_denials_come_from_the_simulator(account):
    client = boto3.client("iam", region_name="us-east-1")
    backend = AwsBackend(account, client=client)
    evaluations = [
        {"EvalActionName": name, "EvalResourceName": "*", "EvalDecision": "allowed"}
        for name in NEEDED_ACTIONS
    ]
    evaluations[3]["EvalDecision"] = "implicitDeny"
    caller = "arn:aws:iam::123456789012:user/bob"
    with Stubber(client) as stubber:
        stubber.add_response(
            "simulate_principal_policy",
            {"EvaluationResults": evaluations, "IsTruncated": False},
            {"PolicySourceArn": caller, "ActionNames": list(NEEDED_ACTIONS)},
        )
        denied, method = Command()._simulated_denials(backend, caller)

    assert (denied, method) == ([NEEDED_ACTIONS[3]], "SimulatePrincipalPolicy")


def test_probes_report_access_denied_reads(account):
    client = boto3.client("iam", region_name="us-east-1")
    backend = AwsBackend(account, client=client)
    with Stubber(client) as stubber:
        stubber.add_client_error("get_account_authorization_details", "AccessDenied", "no", 403)
        stubber.add_response("generate_credential_report", {"State": "COMPLETE"})
        stubber.add_client_error("list_users", "AccessDenied", "no", 403)
        stubber.add_response("list_groups", {"Groups": [], "IsTruncated": False})
        stubber.add_response("list_policies", {"Policies": [], "IsTruncated": False})
        stubber.add_response("list_virtual_mfa_devices", {"VirtualMFADevices": [], "IsTruncated": False})
        stubber.add_response("get_account_summary", {"SummaryMap": {}})
        stubber.add_response("list_account_aliases", {"AccountAliases": [], "IsTruncated": False})
        denied = Command()._probed_denials(backend)

    assert denied == ["iam:GetAccountAuthorizationDetails", "iam:ListUsers"]


def test_a_role_client_is_reused_until_its_credentials_near_expiry(db, moto_reset):
    from iamconsole.backends import aws

    run("connect", "--account-id", "123456789012", "--endpoint-url", moto_reset, "--role-arn",
        "arn:aws:iam::123456789012:role/console")  # fmt: skip
    account = Account.objects.get(account_id="123456789012")
    aws.clear_clients()
    first = aws.make_client(account)
    assert aws.make_client(account) is first

    key = (*aws.connection_settings(account), "iam")
    aws._clients[key] = (first, datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=1))

    assert aws.make_client(account) is not first  # assumed again: less than 5 minutes were left
