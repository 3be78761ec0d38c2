"""Renaming a user and changing its path from the details page (UpdateUser), then its new URL."""

import pytest
from django.test import Client

from iamconsole.backends import errors, get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice", Path="/engineering/")
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    return iam


def test_the_form_starts_with_the_current_name_and_path(signed_in, iam):
    response = signed_in.get("/users/details/alice/rename")

    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="user_name" id="id_user_name" value="alice"' in body
    assert 'name="path" id="id_path" value="/engineering/"' in body


def test_htmx_gets_the_form_as_a_dialog(signed_in, iam):
    response = signed_in.get("/users/details/alice/rename", headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert 'hx-post="/users/details/alice/rename" hx-target="#modal"' in body


def test_renaming_redirects_to_the_new_url_with_a_flash(signed_in, iam):
    user_id = iam.get_user(UserName="alice")["User"]["UserId"]

    response = signed_in.post(
        "/users/details/alice/rename", {"user_name": "alicia", "path": "/engineering/"}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/users/details/alicia?tab=permissions"
    assert "User alice renamed to alicia." in response.content.decode()
    renamed = iam.get_user(UserName="alicia")["User"]
    assert renamed["UserId"] == user_id
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="alicia")["Groups"]] == ["devs"]
    with pytest.raises(errors.NoSuchEntity):
        iam.get_user(UserName="alice")


def test_changing_only_the_path(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/rename", {"user_name": "alice", "path": "/ops/"}, follow=True
    )

    assert "User alice moved to path /ops/." in response.content.decode()
    assert iam.get_user(UserName="alice")["User"]["Arn"] == "arn:aws:iam::123456789012:user/ops/alice"


def test_changing_both(signed_in, iam):
    response = signed_in.post("/users/details/alice/rename", {"user_name": "al", "path": "/"}, follow=True)

    assert "User alice renamed to al and moved to path /." in response.content.decode()
    assert iam.get_user(UserName="al")["User"]["Path"] == "/"


def test_a_change_of_case_is_a_rename(signed_in, iam):
    signed_in.post("/users/details/alice/rename", {"user_name": "Alice", "path": "/engineering/"})

    assert iam.get_user(UserName="alice")["User"]["UserName"] == "Alice"


def test_no_change_calls_nothing(signed_in, iam, account):
    from accounts.models import AuditEvent

    response = signed_in.post(
        "/users/details/alice/rename", {"user_name": "alice", "path": "/engineering/"}, follow=True
    )

    assert "User alice was not changed." in response.content.decode()
    assert not AuditEvent.objects.filter(account=account, event_name="UpdateUser").exists()


def test_a_name_in_use_shows_iams_message_on_the_name(signed_in, iam):
    response = signed_in.post("/users/details/alice/rename", {"user_name": "BOB", "path": "/engineering/"})

    assert response.status_code == 200
    assert response.context["form"].errors == {"user_name": ["User with name BOB already exists."]}
    assert 'id="id_user_name_error">User with name BOB already exists.' in response.content.decode()
    assert iam.get_user(UserName="alice")


def test_an_invalid_name_or_path_is_refused_on_its_field(signed_in, iam):
    response = signed_in.post("/users/details/alice/rename", {"user_name": "a" * 65, "path": "engineering"})

    errors_ = response.context["form"].errors
    assert errors_["user_name"][0].startswith("The user name can have up to 64 characters.")
    assert errors_["path"] == ["The path must begin and end with / and contain no spaces."]


def test_iams_path_refusal_goes_on_the_path(signed_in, iam, monkeypatch):
    """Should the form let a path through that IAM refuses, IAM's sentence lands on the path field."""
    from users.forms_detail import RenameUserForm

    monkeypatch.setattr(RenameUserForm, "clean_path", lambda self: self.cleaned_data["path"])

    response = signed_in.post("/users/details/alice/rename", {"user_name": "alice", "path": "/é/"})

    assert response.context["form"].errors["path"][0].startswith("The specified value for path is invalid.")


def test_an_htmx_rename_gets_a_client_redirect(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/rename",
        {"user_name": "alicia", "path": "/engineering/"},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == "/users/details/alicia?tab=permissions"


def test_an_htmx_rename_with_an_error_rerenders_the_dialog(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/rename",
        {"user_name": "bob", "path": "/engineering/"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert "User with name bob already exists." in body


def test_rename_is_404_for_an_unknown_user_and_405_for_put(signed_in, iam):
    assert signed_in.get("/users/details/ghost/rename").status_code == 404
    assert signed_in.post("/users/details/ghost/rename", {"user_name": "x", "path": "/"}).status_code == 404
    assert signed_in.put("/users/details/alice/rename").status_code == 405


def test_rename_needs_sign_in_and_csrf(client, iam, account):
    assert client.post("/users/details/alice/rename", {"user_name": "x", "path": "/"}).status_code == 302
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(account.root_operator)

    assert strict.post("/users/details/alice/rename", {"user_name": "x", "path": "/"}).status_code == 403
    assert iam.get_user(UserName="alice")
