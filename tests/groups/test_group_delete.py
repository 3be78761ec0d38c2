"""Deleting user groups from the list: typed confirmation, then the console cascade in AWS's order."""

import pytest

from accounts.models import AuditEvent
from iamconsole.backends import errors, get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def loaded(account):
    """A group with two members, an inline policy and a managed policy."""
    iam = get_backend(account)
    iam.create_group(GroupName="loaded")
    for name in ["alice", "bob"]:
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="loaded", UserName=name)
    iam.put_group_policy(GroupName="loaded", PolicyName="inline", PolicyDocument=DOCUMENT)
    iam.attach_group_policy(GroupName="loaded", PolicyArn=READ_ONLY)
    return iam


def test_the_confirmation_page_asks_for_the_group_name(signed_in, loaded):
    response = signed_in.get("/groups/delete", {"group": "loaded"})

    assert response.status_code == 200
    assert "To confirm deletion, enter <strong>loaded</strong>" in response.content.decode()


def test_several_groups_are_confirmed_with_n_user_groups(signed_in, loaded):
    loaded.create_group(GroupName="second")

    response = signed_in.post("/groups/delete", {"group": ["loaded", "second"], "confirmation": "loaded"})

    assert response.status_code == 200
    assert "Enter “2 user groups” to confirm the deletion." in response.content.decode()
    assert len(loaded.list_groups()["Groups"]) == 2


def test_a_wrong_confirmation_deletes_nothing(signed_in, loaded):
    response = signed_in.post("/groups/delete", {"group": "loaded", "confirmation": "Loaded"})

    assert response.status_code == 200
    assert 'class="field invalid"' in response.content.decode()
    assert len(loaded.get_group(GroupName="loaded")["Users"]) == 2


def test_the_cascade_removes_users_then_inline_then_managed_policies_then_the_group(
    signed_in, loaded, account
):
    response = signed_in.post("/groups/delete", {"group": "loaded", "confirmation": "loaded"}, follow=True)

    body = response.content.decode()
    assert (
        "User group loaded deleted. Before deleting it: removed 2 users, deleted 1 inline policy, "
        "detached 1 managed policy." in body
    )
    with pytest.raises(errors.NoSuchEntity):
        loaded.get_group(GroupName="loaded")
    assert loaded.get_user(UserName="alice")  # the users themselves stay
    names = list(
        AuditEvent.objects.filter(account=account).order_by("id").values_list("event_name", flat=True)
    )
    assert names[names.index("RemoveUserFromGroup") :] == [
        "RemoveUserFromGroup",
        "RemoveUserFromGroup",
        "DeleteGroupPolicy",
        "DetachGroupPolicy",
        "DeleteGroup",
    ]


def test_several_groups_are_deleted_with_a_message_each(signed_in, loaded):
    loaded.create_group(GroupName="second")

    response = signed_in.post(
        "/groups/delete", {"group": ["loaded", "second"], "confirmation": "2 user groups"}, follow=True
    )

    body = response.content.decode()
    assert "User group second deleted." in body
    assert "User group loaded deleted." in body
    assert loaded.list_groups()["Groups"] == []


def test_an_unknown_group_is_reported_not_deleted(signed_in, loaded):
    response = signed_in.post("/groups/delete", {"group": "ghost", "confirmation": "ghost"}, follow=True)

    body = response.content.decode()
    assert (
        "User group ghost was not deleted: List ghost: NoSuchEntity: The group with name ghost cannot be found."
        in body
    )


def test_a_failed_step_stops_the_cascade_and_says_what_was_done(signed_in, loaded, monkeypatch):
    from iamconsole.backends.local import LocalBackend

    def refuse(self, **params):
        raise errors.AccessDenied("User is not authorized to perform: iam:DetachGroupPolicy")

    monkeypatch.setattr(LocalBackend, "detach_group_policy", refuse, raising=False)

    response = signed_in.post("/groups/delete", {"group": "loaded", "confirmation": "loaded"}, follow=True)

    body = response.content.decode()
    assert "User group loaded was not deleted: DetachGroupPolicy " + READ_ONLY in body
    assert "Done before the failure: removed 2 users, deleted 1 inline policy." in body
    assert loaded.get_group(GroupName="loaded")["Users"] == []


def test_delete_needs_a_selection(signed_in, loaded):
    response = signed_in.post("/groups/delete", {"confirmation": ""})

    assert "Select at least one user group to delete." in response.content.decode()


def test_the_htmx_post_gets_a_client_redirect(signed_in, loaded):
    response = signed_in.post(
        "/groups/delete", {"group": "loaded", "confirmation": "loaded"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/groups"


def test_it_needs_sign_in_and_get_or_post(client, signed_in, loaded):
    assert signed_in.put("/groups/delete").status_code == 405
    signed_in.logout()
    assert client.get("/groups/delete", {"group": "loaded"}).status_code == 302
