"""Hand-made SigV4 requests for the tests that need to break them: botocore signs, the test tampers."""

import datetime
import xml.etree.ElementTree as ET
from unittest import mock

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

FORM = "application/x-www-form-urlencoded; charset=utf-8"
NS = {"iam": "https://iam.amazonaws.com/doc/2010-05-08/"}


def sign(
    url: str,
    key: tuple[str, str],
    body: str = "",
    *,
    method: str = "POST",
    when: datetime.datetime | None = None,
    service: str = "iam",
    region: str = "us-east-1",
    headers: dict | None = None,
) -> AWSRequest:
    """A request signed by botocore with `key` = (ID, secret) at `when` (now by default)."""
    request = AWSRequest(
        method=method, url=url, data=body.encode(), headers={"Content-Type": FORM, **(headers or {})}
    )
    when = when or datetime.datetime.now(datetime.UTC)
    naive_utc = when.astimezone(datetime.UTC).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=naive_utc):
        SigV4Auth(Credentials(*key), service, region).add_auth(request)
    return request


def error_parts(content: bytes) -> tuple[str, str, str]:
    """(Type, Code, Message) of an `<ErrorResponse>` body; checks its RequestId is there."""
    root = ET.fromstring(content)
    assert root.tag == "{https://iam.amazonaws.com/doc/2010-05-08/}ErrorResponse"
    error = root.find("iam:Error", NS)
    assert root.find("iam:RequestId", NS).text
    return (
        error.find("iam:Type", NS).text,
        error.find("iam:Code", NS).text,
        error.findtext("iam:Message", "", NS),
    )
