"""The authorization matrix in the console: the cast's users (conftest.py), each signed in through the
IAM-user sign-in page (/signin), on the pages. What a page shows a user is what the user's policies
allow; a refusal shows IAM's AccessDenied message and is never a 500.

Each row: method, path, form data ({user} is the caller's name), then per user of `USERS`:
    A  the page works for the user (check_allowed)
    D  the page refuses with AWS's AccessDenied message for that user (check_denied)
"""

import pytest
from django.test import Client

from .conftest import ACCOUNT, PASSWORD, USERS

ARN = f"arn:aws:iam::{ACCOUNT}:"
VISUAL_POLICY = {
    "editor": "visual",
    "statements": "1",
    "s0-effect": "Allow",
    "s0-service": "iam",
    "s0-service_was": "iam",
    "s0-action": "GetUser",
    "s0-all_resources": "on",
    "s0-conditions": "0",
    "op": "save",
    "name": "From{user}",
}
# groups/views.py turns AccessDenied into PermissionDenied, and Django's 403 page drops the message
# (the status is right: test_the_groups_page_is_refused_with_403). Strict: remove once fixed.
DELETE_BOB = {"user": "bob", "confirmation": "bob"}
# method, path, data, the action named in the refusal, outcomes for
#   admin readonly changepw selfmanage capped denied fenced
PAGES = [
    pytest.param("get", "/users", {}, "iam:ListUsers", "AADDAAA", id="users"),
    pytest.param("get", "/users/details/bob", {}, "iam:GetUser", "AADDAAA", id="user-detail"),
    pytest.param("get", "/policies?type=customer", {}, "iam:ListPolicies", "AADDAAA", id="policies"),
    pytest.param("get", "/groups", {}, "iam:ListGroups", "AADDAAA", id="groups"),
    pytest.param(
        "post", "/policies/create", VISUAL_POLICY, "iam:CreatePolicy", "ADDDDAA", id="visual-create"
    ),
    # the delete cascade reads and deletes bob's credentials first: the refused action varies
    pytest.param("post", "/users/delete", DELETE_BOB, "iam:", "ADDDDDD", id="user-delete"),
]


@pytest.fixture
def console(cast):
    """Each user signed in through the IAM-user sign-in page, one client (session) per user."""
    from django.core.cache import cache

    cache.clear()  # the sign-in lockout counters
    clients = {}

    def as_user(user: str, method: str, path: str, data: dict):
        if user not in clients:
            clients[user] = Client()
            form = {"account": ACCOUNT, "username": user, "password": PASSWORD}
            assert clients[user].post("/signin", form).status_code == 302, f"{user} could not sign in"
        data = {key: value.replace("{user}", user) for key, value in data.items()}
        return getattr(clients[user], method)(path, data, follow=method == "post")

    return as_user


def check_allowed(response, user: str, path: str, iam) -> None:
    assert response.status_code == 200, f"{user} {path}: {response.status_code}"
    body = response.content.decode()
    assert "is not authorized to perform" not in body, f"{user} {path} was refused"
    if path == "/policies/create":
        assert response.redirect_chain[-1][0] == f"/policies/details/{ARN}policy/From{user}"
        assert iam.get_policy(PolicyArn=f"{ARN}policy/From{user}")
    elif path == "/users/delete":
        assert "User bob deleted." in body
    elif path != "/groups":
        assert "bob" in body or "SelfManageCredentials" in body


def check_denied(response, user: str, path: str, action: str) -> None:
    assert response.status_code in (200, 403), f"{user} {path}: {response.status_code}"
    body = response.content.decode()
    assert f"User: {ARN}user/{user} is not authorized to perform: {action}" in body, f"{user} {path}"


@pytest.mark.parametrize(("method", "path", "data", "action", "outcomes"), PAGES)
def test_each_page_answers_each_user_as_their_policies_say(
    console, cast, method, path, data, action, outcomes
):
    for user, outcome in zip(USERS, outcomes, strict=True):
        users_before = {u["UserName"] for u in cast.list_users()["Users"]}
        response = console(user, method, path, data)
        if outcome == "A":
            check_allowed(response, user, path, cast)
            if path == "/users/delete":
                cast.create_user(UserName="bob")  # for the next user of the row
        else:
            check_denied(response, user, path, action)
            assert {u["UserName"] for u in cast.list_users()["Users"]} == users_before


def test_the_groups_page_is_refused_with_403(console, cast):
    """The status is right even where the message is lost."""
    assert console("changepw", "get", "/groups", {}).status_code == 403
    assert console("readonly", "get", "/groups", {}).status_code == 200


def test_a_refused_policy_names_the_boundary_that_refused_it(console, cast):
    response = console("capped", "post", "/policies/create", VISUAL_POLICY)

    assert response.context["form"].errors["__all__"] == [
        f"User: {ARN}user/capped is not authorized to perform: iam:CreatePolicy on resource: "
        f"{ARN}policy/Fromcapped because no permissions boundary allows the iam:CreatePolicy action"
    ]
    assert response.context["editor"]["mode"] == "visual"  # the statements are kept for another try


def test_a_delete_refused_by_the_boundary_keeps_the_user(console, cast):
    response = console("fenced", "post", "/users/delete", {"user": "bob", "confirmation": "bob"})

    body = response.content.decode()
    assert (
        f"User: {ARN}user/fenced is not authorized to perform: iam:DeleteUser on resource: {ARN}user/bob "
        "with an explicit deny in a permissions boundary"
    ) in body
    assert cast.get_user(UserName="bob")["User"]["UserName"] == "bob"


def test_a_read_only_user_reads_but_cannot_create_a_policy(console, cast):
    assert console("readonly", "get", "/users", {}).status_code == 200
    refused = console("readonly", "post", "/policies/create", {**VISUAL_POLICY, "name": "Sneaky"})

    assert refused.status_code == 200
    assert "because no identity-based policy allows the iam:CreatePolicy action" in refused.content.decode()
    assert "Sneaky" not in {p["PolicyName"] for p in cast.list_policies(Scope="Local")["Policies"]}
