"""Change password (self-service): current + new + confirm, the policy's rules first, reuse prevention,
AWS's PasswordPolicyViolation messages, the identity from the session only."""

import pytest
from django.test import Client

from .conftest import PASSWORD

URL = "/self/security-credentials/password"
NEW = "Changed-pass-2468"


def _change(client, old=PASSWORD, new=NEW, confirm=None, **extra):
    data = {"old_password": old, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return client.post(URL, {**data, **extra})


def _can_sign_in(name, password) -> bool:
    response = Client().post("/signin", {"account": "123456789012", "username": name, "password": password})
    return response.status_code == 302


def test_the_rules_are_listed_before_the_user_types(alice):
    page = alice.get(URL).content.decode()

    assert "Minimum password length is 10 characters" in page
    assert "Require at least one number" in page
    assert "Remember last 2 password(s) and prevent reuse" in page
    assert page.index("Require at least one number") < page.index('name="new_password"')


def test_a_user_changes_their_password(alice):
    response = _change(alice)

    assert response.status_code == 302 and response["Location"] == "/self/security-credentials"
    assert "Your password has been changed." in alice.get(response["Location"]).content.decode()
    assert _can_sign_in("alice", NEW) and not _can_sign_in("alice", PASSWORD)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"old": "Wrong-pass-0000"}, "The old password was incorrect."),
        ({"new": "no-digits-here"}, "Password should have at least one number"),
        ({"new": "short1"}, "Password should have a minimum length of 10"),
        ({"confirm": "Something-else-1"}, "The new passwords do not match."),
        ({"new": PASSWORD}, "Password does not conform to the account password policy."),
    ],
)
def test_a_refused_change_says_why_and_changes_nothing(alice, kwargs, message):
    response = _change(alice, **kwargs)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert _can_sign_in("alice", PASSWORD)


def test_a_hidden_user_name_field_is_ignored(alice):
    _change(alice, user_name="bob", UserName="bob", username="bob")

    assert _can_sign_in("alice", NEW)
    assert _can_sign_in("bob", "Bob-pass-123456")


def test_without_change_password_permission_the_aws_message_is_shown(client, users, iam):
    iam.delete_user_policy(UserName="alice", PolicyName="self-manage")
    client.post("/signin", {"account": "123456789012", "username": "alice", "password": PASSWORD})

    response = _change(client)

    assert response.status_code == 200
    assert "not authorized to perform: iam:ChangePassword" in response.content.decode()
    assert "Minimum password length is 10 characters" in response.content.decode()


def test_the_form_answers_get_and_post_only(alice):
    assert alice.put(URL).status_code == 405
