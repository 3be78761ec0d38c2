"""Load test: concurrent clients against two iamconsole instances sharing PostgreSQL and Redis.

    python bench/load.py                      # 50 clients for 60 s
    python bench/load.py --duration 20 --clients 50 --workers 3 --users 5000 --think 0

The cluster is tests/instances/harness.py's: a throwaway PostgreSQL database on the machine's server
(INSTANCES_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/test), a Redis DB number
(LOAD_REDIS_DB, default 14, flushed), and two gunicorn instances of --workers workers each (sync, as
`make serve` runs them; gthread workers of N threads with --threads N), connected straight to PostgreSQL
and Redis. The account is filled to --users IAM users (5,000, IAM's quota: seeds, sign-in users and one
slot per client). Each client (a thread, alternating between the instances) holds a signed-in root
console session and a boto3 client with the root key, and picks, weighted, then waits a think time
(exponentially distributed, mean --think seconds: a person between clicks, a script between calls)
before the next:

    page:users-list     GET /users (the list of all the users)
    page:user-details   GET /users/details/<random user>
    signin              an IAM-user console sign-in from a fresh browser: page:signin-form (GET), then
                        signin (the POST: Argon2, the session)
    api:GetUser, api:ListUsers (MaxItems=100), api:SimulatePrincipalPolicy (two actions)
    api:CreateUser then api:DeleteUser of a new name

`--think 0` makes every client send its next request the moment the last one is answered: a stress test
of the cluster's throughput, where latency is the clients' count over the throughput (queueing), not a
client's experience.

Printed: requests per second, p50/p95/p99 per kind, errors per kind, a check that nothing was lost (the
database's count of load-test users equals successful creates minus successful deletes), and each
worker's RSS (from /proc/<pid>/status) after the run.
"""

import argparse
import gc
import os
import random
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import boto3  # noqa: E402
import requests  # noqa: E402
from botocore.config import Config  # noqa: E402

from tests.instances.conftest import root_sign_in  # noqa: E402
from tests.instances.harness import Cluster, rss_kib  # noqa: E402

SIGNIN_USERS = 10
SIGNIN_PASSWORD = "Load-pass-1234!"
WEIGHTS = {
    "page:users-list": 8,
    "page:user-details": 15,
    "signin": 5,
    "api:GetUser": 20,
    "api:ListUsers": 15,
    "api:CreateUser+DeleteUser": 15,
    "api:SimulatePrincipalPolicy": 20,
}

SEED_SCRIPT = """
from accounts.models import Account
from iamconsole.backends import get_backend
iam = get_backend(Account.objects.get(account_id="111122223333"))
for i in range({users}):
    iam.create_user(UserName=f"seed-{{i:05d}}")
for i in range({signin}):
    iam.create_user(UserName=f"signin-{{i}}")
    iam.create_login_profile(UserName=f"signin-{{i}}", Password="{password}", PasswordResetRequired=False)
"""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = defaultdict(list)
        self.errors = defaultdict(int)
        self.samples = defaultdict(str)
        self.created, self.deleted = set(), set()

    def record(self, kind: str, seconds: float, error: str | None = None) -> None:
        with self.lock:
            if error:
                self.errors[kind] += 1
                self.samples[kind] = self.samples[kind] or error[:200]
            else:
                self.latencies[kind].append(seconds)


class Client(threading.Thread):
    def __init__(
        self, index: int, cluster: Cluster, stats: Stats, users: int, stop_at: float, seed: int, think: float
    ):
        super().__init__(daemon=True)
        self.think = think
        self.index, self.cluster, self.stats, self.users, self.stop_at = index, cluster, stats, users, stop_at
        self.base = cluster.urls[index % len(cluster.urls)]
        self.rng = random.Random(seed)
        self.browser = requests.Session()
        self.iam = boto3.session.Session().client(
            "iam",
            endpoint_url=f"{self.base}/aws",
            region_name="us-east-1",
            aws_access_key_id=cluster.sandbox["RootAccessKeyId"],
            aws_secret_access_key=cluster.sandbox["RootSecretAccessKey"],
            config=Config(retries={"max_attempts": 1, "mode": "standard"}, read_timeout=120),
        )
        self.serial = 0
        self.arn = f"arn:aws:iam::{cluster.sandbox['AccountId']}:user/seed-00000"

    def user(self) -> str:
        return f"seed-{self.rng.randrange(self.users):05d}"

    def timed(self, kind: str, call) -> bool:
        started = time.perf_counter()
        try:
            error = call()
        except Exception as exc:  # any failure is an error of this kind, counted, never fatal
            error = f"{type(exc).__name__}: {exc}"
        self.stats.record(kind, time.perf_counter() - started, error)
        return not error

    def page(self, path: str):
        response = self.browser.get(f"{self.base}{path}", allow_redirects=False)
        return None if response.status_code == 200 else f"HTTP {response.status_code} for {path}"

    def signin(self):
        """A fresh browser's sign-in: the form (GET), then its submission (POST), timed as two requests."""
        browser = requests.Session()
        form = {}

        def get_form():
            response = browser.get(f"{self.base}/signin")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.text)
            form["token"] = match.group(1) if match else ""
            return (
                None if response.status_code == 200 and match else f"HTTP {response.status_code} for /signin"
            )

        def submit():
            response = browser.post(
                f"{self.base}/signin",
                data={
                    "csrfmiddlewaretoken": form["token"],
                    "account": self.cluster.sandbox["AccountId"],
                    "username": f"signin-{self.rng.randrange(SIGNIN_USERS)}",
                    "password": SIGNIN_PASSWORD,
                },
                allow_redirects=False,
            )
            ok = response.status_code == 302 and "/signin" not in response.headers.get("Location", "")
            return None if ok else f"sign-in refused (HTTP {response.status_code})"

        if self.timed("page:signin-form", get_form):
            self.timed("signin", submit)

    def create_delete(self):
        self.serial += 1
        name = f"load-{self.index}-{self.serial}"
        if not self.timed("api:CreateUser", lambda: self.iam.create_user(UserName=name) and None):
            return
        with self.stats.lock:
            self.stats.created.add(name)
        if self.timed("api:DeleteUser", lambda: self.iam.delete_user(UserName=name) and None):
            with self.stats.lock:
                self.stats.deleted.add(name)

    def run(self) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        if self.think:  # the clients start spread over one think time, not all at once
            time.sleep(self.rng.uniform(0, self.think))
        while time.monotonic() < self.stop_at:
            if self.think:
                time.sleep(min(self.rng.expovariate(1 / self.think), max(0, self.stop_at - time.monotonic())))
                if time.monotonic() >= self.stop_at:
                    break
            kind = self.rng.choices(kinds, weights)[0]
            if kind == "page:users-list":
                self.timed(kind, lambda: self.page("/users"))
            elif kind == "page:user-details":
                self.timed(kind, lambda: self.page(f"/users/details/{self.user()}"))
            elif kind == "signin":
                self.signin()
            elif kind == "api:GetUser":
                self.timed(kind, lambda: self.iam.get_user(UserName=self.user()) and None)
            elif kind == "api:ListUsers":
                self.timed(kind, lambda: self.iam.list_users(MaxItems=100) and None)
            elif kind == "api:SimulatePrincipalPolicy":
                self.timed(
                    kind,
                    lambda: (
                        self.iam.simulate_principal_policy(
                            PolicySourceArn=self.arn, ActionNames=["iam:GetUser", "s3:GetObject"]
                        )
                        and None
                    ),
                )
            else:
                self.create_delete()


def percentile(values: list[float], fraction: float) -> float:
    return values[min(len(values) - 1, int(len(values) * fraction))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers per instance")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per gunicorn worker (1: sync workers)"
    )
    parser.add_argument(
        "--think", type=float, default=1.0, help="mean seconds a client waits between requests (0: none)"
    )
    parser.add_argument(
        "--users",
        type=int,
        default=5000,
        help="users in the account during the run (at most 5,000, IAM's quota)",
    )
    args = parser.parse_args()
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

    # Redis DB 14, so that a run does not flush the DB the tests/instances tests use (13).
    cluster = Cluster(
        instances=2,
        workers=args.workers,
        redis_db=int(os.environ.get("LOAD_REDIS_DB", "14")),
        threads=args.threads,
        proxied=False,
    )
    try:
        cluster.start()
        started = time.monotonic()
        # IAM's quota is 5,000 users an account: the sign-in users and one new user per client fit in it.
        seeds = args.users - SIGNIN_USERS - args.clients
        cluster.manage(
            "shell", "-c", SEED_SCRIPT.format(users=seeds, signin=SIGNIN_USERS, password=SIGNIN_PASSWORD)
        )
        print(f"seeded {args.users} users in {time.monotonic() - started:.0f} s", file=sys.stderr)
        stats = Stats()
        clients = [Client(i, cluster, stats, seeds, 0, seed=i, think=args.think) for i in range(args.clients)]
        for client in clients:  # every client signs in as root before the clock starts
            assert root_sign_in(client.browser, client.base).status_code == 302
        stop_at = time.monotonic() + args.duration
        for client in clients:
            client.stop_at = stop_at
        # The clients' own garbage collection must not pause every thread of this process mid-measurement:
        # what exists now (50 boto3 clients and their service models) is never collected.
        gc.collect()
        gc.freeze()
        began = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        wall = time.perf_counter() - began
        memory = [[(pid, rss_kib(pid)) for pid in pids] for pids in cluster.worker_pids()]
        in_db = cluster.sql("SELECT count(*) FROM users_iamuser WHERE name LIKE 'load-%%'")[0][0]
    finally:
        cluster.close()

    total = sum(len(v) for v in stats.latencies.values()) + sum(stats.errors.values())
    print(
        f"{args.clients} clients, think time {args.think:g} s (mean), {args.duration:.0f} s, 2 instances x "
        f"{args.workers} gunicorn workers x {args.threads} threads, PostgreSQL + Redis, {args.users} users"
    )
    print(f"total: {total} requests in {wall:.1f} s = {total / wall:.1f} req/s")
    print(f"{'kind':<30} {'count':>7} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for kind in sorted(set(stats.latencies) | set(stats.errors)):
        values = sorted(stats.latencies[kind])
        figures = (
            f"{percentile(values, 0.5):8.1f} {percentile(values, 0.95):8.1f} {percentile(values, 0.99):8.1f}"
            if values
            else f"{'-':>8} {'-':>8} {'-':>8}"
        )
        print(f"{kind:<30} {len(values):7d} {len(values) / wall:7.1f} {figures} {stats.errors[kind]:7d}")
    for kind, sample in stats.samples.items():
        print(f"  first {kind} error: {sample}")
    expected = len(stats.created) - len(stats.deleted)
    verdict = "OK" if in_db == expected else "MISMATCH"
    print(
        f"nothing lost: {len(stats.created)} created - {len(stats.deleted)} deleted = {expected}; "
        f"in the database: {in_db} -> {verdict}"
    )
    for index, workers in enumerate(memory):
        print(
            f"instance {index} worker RSS: "
            + ", ".join(f"pid {pid} {kib / 1024:.0f} MiB" for pid, kib in workers)
        )
    if in_db != expected:
        sys.exit(1)


if __name__ == "__main__":
    main()
