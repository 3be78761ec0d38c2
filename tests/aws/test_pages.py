"""The console's pages on a connected AWS account (AwsBackend on a moto server), through Django's client."""

import json

import pytest
from botocore.awsrequest import AWSResponse

from iamconsole.backends.aws import make_client

POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}


# moto 5.2 fails ListServiceSpecificCredentials with an HTTP 500 (retried, then ServiceFailure): answer it
# as AWS does for a user without any, so the page tests stay fast.
NO_SERVICE_CREDENTIALS = (
    b"<ListServiceSpecificCredentialsResponse xmlns='https://iam.amazonaws.com/doc/2010-05-08/'>"
    b"<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials/></ListServiceSpecificCredentialsResult>"
    b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListServiceSpecificCredentialsResponse>"
)


class _Raw:
    def stream(self, **kwargs):
        yield NO_SERVICE_CREDENTIALS


def _no_service_credentials(request, **kwargs):
    return AWSResponse(request.url, 200, {}, _Raw())


@pytest.fixture
def operator(client, account):
    events = make_client(account).meta.events  # the client the pages' backend uses (cached)
    events.register("before-send.iam.ListServiceSpecificCredentials", _no_service_credentials)
    client.force_login(account.root_operator)
    yield client
    events.unregister("before-send.iam.ListServiceSpecificCredentials", _no_service_credentials)


@pytest.fixture
def alice(backend):
    backend.create_group(GroupName="devs")
    backend.create_user(UserName="alice", Tags=[{"Key": "team", "Value": "blue"}])
    backend.add_user_to_group(GroupName="devs", UserName="alice")
    backend.create_login_profile(UserName="alice", Password="Secret-pass-123")
    backend.create_access_key(UserName="alice")
    backend.put_user_policy(UserName="alice", PolicyName="inline-s3", PolicyDocument=json.dumps(POLICY))
    backend.create_user(UserName="bob")
    return "alice"


def test_the_users_list_renders_the_aws_users(operator, alice):
    response = operator.get("/users")

    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/users/details/alice"' in page and 'href="/users/details/bob"' in page


def test_the_users_list_searches_on_aws(operator, alice):
    page = operator.get("/users", {"q": "bo"}).content.decode()

    assert 'href="/users/details/bob"' in page
    assert 'href="/users/details/alice"' not in page


def test_a_users_details_render_from_aws(operator, alice):
    response = operator.get("/users/details/alice")

    assert response.status_code == 200
    page = response.content.decode()
    assert "arn:aws:iam::123456789012:user/alice" in page
    assert "inline-s3" in page  # the permissions tab


def test_a_users_other_tabs_render_from_aws(operator, alice):
    for tab in ("groups", "tags", "security_credentials"):
        response = operator.get("/users/details/alice", {"tab": tab})
        assert response.status_code == 200, tab
    assert "blue" in operator.get("/users/details/alice", {"tab": "tags"}).content.decode()
    assert "devs" in operator.get("/users/details/alice", {"tab": "groups"}).content.decode()


def test_an_unknown_user_is_a_404(operator, account):
    assert operator.get("/users/details/nobody").status_code == 404


def test_the_groups_list_renders_the_aws_groups(operator, alice):
    response = operator.get("/groups")

    assert response.status_code == 200
    assert "devs" in response.content.decode()


def test_the_dashboard_renders_on_a_connected_account(operator, alice):
    response = operator.get("/")

    assert response.status_code == 200
    assert "123456789012" in response.content.decode()
