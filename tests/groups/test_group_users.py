"""Adding users to a group (search, keep selections, all or none) and removing one (confirm, POST)."""

import pytest

from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def devs(account):
    iam = get_backend(account)
    iam.create_group(GroupName="devs")
    for name in ["alice", "bob", "carol"]:
        iam.create_user(UserName=name)
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    return iam


def members(iam, group="devs"):
    return [u["UserName"] for u in iam.get_group(GroupName=group)["Users"]]


def test_the_add_page_marks_members_and_offers_the_others(signed_in, devs):
    response = signed_in.get("/groups/details/devs/users/add")

    assert response.status_code == 200
    body = response.content.decode()
    assert 'aria-label="alice (already in the group)"' in body
    assert 'name="user" value="bob"' in body
    assert 'name="user" value="alice"' not in body


def test_it_adds_the_chosen_users(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/users/add", {"user": ["bob", "carol"], "action": "add"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/groups/details/devs?tab=users"
    assert "Added to user group devs: bob, carol." in response.content.decode()
    assert members(devs) == ["alice", "bob", "carol"]


def test_nothing_is_added_when_one_user_is_refused(signed_in, devs):
    for i in range(10):
        devs.create_group(GroupName=f"g{i}")
        devs.add_user_to_group(GroupName=f"g{i}", UserName="carol")

    response = signed_in.post("/groups/details/devs/users/add", {"user": ["bob", "carol"], "action": "add"})

    assert response.status_code == 200
    assert response.context["form"].errors["choice"] == [
        "User carol: Cannot exceed quota for GroupsPerUser: 10"
    ]
    assert members(devs) == ["alice"]


def test_adding_needs_a_choice(signed_in, devs):
    response = signed_in.post("/groups/details/devs/users/add", {"action": "add"})

    assert response.status_code == 200
    assert "Select at least one user." in response.content.decode()


def test_a_search_keeps_the_selection_and_htmx_gets_the_choices_only(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/users/add",
        {"user": ["carol"], "user_q": "bo"},
        headers={"HX-Request": "true", "HX-Target": "user-choices"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="user-choices"')
    assert 'name="user" value="carol" checked' in body  # kept, though not in the results
    assert 'name="user" value="bob"' in body
    assert members(devs) == ["alice"]


def test_remove_asks_first_then_removes_the_user(signed_in, devs):
    dialog = signed_in.get(
        "/groups/details/devs/remove", {"kind": "user", "target": "alice"}, headers={"HX-Request": "true"}
    )
    assert 'role="dialog"' in dialog.content.decode() and "<html" not in dialog.content.decode()
    assert members(devs) == ["alice"]

    response = signed_in.post("/groups/details/devs/remove", {"kind": "user", "target": "alice"}, follow=True)

    assert response.redirect_chain[-1][0] == "/groups/details/devs?tab=users"
    assert "User alice removed from user group devs." in response.content.decode()
    assert members(devs) == []
    assert devs.get_user(UserName="alice")


def test_removing_an_unknown_user_shows_iams_error(signed_in, devs):
    response = signed_in.post("/groups/details/devs/remove", {"kind": "user", "target": "ghost"}, follow=True)

    assert "Could not remove ghost from user group devs: The user with name ghost cannot be found." in (
        response.content.decode()
    )


def test_a_remove_without_a_target_is_refused(signed_in, devs):
    response = signed_in.post("/groups/details/devs/remove", {"kind": "user"})

    assert response.status_code == 200
    assert "Choose what to remove from the user group." in response.content.decode()
    assert members(devs) == ["alice"]


def test_the_htmx_remove_gets_a_client_redirect(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/remove", {"kind": "user", "target": "alice"}, headers={"HX-Request": "true"}
    )

    assert response["HX-Redirect"] == "/groups/details/devs?tab=users"


def test_unknown_groups_are_404_and_methods_and_sign_in_are_checked(client, signed_in, devs):
    assert signed_in.get("/groups/details/ghost/users/add").status_code == 404
    assert (
        signed_in.post("/groups/details/ghost/remove", {"kind": "user", "target": "alice"}).status_code == 404
    )
    assert signed_in.put("/groups/details/devs/users/add").status_code == 405
    assert signed_in.put("/groups/details/devs/remove").status_code == 405
    signed_in.logout()
    assert client.get("/groups/details/devs/users/add").status_code == 302
