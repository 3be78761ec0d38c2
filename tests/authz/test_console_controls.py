"""Controls follow the signed-in principal's permissions (issue 4): a control whose action the caller's
policies deny is disabled with a title saying why; the backend still decides each call. The cast comes
from conftest.py; each IAM user signs in through /signin. Also the `allowed_actions` console extension
behind it (policies/ops_allowed.py) and its AWS-backend counterpart."""

import pytest
from django.core.cache import cache
from django.test import Client

from iamconsole.backends import authz
from iamconsole.backends.aws import AwsBackend
from iamconsole.backends.errors import ValidationError

from .conftest import ACCOUNT, PASSWORD, backend_of

ARN = f"arn:aws:iam::{ACCOUNT}:"
DELETE_USERS = '<button class="btn btn-danger" type="submit" form="users-select">Delete</button>'
ADD_USERS = '<a class="btn btn-primary" href="/users/create">Add users</a>'
DELETE_BOB = '<a class="btn btn-danger" href="/users/delete?user=bob">Delete</a>'
ADD_PERMISSIONS = '<a class="btn btn-primary" href="/users/details/bob/permissions/add">Add permissions</a>'


def disabled(label: str, action: str, cls: str = "btn btn-danger") -> str:
    return (
        f'<button class="{cls}" type="button" disabled '
        f'title="You don&#x27;t have permission to perform {action} here.">{label}</button>'
    )


@pytest.fixture
def signed_in(cast):
    """A client signed in through the IAM-user sign-in page as `user`."""
    cache.clear()  # the sign-in lockout counters

    def as_user(user: str) -> Client:
        client = Client()
        form = {"account": ACCOUNT, "username": user, "password": PASSWORD}
        assert client.post("/signin", form).status_code == 302, f"{user} could not sign in"
        return client

    return as_user


def page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_a_read_only_user_sees_delete_and_add_users_disabled_on_the_users_list(signed_in):
    body = page(signed_in("readonly"), "/users")

    assert DELETE_USERS not in body and ADD_USERS not in body
    assert disabled("Delete", "iam:DeleteUser") in body
    assert disabled("Add users", "iam:CreateUser", "btn btn-primary") in body


def test_a_read_only_user_sees_delete_disabled_on_the_user_details(signed_in):
    body = page(signed_in("readonly"), "/users/details/bob")

    assert DELETE_BOB not in body and ADD_PERMISSIONS not in body
    assert disabled("Delete", "iam:DeleteUser") in body
    assert disabled("Add permissions", "iam:AttachUserPolicy", "btn btn-primary") in body
    assert disabled("Edit name and path", "iam:UpdateUser", "btn") in body


def test_an_admin_user_gets_every_control_enabled(signed_in):
    client = signed_in("admin")
    users, bob = page(client, "/users"), page(client, "/users/details/bob")

    assert DELETE_USERS in users and ADD_USERS in users
    assert DELETE_BOB in bob and ADD_PERMISSIONS in bob
    assert "disabled title=" not in users + bob


def test_root_gets_every_control_enabled(client, account, cast):
    client.force_login(account.root_operator)
    users, bob = page(client, "/users"), page(client, "/users/details/bob")

    assert DELETE_USERS in users and ADD_USERS in users
    assert DELETE_BOB in bob and ADD_PERMISSIONS in bob
    assert "disabled title=" not in users + bob


def test_an_explicit_deny_disables_only_what_it_denies(signed_in):
    """denied: AdministratorAccess and an inline Deny of iam:Delete*."""
    client = signed_in("denied")
    users, bob = page(client, "/users"), page(client, "/users/details/bob")

    assert disabled("Delete", "iam:DeleteUser") in users and ADD_USERS in users
    assert disabled("Delete", "iam:DeleteUser") in bob and ADD_PERMISSIONS in bob


def test_the_security_credentials_tab_follows_the_users_permissions(signed_in):
    create_key = '<a class="btn" href="/users/details/bob/access-keys/create">Create access key</a>'
    allowed = page(signed_in("admin"), "/users/details/bob?tab=security_credentials")
    refused = page(signed_in("readonly"), "/users/details/bob?tab=security_credentials")

    assert create_key in allowed
    assert create_key not in refused
    assert disabled("Create access key", "iam:CreateAccessKey", "btn") in refused
    assert disabled("Assign MFA device", "iam:EnableMFADevice", "btn") in refused


def test_a_disabled_control_is_still_refused_by_the_backend(signed_in, cast):
    response = signed_in("readonly").post(
        "/users/delete", {"user": "bob", "confirmation": "bob"}, follow=True
    )

    assert "is not authorized to perform: iam:" in response.content.decode()
    assert cast.get_user(UserName="bob")["User"]["UserName"] == "bob"


def test_each_page_asks_once(signed_in, monkeypatch):
    asked = []
    real = authz.allowed
    monkeypatch.setattr(authz, "allowed", lambda ctx, requests: asked.append(requests) or real(ctx, requests))
    client = signed_in("readonly")

    page(client, "/users")
    page(client, "/users/details/bob")

    assert len(asked) == 2


# -- the console extension --------------------------------------------------------------------------


def test_allowed_actions_answers_for_the_caller_in_order(account, cast):
    requests = [
        {"Action": "iam:DeleteUser", "Resource": f"{ARN}user/bob"},
        {"Action": "iam:GetUser", "Resource": f"{ARN}user/bob"},
        {"Action": "iam:ListUsers"},
    ]

    assert backend_of(account, "readonly").allowed_actions(Requests=requests) == {
        "Allowed": [False, True, True]
    }
    assert backend_of(account, "admin").allowed_actions(Requests=requests) == {"Allowed": [True, True, True]}
    assert backend_of(account, "changepw").allowed_actions(Requests=requests) == {
        "Allowed": [False, False, False]
    }


def test_allowed_actions_follows_boundaries_and_policy_variables(account, cast):
    fenced = backend_of(account, "fenced")
    selfmanage = backend_of(account, "selfmanage")

    assert fenced.allowed_actions(
        Requests=[
            {"Action": "iam:DeleteUser", "Resource": f"{ARN}user/bob"},
            {"Action": "iam:CreateUser", "Resource": f"{ARN}user/new"},
        ]
    ) == {"Allowed": [False, True]}
    assert selfmanage.allowed_actions(
        Requests=[
            {"Action": "iam:CreateAccessKey", "Resource": f"{ARN}user/selfmanage"},
            {"Action": "iam:CreateAccessKey", "Resource": f"{ARN}user/bob"},
        ]
    ) == {"Allowed": [True, False]}


def test_allowed_actions_is_open_to_a_user_without_any_permission(account, cast):
    """changepw may do almost nothing, yet may ask what it may do (and is not audited for it)."""
    iam = backend_of(account, "changepw")
    before = len(cast.list_events()["Events"]) if hasattr(cast, "list_events") else None

    assert iam.allowed_actions(Requests=[]) == {"Allowed": []}
    if before is not None:
        assert len(cast.list_events()["Events"]) == before


def test_allowed_actions_says_yes_to_root(account, cast):
    assert cast.allowed_actions(Requests=[{"Action": "iam:DeleteAccountAlias"}]) == {"Allowed": [True]}


@pytest.mark.parametrize(
    "requests",
    [[{"Resource": "*"}], [{"Action": ""}], [{"Action": "iam:GetUser", "Resource": 5}], ["iam:GetUser"]],
    ids=["no-action", "empty-action", "resource-not-text", "not-a-dict"],
)
def test_allowed_actions_refuses_malformed_requests(cast, requests):
    with pytest.raises(ValidationError):
        cast.allowed_actions(Requests=requests)


def test_allowed_actions_refuses_too_many_requests(cast):
    with pytest.raises(ValidationError, match="at most 200"):
        cast.allowed_actions(Requests=[{"Action": "iam:GetUser"}] * 201)


def test_the_aws_backend_leaves_every_decision_to_aws(account):
    aws = AwsBackend(account, client=object())  # never called

    assert aws.allowed_actions(Requests=[{"Action": "iam:DeleteUser"}, {"Action": "iam:GetUser"}]) == {
        "Allowed": [True, True]
    }


def test_a_read_only_user_sees_the_group_controls_disabled(signed_in, cast):
    cast.create_group(GroupName="ops")
    client = signed_in("readonly")
    groups, ops = page(client, "/groups"), page(client, "/groups/details/ops")

    assert disabled("Create group", "iam:CreateGroup", "btn btn-primary") in groups
    assert disabled("Delete", "iam:DeleteGroup") in groups
    assert disabled("Delete", "iam:DeleteGroup") in ops
    assert disabled("Add users", "iam:AddUserToGroup", "btn btn-primary") in ops


def test_a_read_only_user_sees_the_policy_controls_disabled(signed_in, cast):
    policy = f"{ARN}policy/GetListOnly"
    client = signed_in("readonly")
    policies = page(client, "/policies?type=customer")
    details = page(client, f"/policies/details/{policy}")
    entities = page(client, f"/policies/details/{policy}?tab=entities")

    assert disabled("Create policy", "iam:CreatePolicy", "btn btn-primary") in policies
    assert disabled("Delete", "iam:DeletePolicy") in details
    assert disabled("Edit", "iam:CreatePolicyVersion", "btn btn-primary") in details
    assert disabled("Attach", "iam:AttachUserPolicy", "btn btn-primary") in entities


def test_an_admin_user_gets_the_group_and_policy_controls_enabled(signed_in, cast):
    cast.create_group(GroupName="ops")
    client = signed_in("admin")
    bodies = [
        page(client, path)
        for path in (
            "/groups",
            "/groups/details/ops",
            "/policies?type=customer",
            f"/policies/details/{ARN}policy/GetListOnly",
        )
    ]

    assert all("disabled title=" not in body for body in bodies)
    assert '<a class="btn btn-primary" href="/groups/create">Create group</a>' in bodies[0]


def test_authorizing_a_call_costs_one_query_however_many_groups_and_policies(account, cast):
    """issue 4's overhead: the caller's policies (inline, attached, through groups, boundary, the
    password policy's self-service grant) come in one query."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from policies import policy_cache

    for n in range(3):
        cast.create_group(GroupName=f"g{n}")
        cast.add_user_to_group(UserName="fenced", GroupName=f"g{n}")
        cast.attach_group_policy(GroupName=f"g{n}", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
        cast.put_group_policy(
            GroupName=f"g{n}",
            PolicyName="inline",
            PolicyDocument='{"Version": "2012-10-17", '
            '"Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}',
        )
    fenced = backend_of(account, "fenced")
    fenced.get_user(UserName="bob")  # the managed documents are read once per process

    with CaptureQueriesContext(connection) as as_root:
        cast.get_user(UserName="bob")
    policy_cache.forget_all()  # as in another worker, or after the cache's few seconds
    with CaptureQueriesContext(connection) as as_user:
        fenced.get_user(UserName="bob")
    with CaptureQueriesContext(connection) as again:
        fenced.get_user(UserName="bob")

    assert len(as_user) == len(as_root) + 1
    # The next call of the same user, moments later, reuses what was loaded (policies/policy_cache.py).
    assert len(again) == len(as_root)
