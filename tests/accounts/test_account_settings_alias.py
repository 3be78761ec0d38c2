"""The account alias on Account settings: create, change, delete; the sign-in URL follows it."""

import pytest

from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    return get_backend(account)


def _aliases(iam) -> list[str]:
    return iam.list_account_aliases()["AccountAliases"]


def test_without_an_alias_the_page_offers_create(signed_in):
    body = signed_in.get("/account/settings").content.decode()

    assert ">Create</a>" in body
    assert "https://123456789012.signin.aws.amazon.com/console" in body


def test_creating_an_alias_changes_the_sign_in_url(signed_in, iam):
    response = signed_in.post("/account/settings/alias", {"alias": "example-corp"}, follow=True)

    body = response.content.decode()
    assert "Account alias example-corp created." in body
    assert "https://example-corp.signin.aws.amazon.com/console" in body
    assert _aliases(iam) == ["example-corp"]


def test_changing_the_alias_replaces_it(signed_in, iam):
    iam.create_account_alias(AccountAlias="old-name")

    form = signed_in.get("/account/settings/alias").content.decode()
    response = signed_in.post("/account/settings/alias", {"alias": "new-name"}, follow=True)

    assert 'id="id_alias" value="old-name"' in form
    assert "Account alias new-name set." in response.content.decode()
    assert _aliases(iam) == ["new-name"]


@pytest.mark.parametrize("alias", ["ab", "Upper", "-lead", "trail-", "two--hyphens", "a" * 64])
def test_an_alias_breaking_aws_rules_comes_back_on_the_field(signed_in, iam, alias):
    response = signed_in.post("/account/settings/alias", {"alias": alias})

    body = response.content.decode()
    assert response.status_code == 200
    assert '<p class="error" id="id_alias_error">' in body
    assert _aliases(iam) == []


def test_an_alias_taken_by_another_account_comes_back_with_the_backends_message(
    signed_in, iam, other_account
):
    get_backend(other_account).create_account_alias(AccountAlias="taken")

    response = signed_in.post("/account/settings/alias", {"alias": "taken"})

    assert '<p class="error" id="id_alias_error">The account alias taken already exists.</p>' in (
        response.content.decode()
    )
    assert _aliases(iam) == []


def test_htmx_gets_the_dialog_and_a_client_redirect(signed_in, iam):
    dialog = signed_in.get("/account/settings/alias", headers={"HX-Request": "true"}).content.decode()
    response = signed_in.post("/account/settings/alias", {"alias": "example"}, headers={"HX-Request": "true"})

    assert dialog.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert "<html" not in dialog
    assert response["HX-Redirect"] == "/account/settings"
    assert _aliases(iam) == ["example"]


def test_delete_names_both_urls_and_deletes(signed_in, iam):
    iam.create_account_alias(AccountAlias="example")

    confirm = signed_in.get("/account/settings/alias/delete").content.decode()
    response = signed_in.post("/account/settings/alias/delete", follow=True)

    assert "https://example.signin.aws.amazon.com/console" in confirm
    assert "https://123456789012.signin.aws.amazon.com/console" in confirm
    assert "Account alias example deleted." in response.content.decode()
    assert _aliases(iam) == []


def test_delete_without_an_alias_is_404(signed_in):
    assert signed_in.get("/account/settings/alias/delete").status_code == 404
    assert signed_in.post("/account/settings/alias/delete").status_code == 404


def test_the_alias_pages_need_sign_in_and_refuse_other_methods(client, signed_in, iam):
    assert signed_in.put("/account/settings/alias").status_code == 405
    assert signed_in.delete("/account/settings/alias/delete").status_code == 405
    client.logout()
    assert client.post("/account/settings/alias", {"alias": "example"}).status_code == 302
    assert _aliases(iam) == []
