"""The "Connect AWS account" and "Test connection" pages, and "Import into a sandbox", against a moto server."""

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend

DOCUMENT = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"}]}'


@pytest.fixture
def operator(client, account):
    client.force_login(account.root_operator)
    return client


def _connect(operator, endpoint, **fields):
    data = {"account_id": "111122223333", "alias": "prod", "region": "us-east-1", "endpoint_url": endpoint}
    return operator.post("/account/connect", {**data, **fields})


def test_the_connect_page_shows_the_form(operator):
    response = operator.get("/account/connect")

    page = response.content.decode()
    assert response.status_code == 200
    for label in ("Account ID", "Alias", "Region", "Endpoint URL", "Profile", "Role ARN"):
        assert f">{label}</label>" in page
    assert "<h1>Connect AWS account</h1>" in page


def test_the_connect_form_is_an_htmx_partial(operator):
    response = operator.get("/account/connect", headers={"HX-Request": "true"})

    page = response.content.decode()
    assert 'id="connect-form"' in page and "<h1>" not in page


def test_the_frame_links_to_connect_and_to_the_test_of_an_aws_account(operator):
    page = operator.get("/account/connect").content.decode()

    assert 'href="/account/connect"' in page
    assert 'href="/account/connect/123456789012/test"' in page


def test_the_pages_need_sign_in(client, account):
    for url in ("/account/connect", "/account/connect/123456789012/test"):
        assert client.get(url).status_code == 302
    assert client.post("/account/connect/123456789012/import").status_code == 302


def test_connecting_records_the_account_for_the_operator_and_opens_its_test(operator, account, moto_reset):
    response = _connect(operator, moto_reset)

    assert response.status_code == 302 and response["Location"] == "/account/connect/111122223333/test"
    connected = account.root_operator.accounts.get(account_id="111122223333")
    assert (connected.kind, connected.alias, connected.endpoint_url, connected.region) == (
        "aws",
        "prod",
        moto_reset,
        "us-east-1",
    )
    assert connected.root_operator == account.root_operator
    assert account.root_operator.check_password("Root-pass-1234")  # the operator keeps their password
    page = operator.get(response["Location"]).content.decode()
    assert "AWS account 111122223333 connected." in page


def test_an_htmx_connect_answers_a_client_redirect(operator):
    response = operator.post(
        "/account/connect", {"account_id": "777788889999"}, headers={"HX-Request": "true"}
    )
    assert response["HX-Redirect"] == "/account/connect/777788889999/test"


@pytest.mark.parametrize(
    ("fields", "field_error"),
    [
        ({"account_id": "12345"}, "The account ID must be 12 digits."),
        ({"account_id": "123456789012"}, "Account 123456789012 already exists."),
        ({"region": "moon"}, "Enter a region name such as us-east-1."),
        ({"role_arn": "not-an-arn"}, "Enter a role ARN such as"),
        (
            {"profile": "admin", "role_arn": "arn:aws:iam::111122223333:role/console"},
            "Choose a profile or a role ARN, not both.",
        ),
    ],
)
def test_invalid_settings_are_re_rendered_with_the_error(operator, account, moto_reset, fields, field_error):
    response = _connect(operator, moto_reset, **fields)

    assert response.status_code == 200
    page = response.content.decode()
    assert field_error in page and 'aria-invalid="true"' in page
    assert list(account.root_operator.accounts.values_list("account_id", flat=True)) == ["123456789012"]


def test_a_taken_alias_is_refused(operator, account, moto_reset):
    account.alias = "prod"
    account.save(update_fields=["alias"])

    response = _connect(operator, moto_reset)

    assert "The alias prod is taken." in response.content.decode()
    assert not account.root_operator.accounts.filter(account_id="111122223333").exists()


def test_the_test_page_shows_the_caller_and_no_denied_action(operator):
    response = operator.get("/account/connect/123456789012/test")

    page = response.content.decode()
    assert response.status_code == 200
    assert "arn:aws:sts::123456789012:user/moto" in page  # moto's caller
    assert "Connected, no action denied" in page
    assert "tried the reads" in page
    assert "Import into a sandbox" in page


def test_the_test_result_is_an_htmx_partial(operator):
    page = operator.get("/account/connect/123456789012/test", headers={"HX-Request": "true"}).content.decode()

    assert 'id="test-result"' in page and "Connection settings" not in page


def test_credentials_of_another_account_are_warned_about(operator, moto_reset):
    _connect(operator, moto_reset)

    page = operator.get("/account/connect/111122223333/test").content.decode()

    assert "The credentials belong to account 123456789012, not 111122223333." in page


def test_a_failing_connection_is_shown_not_a_500(operator, moto_reset):
    _connect(operator, moto_reset, profile="no-such-profile")

    response = operator.get("/account/connect/111122223333/test")

    assert response.status_code == 200
    page = response.content.decode()
    assert "Connection failed" in page and "STS GetCallerIdentity failed" in page
    assert "no-such-profile" in page


def test_an_unknown_a_sandbox_or_another_operators_account_is_404(operator, account):
    create_account(
        account_id="222233334444", root_email="other@example.com", root_password="Other-pass-1234", kind="aws"
    )
    create_account(account_id="555566667777", root_email="root@example.com", root_password="x")  # a sandbox

    for account_id in ("999999999999", "222233334444", "555566667777"):
        assert operator.get(f"/account/connect/{account_id}/test").status_code == 404
        assert operator.post(f"/account/connect/{account_id}/import").status_code == 404


def test_wrong_methods_are_405(operator):
    assert operator.post("/account/connect/123456789012/test").status_code == 405
    assert operator.get("/account/connect/123456789012/import").status_code == 405
    assert operator.put("/account/connect").status_code == 405


def test_import_copies_the_account_into_a_new_sandbox_of_the_operator(operator, account, backend):
    arn = backend.create_policy(PolicyName="team-s3", PolicyDocument=DOCUMENT)["Policy"]["Arn"]
    backend.create_group(GroupName="devs")
    backend.create_user(UserName="alice")
    backend.add_user_to_group(GroupName="devs", UserName="alice")
    backend.attach_user_policy(UserName="alice", PolicyArn=arn)
    backend.create_access_key(UserName="alice")

    response = operator.post("/account/connect/123456789012/import", follow=True)

    sandbox = account.root_operator.accounts.exclude(account_id="123456789012").get()
    assert sandbox.kind == "local"
    page = response.content.decode()
    assert f"Imported 123456789012 into sandbox {sandbox.account_id}:" in page
    assert "1 customer managed policies, 1 groups, 1 policy attachments, 1 group memberships, 1 users" in page
    local = get_backend(sandbox)
    assert [u["UserName"] for u in local.list_users()["Users"]] == ["alice"]
    assert local.list_access_keys(UserName="alice")["AccessKeyMetadata"] == []


def test_an_iam_user_is_refused_the_pages(client, db, moto_reset):
    sandbox = create_account(
        account_id="333344445555", root_email="t@example.com", root_password="T-pass-12345"
    )
    iam = get_backend(sandbox)
    iam.create_user(UserName="alice")
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234")
    signed_in = client.post(
        "/signin", {"account": "333344445555", "username": "alice", "password": "Alice-pass-1234"}
    )
    assert signed_in.status_code == 302

    assert client.get("/account/connect").status_code == 403
    assert client.post("/account/connect", {"account_id": "111122223333"}).status_code == 403
    assert not sandbox.root_operator.accounts.filter(account_id="111122223333").exists()
