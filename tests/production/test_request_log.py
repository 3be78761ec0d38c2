"""The request log: one JSON line per request, with the agreed fields and never a secret."""

import io
import json
import logging
import re

import pytest
from django.test import Client

from accounts import downloads
from iamconsole.backends import get_backend
from tests.api.signing import FORM, sign

FIELDS = {"time", "request_id", "account", "principal", "method", "path", "status", "duration_ms"}


@pytest.fixture
def log_lines():
    """The lines the `iamconsole.requests` logger writes during the test (it is off outside production)."""
    logger = logging.getLogger("iamconsole.requests")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(message)s"))
    level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield lambda: stream.getvalue().splitlines()
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)


def only_line(lines) -> dict:
    assert len(lines) == 1, lines
    return json.loads(lines[0])


@pytest.mark.django_db
def test_a_console_page_logs_one_line_with_account_principal_and_timing(log_lines, account):
    client = Client()
    client.force_login(account.root_operator)

    response = client.get("/")

    record = only_line(log_lines())
    assert set(record) == FIELDS
    assert record["account"] == "123456789012"
    assert record["principal"] == "arn:aws:iam::123456789012:root"
    assert (record["method"], record["path"], record["status"]) == ("GET", "/", response.status_code)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", record["time"])
    assert isinstance(record["duration_ms"], float) and record["duration_ms"] >= 0
    assert response["X-Request-ID"] == record["request_id"]


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_account_and_no_query_string(log_lines):
    Client().get("/login", {"next": "/users", "code": "123456"})

    record = only_line(log_lines())
    assert record["account"] is None and record["principal"] is None
    assert record["path"] == "/login"
    assert "123456" not in log_lines()[0]


@pytest.mark.django_db
def test_a_sign_in_logs_neither_the_email_nor_the_password(log_lines, account):
    Client().post("/login", {"username": "root@example.com", "password": "Root-pass-1234"})

    line = log_lines()[-1]
    assert json.loads(line)["method"] == "POST"
    assert "Root-pass-1234" not in line and "root@example.com" not in line


@pytest.mark.django_db
def test_an_api_call_logs_its_request_id_and_access_key_but_not_the_secret(log_lines, account):
    key = get_backend(account).create_access_key()["AccessKey"]
    signed = sign(
        "http://testserver/aws/",
        (key["AccessKeyId"], key["SecretAccessKey"]),
        "Action=GetUser&Version=2010-05-08",
    )

    headers = {"Host": "testserver", **{k: v for k, v in signed.headers.items() if k != "Content-Type"}}

    response = Client().post("/aws/", data=signed.body, content_type=FORM, headers=headers)

    line = log_lines()[-1]
    record = json.loads(line)
    assert response.status_code == 200, response.content
    assert record["request_id"] == response["x-amzn-RequestId"]
    assert record["access_key_id"] == key["AccessKeyId"]
    assert record["status"] == 200 and record["path"] == "/aws/"
    assert key["SecretAccessKey"] not in line
    signature = signed.headers["Authorization"].rsplit("Signature=", 1)[1]
    assert signature not in line


@pytest.mark.django_db
def test_a_one_time_download_token_is_redacted(log_lines, account):
    client = Client()
    client.force_login(account.root_operator)
    token = downloads.offer(account, account.root_operator, "keys.csv", "AKIA...,secret")

    client.get(f"/downloads/{token}")

    line = log_lines()[-1]
    assert token not in line
    assert json.loads(line)["path"] == "/downloads/[redacted]"


@pytest.mark.django_db
def test_user_text_in_a_path_cannot_break_the_line(log_lines):
    Client().get('/users/a"b%0a{"status":200}\u00e9/x')

    lines = log_lines()
    assert len(lines) == 1  # the encoded newline stayed inside the JSON string
    record = json.loads(lines[0])
    assert record["path"] == '/users/a"b\n{"status":200}\u00e9/x'
    assert record["status"] in (302, 404)
    assert lines[0].isascii()


@pytest.mark.django_db
def test_a_proxys_request_id_is_kept_only_when_it_is_plain(log_lines):
    Client().get("/healthz", headers={"X-Request-ID": "lb-1234"})
    Client().get("/healthz", headers={"X-Request-ID": "bad id\nwith newline"})

    first, second = (json.loads(line) for line in log_lines())
    assert first["request_id"] == "lb-1234"
    assert re.fullmatch(r"[0-9a-f-]{36}", second["request_id"])
