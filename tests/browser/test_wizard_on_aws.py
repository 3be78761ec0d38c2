"""The add-users wizard in Chromium on a connected AWS account (a moto server): the root operator adds two
users with a custom console password and an access key, a customer managed policy attached directly and
a tag; the push to AWS runs in its background thread (users/push.py) while the progress page polls; the
credentials are shown once, with the CSV; then what AWS has is checked through boto3.

moto's server has no AWS managed policies (MOTO_IAM_LOAD_MANAGED_POLICIES is off), so the policy ticked is
a customer managed one made beforehand, and the account lets users change their own password, so the
wizard attaches no IAMUserChangePassword for the required reset.
"""

import csv
import json
import re
import threading
import urllib.parse
from types import SimpleNamespace

import boto3
import pytest
from django.db import connections
from playwright.sync_api import expect

from accounts.services import create_account
from iamconsole.backends.aws import AwsBackend, make_client
from tests.aws.conftest import moto_endpoint, moto_reset  # noqa: F401 (fixtures)
from users import push

NAMES = ["web-1", "web-2"]
PASSWORD = "Custom-Pass-4-all!"
SIGN_IN_URL = "https://123456789012.signin.aws.amazon.com/console"
POLICY_ARN = "arn:aws:iam::123456789012:policy/web-read"
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
)


@pytest.fixture
def aws(moto_reset):  # noqa: F811 (the imported fixture)
    """A plain boto3 client on the moto server: the account as it is before, and seen from outside."""
    aws = boto3.client("iam", endpoint_url=moto_reset, region_name="us-east-1")
    aws.update_account_password_policy(MinimumPasswordLength=12, AllowUsersToChangePassword=True)
    aws.create_policy(PolicyName="web-read", PolicyDocument=DOCUMENT, Description="Read the web bucket")
    aws.create_policy(PolicyName="db-read", PolicyDocument=DOCUMENT)
    return aws


@pytest.fixture
def connected(transactional_db, moto_reset, monkeypatch):  # noqa: F811 (the imported fixture)
    """A connected AWS account (kind "aws") pointed at the moto server, as tests/aws/conftest.py's
    `account`, but in a transactional database the live server and the push's thread can see."""
    monkeypatch.setattr(AwsBackend, "consistency_delays", (0.01, 0.01))
    account = create_account(
        account_id="123456789012", root_email="root@example.com", root_password="Root-pass-1234", kind="aws"
    )
    account.endpoint_url = moto_reset
    account.region = "us-east-1"
    account.save(update_fields=["endpoint_url", "region"])
    return account


@pytest.fixture
def calls(connected):
    """Hooks on the account's cached client, the one the push's thread uses: `calls.login_profiles` are
    the CreateLoginProfile requests sent (moto 5.2 keeps no PasswordResetRequired from CreateLoginProfile:
    what was asked of it is checked instead); the first CreateUser waits for `calls.go` to be set, so the
    test sees the job running and the page then update by itself."""
    calls = SimpleNamespace(login_profiles=[], go=threading.Event())

    def record(request, **kwargs):
        body = request.body.decode() if isinstance(request.body, bytes) else request.body
        calls.login_profiles.append(dict(urllib.parse.parse_qsl(body)))

    def hold(request, **kwargs):
        calls.go.wait(timeout=20)

    events = make_client(connected).meta.events
    events.register("before-send.iam.CreateLoginProfile", record)
    events.register("before-send.iam.CreateUser", hold)
    yield calls
    calls.go.set()
    events.unregister("before-send.iam.CreateUser", hold)
    events.unregister("before-send.iam.CreateLoginProfile", record)


@pytest.fixture
def push_thread(live_server, monkeypatch):
    """The push runs in a thread of its own, as in production: push.run_in_thread itself on PostgreSQL.

    A second connection to the in-memory SQLite test database (shared cache) fails a write at once with
    "database table is locked" while another connection writes, so there every thread uses the test's
    one connection, as Django's LiveServerTestCase arranges: the live server's request threads (which
    pytest-django gives that connection only when the database was set up before its session-wide
    server started) and the push's thread. The sharing is left allowed afterwards, as pytest-django leaves
    it: the server's threads of this test's last requests may close (a no-op in memory) after teardown."""
    conn = connections["default"]
    if conn.vendor != "sqlite" or not conn.is_in_memory_db():
        yield
        return
    httpd = live_server.thread.httpd
    saved = httpd.connections_override
    conn.inc_thread_sharing()
    httpd.connections_override = {"default": conn}

    def run_in_thread_on_the_shared_connection(job_id):
        def target():
            connections["default"] = conn
            push.run(job_id)

        threading.Thread(target=target, name=f"wizard-push-{job_id}", daemon=True).start()

    monkeypatch.setattr(push, "RUNNER", run_in_thread_on_the_shared_connection)
    yield
    httpd.connections_override = saved


@pytest.fixture
def signed_in(page, connected, push_thread):
    page.goto("/login")
    page.get_by_label("Root user email address").fill("root@example.com")
    page.get_by_label("Password").fill("Root-pass-1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    return page


def test_the_wizard_pushes_two_users_to_aws_and_shows_their_credentials_once(signed_in, aws, calls, tmp_path):
    page = signed_in
    page.goto("/users")
    expect(page.get_by_role("heading", name=re.compile(r"Users \(0\)"))).to_be_visible()
    page.get_by_role("link", name="Add users").click()
    expect(page.get_by_role("heading", name="Set user details")).to_be_visible()

    page.get_by_role("button", name="Add another user").click()
    name_inputs = page.locator('input[name="user_name"]')
    expect(name_inputs).to_have_count(2)
    for index, name in enumerate(NAMES):
        name_inputs.nth(index).fill(name)
    page.get_by_role("checkbox", name=re.compile("Programmatic access")).check()
    page.get_by_role("checkbox", name=re.compile("AWS Management Console access")).check()
    page.get_by_role("radio", name="Custom password").check()
    page.get_by_role("textbox", name="Custom password").fill(PASSWORD)
    expect(page.get_by_role("checkbox", name="Require password reset")).to_be_checked()
    page.get_by_role("button", name="Next: Permissions").click()

    # The policies listed are the account's, read from AWS.
    expect(page.get_by_role("heading", name="Set permissions", exact=True)).to_be_visible()
    page.get_by_role("radio", name=re.compile("Attach existing policies directly")).check()
    expect(page.locator("#policy-table").get_by_text("2 matches", exact=True)).to_be_visible()
    page.get_by_label("Filter policies by name").fill("web")
    page.locator("#policy-table").get_by_role("button", name="Search").click()
    expect(page.locator("#policy-table").get_by_text("1 match", exact=True)).to_be_visible()
    page.get_by_role("checkbox", name="web-read", exact=True).check()
    page.get_by_role("button", name="Next: Tags").click()

    expect(page.get_by_role("heading", name=re.compile("Add tags"))).to_be_visible()
    page.get_by_role("button", name="Add new tag").click()
    page.get_by_label("Key").fill("team")
    page.get_by_label(re.compile("^Value")).fill("web")
    page.get_by_role("button", name="Next: Review").click()

    expect(page.get_by_role("heading", name="Review and create")).to_be_visible()
    expect(page.get_by_role("cell", name=POLICY_ARN)).to_be_visible()
    page.get_by_role("button", name="Create users").click()

    # The progress page: it polls (htmx) while the job's thread pushes, until both users are created.
    expect(page.get_by_role("heading", name="Add users to AWS account 123456789012")).to_be_visible()
    expect(page.get_by_text(re.compile("Creating users… .* this page updates by itself"))).to_be_visible()
    push_url = page.url
    assert re.search(r"/users/create/push/[0-9a-f-]{36}$", push_url)
    rows = page.locator("#progress table.data tbody tr")
    expect(rows.nth(0)).to_contain_text("In progress (0 of 4)")
    expect(rows.nth(1)).to_contain_text("Waiting")
    expect(page.get_by_role("button", name=re.compile("Show credentials"))).to_have_count(0)
    calls.go.set()  # AWS answers: the page polls until the job is done, without a reload
    expect(page.get_by_text("All 2 users created.")).to_be_visible()
    assert page.url == push_url
    expect(page.locator("#progress[hx-trigger]")).to_have_count(0)  # the polling stopped
    expect(rows).to_have_count(2)
    for index, name in enumerate(NAMES):
        row = rows.nth(index)
        expect(row.locator("strong")).to_have_text(name)
        expect(row).to_contain_text("Created")
        for step in ["Create user", "Console password", "Access key", f"Attach policy {POLICY_ARN}"]:
            expect(row.locator("li.push-step.done", has_text=step)).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("Retry|Roll back"))).to_have_count(0)
    page.screenshot(path=tmp_path / "wizard_aws_done.png", full_page=True)

    # The credentials, once: access key IDs in clear, the secrets and passwords behind Show.
    page.get_by_role("button", name="Show credentials (2 users)").click()
    expect(page.get_by_role("heading", name=re.compile(r"Success \(2 users\)"))).to_be_visible()
    expect(page.get_by_text(f"can sign-in at: {SIGN_IN_URL}")).to_be_visible()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(2)
    shown = {}
    for index, name in enumerate(NAMES):
        row = rows.nth(index)
        expect(row.locator("td").first).to_have_text(name)
        key_id = row.locator("td.mono").inner_text().strip()
        assert re.fullmatch(r"AKIA[A-Z0-9]{16}", key_id), key_id
        secret_box, password_box = row.locator("details.secret").nth(0), row.locator("details.secret").nth(1)
        expect(secret_box.locator(".mono")).to_be_hidden()
        secret_box.locator("summary").click()
        expect(secret_box.locator(".mono")).to_be_visible()
        secret = secret_box.locator(".mono").inner_text().strip()
        assert len(secret) == 40
        password_box.locator("summary").click()
        expect(password_box.locator(".mono")).to_have_text(PASSWORD)
        expect(row.get_by_role("link", name="Send email")).to_be_visible()
        shown[name] = (key_id, secret)
    page.screenshot(path=tmp_path / "wizard_aws_credentials.png", full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .csv").click()
    download = download_info.value
    assert download.suggested_filename == "credentials.csv"
    with open(download.path(), newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == ["User name", "Password", "Access key ID", "Secret access key", "Console login link"]
    assert table[1:] == [[name, PASSWORD, *shown[name], SIGN_IN_URL] for name in NAMES]

    # What AWS has, seen through boto3.
    assert sorted(u["UserName"] for u in aws.list_users()["Users"]) == NAMES
    for name in NAMES:
        assert aws.list_user_tags(UserName=name)["Tags"] == [{"Key": "team", "Value": "web"}]
        assert aws.get_login_profile(UserName=name)["LoginProfile"]["UserName"] == name
        keys = aws.list_access_keys(UserName=name)["AccessKeyMetadata"]
        assert [(k["AccessKeyId"], k["Status"]) for k in keys] == [(shown[name][0], "Active")]
        attached = aws.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        assert attached == [{"PolicyName": "web-read", "PolicyArn": POLICY_ARN}]
        assert aws.list_groups_for_user(UserName=name)["Groups"] == []
    assert aws.get_policy(PolicyArn=POLICY_ARN)["Policy"]["AttachmentCount"] == 2
    assert [(r["UserName"], r["Password"], r["PasswordResetRequired"]) for r in calls.login_profiles] == [
        (name, PASSWORD, "true") for name in NAMES
    ]

    # Going back or reloading shows the secrets no more; the push page offers them no more.
    secrets = [secret for _, secret in shown.values()] + [PASSWORD]
    page.go_back()
    assert all(secret not in page.content() for secret in secrets)
    page.goto(push_url)
    expect(page.get_by_text("All 2 users created.")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Show credentials"))).to_have_count(0)
    expect(page.locator("#progress").get_by_role("link", name="Close")).to_be_visible()
    assert all(secret not in page.content() for secret in secrets)
    page.goto("/users")
    expect(page.get_by_role("heading", name=re.compile(r"Users \(2\)"))).to_be_visible()
    for name in NAMES:
        expect(page.get_by_role("link", name=name, exact=True)).to_be_visible()
    assert all(secret not in page.content() for secret in secrets)
