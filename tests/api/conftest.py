"""Query API tests: real HTTP against pytest-django's live_server, with boto3 clients and the AWS CLI.

`live_server` makes every test transactional; the `catalog` fixture (tests/conftest.py) loads the AWS
managed policies back for the tests that attach them.
"""

import boto3
import pytest
from botocore.config import Config

from iamconsole.backends import get_backend

REGION = "us-east-1"


@pytest.fixture
def endpoint(live_server):
    return live_server.url + "/aws"


@pytest.fixture
def root_key(account):
    """An access key of the account's root: (access key ID, secret)."""
    key = get_backend(account).create_access_key()["AccessKey"]
    return key["AccessKeyId"], key["SecretAccessKey"]


@pytest.fixture
def make_client(endpoint, monkeypatch):
    """`make_client(key, service="iam", region=...)`: a boto3 client signing with `key` = (ID, secret)."""
    # No profile, config file or environment credentials of the machine running the tests may leak in.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_CONFIG_FILE", "/dev/null")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")

    def make(key, service="iam", region=REGION, **config):
        return boto3.session.Session().client(
            service,
            endpoint_url=endpoint,
            region_name=region,
            aws_access_key_id=key[0],
            aws_secret_access_key=key[1],
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
        )

    return make


@pytest.fixture
def iam(make_client, root_key):
    """A boto3 IAM client signing as the account's root."""
    return make_client(root_key)
