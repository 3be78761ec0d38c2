"""What authorization adds to a backend call: the same GetUser as root (no policy work) and as an IAM user
in 10 groups with 10 AWS managed policies each and a boundary (policies loaded and evaluated per call).

    python bench/authz.py [--postgres URL] [--calls 300]

Target (issue 4): authorization adds under 2 ms median to a console request.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    if args.postgres:
        os.environ["DATABASE_URL"] = args.postgres
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iamconsole.settings")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from accounts.services import create_account
        from iamconsole.backends import get_backend
        from policies.models import ManagedPolicy
        from users.models import IAMUser

        account = create_account(account_id="123456789012", root_email="bench@example.com", root_password="x")
        root = get_backend(account)
        # AWS managed policies without a Deny (some deny IAM actions, which would end the benchmark early).
        arns = list(
            ManagedPolicy.objects.filter(account__isnull=True, name__startswith="Amazon", path="/")
            .exclude(versions__is_default=True, versions__document__contains='"Deny"')
            .order_by("name")
            .values_list("arn", flat=True)[:100]
        )
        root.create_user(UserName="busy", PermissionsBoundary="arn:aws:iam::aws:policy/AdministratorAccess")
        root.attach_user_policy(UserName="busy", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        for g in range(10):
            root.create_group(GroupName=f"g{g}")
            root.add_user_to_group(UserName="busy", GroupName=f"g{g}")
            for arn in arns[g * 9 : g * 9 + 9]:
                root.attach_group_policy(GroupName=f"g{g}", PolicyArn=arn)
        user = get_backend(account, IAMUser.objects.get(name="busy"))

        def timed(backend):
            samples = []
            for _ in range(args.calls):
                t0 = time.perf_counter()
                backend.get_user(UserName="busy")
                samples.append(time.perf_counter() - t0)
            return statistics.median(samples) * 1000

        timed(user)  # compile the documents once, as a long-running worker has
        as_root, as_user = timed(root), timed(user)
        print(
            f"[{connection.vendor}] GetUser median: root {as_root:.2f} ms, IAM user in 10 groups x 9 policies + 1 "
            f"+ a boundary {as_user:.2f} ms: authorization adds {as_user - as_root:.2f} ms (target < 2 ms)"
        )
    finally:
        connection.creation.destroy_test_db(old, verbosity=0)


if __name__ == "__main__":
    main()
