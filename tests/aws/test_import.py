"""`manage.py account import`: a connected account's IAM shape copied into a new sandbox, no secrets."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from accounts.models import Account
from iamconsole.backends import get_backend

DOCUMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'


def run(*args) -> dict:
    out = io.StringIO()
    call_command("account", "import", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


def test_it_copies_users_groups_policies_and_attachments_but_no_secrets(iam, account):
    policy = iam.create_policy(PolicyName="team-s3", Path="/teams/", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=policy)
    iam.put_group_policy(GroupName="devs", PolicyName="inline-g", PolicyDocument=DOCUMENT)
    iam.create_user(UserName="alice", Path="/eng/", Tags=[{"Key": "team", "Value": "blue"}])
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    iam.attach_user_policy(UserName="alice", PolicyArn=policy)  # moto serves no AWS managed policies
    iam.put_user_policy(UserName="alice", PolicyName="inline-u", PolicyDocument=DOCUMENT)
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234!")
    iam.create_access_key(UserName="alice")

    result = run(account.account_id, "--into-account-id", "999988887777", "--root-email", "t@example.com")

    assert result["AccountId"] == "999988887777"
    assert result["Copied"] == {
        "customer managed policies": 1,
        "groups": 1,
        "inline policies": 2,
        "policy attachments": 2,
        "users": 1,
        "group memberships": 1,
    }
    sandbox = get_backend(Account.objects.get(account_id="999988887777"))
    user = sandbox.get_user(UserName="alice")["User"]
    assert user["Path"] == "/eng/" and user["Tags"] == [{"Key": "team", "Value": "blue"}]
    attached = sandbox.list_attached_group_policies(GroupName="devs")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::999988887777:policy/teams/team-s3"]
    assert sandbox.list_user_policies(UserName="alice")["PolicyNames"] == ["inline-u"]
    assert (
        sandbox.list_attached_user_policies(UserName="alice")["AttachedPolicies"][0]["PolicyName"]
        == "team-s3"
    )
    assert [g["GroupName"] for g in sandbox.list_groups_for_user(UserName="alice")["Groups"]] == ["devs"]
    assert sandbox.list_access_keys(UserName="alice")["AccessKeyMetadata"] == []
    with pytest.raises(Exception, match="Login Profile"):
        sandbox.get_login_profile(UserName="alice")


def test_a_sandbox_or_unknown_account_cannot_be_imported(iam, account):
    with pytest.raises(CommandError, match="No connected AWS account"):
        run("000000000000")
