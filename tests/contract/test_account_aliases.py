"""CreateAccountAlias, DeleteAccountAlias and ListAccountAliases through the contract."""

import pytest

from accounts.models import Account, AuditEvent
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend


def test_a_new_account_lists_no_alias(iam):
    assert iam.list_account_aliases() == {"AccountAliases": [], "IsTruncated": False}


def test_it_creates_lists_and_deletes_an_alias(iam, account):
    # The recorded AWS lifecycle: create answers nothing, list includes it, delete empties the list.
    assert iam.create_account_alias(AccountAlias="acme-sandbox") == {}
    assert iam.list_account_aliases()["AccountAliases"] == ["acme-sandbox"]
    account.refresh_from_db()
    assert account.alias == "acme-sandbox"
    assert account.sign_in_url == "https://acme-sandbox.signin.aws.amazon.com/console"

    assert iam.delete_account_alias(AccountAlias="acme-sandbox") == {}

    assert iam.list_account_aliases()["AccountAliases"] == []
    account.refresh_from_db()
    assert account.alias is None


def test_a_second_alias_replaces_the_first(iam, account):
    iam.create_account_alias(AccountAlias="first-name")

    iam.create_account_alias(AccountAlias="second-name")

    assert iam.list_account_aliases()["AccountAliases"] == ["second-name"]
    # The old alias is free again for anyone.
    assert not Account.objects.filter(alias="first-name").exists()


def test_it_refuses_an_alias_another_account_holds(iam, other_account):
    get_backend(other_account).create_account_alias(AccountAlias="taken-alias")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_account_alias(AccountAlias="taken-alias")

    assert exc.value.message == "The account alias taken-alias already exists."
    assert exc.value.http_status == 409
    assert iam.list_account_aliases()["AccountAliases"] == []
    other_account.refresh_from_db()
    assert other_account.alias == "taken-alias"


def test_creating_the_alias_the_account_already_has_is_entity_already_exists(iam):
    iam.create_account_alias(AccountAlias="mine-already")

    with pytest.raises(errors.EntityAlreadyExists) as exc:
        iam.create_account_alias(AccountAlias="mine-already")

    assert exc.value.message == "The account alias mine-already already exists."
    assert iam.list_account_aliases()["AccountAliases"] == ["mine-already"]


@pytest.mark.parametrize(
    "alias",
    ["ab", "-leading", "trailing-", "double--dash", "UpperCase", "under_score", "x" * 64, "has space"],
)
def test_it_rejects_aliases_outside_aws_pattern_with_a_validation_error(iam, account, alias):
    with pytest.raises(errors.ValidationError):
        iam.create_account_alias(AccountAlias=alias)

    account.refresh_from_db()
    assert account.alias is None


def test_deleting_an_alias_the_account_does_not_have_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.delete_account_alias(AccountAlias="never-set")

    assert exc.value.message == "The account alias never-set cannot be found."
    assert exc.value.http_status == 404


def test_deleting_another_name_than_the_current_alias_keeps_the_alias(iam, other_account):
    iam.create_account_alias(AccountAlias="current-one")
    get_backend(other_account).create_account_alias(AccountAlias="someone-else")

    with pytest.raises(errors.NoSuchEntity):
        iam.delete_account_alias(AccountAlias="someone-else")

    assert iam.list_account_aliases()["AccountAliases"] == ["current-one"]
    assert CheckedBackend(get_backend(other_account)).list_account_aliases()["AccountAliases"] == [
        "someone-else"
    ]


def test_alias_changes_are_audited_with_their_outcome(iam, account):
    iam.create_account_alias(AccountAlias="audited-alias")
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_account_alias(AccountAlias="other-alias")

    events = list(
        AuditEvent.objects.filter(account=account, event_name__endswith="AccountAlias")
        .order_by("event_time", "id")
        .values_list("event_name", "error_code")
    )
    assert events == [("CreateAccountAlias", ""), ("DeleteAccountAlias", "NoSuchEntity")]


def test_list_account_aliases_honours_max_items(iam):
    iam.create_account_alias(AccountAlias="only-alias")

    page = iam.list_account_aliases(MaxItems=1)

    assert page == {"AccountAliases": ["only-alias"], "IsTruncated": False}
