"""The Query wire at `/aws`: Action and Version, the form parsed by the botocore input shape, malformed
and oversized bodies, and a hypothesis fuzz of the form parser (never a 500, always AWS's XML).

These go through Django's test client (the view, middleware and URLconf, without a socket), signed by
botocore for the host `testserver`.
"""

import contextlib
import datetime
import xml.etree.ElementTree as ET
from urllib.parse import urlencode

import botocore.session
import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from api import wire, xml
from api.views import MAX_BODY_BYTES
from iamconsole.backends.errors import ValidationError
from users.models import IAMUser

from .signing import FORM, error_parts, sign

IAM_MODEL = botocore.session.get_session().get_service_model("iam")


@pytest.fixture
def post(account, root_key):
    client = Client()

    def post(body: str | bytes, *, key=root_key, method="POST", path="/aws"):
        text = body.decode("latin-1") if isinstance(body, bytes) else body
        request = sign("http://testserver" + path, key, text, method=method)
        headers = {
            k: v for k, v in request.headers.items() if k.lower() not in ("content-type", "content-length")
        }
        headers["Host"] = "testserver"  # the test client sends no Host header of its own
        return client.generic(method, path, data=body, content_type=FORM, headers=headers)

    return post


def form(**members) -> str:
    return urlencode({"Version": "2010-05-08", **members})


def answer(response) -> tuple[int, str, str]:
    _, code, message = error_parts(response.content)
    return response.status_code, code, message


# --------------------------------------------------------------------------------------------------
# Action and Version


def test_both_urls_with_and_without_a_slash_are_served(post):
    assert post(form(Action="ListUsers")).status_code == 200
    assert post(form(Action="ListUsers"), path="/aws/").status_code == 200


def test_an_unknown_action_is_invalid_action(post):
    assert answer(post(form(Action="MakeCoffee"))) == (
        400,
        "InvalidAction",
        "Could not find operation MakeCoffee for version 2010-05-08",
    )


def test_a_missing_or_other_version_is_invalid_action(post):
    assert answer(post("Action=ListUsers")) == (
        400,
        "InvalidAction",
        "Could not find operation ListUsers for version NO_VERSION_SPECIFIED",
    )
    assert answer(post("Action=ListUsers&Version=2011-06-15"))[2] == (
        "Could not find operation ListUsers for version 2011-06-15"
    )


def test_an_iam_signed_request_cannot_reach_sts_actions(post):
    assert answer(post("Action=GetCallerIdentity&Version=2011-06-15")) == (
        400,
        "InvalidAction",
        "Could not find operation GetCallerIdentity for version 2011-06-15",
    )


def test_a_missing_action_is_missing_action(post):
    status, code, _ = answer(post("Version=2010-05-08"))

    assert (status, code) == (400, "MissingAction")


def test_another_http_method_is_refused_in_xml(post):
    status, code, _ = answer(post(form(Action="ListUsers"), method="PUT"))

    assert (status, code) == (400, "InvalidAction")


# --------------------------------------------------------------------------------------------------
# The form, by the input shape


def test_lists_structures_and_integers_reach_the_backend(post, account):
    body = form(
        Action="CreateUser",
        UserName="alice",
        PermissionsBoundary="arn:aws:iam::aws:policy/ReadOnlyAccess",
        **{
            "Tags.member.2.Key": "b",
            "Tags.member.2.Value": "2",
            "Tags.member.1.Key": "a",
            "Tags.member.1.Value": "",
        },
    )

    response = post(body)

    assert response.status_code in (200, 404)  # 404 when the catalog is absent: the boundary is then unknown
    if response.status_code == 200:
        assert IAMUser.objects.get(account=account, name="alice").tags == [
            {"Key": "a", "Value": ""},
            {"Key": "b", "Value": "2"},
        ]


def test_an_empty_list_is_sent_as_a_bare_name(post, account):
    post(
        form(Action="CreateUser", UserName="alice", **{"Tags.member.1.Key": "a", "Tags.member.1.Value": "1"})
    )

    response = post(form(Action="UntagUser", UserName="alice", TagKeys=""))

    assert response.status_code == 200
    assert IAMUser.objects.get(account=account, name="alice").tags == [{"Key": "a", "Value": "1"}]
    shape = IAM_MODEL.operation_model("UntagUser").input_shape
    assert wire.parse_params(shape, [("UserName", "alice"), ("TagKeys", "")]) == {
        "UserName": "alice",
        "TagKeys": [],
    }


def test_an_unknown_member_is_a_validation_error(post):
    status, code, message = answer(post(form(Action="ListUsers", Color="blue")))

    assert (status, code) == (400, "ValidationError")
    assert message == 'Unknown parameter in input: "Color", must be one of: PathPrefix, Marker, MaxItems'


def test_a_member_of_the_wrong_type_is_a_validation_error(post):
    assert answer(post(form(Action="ListUsers", MaxItems="ten"))) == (
        400,
        "ValidationError",
        "1 validation error detected: Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be a number",
    )
    assert answer(
        post(form(Action="CreateLoginProfile", UserName="a", Password="x", PasswordResetRequired="yes"))
    )[2].endswith("at 'passwordResetRequired' failed to satisfy constraint: Member must be a boolean")


def test_a_list_numbered_from_zero_is_a_validation_error(post):
    status, code, message = answer(post(form(Action="UntagUser", UserName="a", **{"TagKeys.member.0": "x"})))

    assert (status, code) == (400, "ValidationError")
    assert "'tagKeys.member.0'" in message


def test_an_undecodable_form_is_malformed(post, account):
    status, code, _ = answer(post(b"Action=CreateUser&Version=2010-05-08&UserName=%ff%fe"))

    assert (status, code) == (400, "MalformedQueryString")
    assert not IAMUser.objects.filter(account=account).exists()


def test_an_oversized_body_is_refused_before_it_is_read(post):
    body = form(Action="ListUsers", PathPrefix="/") + "&x=" + "a" * MAX_BODY_BYTES

    response = post(body)

    assert response.status_code == 413
    assert response.content == f"HTTP content length exceeded {MAX_BODY_BYTES} bytes.".encode()
    assert response["x-amzn-RequestId"]


def test_an_unexpected_failure_is_aws_service_failure_never_an_html_page(post, monkeypatch):
    from iamconsole.backends.local import LocalBackend

    def broken(self, action, **params):
        raise RuntimeError("a bug")

    monkeypatch.setattr(LocalBackend, "call", broken)

    response = post(form(Action="ListUsers"))

    assert answer(response) == (
        500,
        "ServiceFailure",
        "The request processing has failed because of an unknown error, exception or failure.",
    )
    assert error_parts(response.content)[0] == "Receiver"


# --------------------------------------------------------------------------------------------------
# The parser on its own


def test_the_parser_builds_nested_members_from_the_input_shape():
    shape = IAM_MODEL.operation_model("SimulateCustomPolicy").input_shape
    pairs = [
        ("PolicyInputList.member.1", "{}"),
        ("ActionNames.member.2", "s3:PutObject"),
        ("ActionNames.member.1", "s3:GetObject"),
        ("ContextEntries.member.1.ContextKeyName", "aws:CurrentTime"),
        ("ContextEntries.member.1.ContextKeyType", "date"),
        ("ContextEntries.member.1.ContextKeyValues.member.1", "2026-01-01T00:00:00Z"),
        ("MaxItems", "10"),
    ]

    assert wire.parse_params(shape, pairs) == {
        "PolicyInputList": ["{}"],
        "ActionNames": ["s3:GetObject", "s3:PutObject"],
        "ContextEntries": [
            {
                "ContextKeyName": "aws:CurrentTime",
                "ContextKeyType": "date",
                "ContextKeyValues": ["2026-01-01T00:00:00Z"],
            }
        ],
        "MaxItems": 10,
    }


def test_the_parser_reads_booleans_timestamps_and_blobs():
    boolean = IAM_MODEL.shape_for("booleanType")
    timestamp = IAM_MODEL.shape_for("dateType")
    blob = IAM_MODEL.shape_for("BootstrapDatum")

    assert wire._scalar(boolean, "TRUE", "x") is True
    assert wire._scalar(timestamp, "2026-01-02T03:04:05Z", "x") == datetime.datetime(
        2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC
    )
    assert wire._scalar(blob, "aGk=", "x") == b"hi"
    with pytest.raises(ValidationError):
        wire._scalar(blob, "not base64!", "x")


def test_the_serialiser_writes_aws_scalars():
    document = IAM_MODEL.shape_for("policyDocumentType")
    timestamp = IAM_MODEL.shape_for("dateType")
    boolean = IAM_MODEL.shape_for("booleanType")
    blob = IAM_MODEL.shape_for("BootstrapDatum")
    paris = datetime.timezone(datetime.timedelta(hours=1))

    assert xml.scalar(document, {"Version": "2012-10-17"}) == "%7B%22Version%22%3A%20%222012-10-17%22%7D"
    assert (
        xml.scalar(timestamp, datetime.datetime(2026, 1, 2, 4, 4, 5, 123, tzinfo=paris))
        == "2026-01-02T03:04:05Z"
    )
    assert xml.scalar(boolean, False) == "false"
    assert xml.scalar(blob, b"hi") == "aGk="
    assert xml.text("a <b> & c\r\x00") == "a &lt;b&gt; &amp; c&#13;\ufffd"


def test_text_that_needs_escaping_survives_the_round_trip(post):
    document = (
        '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'
    )

    response = post(
        form(Action="CreatePolicy", PolicyName="p", PolicyDocument=document, Description="a <b> & 'c'")
    )

    assert response.status_code == 200
    got = post(form(Action="GetPolicy", PolicyArn="arn:aws:iam::123456789012:policy/p"))
    assert ET.fromstring(got.content).findtext(".//{*}Description") == "a <b> & 'c'"


# --------------------------------------------------------------------------------------------------
# Fuzz

OPERATIONS = sorted(IAM_MODEL.operation_names)
SEGMENTS = st.one_of(
    st.sampled_from(
        ["member", "entry", "key", "value", "1", "2", "0", "-1", "Key", "Value", "Tags", "UserName"]
    ),
    st.text(min_size=0, max_size=6),
)


@st.composite
def forms(draw):
    """A form for a random IAM action: its real member names mixed with nonsense, random values."""
    action = draw(st.one_of(st.sampled_from(OPERATIONS), st.text(max_size=12)))
    members = []
    if action in IAM_MODEL.operation_names:
        shape = IAM_MODEL.operation_model(action).input_shape
        members = list(shape.members) if shape is not None else []
    name = st.lists(st.one_of(st.sampled_from(members or ["X"]), SEGMENTS), min_size=1, max_size=6).map(
        ".".join
    )
    pairs = draw(st.lists(st.tuples(name, st.text(max_size=20)), max_size=8))
    version = draw(st.sampled_from(["2010-05-08", "2010-05-08", "", "2011-06-15"]))
    return action, version, pairs


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=forms())
def test_no_form_ever_gets_a_500_or_anything_but_aws_xml(post, case):
    action, version, pairs = case
    body = urlencode([("Action", action), ("Version", version), *pairs])

    response = post(body)

    assert response.status_code < 500 or response.status_code == 501
    assert response["Content-Type"] == "text/xml"
    root = ET.fromstring(response.content)  # well-formed XML, whatever the input
    assert root.tag.endswith("Response")


@settings(max_examples=400, deadline=None)
@given(
    action=st.sampled_from(OPERATIONS),
    pairs=st.lists(
        st.tuples(st.lists(SEGMENTS, min_size=1, max_size=8).map(".".join), st.text(max_size=10)), max_size=10
    ),
)
def test_the_parser_raises_nothing_but_validation_errors(action, pairs):
    shape = IAM_MODEL.operation_model(action).input_shape
    with contextlib.suppress(ValidationError):  # any other exception fails the test
        wire.parse_params(shape, pairs)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    signature=st.text(max_size=70),
    credential=st.text(max_size=60),
    signed=st.sampled_from(["host;x-amz-date", "host", "x-amz-date", "", "host;;x", "HOST;X-Amz-Date"]),
    date=st.one_of(st.just(None), st.text(max_size=20), st.just("20260101T000000Z")),
)
def test_no_authorization_header_ever_gets_a_500(account, root_key, signature, credential, signed, date):
    client = Client()
    header = f"AWS4-HMAC-SHA256 Credential={credential}, SignedHeaders={signed}, Signature={signature}"
    if credential.startswith("A"):
        header = f"AWS4-HMAC-SHA256 Credential={root_key[0]}/20260101/us-east-1/iam/aws4_request, Signature={signature}"
    headers = {"Host": "testserver", "Authorization": header}
    if date is not None:
        headers["X-Amz-Date"] = date

    try:
        response = client.post("/aws", data=form(Action="ListUsers"), content_type=FORM, headers=headers)
    except ValueError:  # the test client itself refuses a header with a newline
        return

    assert response.status_code in (400, 403)
    assert ET.fromstring(response.content).tag.endswith("ErrorResponse")
