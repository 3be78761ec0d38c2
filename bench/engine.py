"""Benchmarks of the IAM engine (LocalBackend), printed as figures, on SQLite and on PostgreSQL.

    python bench/engine.py                 # SQLite, and PostgreSQL when DATABASE_URL or --postgres is given
    python bench/engine.py --postgres postgres://postgres@127.0.0.1:5432/test --users 5000

Each database run happens in a child process on a throwaway test database (Django's test-database
machinery creates and drops it). Figures: operations per second and total seconds for 1,000
CreateUser, ListUsers through 5,000 users (pages of 100, median per page, queries per page),
GenerateCredentialReport + GetCredentialReport for 5,000 users, and GetAccountAuthorizationDetails for
5,000 users in 300 groups. Targets (issue 2): CreateUser >= 500/s, report < 1 s, ListUsers page < 20 ms,
query counts independent of the number of users.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def child(users: int, groups: int, creates: int) -> dict:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.services import create_account
        from iamconsole.backends import get_backend

        account = create_account(account_id="123456789012", root_email="bench@example.com", root_password="x")
        iam = get_backend(account)
        out = {"database": connection.vendor}

        started = time.perf_counter()
        for i in range(creates):
            iam.create_user(UserName=f"bench-create-{i:05d}")
        elapsed = time.perf_counter() - started
        out["create_user"] = {"count": creates, "seconds": elapsed, "per_second": creates / elapsed}

        # Fill up to `users` users and `groups` groups, each user in one to three groups.
        for i in range(creates, users):
            iam.create_user(UserName=f"bench-user-{i:05d}")
        names = [u["UserName"] for u in _all_users(iam)]
        for g in range(groups):
            iam.create_group(GroupName=f"bench-group-{g:03d}")
        for i, name in enumerate(names):
            for g in {i % groups, (i * 7) % groups, (i * 13) % groups}:
                iam.add_user_to_group(UserName=name, GroupName=f"bench-group-{g:03d}")

        page_times, page_queries, marker, pages = [], [], None, 0
        started = time.perf_counter()
        while True:
            kwargs = {"MaxItems": 100} | ({"Marker": marker} if marker else {})
            t0 = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                page = iam.list_users(**kwargs)
            page_times.append(time.perf_counter() - t0)
            page_queries.append(len(queries))
            pages += 1
            if not page["IsTruncated"]:
                break
            marker = page["Marker"]
        out["list_users"] = {
            "users": len(names),
            "pages": pages,
            "seconds": time.perf_counter() - started,
            "page_median_ms": statistics.median(page_times) * 1000,
            "queries_per_page": sorted(set(page_queries)),
        }

        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            iam.generate_credential_report()
            report = iam.get_credential_report()
        out["credential_report"] = {
            "users": len(names),
            "seconds": time.perf_counter() - t0,
            "rows": report["Content"].count(b"\n"),
            "queries": len(queries),
        }

        t0 = time.perf_counter()
        detail_pages, listed = 0, 0
        marker = None
        with CaptureQueriesContext(connection) as queries:
            while True:
                kwargs = {"MaxItems": 1000} | ({"Marker": marker} if marker else {})
                page = iam.get_account_authorization_details(**kwargs)
                detail_pages += 1
                listed += len(page.get("UserDetailList", []))
                if not page.get("IsTruncated"):
                    break
                marker = page["Marker"]
        out["authorization_details"] = {
            "users": listed,
            "groups": groups,
            "pages": detail_pages,
            "seconds": time.perf_counter() - t0,
            "queries": len(queries),
        }
        return out
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _all_users(iam):
    marker = None
    while True:
        page = iam.list_users(MaxItems=1000, **({"Marker": marker} if marker else {}))
        yield from page["Users"]
        if not page["IsTruncated"]:
            return
        marker = page["Marker"]


def show(result: dict) -> None:
    db = result["database"]
    c, lu, cr, ad = (
        result["create_user"],
        result["list_users"],
        result["credential_report"],
        result["authorization_details"],
    )
    print(
        f"[{db}] CreateUser x{c['count']}: {c['per_second']:.0f} ops/s, {c['seconds']:.2f} s total (target >= 500/s)"
    )
    print(
        f"[{db}] ListUsers through {lu['users']} users: {lu['pages']} pages in {lu['seconds']:.2f} s, "
        f"{lu['page_median_ms']:.1f} ms median per page of 100 (target < 20 ms), "
        f"queries per page {lu['queries_per_page']}"
    )
    print(
        f"[{db}] Generate+GetCredentialReport for {cr['users']} users: {cr['seconds']:.3f} s "
        f"({cr['rows']} lines, {cr['queries']} queries; target < 1 s)"
    )
    print(
        f"[{db}] GetAccountAuthorizationDetails for {ad['users']} users in {ad['groups']} groups: "
        f"{ad['seconds']:.2f} s, {ad['pages']} pages, {ad['queries']} queries"
    )


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=5000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--creates", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES_URL"), help="PostgreSQL URL")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.users, args.groups, args.creates)))
        return
    urls = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    for label, url in urls:
        env = dict(os.environ)
        env.pop("DATABASE_URL", None)
        if url:
            env["DATABASE_URL"] = url
        proc = subprocess.run(
            [
                sys.executable,
                __file__,
                "--child",
                f"--users={args.users}",
                f"--groups={args.groups}",
                f"--creates={args.creates}",
            ],
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
