"""The add-users wizard's push to a connected AWS account: a resumable job, run in the background.

AWS cannot make the batch atomic (AwsBackend.batch() is a no-op), so instead of one transaction the
batch becomes a `PushJob` row: the plan (no secret), each user's progress (how many of its steps were
done, in order: CreateUser with tags and boundary, CreateLoginProfile, CreateAccessKey, AddUserToGroup,
AttachUserPolicy, PutUserPolicy), and the secrets made so far, AES-GCM sealed (iamconsole.crypto, bound
to the job's ID). A step is counted done only once AWS has answered it, so nothing is reported as
created that AWS does not have. On a failure the job stops at that user's step; the operator then
chooses Retry (that user from the failed step, then the rest) or Roll back (the half-made user is
deleted with users/cascade.py). Each user's secrets are deleted from the row once they have been shown.

`RUNNER` runs a job; it starts a thread by default, and tests replace it with `run` to stay synchronous.
"""

import datetime
import json
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from itertools import takewhile

from django.db import close_old_connections, connection, transaction
from django.utils import timezone

from iamconsole import crypto
from iamconsole.backends import IAMError, get_backend

from . import wizard
from .cascade import delete_user_cascade
from .models import PushJob

LIFETIME = datetime.timedelta(days=1)  # a job (and any secret never shown) is dropped after this
# Errors after which AWS may have done the call anyway (a timeout, a 5xx): Roll back then also tries to
# delete a user whose CreateUser failed so.
AMBIGUOUS = ("ServiceFailure", "ServiceUnavailable", "InternalFailure", "RequestTimeout")
CLOCK_SKEW = datetime.timedelta(seconds=5)  # between this server's clock and AWS's
# A step's call retries at most 5 times with a 30 s read timeout: a running job silent for longer lost
# its thread.
STALLED = datetime.timedelta(minutes=5)
STALLED_MESSAGE = "The push stopped before this step was answered (the console restarted)."
# A user's calls AWS lets run at once after CreateUser (idempotent, and independent of each other), and
# how many at once per job: a bound well below IAM's request rate for one caller.
CONCURRENT = ("AddUserToGroup", "AttachUserPolicy", "PutUserPolicy")
CONCURRENCY = 4
LABELS = {
    "CreateUser": "Create user",
    "CreateLoginProfile": "Console password",
    "CreateAccessKey": "Access key",
    "AddUserToGroup": "Add to group",
    "AttachUserPolicy": "Attach policy",
    "PutUserPolicy": "Inline policy",
}


def _purpose(job_id) -> str:
    return f"wizard-push:{job_id}"


def _open(job: PushJob) -> dict:
    return (
        json.loads(crypto.decrypt(job.secrets_encrypted, _purpose(job.id))) if job.secrets_encrypted else {}
    )


def _seal(job: PushJob, secrets: dict) -> None:
    job.secrets_encrypted = crypto.encrypt(json.dumps(secrets), _purpose(job.id)) if secrets else ""


def _save(job: PushJob, *fields) -> None:
    job.updated = timezone.now()
    job.save(update_fields=[*fields, "updated"])


# -- planning ----------------------------------------------------------------------------------------


def steps_for(plan: dict) -> list[list[str]]:
    """Every user's calls, in order, as [action, target] (the same for each user of the batch)."""
    steps = [["CreateUser", ""]]
    if plan["console"]:
        steps.append(["CreateLoginProfile", ""])
    if plan["programmatic"]:
        steps.append(["CreateAccessKey", ""])
    steps += [["AddUserToGroup", group] for group in plan["groups"]]
    steps += [["AttachUserPolicy", arn] for arn in plan["policies"]]
    steps += [["PutUserPolicy", name] for name, _ in plan["inline"]]
    return steps


def start(iam, operator, state: dict) -> PushJob:
    """Make the job for a validated wizard state (the copy-from user is read now) and run it."""
    now = timezone.now()
    PushJob.objects.filter(updated__lt=now - LIFETIME).delete()
    resolved = wizard.resolve_batch(iam, state)
    details = state["details"]
    plan = {
        "names": list(details["names"]),
        "console": details["console"],
        "programmatic": details["programmatic"],
        "require_reset": details["require_reset"],
        "tags": state["tags"],
        "groups": resolved["groups"],
        "policies": resolved["policies"],
        "inline": resolved["inline"],
        "boundary": resolved["boundary"],
    }
    passwords = wizard.plan_passwords(state, resolved["minimum_length"])
    job = PushJob(
        id=uuid.uuid4(),
        account=iam.account,
        operator=operator,
        plan=plan,
        progress=[{"name": name, "done": 0, "state": "pending", "error": ""} for name in plan["names"]],
        created=now,
        updated=now,
    )
    _seal(job, {name: {"password": password} for name, password in passwords.items()})
    job.save()
    RUNNER(job.id)
    return job


def get_job(account, operator, job_id) -> PushJob | None:
    """The operator's job on this account, or None (another account's or operator's job is unknown).

    A job said to be running that has not moved for STALLED lost its thread (the server restarted):
    it is stopped as failed at its current step, which AWS may or may not have done (Retry and Roll
    back handle both)."""
    job = PushJob.objects.filter(pk=job_id, account=account, operator=operator).first()
    if job is not None and job.status == PushJob.RUNNING and job.updated < timezone.now() - STALLED:
        row = next((r for r in job.progress if r["state"] in ("running", "pending")), None)
        if row is not None:
            row.update(state="failed", error=f"InternalFailure: {STALLED_MESSAGE}", ambiguous=True)
        if PushJob.objects.filter(pk=job.pk, status=PushJob.RUNNING, updated=job.updated).update(
            status=PushJob.FAILED, progress=job.progress, updated=timezone.now()
        ):
            job.refresh_from_db()
        else:
            job = PushJob.objects.get(pk=job.pk)  # it moved meanwhile
    return job


# -- running -----------------------------------------------------------------------------------------


def backend_for(account):
    """The backend a job calls (the account's, as its root: AWS authorizes with the connection's
    credentials)."""
    return get_backend(account, via="console")


def _call(iam, plan: dict, row: dict, secrets: dict, action: str, target: str) -> None:
    """One step for one user; the access key's secret goes into `secrets` (sealed by the caller)."""
    name = row["name"]
    if action == "CreateUser":
        request = {"UserName": name}
        if plan["boundary"]:
            request["PermissionsBoundary"] = plan["boundary"]
        if plan["tags"]:
            request["Tags"] = plan["tags"]
        iam.create_user(**request)
    elif action == "CreateLoginProfile":
        iam.create_login_profile(
            UserName=name, Password=secrets[name]["password"], PasswordResetRequired=plan["require_reset"]
        )
    elif action == "CreateAccessKey":
        key = iam.create_access_key(UserName=name)["AccessKey"]
        entry = secrets.setdefault(name, {})
        entry["access_key_id"], entry["secret_access_key"] = key["AccessKeyId"], key["SecretAccessKey"]
        # A timed-out try (here, or inside botocore's retries) may have made a key whose secret never
        # reached us: the user is this job's own, so any other key is such an orphan. Delete it.
        for other in iam.list_access_keys(UserName=name)["AccessKeyMetadata"]:
            if other["AccessKeyId"] != key["AccessKeyId"]:
                iam.delete_access_key(UserName=name, AccessKeyId=other["AccessKeyId"])
    elif action == "AddUserToGroup":  # AddUserToGroup, AttachUserPolicy, PutUserPolicy: idempotent on AWS
        iam.add_user_to_group(UserName=name, GroupName=target)
    elif action == "AttachUserPolicy":
        iam.attach_user_policy(UserName=name, PolicyArn=target)
    elif action == "PutUserPolicy":
        document = dict(plan["inline"])[target]
        iam.put_user_policy(UserName=name, PolicyName=target, PolicyDocument=document)


def _made_by_this_job(iam, job: PushJob, name: str) -> bool:
    """Whether the existing user `name` is the one an earlier, timed-out CreateUser of this job made:
    created since the job started (the batch was checked free just before), with the planned tags."""
    user = iam.get_user(UserName=name)["User"]
    tags = sorted((t["Key"], t["Value"]) for t in user.get("Tags", []))
    planned = sorted((t["Key"], t["Value"]) for t in job.plan["tags"])
    return user["CreateDate"] >= job.created - CLOCK_SKEW and tags == planned


def _retried_inside_the_client(error: IAMError) -> bool:
    """Whether botocore had retried the call (a timeout, a 5xx) before this answer: an earlier attempt
    may then have done it. The count is in the ClientError that AwsBackend translated."""
    cause = error.__cause__ or error.__context__
    response = getattr(cause, "response", None) or {}
    return response.get("ResponseMetadata", {}).get("RetryAttempts", 0) > 0


def _step(iam, job, row, secrets, action, target) -> None:
    """`_call`; EntityAlreadyExists on CreateUser or CreateLoginProfile means done when an earlier try
    of the same step may have done it (it timed out, here or inside botocore's retries) and, for
    CreateUser, the user is the one this job would have made. Otherwise someone else's: a failure."""
    try:
        _call(iam, job.plan, row, secrets, action, target)
    except IAMError as error:
        maybe_ours = row.get("ambiguous") or _retried_inside_the_client(error)
        if not (error.code == "EntityAlreadyExists" and maybe_ours):
            raise
        if action == "CreateUser" and not _made_by_this_job(iam, job, row["name"]):
            raise
        if action not in ("CreateUser", "CreateLoginProfile"):
            raise


def run(job_id) -> None:
    """Run the job's remaining steps, user by user, saving after each; stop at the first failure.

    A user's trailing idempotent steps (AddUserToGroup, AttachUserPolicy, PutUserPolicy) go to AWS
    CONCURRENCY at a time; `done` then counts the steps before the first that failed, so Retry does the
    failed one and those after it again (harmless: they are idempotent)."""
    job = PushJob.objects.select_related("account").get(pk=job_id)
    iam = backend_for(job.account)
    secrets = _open(job)
    steps = steps_for(job.plan)
    pool = ThreadPoolExecutor(CONCURRENCY) if CONCURRENCY > 1 and getattr(iam, "kind", "") == "aws" else None
    try:
        for row in job.progress:
            if row["state"] in ("done", "rolled_back", "skipped"):
                continue
            row.update(state="running", error="")
            _save(job, "progress")
            if not _run_row(job, iam, row, secrets, steps, pool):
                return
            row["state"] = "done"
            _save(job, "progress")
    finally:
        if pool is not None:
            pool.shutdown()
    job.status = PushJob.DONE
    _save(job, "status")


def _run_row(job, iam, row, secrets, steps, pool) -> bool:
    """One user's remaining steps; False when one failed (the job is then saved as failed)."""
    while row.get("removed") or row["done"] < len(steps):
        # steps a failed roll back undid are done again first, then the steps never done
        index = row["removed"][0] if row.get("removed") else row["done"]
        action, target = steps[index]
        if pool is not None and not row.get("removed") and action in CONCURRENT:
            batch = list(takewhile(lambda step: step[0] in CONCURRENT, steps[index:]))
            futures = [pool.submit(_step, iam, job, row, secrets, *step) for step in batch]
            failures = [(offset, future.exception()) for offset, future in enumerate(futures)]
            failed = next(((offset, error) for offset, error in failures if error is not None), None)
            row["done"] += len(batch) if failed is None else failed[0]
            if failed is not None:
                _fail(job, row, secrets, failed[1])
                return False
            row["ambiguous"] = False
            _save(job, "progress")
            continue
        try:
            _step(iam, job, row, secrets, action, target)
        except Exception as error:  # any failure stops the job: reported, never lost
            _fail(job, row, secrets, error)
            return False
        if row.get("removed"):
            row["removed"].pop(0)
        else:
            row["done"] += 1
        row["ambiguous"] = False
        if action == "CreateAccessKey":
            _seal(job, secrets)
            _save(job, "progress", "secrets_encrypted")
        else:
            _save(job, "progress")
    return True


def _fail(job, row, secrets, error) -> None:
    """Stop the job at this user's step with the error's code and message."""
    code, message = (
        (error.code, error.message)
        if isinstance(error, IAMError)
        else ("InternalFailure", "The console could not finish this step.")
    )
    row.update(state="failed", error=f"{code}: {message}", ambiguous=code in AMBIGUOUS)
    job.status = PushJob.FAILED
    _seal(job, secrets)
    _save(job, "progress", "status", "secrets_encrypted")


def run_in_thread(job_id) -> None:
    """The default runner: the job in a daemon thread, with its own database connection."""

    def target():
        close_old_connections()
        try:
            run(job_id)
        except Exception:  # a crash must not leave the page polling "running" forever
            PushJob.objects.filter(pk=job_id, status=PushJob.RUNNING).update(status=PushJob.FAILED)
        finally:
            connection.close()

    threading.Thread(target=target, name=f"wizard-push-{job_id}", daemon=True).start()


RUNNER = run_in_thread


def retry(job: PushJob) -> bool:
    """Continue a failed job from its failed step; False when it is not (or no longer) failed."""
    if not PushJob.objects.filter(pk=job.pk, status=PushJob.FAILED).update(
        status=PushJob.RUNNING, updated=timezone.now()
    ):
        return False
    RUNNER(job.pk)
    return True


# The cascade's steps that undo a step of the push (users/cascade.py's action names).
UNDONE_BY = {
    "DeleteLoginProfile": "CreateLoginProfile",
    "DeleteAccessKey": "CreateAccessKey",
    "RemoveUserFromGroup": "AddUserToGroup",
    "DetachUserPolicy": "AttachUserPolicy",
    "DeleteUserPolicy": "PutUserPolicy",
}


def _undone(done_steps: list, action: str, target: str) -> set[int]:
    """The indices of the done steps that a cascade step undid (the password and keys have one step)."""
    return {
        index
        for index, (step_action, step_target) in enumerate(done_steps)
        if step_action == action and (step_target == target or not step_target)
    }


def roll_back(job: PushJob) -> bool:
    """Delete the half-made user of a failed job (users/cascade.py) and stop the job there: the users
    already made stay, the users not started are not made. False when the job is not failed, or
    the deletion failed (its steps are in `job.rollback`, the job stays failed)."""
    if job.status != PushJob.FAILED:
        return False
    row = next(r for r in job.progress if r["state"] == "failed")
    steps = []
    # After an ambiguous CreateUser the user may exist; after any other CreateUser failure (the name
    # was taken meanwhile) it is someone else's user and must not be touched.
    if row["done"] or row.get("ambiguous"):
        deletion = delete_user_cascade(backend_for(job.account), row["name"])
        steps = [{"action": s.action, "target": s.target, "error": s.error} for s in deletion.steps]
        vanished = not row["done"] and steps and "NoSuchEntity" in steps[-1]["error"]
        if not (deletion.deleted or vanished):
            # What the cascade removed before it stopped is no longer done: say so, and have Retry
            # make it again (with a new access key: the old secret is of no use any more).
            secrets = _open(job)
            removed = set(row.get("removed", []))
            for step in deletion.steps:
                if step.ok and step.action in UNDONE_BY:
                    removed |= _undone(
                        steps_for(job.plan)[: row["done"]], UNDONE_BY[step.action], step.target
                    )
                if step.ok and step.action == "DeleteAccessKey":
                    for key in ("access_key_id", "secret_access_key"):
                        secrets.get(row["name"], {}).pop(key, None)
            row["removed"] = sorted(removed)
            job.rollback = steps
            _seal(job, secrets)
            _save(job, "rollback", "progress", "secrets_encrypted")
            return False
    secrets = _open(job)
    secrets.pop(row["name"], None)
    for other in job.progress:
        if other["state"] in ("failed", "pending"):
            other["state"] = "rolled_back" if other is row else "skipped"
            secrets.pop(other["name"], None)
    row["done"] = 0
    job.rollback, job.status = steps, PushJob.ROLLED_BACK
    _seal(job, secrets)
    _save(job, "progress", "rollback", "status", "secrets_encrypted")
    return True


# -- showing ------------------------------------------------------------------------------------------


def take_credentials(job: PushJob) -> list[wizard.Created]:
    """The finished users' secrets not shown yet, removed from the job (so they are shown once only).

    Only while the job is not running (the runner is then the only writer of the row)."""
    with transaction.atomic():  # two posts at once (a double click): the second waits, then finds none
        job = PushJob.objects.select_for_update().get(pk=job.pk)
        return _take(job)


def _take(job: PushJob) -> list[wizard.Created]:
    if job.status == PushJob.RUNNING:
        return []
    secrets = _open(job)
    results = []
    for row in job.progress:
        if row["state"] == "done" and not row.get("shown"):
            entry = secrets.pop(row["name"], {})
            results.append(
                wizard.Created(
                    row["name"],
                    password=entry.get("password", ""),
                    access_key_id=entry.get("access_key_id", ""),
                    secret_access_key=entry.get("secret_access_key", ""),
                    done=[" ".join(filter(None, step)) for step in steps_for(job.plan)],
                )
            )
            row["shown"] = True
    if results:
        _seal(job, secrets)
        _save(job, "progress", "secrets_encrypted")
    return results


def view_rows(job: PushJob) -> list[dict]:
    """Each user's progress for the page: its state and each step with done / failed / to do."""
    steps = steps_for(job.plan)
    rows = []
    for row in job.progress:
        items = []
        for index, (action, target) in enumerate(steps):
            if index in row.get("removed", []):
                status = "removed"
            elif index < row["done"]:
                status = "done"
            elif index == row["done"] and row["state"] == "failed":
                status = "failed"
            elif index == row["done"] and row["state"] == "running":
                status = "running"
            else:
                status = "todo"
            items.append({"action": action, "label": LABELS[action], "target": target, "status": status})
        rows.append({**row, "steps": items, "total": len(steps)})
    return rows
