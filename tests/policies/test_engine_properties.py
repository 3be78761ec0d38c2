"""Properties of the decision over random policies: Allow statements never overturn an explicit deny
and never take access away, an applicable Deny always wins, a boundary only restricts, and the order
of policies does not matter."""

from hypothesis import given, settings
from hypothesis import strategies as st

from policies.engine import Request, evaluate

from . import ACCOUNT, document, user_arn

ACTIONS = ["iam:GetUser", "iam:Get*", "iam:*", "*", "s3:*", "iam:CreateUser", "iam:*User", "IAM:get?ser"]
RESOURCES = [
    "*",
    user_arn("bob"),
    "arn:aws:iam::*:user/*",
    f"arn:aws:iam::{ACCOUNT}:group/*",
    "arn:aws:iam::*:user/${aws:username}",
]
CONDITIONS = [
    None,
    {"StringEquals": {"k:a": "1"}},
    {"StringNotEquals": {"k:a": "1"}},
    {"BoolIfExists": {"k:b": "true"}},
    {"ForAllValues:StringEquals": {"k:c": ["x"]}},
    {"ForAnyValue:StringLike": {"k:c": ["x*"]}},
    {"Null": {"k:a": "true"}},
    {"NumericLessThan": {"k:n": "5"}},
]
CONTEXTS = [
    {},
    {"k:a": "1"},
    {"K:A": "2", "k:b": "false"},
    {"k:c": ["x", "y"], "k:n": "3"},
    {"aws:username": "bob", "k:b": "true"},
]
REQUEST_ACTIONS = ["iam:GetUser", "iam:CreateUser", "s3:GetObject", "ec2:RunInstances"]
REQUEST_RESOURCES = [user_arn("bob"), user_arn("alice"), f"arn:aws:iam::{ACCOUNT}:group/admins", "*"]


@st.composite
def statements(draw, effect=None):
    statement = {"Effect": effect or draw(st.sampled_from(["Allow", "Deny"]))}
    statement["NotAction" if draw(st.booleans()) else "Action"] = draw(
        st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3)
    )
    statement["NotResource" if draw(st.integers(0, 3)) == 0 else "Resource"] = draw(
        st.lists(st.sampled_from(RESOURCES), min_size=1, max_size=2)
    )
    condition = draw(st.sampled_from(CONDITIONS))
    if condition is not None:
        statement["Condition"] = condition
    return statement


policies = st.lists(st.lists(statements(), min_size=1, max_size=4), min_size=0, max_size=4)
allows = st.lists(statements(effect="Allow"), min_size=1, max_size=4)
requests = st.builds(
    Request, st.sampled_from(REQUEST_ACTIONS), st.sampled_from(REQUEST_RESOURCES), st.sampled_from(CONTEXTS)
)


def run(request, statement_lists, boundary=None):
    identity = [(f"p{i}", "user", document(*items)) for i, items in enumerate(statement_lists)]
    return evaluate(request, identity, document(*boundary) if boundary else None)


@settings(max_examples=300, deadline=None)
@given(request=requests, identity=policies, extra=allows, into_existing=st.booleans())
def test_adding_allow_statements_never_overturns_an_explicit_deny(request, identity, extra, into_existing):
    before = run(request, identity)
    if into_existing and identity:
        grown = [identity[0] + extra, *identity[1:]]
    else:
        grown = [*identity, extra]
    after = run(request, grown)
    if before.decision == "explicitDeny":
        assert after.decision == "explicitDeny"
        assert after.matched_statements == before.matched_statements
    if before.decision == "allowed":
        assert after.decision == "allowed"


@settings(max_examples=150, deadline=None)
@given(
    request=requests, identity=policies, boundary=st.lists(statements(), min_size=1, max_size=3), extra=allows
)
def test_adding_allow_statements_to_the_boundary_never_overturns_an_explicit_deny(
    request, identity, boundary, extra
):
    if run(request, identity, boundary).decision == "explicitDeny":
        assert run(request, identity, boundary + extra).decision == "explicitDeny"


@settings(max_examples=150, deadline=None)
@given(request=requests, identity=policies)
def test_an_applicable_deny_always_wins(request, identity):
    deny_all = [{"Effect": "Deny", "Action": "*", "Resource": "*"}]
    assert run(request, [*identity, deny_all]).decision == "explicitDeny"
    assert run(
        request, [*identity, [{"Effect": "Allow", "Action": "*", "Resource": "*"}]], deny_all
    ).decision == ("explicitDeny")


@settings(max_examples=150, deadline=None)
@given(request=requests, identity=policies, boundary=st.lists(statements(), min_size=1, max_size=3))
def test_a_boundary_only_restricts(request, identity, boundary):
    with_boundary = run(request, identity, boundary)
    without = run(request, identity)
    if with_boundary.decision == "allowed":
        assert without.decision == "allowed"
        assert with_boundary.boundary_allowed is True
    if without.decision == "explicitDeny":
        assert with_boundary.decision == "explicitDeny"


@settings(max_examples=150, deadline=None)
@given(request=requests, identity=policies)
def test_the_order_of_policies_does_not_change_the_decision(request, identity):
    forward = run(request, identity)
    backward = run(request, list(reversed(identity)))
    assert forward.decision == backward.decision
    assert forward.missing_context_values == backward.missing_context_values
