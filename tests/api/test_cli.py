"""The real AWS CLI (`.venv/bin/aws`) against the sandbox, with keys made by `manage.py sandbox create`.

This is the README's promise: point AWS_ENDPOINT_URL at `<console>/aws` and the CLI works.
"""

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from users.models import IAMUser

AWS = Path(sys.executable).parent / "aws"


@pytest.fixture
def sandbox(catalog):
    """`manage.py sandbox create --root-access-key --admin-user admin --json`, as a script would run it."""
    out = io.StringIO()
    call_command(
        "sandbox",
        "create",
        "--account-id",
        "111122223333",
        "--root-access-key",
        "--admin-user",
        "admin",
        "--json",
        stdout=out,
    )
    return json.loads(out.getvalue())


@pytest.fixture
def aws(endpoint, tmp_path):
    if not AWS.exists():
        pytest.fail(f"the AWS CLI is missing at {AWS}: pip install awscli (requirements-dev.txt)")

    def aws(key_id, secret, *args):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(tmp_path),
            "AWS_ACCESS_KEY_ID": key_id,
            "AWS_SECRET_ACCESS_KEY": secret,
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            "AWS_MAX_ATTEMPTS": "1",
        }
        return subprocess.run(
            [str(AWS), *args, "--output", "json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    return aws


def test_the_cli_creates_and_lists_users_as_root(aws, sandbox):
    root = (sandbox["RootAccessKeyId"], sandbox["RootSecretAccessKey"])

    created = aws(*root, "iam", "create-user", "--user-name", "carol", "--tags", "Key=team,Value=blue")
    listed = aws(*root, "iam", "list-users")

    assert created.returncode == 0, created.stderr
    user = json.loads(created.stdout)["User"]
    assert user["Arn"] == "arn:aws:iam::111122223333:user/carol"
    assert user["Tags"] == [{"Key": "team", "Value": "blue"}]
    assert listed.returncode == 0, listed.stderr
    assert [u["UserName"] for u in json.loads(listed.stdout)["Users"]] == ["admin", "carol"]
    assert IAMUser.objects.filter(account__account_id="111122223333", name="carol").exists()


def test_the_cli_reports_aws_errors(aws, sandbox):
    root = (sandbox["RootAccessKeyId"], sandbox["RootSecretAccessKey"])

    result = aws(*root, "iam", "get-user", "--user-name", "ghost")

    assert result.returncode != 0  # 255 with CLI v1, 254 with v2
    assert (
        "An error occurred (NoSuchEntity) when calling the GetUser operation: "
        "The user with name ghost cannot be found." in result.stderr
    )


def test_sts_get_caller_identity_names_the_signer(aws, sandbox):
    root = aws(sandbox["RootAccessKeyId"], sandbox["RootSecretAccessKey"], "sts", "get-caller-identity")
    admin = aws(sandbox["AccessKeyId"], sandbox["SecretAccessKey"], "sts", "get-caller-identity")

    assert root.returncode == 0, root.stderr
    assert json.loads(root.stdout) == {
        "UserId": "111122223333",
        "Account": "111122223333",
        "Arn": "arn:aws:iam::111122223333:root",
    }
    assert admin.returncode == 0, admin.stderr
    assert json.loads(admin.stdout)["Arn"] == "arn:aws:iam::111122223333:user/admin"


def test_a_wrong_secret_is_refused_by_signature(aws, sandbox):
    result = aws(sandbox["RootAccessKeyId"], "x" * 40, "iam", "list-users")

    assert result.returncode != 0  # 255 with CLI v1, 254 with v2
    assert "(SignatureDoesNotMatch)" in result.stderr
