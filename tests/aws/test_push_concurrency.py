"""The wizard's push runs a user's idempotent steps (AddUserToGroup, AttachUserPolicy, PutUserPolicy) at
once after CreateUser (users/push.py CONCURRENT, CONCURRENCY), and a failure among them is resumable."""

# ruff: noqa: F811 (the fixtures imported from test_wizard_push are the test functions' parameters)

import threading
import time

from botocore.awsrequest import AWSResponse

from tests.aws.test_wizard_push import (  # noqa: F401 (fixtures)
    BOUNDARY,
    READ,
    _Raw,
    aws,
    create,
    error_body,
    form,
    hooks,
    operator,
    stage,
    the_job,
)
from users import push

PERMISSIONS = {"option": "group", "groups": ["devs"], "copy_from": "", "policies": [], "boundary": ""}
# One group and two managed policies, as the bench's plan (bench/aws.py).
TWO_POLICIES = {
    "option": "attach",
    "groups": [],
    "copy_from": "",
    "policies": [READ, BOUNDARY],
    "boundary": "",
}


def test_a_users_group_and_policy_steps_run_at_once(operator, aws, hooks):
    in_flight, peak, lock = [0], [0], threading.Lock()

    def slow(request, **kwargs):
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.15)
        with lock:
            in_flight[0] -= 1

    hooks("AttachUserPolicy", slow)
    stage(operator, ["ann"], permissions=TWO_POLICIES)

    create(operator)

    job = the_job()
    assert job.status == "done" and job.progress[0]["done"] == len(push.steps_for(job.plan)) == 5
    assert peak[0] == 2
    attached = aws.list_attached_user_policies(UserName="ann")["AttachedPolicies"]
    assert sorted(p["PolicyArn"] for p in attached) == sorted([READ, BOUNDARY])


def test_with_a_concurrency_of_one_the_steps_run_in_order(operator, aws, hooks, monkeypatch):
    monkeypatch.setattr(push, "CONCURRENCY", 1)
    order = []
    hooks("AttachUserPolicy", lambda request, **kwargs: order.append(threading.current_thread().name))
    stage(operator, ["ann"], permissions=TWO_POLICIES)

    create(operator)

    assert the_job().status == "done"
    assert set(order) == {threading.current_thread().name}  # the job's own thread, no pool


def test_a_failure_among_concurrent_steps_stops_before_it_and_retry_finishes(operator, aws, hooks):
    refused = []

    def refuse_read_once(request, **kwargs):
        if form(request)["PolicyArn"] == READ and not refused:
            refused.append(True)
            return AWSResponse(
                request.url, 404, {}, _Raw(error_body("NoSuchEntity", f"Policy {READ} was not found."))
            )
        return None

    hooks("AttachUserPolicy", refuse_read_once)
    stage(operator, ["ann", "ben"], permissions=TWO_POLICIES, console=False)

    create(operator)

    job = the_job()
    assert job.status == "failed"
    ann, ben = job.progress
    # steps: CreateUser, CreateAccessKey, AttachUserPolicy READ, AttachUserPolicy BOUNDARY
    assert (ann["state"], ann["done"], ben["state"]) == ("failed", 2, "pending")
    assert ann["error"] == f"NoSuchEntity: Policy {READ} was not found."

    operator.post(f"/users/create/push/{job.id}/retry")

    job.refresh_from_db()
    assert job.status == "done" and [row["state"] for row in job.progress] == ["done", "done"]
    for name in ("ann", "ben"):
        attached = aws.list_attached_user_policies(UserName=name)["AttachedPolicies"]
        assert sorted(p["PolicyArn"] for p in attached) == sorted([READ, BOUNDARY])
