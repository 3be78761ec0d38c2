"""Benchmarks of the policy evaluation engine (policies/engine.py), printed as figures, one core.

    python bench/policy_engine.py

1. Compiled-statement evaluations per second: `CompiledStatement.applies` (action, resource,
   conditions) over a mix of typical statements and requests, then only over the pairs whose
   action matches (the ones that test resources and conditions). Target (issue 4): >= 200,000/s.
2. A user in 10 groups with 10 AWS managed policies each (100 real documents from the catalog in
   policies/data) plus one inline policy per group: the time of evaluating 100 IAM actions x 10
   resources through `evaluate`, cold (documents not yet compiled), with compiled documents but a
   new policy set, and warm. Target: < 50 ms.
"""

import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import botocore.session  # noqa: E402

from policies import engine  # noqa: E402

ACCOUNT = "123456789012"

STATEMENTS = """{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["iam:Get*", "iam:List*"], "Resource": "*"},
    {"Effect": "Allow", "Action": "iam:*AccessKey*", "Resource": "arn:aws:iam::*:user/${aws:username}"},
    {"Effect": "Deny", "NotAction": ["iam:ChangePassword", "iam:GetUser"], "Resource": "*",
     "Condition": {"BoolIfExists": {"aws:MultiFactorAuthPresent": "false"}}},
    {"Effect": "Allow", "Action": ["iam:CreateUser", "iam:TagUser"], "Resource": "arn:aws:iam::*:user/team/*",
     "Condition": {"StringEquals": {"aws:PrincipalTag/team": "platform"},
                   "ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}}},
    {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::bucket/home/${aws:username}/*",
     "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]},
                   "DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}},
    {"Effect": "Deny", "Action": "iam:Delete*", "NotResource": "arn:aws:iam::*:user/sandbox/*"}
  ]
}"""

REQUESTS = [
    ("iam:GetUser", f"arn:aws:iam::{ACCOUNT}:user/alice"),
    ("iam:CreateAccessKey", f"arn:aws:iam::{ACCOUNT}:user/alice"),
    ("iam:CreateUser", f"arn:aws:iam::{ACCOUNT}:user/team/bob"),
    ("iam:DeleteUser", f"arn:aws:iam::{ACCOUNT}:user/sandbox/carol"),
    ("s3:GetObject", "arn:aws:s3:::bucket/home/alice/notes.txt"),
    ("ec2:RunInstances", "*"),
]
CONTEXT = {
    "aws:username": "alice",
    "aws:MultiFactorAuthPresent": "true",
    "aws:PrincipalTag/team": "platform",
    "aws:TagKeys": ["team", "cost-center"],
    "aws:SourceIp": "10.1.2.3",
    "aws:CurrentTime": "2026-11-28T18:00:00Z",
}


def statement_rate(seconds: float = 2.0, action_matching_only: bool = False) -> dict:
    """Evaluations of every (request, statement) pair, or only of the pairs whose action matches
    (those that go on to test the resource and the conditions: the costly part)."""
    statements = engine.compile_policy(STATEMENTS).statements
    context = engine.normal_context(CONTEXT)
    pairs = [
        (action.lower(), resource, statement)
        for action, resource in REQUESTS
        for statement in statements
        if not action_matching_only or statement.matches_action(action.lower())
    ]
    missing: set = set()
    count = 0
    applied = 0
    started = time.perf_counter()
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            for action, resource, statement in pairs:
                applied += statement.applies(action, resource, context, missing)
        count += 100 * len(pairs)
    elapsed = time.perf_counter() - started
    return {"evaluations": count, "seconds": elapsed, "per_second": count / elapsed, "applied": applied}


def principal_policies() -> list[tuple[str, str, str]]:
    with gzip.open(ROOT / "policies/data/aws_managed_policies.json.gz", "rt") as handle:
        catalog = json.load(handle)
    # Every 15th policy: a deterministic spread of sizes and services.
    chosen = catalog[::15][:100]
    policies = []
    for group in range(10):
        policies.append(
            (
                f"group-{group}-inline",
                "group",
                json.dumps(
                    {
                        "Version": "2012-10-17",
                        "Statement": [
                            {"Effect": "Allow", "Action": f"iam:List{group}*", "Resource": "*"},
                            {
                                "Effect": "Deny",
                                "Action": "iam:Delete*",
                                "Resource": f"arn:aws:iam::{ACCOUNT}:user/protected/*",
                            },
                        ],
                    },
                    indent=4,
                ),
            )
        )
        for policy in chosen[group * 10 : group * 10 + 10]:
            policies.append((policy["PolicyName"], "aws-managed", json.dumps(policy["Document"], indent=4)))
    return policies


def matrix(policies, actions, resources) -> tuple[float, dict]:
    counts: dict[str, int] = {}
    started = time.perf_counter()
    for action in actions:
        for resource in resources:
            decision = engine.evaluate(engine.Request(action, resource, CONTEXT), policies)
            counts[decision.decision] = counts.get(decision.decision, 0) + 1
    return time.perf_counter() - started, counts


def main() -> None:
    rate = statement_rate()
    print(
        f"compiled-statement evaluations: {rate['per_second']:,.0f}/s "
        f"({rate['evaluations']:,} in {rate['seconds']:.2f} s; target >= 200,000/s)"
    )
    rate = statement_rate(action_matching_only=True)
    print(
        f"  ... of statements whose action matches (resource + conditions tested): {rate['per_second']:,.0f}/s"
    )

    policies = principal_policies()
    operations = botocore.session.get_session().get_service_model("iam").operation_names
    actions = [f"iam:{name}" for name in operations[:100]]
    resources = [
        f"arn:aws:iam::{ACCOUNT}:user/{path}user-{i}" for i, path in enumerate(["", "protected/"] * 5)
    ]
    text_size = sum(len(text) for _id, _type, text in policies)
    print(
        f"principal: 10 groups x (10 AWS managed + 1 inline) = {len(policies)} policies, {text_size:,} characters"
    )

    engine.compile_policy.cache_clear()
    engine._policy_set.cache_clear()
    cold, counts = matrix(policies, actions, resources)
    engine._policy_set.cache_clear()
    compiled, _ = matrix(policies, actions, resources)
    warm_runs = [matrix(policies, actions, resources)[0] for _ in range(5)]
    warm = statistics.median(warm_runs)
    print(f"100 actions x 10 resources ({sum(counts.values())} decisions: {counts})")
    print(f"  cold (compiling the 110 documents): {cold * 1000:.1f} ms")
    print(f"  documents compiled, new policy set: {compiled * 1000:.1f} ms (target < 50 ms)")
    print(f"  warm (median of 5):                 {warm * 1000:.1f} ms (target < 50 ms)")


if __name__ == "__main__":
    main()
