"""The authorization matrix: every user of the cast (conftest.py) against the backend's actions.

Each row names an action, how it is called (on the caller itself, on bob, or on the account) and the
outcome for each user, in the order of `USERS`:

    A  allowed (IAM's own answer, or an error other than AccessDenied: authorization was passed)
    I  AccessDenied "because no identity-based policy allows the iam:<Action> action"
    B  AccessDenied "because no permissions boundary allows the iam:<Action> action"
    X  AccessDenied "with an explicit deny in an identity-based policy"
    Y  AccessDenied "with an explicit deny in a permissions boundary"

A denial must carry AWS's whole message (`User: <arn> is not authorized to perform: iam:<Action> on
resource: <resource> <why>`), status 403, and leave nothing written.
"""

import pytest
from django.db import transaction

from iamconsole.backends.errors import AccessDenied, IAMError

from .conftest import ACCOUNT, ADMIN, PASSWORD, USERS, backend_of

ARN = f"arn:aws:iam::{ACCOUNT}:"
WHY = {
    "I": "because no identity-based policy allows the iam:{action} action",
    "B": "because no permissions boundary allows the iam:{action} action",
    "X": "with an explicit deny in an identity-based policy",
    "Y": "with an explicit deny in a permissions boundary",
}

SELF, BOB = "{self}", "bob"
# action, request members ({self} is the caller's name), the resource AccessDenied names, outcomes
#                                                                          admin readonly changepw selfmanage capped denied fenced
MATRIX = [
    ("ListUsers", {}, "user/", "AAIIAAA"),
    ("GetUser", {"UserName": SELF}, "user/{self}", "AAIAAAA"),
    ("GetUser", {"UserName": BOB}, "user/bob", "AAIIAAA"),
    ("GetUser", {}, "user/{self}", "AAIAAAA"),  # no UserName: the caller
    ("CreateUser", {"UserName": "newcomer"}, "user/newcomer", "AIIIBAA"),
    ("DeleteUser", {"UserName": BOB}, "user/bob", "AIIIBXY"),
    (
        "ChangePassword",
        {"OldPassword": PASSWORD, "NewPassword": "Changed-pass-5678"},
        "user/{self}",
        "AIAABAA",
    ),
    ("GetAccountPasswordPolicy", {}, "*", "AAAAAAA"),
    ("GetAccountSummary", {}, "*", "AAIAAAA"),
    ("CreateAccessKey", {"UserName": SELF}, "user/{self}", "AIIABAA"),
    ("CreateAccessKey", {"UserName": BOB}, "user/bob", "AIIIBAA"),
    ("ListAccessKeys", {"UserName": SELF}, "user/{self}", "AAIAAAA"),
    ("ListAccessKeys", {"UserName": BOB}, "user/bob", "AAIIAAA"),
    ("ListSSHPublicKeys", {"UserName": SELF}, "user/{self}", "AAIAAAA"),
    ("ListServiceSpecificCredentials", {"UserName": BOB}, "user/bob", "AAIIAAA"),
    ("AttachUserPolicy", {"UserName": SELF, "PolicyArn": ADMIN}, "user/{self}", "AIIIBAA"),
    (
        "PutUserPolicy",
        {"UserName": SELF, "PolicyName": "More", "PolicyDocument": "{}"},
        "user/{self}",
        "AIIIBAA",
    ),
    ("DeleteUserPermissionsBoundary", {"UserName": SELF}, "user/{self}", "AIIIBXA"),
    ("CreatePolicy", {"PolicyName": "Mine", "PolicyDocument": "{}"}, "policy/Mine", "AIIIBAA"),
    ("ListPolicies", {}, "*", "AAIIAAA"),
    ("CreateGroup", {"GroupName": "crew"}, "group/crew", "AIIIBAA"),
    ("ListGroups", {}, "*", "AAIIAAA"),
    ("UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 20}, "*", "AIIIBAA"),
]


def snake(action: str) -> str:
    """The backend method of an IAM action: CreateUser -> create_user, ListSSHPublicKeys -> list_ssh_public_keys."""
    special = {"ListSSHPublicKeys": "list_ssh_public_keys"}
    if action in special:
        return special[action]
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in action).lstrip("_")


def expected_message(user: str, action: str, resource: str, outcome: str) -> str:
    target = resource if resource == "*" else ARN + resource.replace(SELF, user)
    why = WHY[outcome].format(action=action)
    return f"User: {ARN}user/{user} is not authorized to perform: iam:{action} on resource: {target} {why}"


def answer(iam, action: str, params: dict, user: str) -> tuple[str, AccessDenied | None]:
    """Call `action` as the user in a savepoint that is rolled back, so that every call of a row
    meets the same account; ("A", None) unless AccessDenied, then ("denied", the error)."""
    params = {
        key: value.replace(SELF, user) if isinstance(value, str) else value for key, value in params.items()
    }
    with transaction.atomic():
        try:
            getattr(iam, snake(action))(**params)
        except AccessDenied as error:
            return "denied", error
        except IAMError:  # e.g. MalformedPolicyDocument for "{}": authorization was passed
            pass
        finally:
            transaction.set_rollback(True)
    return "A", None


def test_the_table_is_square():
    assert all(len(outcomes) == len(USERS) and set(outcomes) <= set("AIBXY") for *_, outcomes in MATRIX)


@pytest.mark.parametrize("user", USERS)
def test_each_user_gets_the_answers_its_policies_give(account, cast, user):
    """One row of the table per action; every difference is reported at once."""
    iam = backend_of(account, user)
    users_before = {u["UserName"] for u in cast.list_users()["Users"]}
    wrong = []
    for action, params, resource, outcomes in MATRIX:
        outcome = outcomes[USERS.index(user)]
        got, error = answer(iam, action, params, user)
        if got == "A" or outcome == "A":
            if got != outcome:
                wrong.append(f"{action} {params}: expected {outcome}, got {got} {error and error.message}")
            continue
        assert error.http_status == 403
        message = expected_message(user, action, resource, outcome)
        if outcome == "X":  # the wording is checked by test_an_explicit_deny_names_the_identity_based_policy
            message = message.removesuffix(WHY["X"])
        if not error.message.startswith(message):
            wrong.append(f"{action} {params}:\n  expected {message}\n  got      {error.message}")
    assert wrong == []
    assert {u["UserName"] for u in cast.list_users()["Users"]} == users_before


# AWS writes "with an explicit deny in an identity-based policy" (IAM User Guide, "Troubleshoot access
# denied error messages", and real answers).
@pytest.mark.parametrize(
    ("action", "resource"), [("DeleteUser", "user/bob"), ("DeleteLoginProfile", "user/bob")]
)
def test_an_explicit_deny_names_the_identity_based_policy(account, cast, action, resource):
    with pytest.raises(AccessDenied) as error:
        getattr(backend_of(account, "denied"), snake(action))(UserName="bob")

    assert error.value.message == expected_message("denied", action, resource, "X")


def test_list_users_names_the_users_arn_prefix_as_its_resource(account, cast):
    """reference/aws-iam-facts.md §5 (observed): `arn:aws:iam::123456789012:user/` for ListUsers."""
    with pytest.raises(AccessDenied) as error:
        backend_of(account, "changepw").list_users()

    assert f"on resource: {ARN}user/ because" in error.value.message


def test_an_explicit_deny_in_the_boundary_names_the_boundary(account, cast):
    with pytest.raises(AccessDenied) as error:
        backend_of(account, "fenced").delete_user(UserName="bob")

    assert error.value.message == expected_message("fenced", "DeleteUser", "user/bob", "Y")
    assert cast.get_user(UserName="bob")["User"]["UserName"] == "bob"


def test_a_user_without_any_policy_is_refused_everything_but_nothing_else(account, cast):
    cast.create_user(UserName="nobody")
    iam = backend_of(account, "nobody")

    with pytest.raises(AccessDenied) as error:
        iam.get_user()

    assert error.value.message == (
        f"User: {ARN}user/nobody is not authorized to perform: iam:GetUser on resource: {ARN}user/nobody "
        "because no identity-based policy allows the iam:GetUser action"
    )


def test_a_group_gives_its_members_its_policies(account, cast):
    cast.create_group(GroupName="readers")
    cast.attach_group_policy(GroupName="readers", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    cast.add_user_to_group(UserName="changepw", GroupName="readers")

    assert backend_of(account, "changepw").get_user(UserName="bob")["User"]["UserName"] == "bob"


def test_self_management_follows_the_user_through_aws_username(account, cast):
    """The same policy document, attached to bob too, lets each of them at their own keys only."""
    arn = f"{ARN}policy/SelfManageCredentials"
    cast.attach_user_policy(UserName="bob", PolicyArn=arn)

    bob = backend_of(account, "bob")
    key = bob.create_access_key()["AccessKey"]
    assert key["UserName"] == "bob"
    with pytest.raises(AccessDenied):
        bob.create_access_key(UserName="selfmanage")
    assert cast.list_access_keys(UserName="selfmanage")["AccessKeyMetadata"] == []


def test_a_denied_change_is_audited_as_access_denied(account, cast):
    from accounts.models import AuditEvent  # the audit log has no IAM read action

    with pytest.raises(AccessDenied):
        backend_of(account, "readonly").create_user(UserName="sneaky")

    event = AuditEvent.objects.filter(account=account, event_name="CreateUser").latest("pk")
    assert event.error_code == "AccessDenied"
    assert "sneaky" not in {u["UserName"] for u in cast.list_users()["Users"]}
