"""Benchmark of the Event history page over a large audit log, printed as figures.

    python bench/events.py                      # SQLite (a throwaway database file)
    python bench/events.py --postgres postgres://postgres@127.0.0.1:5432/bench_events --events 1000000

Fills one account's log with `--events` events (1,000,000 by default) with `bulk_create`, on a
throwaway test database (Django's test-database machinery creates and drops it, as bench/engine.py
does; on PostgreSQL the test database is `test_<name>` of the URL's database name, so pick a name no
test run uses). Then, through Django's test client as the signed-in root, the median server time of
`/events` (target < 100 ms) and its query count, without filters and with each filter, including a
page deep in the log reached by its key cursor, and the plan of each case's main query (EXPLAIN
QUERY PLAN on SQLite; EXPLAIN ANALYZE on PostgreSQL, with --postgres) to show which index it uses.
"""

import argparse
import datetime
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
SPAN_SECONDS = 365 * 24 * 3600

# (event name, weight, the request member that names its resource)
MIX = [
    ("CreateUser", 8, "UserName"),
    ("TagUser", 10, "UserName"),
    ("CreateAccessKey", 8, "UserName"),
    ("UpdateAccessKey", 8, "UserName"),
    ("DeleteAccessKey", 4, "UserName"),
    ("CreateLoginProfile", 6, "UserName"),
    ("AddUserToGroup", 10, "UserName"),
    ("AttachUserPolicy", 8, "UserName"),
    ("PutUserPolicy", 6, "UserName"),
    ("DeleteUser", 3, "UserName"),
    ("CreateGroup", 3, "GroupName"),
    ("AttachGroupPolicy", 4, "GroupName"),
    ("CreatePolicy", 3, "PolicyName"),
    ("UpdateAccountPasswordPolicy", 1, None),
    ("ConsoleLogin", 18, None),
]
ERRORS = [
    ("NoSuchEntity", "The user with name x cannot be found."),
    ("AccessDenied", "User: x is not authorized"),
]
USERS = 5000  # user names spread over the log (about 140 events each in a million)
RARE_USER = "rare-user"  # named by 3 events only: the worst case for the user filter
AUDITORS = 50  # IAM users who make calls, besides the root


def fill(account, count: int) -> dict:
    """`count` events for `account`, oldest first, in batches; returns what the cases filter on."""
    from accounts.models import AuditEvent

    rng = random.Random(7)
    names = [m[0] for m in MIX]
    weights = [m[1] for m in MIX]
    members = {m[0]: m[2] for m in MIX}
    rare_at = {count // 5, count // 2, count - count // 7}
    batch, started = [], time.perf_counter()
    for i in range(count):
        name = "TagUser" if i in rare_at else rng.choices(names, weights)[0]
        when = START + datetime.timedelta(seconds=i * SPAN_SECONDS // count)
        member = members[name]
        params = None
        if member == "UserName":
            params = {"UserName": RARE_USER if i in rare_at else f"user-{rng.randrange(USERS):05d}"}
            if name == "TagUser":
                params["Tags"] = [{"Key": "team", "Value": f"team-{rng.randrange(40)}"}]
        elif member:
            params = {member: f"{member.lower()}-{rng.randrange(300):03d}"}
        auditor = rng.randrange(AUDITORS * 3)
        if auditor < AUDITORS:
            principal = {
                "principal_arn": f"arn:aws:iam::{account.account_id}:user/ops/auditor-{auditor:02d}",
                "principal_type": "IAMUser",
                "principal_id": f"AIDA{auditor:017d}",
            }
        else:
            principal = {
                "principal_arn": account.root_arn,
                "principal_type": "Root",
                "principal_id": account.account_id,
            }
        error = ERRORS[rng.randrange(2)] if rng.random() < 0.03 else ("", "")
        if name == "ConsoleLogin":
            error = ("", "Failed authentication") if rng.random() < 0.05 else ("", "")
        batch.append(
            AuditEvent(
                account=account,
                event_time=when,
                event_name=name,
                event_source="signin.amazonaws.com" if name == "ConsoleLogin" else "iam.amazonaws.com",
                source_ip=f"198.51.100.{rng.randrange(1, 255)}",
                user_agent="aws-cli/2.15.0 Python/3.13",
                request_id=str(uuid.UUID(int=rng.getrandbits(128), version=4)),
                request_parameters=params,
                response_elements={"ConsoleLogin": "Failure" if error[1] else "Success"}
                if name == "ConsoleLogin"
                else None,
                error_code=error[0],
                error_message=error[1],
                **principal,
            )
        )
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)
    return {"seconds": time.perf_counter() - started}


def cases(count: int) -> list[tuple[str, dict]]:
    middle = START + datetime.timedelta(seconds=SPAN_SECONDS // 2)
    day = datetime.timedelta(days=1)
    return [
        ("no filter, newest page", {}),
        ("no filter, page in the middle (key cursor)", {"_middle": "1"}),
        ("event name CreateGroup", {"event_name": "CreateGroup"}),
        ("event name DeleteRole (no events)", {"event_name": "DeleteRole"}),
        ("user user-00042 (one of 5,000 named users)", {"user": "user-00042"}),
        (f"user {RARE_USER} (3 events)", {"user": RARE_USER}),
        ("principal contains auditor-07", {"principal": "user/ops/auditor-07"}),
        ("principal contains :root (most events)", {"principal": ":root"}),
        ("principal contains nobody (no events)", {"principal": "nobody"}),
        ("outcome any error", {"outcome": "error"}),
        ("outcome NoSuchEntity", {"outcome": "NoSuchEntity"}),
        ("outcome ServiceFailure (no events)", {"outcome": "ServiceFailure"}),
        (
            "one day in the middle",
            {
                "start": middle.strftime("%Y-%m-%dT%H:%M:%S"),
                "end": (middle + day).strftime("%Y-%m-%dT%H:%M:%S"),
            },
        ),
        (
            "one day + name + outcome",
            {
                "start": middle.strftime("%Y-%m-%dT%H:%M:%S"),
                "end": (middle + day).strftime("%Y-%m-%dT%H:%M:%S"),
                "event_name": "TagUser",
                "outcome": "success",
            },
        ),
    ]


def child(count: int, runs: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    if connection.vendor == "sqlite":  # a file, not memory: a million events do not belong in RAM
        connection.settings_dict["TEST"]["NAME"] = os.path.join(
            tempfile.gettempdir(), f"bench-events-{os.getpid()}.db"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts import ops_events as events
        from accounts.models import AuditEvent
        from accounts.services import create_account
        from iamconsole.backends.base import Context, Principal

        account = create_account(account_id="123456789012", root_email="bench@example.com", root_password="x")
        out = {"database": connection.vendor, "events": count, "fill": fill(account, count), "cases": []}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE accounts_auditevent")
        client = Client()
        client.force_login(account.root_operator)
        ctx = Context(account, Principal(account))
        middle_row = AuditEvent.objects.filter(account=account).order_by("-event_time", "-id")[count // 2]
        for label, params in cases(count):
            params = dict(params)
            if params.pop("_middle", None):
                params["older"] = events._cursor(middle_row)
            client.get("/events", params)  # warm the caches once
            timings, queries, shown = [], 0, 0
            for _ in range(runs):
                with CaptureQueriesContext(connection) as captured:
                    t0 = time.perf_counter()
                    response = client.get("/events", params)
                    timings.append(time.perf_counter() - t0)
                queries = len(captured)
                assert response.status_code == 200, (label, response.status_code)
                shown = len(response.context["result"]["Events"])
            case = {
                "label": label,
                "median_ms": statistics.median(timings) * 1000,
                "queries": queries,
                "rows": shown,
            }
            case["plan"] = _plan(events, ctx, params, analyze=connection.vendor == "postgresql")
            out["cases"].append(case)
        return out
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _plan(events, ctx, params: dict, analyze: bool) -> str:
    """The plan of the page's main query, built as list_events builds it (EXPLAIN ANALYZE on PostgreSQL,
    EXPLAIN QUERY PLAN on SQLite)."""
    from django.utils.dateparse import parse_datetime

    filters = {
        "start": parse_datetime(params["start"]).replace(tzinfo=datetime.UTC) if "start" in params else None,
        "end": parse_datetime(params["end"]).replace(tzinfo=datetime.UTC) if "end" in params else None,
        "event_name": params.get("event_name", ""),
        "principal": params.get("principal", ""),
        "user_name": params.get("user", ""),
        "outcome": params.get("outcome", ""),
    }
    queryset = events._filtered(ctx, **filters)
    if "older" in params:
        queryset = queryset.filter(events._older_than(*events._position(params["older"])))
    page = queryset.order_by("-event_time", "-id")[: events.DEFAULT_PAGE + 1]
    return (page.explain(analyze=True) if analyze else page.explain()) or "(no query: nothing can match)"


def show(result: dict) -> None:
    db, fill_ = result["database"], result["fill"]
    print(f"[{db}] {result['events']:,} events inserted with bulk_create in {fill_['seconds']:.1f} s")
    for case in result["cases"]:
        verdict = "ok" if case["median_ms"] < 100 else "OVER TARGET"
        print(
            f"[{db}] /events {case['label']}: {case['median_ms']:.1f} ms median "
            f"({case['queries']} queries, {case['rows']} rows; target < 100 ms: {verdict})"
        )
        if "plan" in case:
            print("    " + case["plan"].replace("\n", "\n    "))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"), help="PostgreSQL URL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.events, args.runs)))
        return
    urls = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    for label, url in urls:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        if url:
            env["DATABASE_URL"] = url
        proc = subprocess.run(
            [sys.executable, __file__, "--child", f"--events={args.events}", f"--runs={args.runs}"],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(f"[{label}] failed:\n{proc.stderr[-3000:]}")
            continue
        show(json.loads(proc.stdout.strip().splitlines()[-1]))


if __name__ == "__main__":
    main()
