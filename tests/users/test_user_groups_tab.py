"""The Groups tab: the user's groups with their policies; add to groups and remove, back to the tab."""

import pytest

from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    for name in ["devs", "ops", "qa"]:
        iam.create_group(GroupName=name)
    iam.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    iam.add_user_to_group(UserName="alice", GroupName="ops")
    return iam


def group_names(iam):
    return [g["GroupName"] for g in iam.list_groups_for_user(UserName="alice")["Groups"]]


def test_the_tab_lists_the_users_groups_with_their_attached_policies(signed_in, iam):
    response = signed_in.get("/users/details/alice", {"tab": "groups"})

    groups = {g["GroupName"]: g["AttachedPolicyNames"] for g in response.context["groups"]}
    assert groups == {"devs": ["ReadOnlyAccess"], "ops": []}
    body = response.content.decode()
    assert 'User groups membership <span class="counter">(2)</span>' in body
    assert "?kind=group&amp;target=devs&amp;next=groups" in body


def test_a_user_in_no_group_gets_an_empty_state_with_the_way_out(signed_in, iam):
    iam.create_user(UserName="bob")

    body = signed_in.get("/users/details/bob", {"tab": "groups"}).content.decode()

    assert "This user is not a member of any group." in body
    assert "/users/details/bob/permissions/add?option=groups&amp;next=groups" in body


def test_the_tab_is_an_htmx_partial(signed_in, iam):
    response = signed_in.get("/users/details/alice", {"tab": "groups"}, headers={"HX-Request": "true"})

    assert response.content.decode().lstrip().startswith('<div id="user-tabs">')


def test_add_user_to_groups_returns_to_the_groups_tab(signed_in, iam):
    page = signed_in.get("/users/details/alice/permissions/add", {"option": "groups", "next": "groups"})
    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "groups", "group": "qa", "action": "add", "next": "groups"},
        follow=True,
    )

    assert {g["GroupName"]: g["Member"] for g in page.context["groups"]} == {
        "devs": True,
        "ops": True,
        "qa": False,
    }
    assert response.redirect_chain[-1][0] == "/users/details/alice?tab=groups"
    assert "Permissions added to user alice: Add to group qa." in response.content.decode()
    assert group_names(iam) == ["devs", "ops", "qa"]


def test_the_group_filter_narrows_the_list(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "groups", "q": "Q"}, headers={"HX-Request": "true"}
    )

    assert [g["GroupName"] for g in response.context["groups"]] == ["qa"]
    assert response.content.decode().lstrip().startswith('<div id="add-choices"')


def test_selected_groups_stay_checked_after_a_search(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "groups", "q": "", "group": "qa"}
    )

    assert 'name="group" value="qa" id="group-3" checked' in response.content.decode()


def test_remove_from_group_confirms_then_returns_to_the_groups_tab(signed_in, iam):
    confirm = signed_in.get(
        "/users/details/alice/permissions/remove", {"kind": "group", "target": "ops", "next": "groups"}
    )
    response = signed_in.post(
        "/users/details/alice/permissions/remove",
        {"kind": "group", "target": "ops", "next": "groups"},
        follow=True,
    )

    assert "Remove user <strong>alice</strong> from group <strong>ops</strong>?" in confirm.content.decode()
    assert 'name="next" value="groups"' in confirm.content.decode()
    assert response.redirect_chain[-1][0] == "/users/details/alice?tab=groups"
    assert "User alice removed from group ops." in response.content.decode()
    assert group_names(iam) == ["devs"]


def test_an_unknown_return_tab_falls_back_to_permissions(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove",
        {"kind": "group", "target": "ops", "next": "https://evil.example"},
    )

    assert response["Location"] == "/users/details/alice?tab=permissions"


def test_removing_from_an_unknown_group_is_an_error_flash(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove",
        {"kind": "group", "target": "ghost", "next": "groups"},
        follow=True,
    )

    assert "Could not remove ghost from user alice: The group with name ghost cannot be found." in (
        response.content.decode()
    )
    assert group_names(iam) == ["devs", "ops"]


def test_remove_from_group_needs_a_post_with_csrf(signed_in, iam, account):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(account.root_operator)

    assert (
        strict.post("/users/details/alice/permissions/remove", {"kind": "group", "target": "ops"}).status_code
        == 403
    )
    assert group_names(iam) == ["devs", "ops"]
