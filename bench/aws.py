"""Benchmarks of a connected AWS account, against a moto server on loopback, counting the API calls.

    python bench/aws.py [--runs 3] [--users 1000] [--latency 30] [--json]

- The add-users wizard's push (users/push.py) of 10 users, each with a console password, an access key,
  a group and 2 managed policies (the wizard's "Copy permissions" from a template user that has them):
  wall time and API calls (a botocore `before-call` hook on the job's client counts them, by operation),
  with the user's idempotent steps run one at a time (CONCURRENCY = 1, before) and 4 at once (after).
- The users list of an account with --users users (`list_users_overview`: GetAccountAuthorizationDetails,
  ListVirtualMFADevices, the credential report): API calls and wall time.

moto answers in about a millisecond on loopback, where AWS takes tens of milliseconds per call: every
figure is also measured with --latency milliseconds added to each request (a `before-send` sleep), which
is what the concurrency saves on AWS. The figures are medians of --runs runs.
"""

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
)
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_CONFIG_FILE": os.devnull,  # never the developer's own profiles
    "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_moto() -> tuple[subprocess.Popen, str]:
    """moto_server on a free loopback port, once it answers."""
    port = free_port()
    binary = Path(sys.executable).with_name("moto_server")
    command = [str(binary)] if binary.exists() else [sys.executable, "-m", "moto.server"]
    server = subprocess.Popen(
        [*command, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1)  # noqa: S310 (loopback)
            return server, endpoint
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("moto_server did not start") from None
            time.sleep(0.1)


def reset_moto(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    urllib.request.urlopen(request, timeout=5)  # noqa: S310 (loopback)


class Meter:
    """Counts the API calls (by operation) and HTTP requests of a boto3 client; adds a latency."""

    def __init__(self, client, latency: float):
        self.events, self.latency = client.meta.events, latency
        self.calls, self.requests = Counter(), 0

    def _call(self, model, **kwargs):
        self.calls[model.name] += 1

    def _send(self, request, **kwargs):
        self.requests += 1
        if self.latency:
            time.sleep(self.latency)

    def __enter__(self):
        self.events.register("before-call.iam", self._call)
        self.events.register("before-send.iam", self._send)
        return self

    def __exit__(self, *exc):
        self.events.unregister("before-call.iam", self._call)
        self.events.unregister("before-send.iam", self._send)


def prepare_push(aws) -> None:
    """The template user to copy from: a group and 2 managed policies; users may change their password
    (so the wizard attaches no IAMUserChangePassword, which moto does not serve)."""
    aws.update_account_password_policy(MinimumPasswordLength=12, AllowUsersToChangePassword=True)
    aws.create_group(GroupName="devs")
    aws.create_user(UserName="template")
    aws.add_user_to_group(GroupName="devs", UserName="template")
    for name in ("team-read", "team-write"):
        arn = aws.create_policy(PolicyName=name, PolicyDocument=DOCUMENT)["Policy"]["Arn"]
        aws.attach_user_policy(UserName="template", PolicyArn=arn)


def push_once(account, endpoint, concurrency: int, latency: float) -> dict:
    """One push of 10 users on an emptied moto; its wall time and calls."""
    import boto3

    from iamconsole.backends.aws import make_client
    from users import push
    from users.models import PushJob

    reset_moto(endpoint)
    prepare_push(boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1"))
    names = [f"trainee{i:02d}" for i in range(10)]
    state = {
        "id": "bench",
        "details": {
            "names": names,
            "programmatic": True,
            "console": True,
            "password_type": "auto",
            "custom_password": "",
            "require_reset": True,
        },
        "permissions": {
            "option": "copy",
            "groups": [],
            "copy_from": "template",
            "policies": [],
            "boundary": "",
        },
        "tags": [],
        "done": ["details", "permissions", "tags"],
    }
    push.RUNNER, push.CONCURRENCY = push.run, concurrency  # synchronous: the wall time is the job's
    iam = push.backend_for(account)
    with Meter(make_client(account), latency) as meter:
        started = time.perf_counter()
        job = push.start(iam, account.root_operator, state)
        seconds = time.perf_counter() - started
    job = PushJob.objects.get(pk=job.pk)
    if job.status != PushJob.DONE:
        raise SystemExit(f"the push did not finish: {job.progress}")
    return {"seconds": seconds, "calls": sum(meter.calls.values()), "by_operation": dict(meter.calls)}


def users_list(account, endpoint, users: int, latency: float, runs: int) -> dict:
    """`list_users_overview` of an account with `users` users (made with 8 threads, not measured)."""
    import boto3

    from iamconsole.backends import get_backend
    from iamconsole.backends.aws import make_client

    reset_moto(endpoint)
    aws = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda i: aws.create_user(UserName=f"user{i:05d}"), range(users)))
    results = []
    for _ in range(runs):
        backend = get_backend(account)
        with Meter(make_client(account), latency) as meter:
            started = time.perf_counter()
            page = backend.list_users_overview(per_page=50)
            seconds = time.perf_counter() - started
        assert page["Total"] == users, page["Total"]
        results.append(
            {"seconds": seconds, "calls": sum(meter.calls.values()), "by_operation": dict(meter.calls)}
        )
    return median_of(results)


def median_of(results: list[dict]) -> dict:
    return {
        "seconds": round(statistics.median(r["seconds"] for r in results), 3),
        "calls": results[0]["calls"],
        "by_operation": results[0]["by_operation"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--latency", type=float, default=30.0, help="ms added to each request")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    os.environ.update(FAKE_ENV)
    os.environ.pop("AWS_SESSION_TOKEN", None)
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from accounts.connect import connect_account

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    server, endpoint = start_moto()
    try:
        account, _ = connect_account(
            account_id="123456789012",
            endpoint_url=endpoint,
            region="us-east-1",
            root_email="bench@example.com",
        )
        out = {"push": {}, "users_list": {}}
        for latency_ms in sorted({0.0, args.latency}):
            for concurrency in (1, 4):
                runs = [
                    push_once(account, endpoint, concurrency, latency_ms / 1000) for _ in range(args.runs)
                ]
                out["push"][f"latency {latency_ms:g} ms, concurrency {concurrency}"] = median_of(runs)
            out["users_list"][f"latency {latency_ms:g} ms"] = users_list(
                account, endpoint, args.users, latency_ms / 1000, args.runs
            )
    finally:
        server.terminate()
        server.wait(timeout=10)
    if args.json:
        print(json.dumps(out, indent=2))
        return
    print("Push of 10 users (password, access key, group, 2 policies) through users/push.py:")
    for label, result in out["push"].items():
        print(f"  {label}: {result['seconds']:.2f} s, {result['calls']} API calls")
    print(f"  calls by operation: {next(iter(out['push'].values()))['by_operation']}")
    print(f"Users list (list_users_overview) of {args.users} users:")
    for label, result in out["users_list"].items():
        print(f"  {label}: {result['seconds']:.2f} s, {result['calls']} API calls {result['by_operation']}")


if __name__ == "__main__":
    main()
