"""Tests of the policy evaluation engine (policies/engine.py), with small helpers shared by the
table-driven modules."""

import json

from policies.engine import Request, evaluate

ACCOUNT = "123456789012"
MISSING = object()  # a context key the request does not carry


def document(*statements, version="2012-10-17") -> str:
    """A policy document of these statement dicts (Version omitted when `version` is None)."""
    body = {"Statement": list(statements)}
    if version is not None:
        body = {"Version": version, **body}
    return json.dumps(body, indent=4)


def allow(action="*", resource="*", condition=None, **extra) -> dict:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource, **extra}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def deny(action="*", resource="*", condition=None, **extra) -> dict:
    statement = {"Effect": "Deny", "Action": action, "Resource": resource, **extra}
    if condition is not None:
        statement["Condition"] = condition
    return statement


def decide(*policies, action="iam:GetUser", resource="*", context=None, boundary=None) -> str:
    """The decision for one request against identity policies given as document texts."""
    identity = [(f"policy-{i}", "user", text) for i, text in enumerate(policies)]
    return evaluate(Request(action, resource, context or {}), identity, boundary).decision


def user_arn(name: str, path: str = "/") -> str:
    return f"arn:aws:iam::{ACCOUNT}:user{path}{name}"
