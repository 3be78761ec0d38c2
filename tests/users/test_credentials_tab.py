"""The Security credentials tab's body: security_credentials_context + user_security_credentials.html.

The details page (users/views_detail.py) merges the context and includes the template; these tests
render the include the same way, from a signed-in request, so they do not depend on that page.
"""

import pytest
from django.http import Http404
from django.template.loader import render_to_string
from django.test import RequestFactory

from iamconsole.backends import get_backend
from tests.contract.test_signing_certificates import signing_cert
from tests.contract.test_ssh_keys import openssh
from users.views_credentials import security_credentials_context

SECTIONS = [
    "Console sign-in",
    "Multi-factor authentication (MFA)",
    "Access keys",
    "SSH public keys for AWS CodeCommit",
    "HTTPS Git credentials for AWS CodeCommit",
    "X.509 Signing certificates",
]


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    return iam


@pytest.fixture
def request_(account):
    request = RequestFactory().get("/users/details/alice", {"tab": "security_credentials"})
    request.user = account.root_operator
    request.account = account
    request.iam = get_backend(account)
    return request


def render_tab(request_, user_name="alice") -> str:
    context = security_credentials_context(request_, user_name)
    return render_to_string("users/user_security_credentials.html", context, request=request_)


def test_the_sections_come_in_awss_order(iam, request_):
    html = render_tab(request_)

    positions = [html.index(f">{title}") for title in SECTIONS]
    assert positions == sorted(positions)


def test_a_user_without_credentials_gets_every_empty_state(iam, request_):
    html = render_tab(request_)

    assert "https://123456789012.signin.aws.amazon.com/console" in html
    assert "Not enabled" in html
    assert "Enable console access" in html
    for empty in ("No MFA devices", "No access keys", "No SSH public keys", "No HTTPS Git credentials"):
        assert empty in html
    assert "No X.509 certificates" in html


def test_the_sign_in_link_uses_the_account_alias(iam, request_, account):
    iam.create_account_alias(AccountAlias="training-sandbox")
    account.refresh_from_db()

    assert "https://training-sandbox.signin.aws.amazon.com/console" in render_tab(request_)


def test_a_console_password_shows_as_enabled_with_manage_and_the_reset_flag(iam, request_):
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234", PasswordResetRequired=True)

    html = render_tab(request_)

    assert "Manage console access" in html
    assert "Enabled" in html
    assert "A new password must be created at next sign-in." in html
    assert "Never" in html  # last console sign-in


def test_access_keys_show_status_description_and_last_used(iam, request_):
    key = iam.create_access_key(UserName="alice")["AccessKey"]
    iam.tag_user(UserName="alice", Tags=[{"Key": key["AccessKeyId"], "Value": "deploy bot"}])
    iam.update_access_key(UserName="alice", AccessKeyId=key["AccessKeyId"], Status="Inactive")

    html = render_tab(request_)

    assert key["AccessKeyId"] in html
    assert "deploy bot" in html
    assert "Inactive" in html and "Activate" in html
    assert "N/A" in html  # never used: region and service
    assert key["SecretAccessKey"] not in html


def test_create_access_key_is_disabled_at_two_keys(iam, request_):
    iam.create_access_key(UserName="alice")
    assert 'href="/users/details/alice/access-keys/create"' in render_tab(request_)

    iam.create_access_key(UserName="alice")
    html = render_tab(request_)

    assert 'href="/users/details/alice/access-keys/create"' not in html
    assert (
        '<button class="btn" type="button" disabled aria-describedby="access-keys-limit">Create access key'
        in html
    )


def test_every_kind_of_credential_is_listed_with_its_actions(iam, request_):
    ssh = iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh())["SSHPublicKey"]
    cert = iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert())["Certificate"]
    git = iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")[
        "ServiceSpecificCredential"
    ]

    html = render_tab(request_)

    assert f"/users/details/alice/ssh-keys/{ssh['SSHPublicKeyId']}/status" in html
    assert f"/users/details/alice/signing-certificates/{cert['CertificateId']}/delete" in html
    assert git["ServiceUserName"] in html
    assert f"/users/details/alice/git-credentials/{git['ServiceSpecificCredentialId']}/reset" in html
    assert git["ServicePassword"] not in html


def test_keyspaces_credentials_are_not_listed_as_git_credentials(iam, request_):
    iam.create_service_specific_credential(UserName="alice", ServiceName="cassandra.amazonaws.com")

    assert "No HTTPS Git credentials" in render_tab(request_)


def test_an_unknown_user_is_a_404(iam, request_):
    with pytest.raises(Http404):
        security_credentials_context(request_, "nobody")


def test_the_number_of_queries_does_not_grow_with_the_credentials(
    iam, request_, django_assert_max_num_queries
):
    with django_assert_max_num_queries(80) as baseline:
        render_tab(request_)
    for name in ("one", "two"):
        iam.create_access_key(UserName="alice")
        iam.upload_ssh_public_key(UserName="alice", SSHPublicKeyBody=openssh(name))
        iam.create_service_specific_credential(UserName="alice", ServiceName="codecommit.amazonaws.com")
    iam.upload_signing_certificate(UserName="alice", CertificateBody=signing_cert())

    # Each access key (two at most) costs one GetAccessKeyLastUsed call; nothing else grows with the lists.
    with django_assert_max_num_queries(len(baseline.captured_queries) + 2 * 5):
        render_tab(request_)


def test_the_details_page_includes_the_tab(client, account, iam):
    client.force_login(account.root_operator)

    html = client.get("/users/details/alice", {"tab": "security_credentials"}).content.decode()

    assert 'id="security-credentials"' in html
    assert all(f">{title}" in html for title in SECTIONS)
