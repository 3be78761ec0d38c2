"""Editing a group's name and path (UpdateGroup): members and policies stay, IAM's errors on the field."""

import pytest

from iamconsole.backends import errors, get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def devs(account):
    iam = get_backend(account)
    iam.create_group(GroupName="devs")
    iam.create_user(UserName="alice")
    iam.add_user_to_group(GroupName="devs", UserName="alice")
    return iam


def test_the_dialog_is_prefilled_and_htmx_gets_only_the_dialog(signed_in, devs):
    page = signed_in.get("/groups/details/devs/edit")
    dialog = signed_in.get("/groups/details/devs/edit", headers={"HX-Request": "true"})

    assert page.status_code == 200 and 'value="devs"' in page.content.decode()
    assert dialog.content.decode().lstrip().startswith('<div class="dialog-backdrop detail-dialog">')


def test_it_renames_and_moves_the_group_keeping_its_members(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/edit", {"group_name": "engineers", "path": "/eng/"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/groups/details/engineers?tab=users"
    assert "User group devs renamed to engineers and moved to path /eng/." in response.content.decode()
    group = devs.get_group(GroupName="engineers")
    assert group["Group"]["Path"] == "/eng/"
    assert [u["UserName"] for u in group["Users"]] == ["alice"]
    with pytest.raises(errors.NoSuchEntity):
        devs.get_group(GroupName="devs")


def test_a_taken_name_shows_iams_message_on_the_name(signed_in, devs):
    devs.create_group(GroupName="ops")

    response = signed_in.post("/groups/details/devs/edit", {"group_name": "OPS", "path": "/"})

    assert response.status_code == 200
    assert response.context["form"].errors["group_name"] == ["Group with name OPS already exists."]
    assert devs.get_group(GroupName="devs")


def test_invalid_input_is_re_rendered(signed_in, devs):
    response = signed_in.post("/groups/details/devs/edit", {"group_name": "bad name", "path": "eng"})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"group_name", "path"}


def test_no_change_says_so(signed_in, devs):
    response = signed_in.post("/groups/details/devs/edit", {"group_name": "devs", "path": "/"}, follow=True)

    assert "User group devs was not changed." in response.content.decode()


def test_unknown_group_wrong_method_and_sign_in(client, signed_in, devs):
    assert signed_in.get("/groups/details/ghost/edit").status_code == 404
    assert signed_in.put("/groups/details/devs/edit").status_code == 405
    signed_in.logout()
    assert client.post("/groups/details/devs/edit", {"group_name": "x"}).status_code == 302
    assert devs.get_group(GroupName="devs")
