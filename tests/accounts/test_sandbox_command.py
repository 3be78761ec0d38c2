"""`manage.py sandbox ...`: non-interactive sandboxes for scripts and instructors."""

import io
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from accounts.models import Account
from iamconsole.backends import get_backend


def sandbox(*args) -> str:
    out = io.StringIO()
    call_command("sandbox", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_with_everything_prints_the_json_it_promises():
    result = json.loads(
        sandbox(
            "create",
            "--account-id",
            "111122223333",
            "--alias",
            "training-01",
            "--root-email",
            "t@example.com",
            "--root-password",
            "Root-pass-1234",
            "--admin-user",
            "admin",
            "--root-access-key",
            "--json",
        )
    )

    assert list(result) == [
        "AccountId",
        "Alias",
        "RootEmail",
        "RootPassword",
        "AdminUser",
        "AccessKeyId",
        "SecretAccessKey",
        "RootAccessKeyId",
        "RootSecretAccessKey",
        "SignInUrl",
    ]
    assert result["AccountId"] == "111122223333"
    assert result["Alias"] == "training-01"
    assert result["AccessKeyId"].startswith("AKIA") and len(result["SecretAccessKey"]) == 40
    iam = get_backend(Account.objects.get(account_id="111122223333"))
    attached = iam.list_attached_user_policies(UserName="admin")["AttachedPolicies"]
    assert [p["PolicyArn"] for p in attached] == ["arn:aws:iam::aws:policy/AdministratorAccess"]
    assert get_user_model().objects.get(username="t@example.com").check_password("Root-pass-1234")


@pytest.mark.django_db
def test_create_without_options_makes_a_random_account_and_password():
    result = json.loads(sandbox("create", "--json"))

    assert len(result["AccountId"]) == 12 and result["AccountId"].isdigit()
    assert len(result["RootPassword"]) >= 16
    assert "AccessKeyId" not in result


@pytest.mark.django_db
def test_create_refuses_a_taken_or_malformed_account_id():
    sandbox("create", "--account-id", "111122223333")

    with pytest.raises(CommandError, match="already exists"):
        sandbox("create", "--account-id", "111122223333")
    with pytest.raises(CommandError, match="12 digits"):
        sandbox("create", "--account-id", "12345")


@pytest.mark.django_db
def test_reset_empties_iam_but_keeps_the_account_and_root_keys():
    result = json.loads(
        sandbox("create", "--account-id", "111122223333", "--root-access-key", "--admin-user", "a", "--json")
    )
    account = Account.objects.get(account_id="111122223333")
    iam = get_backend(account)
    iam.update_account_password_policy(MinimumPasswordLength=12)

    sandbox("reset", "111122223333")

    assert iam.list_users()["Users"] == []
    assert iam.list_access_keys()["AccessKeyMetadata"][0]["AccessKeyId"] == result["RootAccessKeyId"]
    with pytest.raises(Exception, match="Password Policy"):
        iam.get_account_password_policy()


@pytest.mark.django_db
def test_list_and_delete():
    sandbox("create", "--account-id", "111122223333", "--alias", "listed")

    assert "111122223333\tlisted\tlocal" in sandbox("list")
    sandbox("delete", "111122223333")
    assert not Account.objects.exists()
    with pytest.raises(CommandError, match="No account"):
        sandbox("delete", "111122223333")


@pytest.mark.django_db
def test_demo_is_made_once_and_prints_a_working_password():
    first = sandbox("demo")
    second = sandbox("demo")

    assert "Created the demo sandbox." in first and "Created" not in second
    assert Account.objects.count() == 1
    password = second.split("Password: ")[1].strip()
    assert get_user_model().objects.get(username="demo@iamconsole.local").check_password(password)
