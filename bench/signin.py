"""Benchmark of IAM-user console sign-in (the password step, no MFA) with Argon2 verification, through
Django's test client: median server time of one sign-in, and sign-ins per second with one and with two
worker processes (on 2 cores, two processes is the machine's full capacity). Database connections are
kept between requests, as in production (DB_CONN_MAX_AGE, 600 s unless the environment says otherwise).

    python bench/signin.py [--signins 60] [--postgres URL]

Each sign-in is a fresh browser (a new session): POST /signin with the account ID, the user name and
the right password, answered by a redirect to "My security credentials". The request does what a real
one does: the lockout check, one Argon2 verification (iamconsole/hashers.py parameters), the
ConsoleLogin audit event, PasswordLastUsed, a new session row.

Runs on a throwaway test database (Django's test-database machinery creates and drops it; SQLite as a
file so that both workers share it, and PostgreSQL when --postgres is given: the test database is
`test_<name>` of the URL's database name, so pick a name no one else uses). The workers are forked
from the process that built the data, with its database connections closed first.
"""

import argparse
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Bench-pass-1234"
ACCOUNT_ID = "123456789012"
WARMUP = 3


def _worker(index: int, signins: int, barrier, queue) -> None:
    """Sign in `signins` times as user bench-<index> after a warm-up; put the server times on `queue`."""
    from django.db import connections
    from django.test import Client

    connections.close_all()  # never share the parent's connection
    user = f"bench-{index}"
    form = {"account": ACCOUNT_ID, "username": user, "password": PASSWORD}
    for _ in range(WARMUP):
        Client().post("/signin", form)
    barrier.wait()
    started = time.perf_counter()
    timings = []
    for _ in range(signins):
        client = Client()
        t0 = time.perf_counter()
        response = client.post("/signin", form)
        timings.append(time.perf_counter() - t0)
        assert response.status_code == 302 and response["Location"] == "/self/security-credentials", (
            response.status_code
        )
    queue.put({"timings": timings, "started": started, "ended": time.perf_counter()})
    connections.close_all()


def _run(processes: int, signins: int) -> dict:
    """`processes` forked workers signing in at once: every server time, and sign-ins per second."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier, queue = context.Barrier(processes), context.Queue()
    workers = [context.Process(target=_worker, args=(i, signins, barrier, queue)) for i in range(processes)]
    for worker in workers:
        worker.start()
    results = [queue.get(timeout=600) for _ in workers]
    for worker in workers:
        worker.join()
        if worker.exitcode != 0:
            raise RuntimeError(f"a worker failed with exit code {worker.exitcode}")
    timings = [t for result in results for t in result["timings"]]
    wall = max(r["ended"] for r in results) - min(r["started"] for r in results)
    return {
        "processes": processes,
        "signins": len(timings),
        "median_ms": statistics.median(timings) * 1000,
        "p90_ms": statistics.quantiles(timings, n=10)[-1] * 1000,
        "per_second": len(timings) / wall,
    }


def _argon2_ms() -> float:
    """Median time of one Argon2 verification alone (the floor of a sign-in's server time)."""
    from django.contrib.auth.hashers import check_password, make_password

    encoded = make_password(PASSWORD)
    timings = []
    for _ in range(15):
        t0 = time.perf_counter()
        check_password(PASSWORD, encoded)
        timings.append(time.perf_counter() - t0)
    return statistics.median(timings) * 1000


def child(signins: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    scratch = tempfile.TemporaryDirectory(prefix="bench-signin-")
    if connection.vendor == "sqlite":  # a file, not memory: the forked workers share it
        connection.settings_dict["TEST"]["NAME"] = str(Path(scratch.name) / "test.sqlite3")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.services import create_account
        from iamconsole.backends import get_backend

        account = create_account(
            account_id=ACCOUNT_ID, root_email="bench@example.com", root_password="Root-pass-1234"
        )
        iam = get_backend(account)
        for index in range(2):
            iam.create_user(UserName=f"bench-{index}")
            iam.create_login_profile(UserName=f"bench-{index}", Password=PASSWORD)
        return {
            "argon2_ms": _argon2_ms(),
            "database": connection.vendor,
            "cores": os.cpu_count(),
            "hasher": settings.PASSWORD_HASHERS[0].rsplit(".", 1)[-1],
            "runs": [_run(1, signins), _run(2, signins)],
        }
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)
        scratch.cleanup()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--signins", type=int, default=60, help="timed sign-ins per worker process")
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"))
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.signins)))
        return
    for label, url in [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else []):
        # Production keeps each worker's database connection (DB_CONN_MAX_AGE); so does the bench.
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")} | (
            {"DATABASE_URL": url} if url else {}
        )
        env.setdefault("DB_CONN_MAX_AGE", "600")
        proc = subprocess.run(
            [sys.executable, __file__, "--child", f"--signins={args.signins}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"[{label}] failed:\n{proc.stderr[-3000:]}")
            continue
        result = json.loads(proc.stdout.strip().splitlines()[-1])
        print(f"[{label}] one Argon2 verification alone: median {result['argon2_ms']:.1f} ms")
        for run in result["runs"]:
            print(
                f"[{label}] IAM-user sign-in, password step ({result['hasher']}), {run['processes']} "
                f"process{'es' if run['processes'] > 1 else ''} on {result['cores']} cores: "
                f"median {run['median_ms']:.1f} ms, p90 {run['p90_ms']:.1f} ms, "
                f"{run['per_second']:.1f} sign-ins/s over {run['signins']} sign-ins"
            )


if __name__ == "__main__":
    main()
