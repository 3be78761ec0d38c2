"""The AWS managed policy catalog (policies/data), loaded into ManagedPolicy rows with account=None."""

import datetime
import gzip
import json
from pathlib import Path

from iamconsole.ids import stable_id

CATALOG = Path(__file__).parent / "data" / "aws_managed_policies.json.gz"


def read_catalog() -> list[dict]:
    with gzip.open(CATALOG, "rt", encoding="utf-8") as f:
        return json.load(f)


def aws_policy_arn(path: str, name: str) -> str:
    return f"arn:aws:iam::aws:policy{path}{name}"


def load_catalog(ManagedPolicy, PolicyVersion) -> int:
    """Insert the catalog's policies that are not there yet (models passed in for migrations)."""
    from .lookup import forget_aws_policies

    forget_aws_policies()  # their rows may come back with other IDs
    existing = set(ManagedPolicy.objects.filter(account__isnull=True).values_list("arn", flat=True))
    policies, versions = [], []
    for item in read_catalog():
        arn = aws_policy_arn(item["Path"], item["PolicyName"])
        if arn in existing:
            continue
        created = datetime.datetime.fromisoformat(item["CreateDate"]).replace(microsecond=0)
        updated = datetime.datetime.fromisoformat(item["UpdateDate"]).replace(microsecond=0)
        policy = ManagedPolicy(
            account=None,
            arn=arn,
            policy_id=stable_id("ANPA", arn),
            name=item["PolicyName"],
            name_lower=item["PolicyName"].lower(),
            path=item["Path"],
            default_version_id=item["DefaultVersionId"],
            next_version=int(item["DefaultVersionId"][1:]) + 1,
            created=created,
            updated=updated,
        )
        policies.append(policy)
        versions.append((policy, item))
    ManagedPolicy.objects.bulk_create(policies, batch_size=500)
    by_arn = dict(ManagedPolicy.objects.filter(account__isnull=True).values_list("arn", "id"))
    PolicyVersion.objects.bulk_create(
        [
            PolicyVersion(
                policy_id=by_arn[policy.arn],
                version_id=item["DefaultVersionId"],
                document=json.dumps(item["Document"], indent=4),
                is_default=True,
                created=policy.updated,
            )
            for policy, item in versions
        ],
        batch_size=500,
    )
    return len(policies)
