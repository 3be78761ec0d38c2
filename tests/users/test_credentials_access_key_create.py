"""Create access key: /users/<name>/access-keys/create, the use-case step, the description step and
the Retrieve access keys page (CreateAccessKey + TagUser), shown once with Cache-Control: no-store."""

import urllib.parse

import pytest

from iamconsole.backends import get_backend

STEP_2 = {"step": "2", "use_case": "cli", "confirmed": "on"}


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    return iam


def keys(iam) -> list[dict]:
    return iam.list_access_keys(UserName="alice")["AccessKeyMetadata"]


def test_step_one_lists_the_use_cases_in_awss_words(signed_in, iam):
    response = signed_in.get("/users/details/alice/access-keys/create")

    html = response.content.decode()
    assert response.status_code == 200
    assert "Access key best practices &amp; alternatives" in html
    for label in (
        "Command Line Interface (CLI)",
        "Local code",
        "Application running on an AWS compute service",
        "Third-party service",
        "Application running outside AWS",
        "Other",
    ):
        assert label in html
    assert "I understand the above recommendation and want to proceed to create an access key." in html
    assert keys(iam) == []


def test_step_one_needs_a_use_case_and_the_confirmation(signed_in, iam):
    missing = signed_in.get("/users/details/alice/access-keys/create", {"step": "2"})
    unconfirmed = signed_in.get("/users/details/alice/access-keys/create", {"step": "2", "use_case": "cli"})

    assert missing.context["step"] == 1
    assert missing.context["form"].errors["use_case"] == ["Choose a use case."]
    assert unconfirmed.context["step"] == 1
    assert unconfirmed.context["form"].errors["confirmed"]


def test_other_needs_no_confirmation(signed_in, iam):
    response = signed_in.get("/users/details/alice/access-keys/create", {"step": "2", "use_case": "other"})

    assert response.context["step"] == 2


def test_step_two_asks_for_the_description_and_carries_the_use_case(signed_in, iam):
    response = signed_in.get("/users/details/alice/access-keys/create", STEP_2)

    html = response.content.decode()
    assert response.context["step"] == 2
    assert "Description tag value" in html
    assert '<input type="hidden" name="use_case" value="cli">' in html
    assert "Use case: Command Line Interface (CLI)" in html
    assert keys(iam) == []


def test_create_shows_the_secret_once_with_a_csv_and_tags_the_description(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/access-keys/create",
        {"use_case": "cli", "confirmed": "on", "description": "laptop cli"},
    )

    html = response.content.decode()
    key = response.context["key"]
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    assert "<h1>Retrieve access keys</h1>" in html
    assert key["SecretAccessKey"] in html
    assert [k["AccessKeyId"] for k in keys(iam)] == [key["AccessKeyId"]]
    assert iam.list_user_tags(UserName="alice")["Tags"] == [
        {"Key": key["AccessKeyId"], "Value": "laptop cli"}
    ]
    assert 'download="alice_accessKeys.csv"' in html
    csv = urllib.parse.unquote(response.context["csv_uri"].removeprefix("data:text/csv;charset=utf-8,"))
    assert (
        csv == f"\ufeffAccess key ID,Secret access key\r\n{key['AccessKeyId']},{key['SecretAccessKey']}\r\n"
    )


def test_without_a_description_no_tag_is_written(signed_in, iam):
    signed_in.post("/users/details/alice/access-keys/create", {"use_case": "other"})

    assert len(keys(iam)) == 1
    assert iam.list_user_tags(UserName="alice")["Tags"] == []


def test_the_secret_is_in_no_later_page_nor_the_session(signed_in, iam):
    response = signed_in.post("/users/details/alice/access-keys/create", {"use_case": "other"})
    secret = response.context["key"]["SecretAccessKey"]

    for path in (
        "/users/details/alice?tab=security_credentials",
        "/users/details/alice/access-keys/create",
        "/users",
    ):
        assert secret not in signed_in.get(path).content.decode(), path
    assert secret not in str(dict(signed_in.session))
    assert secret not in str(signed_in.cookies)


def test_an_invalid_description_comes_back_on_step_two(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/access-keys/create",
        {"use_case": "cli", "confirmed": "on", "description": "semi;colon"},
    )

    assert response.status_code == 200
    assert response.context["step"] == 2
    assert response.context["form"].errors["description"]
    assert keys(iam) == []


def test_a_post_without_the_confirmation_goes_back_to_step_one(signed_in, iam):
    response = signed_in.post("/users/details/alice/access-keys/create", {"use_case": "cli"})

    assert response.context["step"] == 1
    assert keys(iam) == []


def test_a_third_key_is_refused_cleanly_with_awss_message(signed_in, iam):
    iam.create_access_key(UserName="alice")
    iam.create_access_key(UserName="alice")

    response = signed_in.post("/users/details/alice/access-keys/create", {"use_case": "other"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain == [("/users/details/alice?tab=security_credentials", 302)]
    assert "Cannot exceed quota for AccessKeysPerUser: 2" in response.content.decode()
    assert len(keys(iam)) == 2


def test_a_tag_that_fails_still_shows_the_secret_with_a_warning(signed_in, iam):
    iam.tag_user(UserName="alice", Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])

    response = signed_in.post(
        "/users/details/alice/access-keys/create", {"use_case": "other", "description": "too many"}
    )

    html = response.content.decode()
    assert response.context["key"]["SecretAccessKey"] in html
    assert "The description tag was not added: Cannot exceed quota for TagsPerUser: 50" in html


def test_an_unknown_user_is_a_404(signed_in, iam):
    assert signed_in.get("/users/details/nobody/access-keys/create").status_code == 404
    assert (
        signed_in.post("/users/details/nobody/access-keys/create", {"use_case": "other"}).status_code == 404
    )


def test_it_needs_sign_in_and_refuses_other_methods(signed_in, iam):
    assert signed_in.delete("/users/details/alice/access-keys/create").status_code == 405
    signed_in.logout()
    assert signed_in.get("/users/details/alice/access-keys/create")["Location"].startswith("/login?next=")
