"""One cluster of two gunicorn instances for the whole run (tests/instances/harness.py) and HTTP helpers."""

import re

import boto3
import pytest
import requests
from botocore.config import Config

from .harness import Cluster


@pytest.fixture(scope="session")
def cluster(tmp_path_factory):
    cluster = Cluster(instances=2, workers=2, log_dir=tmp_path_factory.mktemp("logs"))
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@pytest.fixture(autouse=True)
def _proxies_up(request):
    """Whatever a fault test did, the next test starts with both proxies forwarding."""
    yield
    if "cluster" in request.fixturenames:
        cluster = request.getfixturevalue("cluster")
        cluster.pg_proxy.restore()
        cluster.redis_proxy.restore()


def iam_client(cluster, index: int):
    """boto3 IAM on instance `index`, signed with the account's root key, without retries."""
    return boto3.session.Session().client(
        "iam",
        endpoint_url=f"{cluster.urls[index]}/aws",
        region_name="us-east-1",
        aws_access_key_id=cluster.sandbox["RootAccessKeyId"],
        aws_secret_access_key=cluster.sandbox["RootSecretAccessKey"],
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=30),
    )


def csrf(session: requests.Session, url: str) -> str:
    """GET `url` and return the CSRF token its form carries."""
    page = session.get(url)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def root_sign_in(session: requests.Session, base: str) -> requests.Response:
    token = csrf(session, f"{base}/login")
    return session.post(
        f"{base}/login",
        data={"csrfmiddlewaretoken": token, "email": "root@example.com", "password": "Root-pass-1234"},
        allow_redirects=False,
    )


def iam_sign_in(base: str, user: str, password: str) -> requests.Response:
    """One IAM-user sign-in attempt from a fresh browser on `base`."""
    session = requests.Session()
    token = csrf(session, f"{base}/signin")
    return session.post(
        f"{base}/signin",
        data={
            "csrfmiddlewaretoken": token,
            "account": "111122223333",
            "username": user,
            "password": password,
        },
        allow_redirects=False,
    )
