"""CreateUser and GetUser through the contract."""

import pytest

from iamconsole.backends import errors


def test_it_creates_a_user_with_an_aws_shaped_id_and_arn(iam):
    user = iam.create_user(UserName="alice", Path="/division/")["User"]

    assert user["UserName"] == "alice"
    assert user["Path"] == "/division/"
    assert user["UserId"].startswith("AIDA") and len(user["UserId"]) == 21
    assert user["Arn"] == "arn:aws:iam::123456789012:user/division/alice"


def test_it_refuses_a_name_that_differs_only_in_case(iam):
    iam.create_user(UserName="Alice")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_user(UserName="alice")

    assert exc.value.message == "User with name alice already exists."
    assert exc.value.http_status == 409


@pytest.mark.parametrize("name", ["has space", "a/b", "x" * 65, "tab\there", "аdmin", ""])
def test_it_rejects_bad_user_names_with_a_validation_error(iam, name):
    with pytest.raises(errors.ValidationError):
        iam.create_user(UserName=name)

    with pytest.raises(errors.NoSuchEntity):
        iam.get_user(UserName="admin")


def test_get_user_answers_no_such_entity_for_an_unknown_name(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.get_user(UserName="ghost")

    assert exc.value.message == "The user with name ghost cannot be found."
