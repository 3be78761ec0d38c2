"""Create user group: name, path, users and policies chosen with searches, written all or nothing."""

import pytest

from accounts.models import AuditEvent
from iamconsole.backends import errors, get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    for name in ["alice", "bob", "carol"]:
        iam.create_user(UserName=name)
    return iam


def test_the_page_offers_name_path_users_and_policies(signed_in, iam):
    response = signed_in.get("/groups/create", {"policy_q": "ReadOnlyAccess"})

    assert response.status_code == 200
    body = response.content.decode()
    for text in ["User group name", "Path", "Add users to the group", "Attach permissions policies"]:
        assert text in body
    assert 'name="user" value="alice"' in body
    assert f'name="policy" value="{READ_ONLY}"' in body


def test_it_creates_the_group_with_its_users_and_policies(signed_in, iam):
    response = signed_in.post(
        "/groups/create",
        {
            "group_name": "admins",
            "path": "/ops/",
            "user": ["alice", "bob"],
            "policy": [READ_ONLY],
            "action": "create",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/groups/details/admins"
    assert "User group admins created." in response.content.decode()
    group = iam.get_group(GroupName="admins")
    assert group["Group"]["Path"] == "/ops/"
    assert [u["UserName"] for u in group["Users"]] == ["alice", "bob"]
    assert iam.list_attached_group_policies(GroupName="admins")["AttachedPolicies"] == [
        {"PolicyName": "ReadOnlyAccess", "PolicyArn": READ_ONLY}
    ]


def test_an_empty_path_means_the_root_path(signed_in, iam):
    signed_in.post("/groups/create", {"group_name": "plain", "path": "", "action": "create"})

    assert iam.get_group(GroupName="plain")["Group"]["Path"] == "/"


def test_a_taken_name_shows_iams_message_on_the_name_field(signed_in, iam):
    iam.create_group(GroupName="Admins")

    response = signed_in.post(
        "/groups/create", {"group_name": "admins", "user": ["alice"], "action": "create"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["group_name"] == ["Group with name admins already exists."]
    assert iam.list_groups_for_user(UserName="alice")["Groups"] == []


def test_an_invalid_name_or_path_is_refused_before_iam(signed_in, iam):
    response = signed_in.post("/groups/create", {"group_name": "bad name", "path": "ops", "action": "create"})

    assert response.status_code == 200
    errors_ = response.context["form"].errors
    assert "group_name" in errors_ and "path" in errors_
    assert 'class="field invalid"' in response.content.decode()
    assert iam.list_groups()["Groups"] == []


def test_nothing_is_written_when_a_later_step_fails(signed_in, iam, account):
    for i in range(10):  # alice is already in 10 groups: AddUserToGroup refuses an eleventh
        iam.create_group(GroupName=f"g{i}")
        iam.add_user_to_group(GroupName=f"g{i}", UserName="alice")

    response = signed_in.post(
        "/groups/create",
        {"group_name": "admins", "user": ["bob", "alice"], "policy": [READ_ONLY], "action": "create"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["user"] == [
        "User alice: Cannot exceed quota for GroupsPerUser: 10"
    ]
    with pytest.raises(errors.NoSuchEntity):
        iam.get_group(GroupName="admins")
    assert iam.list_groups_for_user(UserName="bob")["Groups"] == []
    assert (
        not AuditEvent.objects.filter(account=account, event_name="CreateGroup", error_code="")
        .filter(request_parameters__GroupName="admins")
        .exists()
    )


def test_an_unknown_user_is_iams_error_on_the_users(signed_in, iam):
    response = signed_in.post("/groups/create", {"group_name": "team", "user": ["ghost"], "action": "create"})

    assert response.context["form"].errors["user"] == ["The user with name ghost cannot be found."]
    assert iam.list_groups()["Groups"] == []


def test_a_forged_policy_is_refused(signed_in, iam):
    response = signed_in.post(
        "/groups/create",
        {"group_name": "team", "policy": ["arn:aws:iam::aws:policy/NoSuchThing"], "action": "create"},
    )

    assert "policy" in response.context["form"].errors
    assert iam.list_groups()["Groups"] == []


def test_searching_keeps_what_was_typed_and_selected(signed_in, iam):
    response = signed_in.post(
        "/groups/create",
        {
            "group_name": "team",
            "user": ["carol"],
            "user_q": "ali",
            "policy_q": "ReadOnlyAcc",
            "policy": [READ_ONLY],
            "action": "search",
        },
    )

    assert response.status_code == 200
    assert [u["UserName"] for u in response.context["users"]] == ["alice"]
    assert response.context["chosen_hidden"] == ["carol"]
    assert READ_ONLY in [p["Arn"] for p in response.context["policies"]]
    body = response.content.decode()
    assert 'name="user" value="carol" checked' in body
    assert 'value="team"' in body
    assert iam.list_groups()["Groups"] == []


def test_the_htmx_search_gets_only_the_region_it_targets(signed_in, iam):
    users = signed_in.post(
        "/groups/create", {"user_q": "bo"}, headers={"HX-Request": "true", "HX-Target": "user-choices"}
    )
    policies = signed_in.post(
        "/groups/create",
        {"policy_q": "ReadOnly"},
        headers={"HX-Request": "true", "HX-Target": "policy-choices"},
    )

    assert users.content.decode().lstrip().startswith('<div id="user-choices"')
    assert 'value="bob"' in users.content.decode() and "<html" not in users.content.decode()
    assert policies.content.decode().lstrip().startswith('<div id="policy-choices"')


def test_it_needs_sign_in_and_get_or_post(client, signed_in, iam):
    assert signed_in.delete("/groups/create").status_code == 405
    signed_in.logout()
    assert client.get("/groups/create").status_code == 302
