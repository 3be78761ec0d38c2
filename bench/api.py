"""Benchmark of the Query API as boto3 sees it: iamconsole under gunicorn against moto_server, side by side.

    python bench/api.py                                   # SQLite under a temp dir
    python bench/api.py --postgres postgres://postgres@127.0.0.1:5432/postgres
    python bench/api.py --users 500 --calls 500 --concurrency 4 --json

One run: a throwaway sandbox (migrated SQLite file in a temp dir, or a fresh PostgreSQL database made
and dropped on the --postgres server), `manage.py sandbox create --admin-user bench` for an IAM user
with AdministratorAccess and an access key (so every call is authorized by policy evaluation, as for a
real user), iamconsole served by gunicorn as `make serve` runs it, with 2 sync workers (`--threads N`
for gthread workers of N threads; on 2 cores sync workers measured as fast or faster) and `moto_server`
started on the same machine. Each endpoint gets the same calls from `--concurrency`
boto3 clients in threads, the endpoints taking turns operation by operation, so a busy machine slows
both alike:

    CreateUser               --users new users
    GetUser                  --calls calls on random users
    ListUsers                --calls pages of MaxItems=100, paging through all the users
    AttachUserPolicy         one call per user (at most --calls): ReadOnlyAccess
    SimulatePrincipalPolicy  --calls calls, one user and two actions each

Printed: requests per second (calls / wall time), p50 and p99 latency in ms, and the ratio of
iamconsole's requests per second to moto's. An operation an endpoint does not implement is "n/a"
(moto 5.2 has no SimulatePrincipalPolicy). The mean ListUsers page size is printed too: moto ignores
MaxItems and returns every user on each page, so its ListUsers figure is not like for like.
"""

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
POLICY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
OPERATIONS = ["CreateUser", "GetUser", "ListUsers", "AttachUserPolicy", "SimulatePrincipalPolicy"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, process: subprocess.Popen, seconds: float = 60) -> None:
    """Until `url` answers (any HTTP status), or fail if the server died or never came up."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the server for {url} exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"{url} did not answer within {seconds} s")


# -- the sandbox and the servers ------------------------------------------------------------------


class Sandbox:
    """A temp dir, a database (SQLite inside it, or a new PostgreSQL database) and the server's env."""

    def __init__(self, postgres: str | None):
        self.dir = Path(tempfile.mkdtemp(prefix="iamconsole-bench-"))
        self.postgres, self.db_name = postgres, None
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "IAMCONSOLE_", "DATABASE_"))}
        env.update(
            DJANGO_SETTINGS_MODULE="iamconsole.settings",
            IAMCONSOLE_VAR_DIR=str(self.dir),
            REQUEST_LOG="0",  # the log line is cheap, but a benchmark should not flood the terminal
            DB_CONN_MAX_AGE="600",  # persistent connections, as in production
        )
        env.pop("REDIS_URL", None)
        if postgres:
            self.db_name = f"iamconsole_bench_{uuid.uuid4().hex[:8]}"
            self._admin(f'CREATE DATABASE "{self.db_name}"')
            parts = urlsplit(postgres)
            env["DATABASE_URL"] = urlunsplit(parts._replace(path="/" + self.db_name))
        self.env = env

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.postgres, autocommit=True) as connection:
            connection.execute(sql)

    def manage(self, *args) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True
        )
        if result.returncode:
            raise SystemExit(f"manage.py {' '.join(args)} failed:\n{result.stderr}")
        return result.stdout

    def close(self) -> None:
        if self.db_name:
            self._admin(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        shutil.rmtree(self.dir, ignore_errors=True)


def start_gunicorn(sandbox: Sandbox, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        str(BIN / "gunicorn"),
        "iamconsole.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
    ]
    command += ["--workers", str(workers), "--no-control-socket", "--log-level", "warning"]
    if threads > 1:  # the Makefile's `serve` options
        command += ["--worker-class", "gthread", "--threads", str(threads)]
    process = subprocess.Popen(command, cwd=ROOT, env=sandbox.env)
    wait_for(f"http://127.0.0.1:{port}/healthz", process)
    return process


def start_moto(port: int) -> subprocess.Popen:
    command = [str(BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(port)]
    # moto loads the AWS managed policies (ReadOnlyAccess) only when asked.
    env = {**os.environ, "MOTO_IAM_LOAD_MANAGED_POLICIES": "true"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    wait_for(f"http://127.0.0.1:{port}/moto-api/", process)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# -- CPU accounting -------------------------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds used so far), read from /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text[text.rindex(")") + 2 :].split()
        found[int(entry)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / TICK)
    return found


def server_cpu(root: int, database: bool) -> float:
    """CPU seconds used by the server process `root` and its children, plus (if `database`) every
    PostgreSQL process: what answering costs the machine, wherever it is spent."""
    processes = _processes()
    tree, todo = set(), [root]
    while todo:
        pid = todo.pop()
        tree.add(pid)
        todo += [child for child, (parent, _, _) in processes.items() if parent == pid]
    return sum(
        cpu for pid, (_, name, cpu) in processes.items() if pid in tree or (database and name == "postgres")
    )


# -- the load -------------------------------------------------------------------------------------


class Target:
    """One endpoint, its credentials, and a pool of threads that each hold their own boto3 client."""

    def __init__(
        self, name: str, endpoint: str, key: tuple[str, str], concurrency: int, pid: int, database: bool
    ):
        self.name, self.endpoint, self.key = name, endpoint, key
        self.pid, self.database = pid, database
        self.local = threading.local()
        # Clients are made when each thread starts, outside every timed call.
        self.pool = ThreadPoolExecutor(concurrency, initializer=self.client)

    def client(self):
        if not hasattr(self.local, "client"):
            self.local.client = boto3.session.Session().client(
                "iam",
                endpoint_url=self.endpoint,
                region_name="us-east-1",
                aws_access_key_id=self.key[0],
                aws_secret_access_key=self.key[1],
                config=Config(retries={"max_attempts": 1, "mode": "standard"}, max_pool_connections=4),
            )
        return self.local.client


def measure(target: Target, calls: list) -> dict:
    """Run `calls` (functions of a client) on the target's threads; rps and latency percentiles."""

    def timed(call):
        client = target.client()
        started = time.perf_counter()
        call(client)
        return time.perf_counter() - started

    cpu = server_cpu(target.pid, target.database)
    started = time.perf_counter()
    try:
        latencies = sorted(target.pool.map(timed, calls))
    except (ClientError, ResponseParserError) as error:
        # An endpoint that lacks the operation (moto answers SimulatePrincipalPolicy with an HTML 500).
        reason = error.response["Error"]["Code"] if isinstance(error, ClientError) else "unparsable answer"
        return {"calls": len(calls), "error": f"failed: {reason}"}
    wall = time.perf_counter() - started
    cpu = server_cpu(target.pid, target.database) - cpu
    return {
        "calls": len(calls),
        "server_cpu_ms": cpu / len(calls) * 1000,
        "per_second": len(calls) / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000,
    }


def list_pages(client, names_seen: list) -> None:
    """One ListUsers page of 100, continuing from the previous page of this thread (wrapping around)."""
    marker = getattr(list_pages.state, "marker", None)
    kwargs = {"MaxItems": 100, **({"Marker": marker} if marker else {})}
    page = client.list_users(**kwargs)
    list_pages.state.marker = page.get("Marker") if page.get("IsTruncated") else None
    names_seen.append(len(page["Users"]))


list_pages.state = threading.local()


def run_target(target: Target, users: int, calls: int, seed: int, results: dict):
    """Measure each operation in turn into `results`, yielding after each (the caller interleaves)."""
    rng = random.Random(seed)
    names = [f"bench-{i:05d}" for i in range(users)]
    # Warm-up on every thread: connections opened, each server worker's imports and caches loaded.
    list(target.pool.map(lambda _: target.client().list_users(MaxItems=1), range(20)))
    yield
    results["CreateUser"] = measure(target, [lambda c, n=n: c.create_user(UserName=n) for n in names])
    yield
    arns = {n: target.client().get_user(UserName=n)["User"]["Arn"] for n in names[:calls]}
    picks = [rng.choice(names) for _ in range(calls)]
    results["GetUser"] = measure(target, [lambda c, n=n: c.get_user(UserName=n) for n in picks])
    yield
    page_sizes: list[int] = []
    results["ListUsers"] = measure(target, [lambda c: list_pages(c, page_sizes) for _ in range(calls)])
    results["ListUsers"]["mean_page_size"] = statistics.mean(page_sizes) if page_sizes else 0
    yield
    results["AttachUserPolicy"] = measure(
        target,
        [lambda c, n=n: c.attach_user_policy(UserName=n, PolicyArn=POLICY) for n in names[:calls]],
    )
    yield
    sources = [arns[rng.choice(list(arns))] for _ in range(calls)]
    simulate = [
        lambda c, a=a: c.simulate_principal_policy(
            PolicySourceArn=a, ActionNames=["iam:GetUser", "s3:GetObject"]
        )
        for a in sources
    ]
    results["SimulatePrincipalPolicy"] = measure(target, simulate)


# -- the report -----------------------------------------------------------------------------------


def cell(result: dict) -> str:
    if "error" in result:
        return f"{'n/a':>8} {'':>8} {'':>8} {'':>7}"
    return (
        f"{result['per_second']:8.0f} {result['p50_ms']:8.1f} {result['p99_ms']:8.1f}"
        f" {result['server_cpu_ms']:7.1f}"
    )


def report(figures: dict, meta: dict) -> str:
    lines = [
        f"Query API, {meta['concurrency']} client threads, {meta['users']} users, {meta['calls']} calls per "
        f"operation; iamconsole: gunicorn {meta['workers']} workers x {meta['threads']} threads on "
        f"{meta['database']}; moto {meta['moto']}",
        "",
        f"{'operation':<24} {'iamconsole':^34} | {'moto_server':^34} | ratio",
        f"{'':<24} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7} |"
        f" {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'cpu ms':>7} | rps",
    ]
    for op in OPERATIONS:
        ours, theirs = figures["iamconsole"][op], figures["moto"][op]
        ratio = (
            f"{ours['per_second'] / theirs['per_second']:.2f}x"
            if "error" not in ours and "error" not in theirs
            else "-"
        )
        lines.append(f"{op:<24} {cell(ours)} | {cell(theirs)} | {ratio}")
    notes = [
        f"{name} {op}: {r['error']}" for name in figures for op, r in figures[name].items() if "error" in r
    ]
    # A ListUsers page is only comparable when both endpoints honour MaxItems (moto 5 returns every user).
    notes += [
        f"{name} ListUsers: {figures[name]['ListUsers']['mean_page_size']:.0f} users per page on average"
        for name in figures
        if "mean_page_size" in figures[name]["ListUsers"]
    ]
    notes.append("cpu ms: CPU time the server used per call (its processes, and PostgreSQL's for iamconsole)")
    return "\n".join(lines + [""] + notes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--postgres", metavar="URL", help="PostgreSQL server URL (a throwaway database is made)"
    )
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=1, help="gunicorn threads per worker (1: sync workers)"
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    # The machine's AWS configuration must not change what the clients send.
    for name in ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
        os.environ.pop(name, None)
    os.environ["AWS_CONFIG_FILE"] = os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull

    import moto

    sandbox = Sandbox(args.postgres)
    servers = []
    try:
        sandbox.manage("migrate", "--noinput", "-v0")
        made = json.loads(sandbox.manage("sandbox", "create", "--admin-user", "bench-admin", "--json"))
        ours_port, moto_port = free_port(), free_port()
        servers.append(start_gunicorn(sandbox, ours_port, args.workers, args.threads))
        servers.append(start_moto(moto_port))
        targets = [
            Target(
                "iamconsole",
                f"http://127.0.0.1:{ours_port}/aws",
                (made["AccessKeyId"], made["SecretAccessKey"]),
                args.concurrency,
                servers[0].pid,
                database=bool(args.postgres),
            ),
            Target(
                "moto",
                f"http://127.0.0.1:{moto_port}",
                ("AKIAIOSFODNN7EXAMPLE", "x" * 40),
                args.concurrency,
                servers[1].pid,
                database=False,
            ),
        ]
        figures = {target.name: {} for target in targets}
        runs = [run_target(t, args.users, args.calls, 7, figures[t.name]) for t in targets]
        # One operation on each endpoint in turn, so that load from elsewhere on the machine falls on both.
        while runs:
            runs = [run for run in runs if next(run, "done") != "done"]
    finally:
        for process in servers:
            stop(process)
        sandbox.close()
    meta = {
        "users": args.users,
        "calls": args.calls,
        "concurrency": args.concurrency,
        "workers": args.workers,
        "threads": args.threads,
        "database": "PostgreSQL" if args.postgres else "SQLite",
        "moto": moto.__version__,
    }
    if args.json:
        print(json.dumps({"meta": meta, "figures": figures}, indent=2))
    else:
        print(report(figures, meta))


if __name__ == "__main__":
    main()
