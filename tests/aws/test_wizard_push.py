"""The add-users wizard on a connected AWS account (users/push.py): a job pushed call by call to a moto
server, its progress page, the credentials shown once, and Retry / Roll back after a failure part-way.

The job runs synchronously here (`push.RUNNER = push.run`). Failures moto cannot produce are injected with
`before-send` hooks on the account's (cached) client, the one the job's backend uses.
"""

import csv
import datetime
import io
import json
import urllib.parse
import uuid
from html import escape

import boto3
import botocore.retries.standard
import pytest
from botocore.awsrequest import AWSResponse
from botocore.exceptions import ReadTimeoutError
from botocore.httpsession import URLLib3Session

from accounts import downloads
from accounts.models import OneTimeDownload
from iamconsole.backends.aws import AwsBackend, make_client
from users import push, wizard
from users.models import PushJob

READ = "arn:aws:iam::123456789012:policy/team-read"
BOUNDARY = "arn:aws:iam::123456789012:policy/team-boundary"
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
)
NO_SERVICE_CREDENTIALS = (
    b"<ListServiceSpecificCredentialsResponse xmlns='https://iam.amazonaws.com/doc/2010-05-08/'>"
    b"<ListServiceSpecificCredentialsResult><ServiceSpecificCredentials/></ListServiceSpecificCredentialsResult>"
    b"<ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></ListServiceSpecificCredentialsResponse>"
)


class _Raw:
    def __init__(self, body: bytes):
        self.body = body

    def stream(self, **kwargs):
        yield self.body


def error_body(code: str, message: str) -> bytes:
    return (
        "<ErrorResponse xmlns='https://iam.amazonaws.com/doc/2010-05-08/'><Error><Type>Sender</Type>"
        f"<Code>{code}</Code><Message>{escape(message)}</Message></Error><RequestId>1</RequestId>"
        "</ErrorResponse>"
    ).encode()


def form(request) -> dict:
    body = request.body.decode() if isinstance(request.body, bytes) else request.body
    return dict(urllib.parse.parse_qsl(body))


@pytest.fixture
def hooks(account):
    """register(action, handler) on the client the job uses; every hook is removed after the test."""
    events = make_client(account).meta.events
    registered = []

    def register(action, handler):
        events.register(f"before-send.iam.{action}", handler)
        registered.append((action, handler))

    def unregister_all():
        while registered:
            action, handler = registered.pop()
            events.unregister(f"before-send.iam.{action}", handler)

    # moto 5.2 fails ListServiceSpecificCredentials (used by the roll back's cascade) with an HTTP 500.
    register(
        "ListServiceSpecificCredentials",
        lambda request, **kw: AWSResponse(request.url, 200, {}, _Raw(NO_SERVICE_CREDENTIALS)),
    )
    register.clear = unregister_all
    yield register
    unregister_all()


@pytest.fixture
def operator(client, account, hooks, monkeypatch):
    monkeypatch.setattr(push, "RUNNER", push.run)  # deterministic: the job runs inside the POST
    monkeypatch.setattr(AwsBackend, "consistency_delays", (0.01, 0.01))
    # botocore's backoff between retries of a throttled call: none here, the attempts are what matter
    monkeypatch.setattr(botocore.retries.standard.ExponentialBackoff, "delay_amount", lambda self, ctx: 0)
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def aws(account):
    """A plain boto3 client on the moto server: what exists afterwards, seen from outside the console."""
    aws = boto3.client("iam", endpoint_url=account.endpoint_url, region_name="us-east-1")
    # moto's server has no AWS managed policies (IAMUserChangePassword among them): users may change
    # their own password here, so the wizard attaches only what the test chooses.
    aws.update_account_password_policy(MinimumPasswordLength=12, AllowUsersToChangePassword=True)
    for name in ("team-read", "team-boundary"):
        aws.create_policy(PolicyName=name, PolicyDocument=DOCUMENT)
    aws.create_group(GroupName="devs")
    aws.attach_group_policy(GroupName="devs", PolicyArn=READ)
    return aws


GROUP_AND_POLICY = {"option": "attach", "groups": [], "copy_from": "", "policies": [READ], "boundary": ""}


def stage(client, names, *, console=True, programmatic=True, permissions=None, tags=None):
    """The wizard's state as the review step leaves it (the steps' own views are tested elsewhere)."""
    session = client.session
    session["add_users_wizard"] = {
        "id": "w1",
        "details": {
            "names": names,
            "programmatic": programmatic,
            "console": console,
            "password_type": "auto",
            "custom_password": "",
            "require_reset": True,
        },
        "permissions": permissions
        or {"option": "group", "groups": ["devs"], "copy_from": "", "policies": [], "boundary": ""},
        "tags": tags or [],
        "done": ["details", "permissions", "tags"],
    }
    session.save()


def create(client):
    return client.post("/users/create/done", {"wizard_id": "w1"})


def the_job() -> PushJob:
    return PushJob.objects.get()


def row_text(page: str, name: str) -> str:
    """The progress table's row of one user."""
    start = page.index(f"<strong>{name}</strong>")
    return page[start : page.index("</tr>", start)]


def assert_no_secret_in_clear(job: PushJob, secrets: list[str]) -> None:
    stored = json.dumps([job.plan, job.progress, job.rollback]) + job.secrets_encrypted
    for secret in secrets:
        assert secret not in stored


def test_ten_users_are_pushed_to_aws_and_shown_once(operator, aws, account, hooks):
    names = [f"trainee{i:02d}" for i in range(10)]
    sent = []  # moto 5.2 keeps no boundary on users: what was asked of it is checked instead
    hooks("CreateUser", lambda request, **kwargs: sent.append(form(request)))
    stage(
        operator,
        names,
        permissions={
            "option": "group",
            "groups": ["devs"],
            "copy_from": "",
            "policies": [],
            "boundary": BOUNDARY,
        },
        tags=[{"Key": "team", "Value": "blue"}],
    )

    response = create(operator)

    job = the_job()
    assert response.status_code == 302 and response["Location"] == f"/users/create/push/{job.id}"
    assert "add_users_wizard" not in operator.session
    assert job.status == "done" and job.account == account
    assert job.secrets_encrypted.startswith("v1:")
    page = operator.get(response["Location"]).content.decode()
    assert "All 10 users created." in page and "hx-trigger" not in page
    assert "Show credentials (10 users)" in page

    success = operator.post(f"/users/create/push/{job.id}/credentials")

    assert success.status_code == 200 and "no-store" in success["Cache-Control"]
    results = success.context["results"]
    assert [r.user_name for r in results] == names
    body = success.content.decode()
    for result in results:
        assert escape(result.password) in body and escape(result.secret_access_key) in body
    job.refresh_from_db()
    assert job.secrets_encrypted == ""
    assert_no_secret_in_clear(job, [r.password for r in results] + [r.secret_access_key for r in results])
    assert [(r["UserName"], r["PermissionsBoundary"]) for r in sent] == [(n, BOUNDARY) for n in names]
    for result in results:  # what AWS has, through boto3
        user = aws.get_user(UserName=result.user_name)["User"]
        assert user["Tags"] == [{"Key": "team", "Value": "blue"}]
        assert (
            aws.get_login_profile(UserName=result.user_name)["LoginProfile"]["UserName"] == result.user_name
        )
        keys = aws.list_access_keys(UserName=result.user_name)["AccessKeyMetadata"]
        assert [k["AccessKeyId"] for k in keys] == [result.access_key_id]
        groups = aws.list_groups_for_user(UserName=result.user_name)["Groups"]
        assert [g["GroupName"] for g in groups] == ["devs"]
        assert aws.list_attached_user_policies(UserName=result.user_name)["AttachedPolicies"] == []

    # The CSV once, then neither the CSV nor the page again.
    rows = list(
        csv.reader(io.StringIO(operator.post(f"/downloads/{success.context['token']}").content.decode()))
    )
    assert rows[1][:4] == [
        names[0],
        results[0].password,
        results[0].access_key_id,
        results[0].secret_access_key,
    ]
    assert not OneTimeDownload.objects.exists()
    again = operator.post(f"/users/create/push/{job.id}/credentials", follow=True)
    assert "already shown" in again.content.decode()
    assert escape(results[0].password) not in again.content.decode()


def test_a_custom_password_is_kept_sealed_in_the_job_until_shown(operator, aws, monkeypatch):
    monkeypatch.setattr(push, "RUNNER", lambda job_id: None)
    stage(operator, ["cy", "di"])
    session = operator.session
    session["add_users_wizard"]["details"].update(
        password_type="custom", custom_password=wizard.seal_password("Custom-Pass-4-all!")
    )
    session.save()
    create(operator)
    job = the_job()
    assert_no_secret_in_clear(job, ["Custom-Pass-4-all!"])

    push.run(job.id)
    job.refresh_from_db()
    keys = [aws.list_access_keys(UserName=n)["AccessKeyMetadata"][0]["AccessKeyId"] for n in ["cy", "di"]]
    assert_no_secret_in_clear(job, ["Custom-Pass-4-all!"])
    assert all(key not in job.secrets_encrypted for key in keys)
    shown = operator.post(f"/users/create/push/{job.id}/credentials").context["results"]
    assert [r.password for r in shown] == ["Custom-Pass-4-all!"] * 2


def test_the_secrets_stay_in_the_job_when_showing_them_fails(operator, aws, monkeypatch):
    stage(operator, ["kept"])
    location = create(operator)["Location"]

    offer, failures = downloads.offer, []

    def fails_once(*args, **kwargs):
        if not failures:
            failures.append(1)
            raise RuntimeError("the download could not be stored")
        return offer(*args, **kwargs)

    monkeypatch.setattr(downloads, "offer", fails_once)
    with pytest.raises(RuntimeError):
        operator.post(f"{location}/credentials")

    shown = operator.post(f"{location}/credentials")

    assert [r.user_name for r in shown.context["results"]] == ["kept"] and shown.context["results"][
        0
    ].password


def test_the_progress_page_polls_while_the_job_runs(operator, aws, monkeypatch):
    monkeypatch.setattr(push, "RUNNER", lambda job_id: None)  # started, not yet run
    stage(operator, ["slow1", "slow2"])
    location = create(operator)["Location"]

    page = operator.get(location).content.decode()

    assert f'hx-get="{location}"' in page and 'hx-trigger="every 1s"' in page
    assert f'href="{location}">Refresh</a>' in page and "http-equiv" not in page
    assert "Waiting" in row_text(page, "slow1") and "Show credentials" not in page
    partial = operator.get(location, headers={"HX-Request": "true"}).content.decode()
    assert partial.lstrip().startswith('<div id="progress"') and "<html" not in partial
    assert operator.post(f"{location}/credentials", follow=True).context["messages"]
    assert the_job().secrets_encrypted  # nothing shown while it runs


def test_a_job_whose_thread_died_is_stopped_at_its_step_and_can_be_retried(operator, aws, monkeypatch):
    monkeypatch.setattr(push, "RUNNER", lambda job_id: None)  # the thread never runs
    stage(operator, ["lost"])
    location = create(operator)["Location"]
    PushJob.objects.update(updated=the_job().updated - push.STALLED - datetime.timedelta(seconds=1))

    page = operator.get(location).content.decode()

    assert f"User lost was not completely created: InternalFailure: {push.STALLED_MESSAGE}" in page
    assert "Failed at step 1 of 4" in row_text(page, "lost") and "hx-trigger" not in page
    monkeypatch.setattr(push, "RUNNER", push.run)
    operator.post(f"{location}/retry")
    assert the_job().status == "done" and aws.get_user(UserName="lost")


def test_a_password_policy_violation_after_create_user_stops_there_and_rolls_back(operator, aws, hooks):
    message = "Password should have at least one symbol"

    def refuse_for_second(request, **kwargs):
        if form(request)["UserName"] == "second":
            return AWSResponse(request.url, 400, {}, _Raw(error_body("PasswordPolicyViolation", message)))
        return None

    hooks("CreateLoginProfile", refuse_for_second)
    stage(operator, ["first", "second", "third"])

    page = operator.get(create(operator)["Location"]).content.decode()

    assert f"User second was not completely created: PasswordPolicyViolation: {message}" in page
    assert "Created" in row_text(page, "first")
    second = row_text(page, "second")
    assert "Failed at step 2 of 4" in second and "Done:</span> Create user" in second
    assert "Failed:</span> Console password" in second and "Not done:</span> Access key" in second
    assert "Waiting" in row_text(page, "third")
    assert "Retry" in page and "Roll back" in page and "Show credentials (1 user)" in page
    job = the_job()
    assert job.status == "failed"
    assert [u["UserName"] for u in aws.list_users()["Users"]] == ["first", "second"]

    shown = operator.post(f"/users/create/push/{job.id}/credentials")
    assert [r.user_name for r in shown.context["results"]] == ["first"]
    assert "Back to the failed user" in shown.content.decode()
    first = shown.context["results"][0]
    job.refresh_from_db()
    assert_no_secret_in_clear(job, [first.password, first.secret_access_key])
    assert set(push._open(job)) == {"second", "third"}  # only the planned passwords not shown yet

    rolled = operator.post(f"/users/create/push/{job.id}/rollback", follow=True)

    page = rolled.content.decode()
    assert "User second rolled back." in page and "Rolled back" in row_text(page, "second")
    assert "Not created" in row_text(page, "third")
    assert [u["UserName"] for u in aws.list_users()["Users"]] == ["first"]
    job.refresh_from_db()
    assert job.status == "rolled_back" and job.secrets_encrypted == ""
    assert operator.post(f"/users/create/push/{job.id}/retry", follow=True).context["messages"]


def test_access_denied_on_attach_user_policy_is_retried_from_that_step(operator, aws, hooks):
    denied = "User: arn:aws:iam::123456789012:user/admin is not authorized to perform: iam:AttachUserPolicy"

    def deny(request, **kwargs):
        return AWSResponse(request.url, 403, {}, _Raw(error_body("AccessDenied", denied)))

    hooks("AttachUserPolicy", deny)
    stage(operator, ["ann", "ben"], permissions=GROUP_AND_POLICY)

    location = create(operator)["Location"]

    page = operator.get(location).content.decode()
    ann = row_text(page, "ann")
    assert "Failed at step 4 of 4" in ann and f"AccessDenied: {escape(denied)}" in page
    for done in ["Create user", "Console password", "Access key"]:
        assert f"Done:</span> {done}" in ann
    assert "Failed:</span> Attach policy" in ann
    assert [u["UserName"] for u in aws.list_users()["Users"]] == ["ann"]
    assert aws.list_attached_user_policies(UserName="ann")["AttachedPolicies"] == []
    job = the_job()
    assert job.secrets_encrypted and "Show credentials" not in page  # no user is finished yet

    hooks.clear()
    hooks(
        "ListServiceSpecificCredentials",
        lambda request, **kw: AWSResponse(request.url, 200, {}, _Raw(NO_SERVICE_CREDENTIALS)),
    )
    operator.post(f"{location}/retry")

    job.refresh_from_db()
    assert job.status == "done"
    shown = operator.post(f"{location}/credentials").context["results"]
    assert [r.user_name for r in shown] == ["ann", "ben"]
    for result in shown:
        keys = aws.list_access_keys(UserName=result.user_name)["AccessKeyMetadata"]
        assert [k["AccessKeyId"] for k in keys] == [result.access_key_id]  # no second key on retry
        attached = aws.list_attached_user_policies(UserName=result.user_name)["AttachedPolicies"]
        assert [p["PolicyArn"] for p in attached] == [READ]


def test_throttling_once_is_retried_by_the_client_and_the_push_succeeds(operator, aws, hooks):
    calls = []

    def throttle_once(request, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            return AWSResponse(request.url, 400, {}, _Raw(error_body("Throttling", "Rate exceeded")))
        return None

    hooks("CreateUser", throttle_once)
    stage(operator, ["tim"])

    page = operator.get(create(operator)["Location"]).content.decode()

    assert "All 1 user created." in page and "Rate exceeded" not in page
    assert len(calls) == 2 and aws.get_user(UserName="tim")["User"]["UserName"] == "tim"


def test_throttling_after_every_retry_fails_the_step_and_retry_continues(operator, aws, hooks):
    calls = []

    def throttle(request, **kwargs):
        calls.append(1)
        return AWSResponse(request.url, 400, {}, _Raw(error_body("Throttling", "Rate exceeded")))

    hooks("AddUserToGroup", throttle)
    stage(operator, ["tess", "toby"], console=False)
    location = create(operator)["Location"]

    page = operator.get(location).content.decode()
    assert "User tess was not completely created: Throttling: Rate exceeded" in page
    assert len(calls) == 5  # botocore's standard mode: 5 attempts in all
    assert aws.list_groups_for_user(UserName="tess")["Groups"] == []

    calls.clear()
    hooks.clear()
    operator.post(f"{location}/retry")

    assert the_job().status == "done"
    for name in ["tess", "toby"]:
        assert [g["GroupName"] for g in aws.list_groups_for_user(UserName=name)["Groups"]] == ["devs"]


def test_a_create_user_that_timed_out_after_aws_made_it_is_continued_not_duplicated(
    operator, aws, hooks, account
):
    def made_then_timed_out(request, **kwargs):
        URLLib3Session().send(request)  # AWS does the call ...
        raise ReadTimeoutError(endpoint_url=request.url)  # ... and the answer never comes

    hooks("CreateUser", made_then_timed_out)
    stage(operator, ["tara"], programmatic=False, tags=[{"Key": "team", "Value": "blue"}])
    location = create(operator)["Location"]

    page = operator.get(location).content.decode()
    assert "User tara was not completely created: ServiceFailure:" in page
    assert "Failed at step 1 of 3" in row_text(page, "tara")  # not reported as created ...
    assert aws.get_user(UserName="tara")  # ... though AWS has it

    hooks.clear()
    operator.post(f"{location}/retry")

    assert the_job().status == "done"
    assert aws.get_login_profile(UserName="tara")["LoginProfile"]["UserName"] == "tara"


def test_a_create_user_retried_by_the_client_after_aws_made_it_is_taken_as_done(operator, aws, hooks):
    attempts = []

    def made_then_failed_once(request, **kwargs):
        attempts.append(1)
        if len(attempts) == 1:
            URLLib3Session().send(request)  # AWS makes the user, the answer is lost: botocore retries
            return AWSResponse(request.url, 500, {}, _Raw(error_body("ServiceUnavailable", "Try again")))
        return None  # the retry reaches AWS: EntityAlreadyExists

    hooks("CreateUser", made_then_failed_once)
    stage(operator, ["ursula"], programmatic=False)

    page = operator.get(create(operator)["Location"]).content.decode()

    assert "All 1 user created." in page and len(attempts) == 2
    assert [u["UserName"] for u in aws.list_users()["Users"]] == ["ursula"]
    assert aws.get_login_profile(UserName="ursula")["LoginProfile"]["UserName"] == "ursula"


def test_a_name_taken_by_someone_else_meanwhile_is_not_rolled_back(operator, aws, hooks):
    def taken(request, **kwargs):
        aws.create_user(UserName="zed")  # another administrator, just before this job's call
        return None

    hooks("CreateUser", taken)
    stage(operator, ["zed"])
    location = create(operator)["Location"]
    assert "EntityAlreadyExists" in operator.get(location).content.decode()
    hooks.clear()

    operator.post(f"{location}/rollback")

    assert aws.get_user(UserName="zed")["User"]["UserName"] == "zed"  # not this job's to delete
    assert the_job().status == "rolled_back"


def test_a_job_belongs_to_its_account_and_operator(operator, aws, client, django_user_model, monkeypatch):
    monkeypatch.setattr(push, "RUNNER", lambda job_id: None)
    stage(operator, ["mine"])
    location = create(operator)["Location"]
    operator.logout()
    assert operator.get(location)["Location"].startswith("/login")
    stranger = django_user_model.objects.create_user("stranger@example.com", password="x-Pass-12345")
    the_job().account.operators.add(stranger)
    operator.force_login(stranger)

    assert operator.get(location).status_code == 404
    assert operator.get(f"/users/create/push/{uuid.uuid4()}").status_code == 404
    assert operator.post(f"{location}/credentials").status_code == 404
    assert operator.post(f"{location}/rollback").status_code == 404
    assert operator.get(f"{location}/retry").status_code == 405


def test_a_roll_back_that_aws_refuses_keeps_the_job_stopped_and_shows_why(operator, aws, hooks):
    def refuse(request, **kwargs):
        return AWSResponse(request.url, 409, {}, _Raw(error_body("DeleteConflict", "Cannot delete entity.")))

    hooks(
        "AddUserToGroup",
        lambda request, **kw: AWSResponse(
            request.url, 403, {}, _Raw(error_body("AccessDenied", "Not authorized."))
        ),
    )
    hooks("DeleteUser", refuse)
    stage(operator, ["vera"], programmatic=False)
    location = create(operator)["Location"]

    page = operator.post(f"{location}/rollback", follow=True).content.decode()

    assert "User vera could not be rolled back; see the steps below." in page
    assert "DeleteLoginProfile" in page and 'DeleteUser <span class="mono">vera</span> — ' in page
    assert "DeleteConflict: Cannot delete entity." in page
    assert the_job().status == "failed" and "Retry" in page
    assert aws.get_user(UserName="vera")["User"]["UserName"] == "vera"  # still there, and said so
    vera = row_text(page, "vera")
    assert "Done:</span> Create user" in vera and "Removed by the roll back:</span> Console password" in vera

    hooks.clear()
    operator.post(f"{location}/retry")  # the password is set again, then the failed step

    assert the_job().status == "done"
    assert aws.get_login_profile(UserName="vera")["LoginProfile"]["UserName"] == "vera"
    assert [g["GroupName"] for g in aws.list_groups_for_user(UserName="vera")["Groups"]] == ["devs"]
