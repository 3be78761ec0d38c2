"""AwsBackend against a moto server on loopback: one server per test session, emptied before each test.

`account` here is a connected AWS account (kind "aws", ID 123456789012: moto's default account) pointed
at the server; `iam` is its backend with every output validated against botocore's output shape.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend
from iamconsole.backends.aws import clear_clients
from tests.contract.conftest import CheckedBackend

FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,  # never the developer's own profiles
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """Start moto_server on a free loopback port, wait until it answers, stop it after the session."""
    saved = {key: os.environ.get(key) for key in FAKE_ENV}
    os.environ.update(FAKE_ENV)
    del os.environ["AWS_SESSION_TOKEN"]
    port = _free_port()
    binary = Path(sys.executable).with_name("moto_server")
    command = [str(binary)] if binary.exists() else [sys.executable, "-m", "moto.server"]
    server = subprocess.Popen(
        [*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 (loopback)
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("moto_server did not start") from None
                time.sleep(0.1)
        yield endpoint
    finally:
        server.terminate()
        server.wait(timeout=10)
        clear_clients()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def moto_reset(moto_endpoint):
    """An empty moto: every test starts from a fresh AWS account."""
    request = urllib.request.Request(f"{moto_endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback)
    return moto_endpoint


@pytest.fixture
def account(db, moto_reset):
    """A connected AWS account pointed at the moto server (overrides tests/conftest.py's sandbox)."""
    account = create_account(
        account_id="123456789012", root_email="root@example.com", root_password="Root-pass-1234", kind="aws"
    )
    account.endpoint_url = moto_reset
    account.region = "us-east-1"
    account.save(update_fields=["endpoint_url", "region"])
    return account


@pytest.fixture
def backend(account):
    """The AwsBackend itself (for the console extensions and the error paths)."""
    backend = get_backend(account)
    backend.consistency_delays = (0.01, 0.01)
    backend.report_wait = (0.05,) * 20
    return backend


@pytest.fixture
def iam(backend):
    return CheckedBackend(backend)
