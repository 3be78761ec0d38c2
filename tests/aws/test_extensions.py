"""The console extensions on AwsBackend (moto server): the same output keys as the local ones, built
from GetAccountAuthorizationDetails, ListVirtualMFADevices, the credential report and the password policy."""

import datetime

import pytest

from accounts.services import create_account
from iamconsole.backends import get_backend

USER_KEYS = {
    "UserName",
    "Path",
    "Arn",
    "UserId",
    "CreateDate",
    "Groups",
    "MFA",
    "PasswordEnabled",
    "PasswordLastChanged",
    "PasswordLastUsed",
    "AccessKeys",
    "LastActivity",
}


@pytest.fixture
def team(backend):
    """alice (group devs, console password, one key, virtual MFA), bob (no credentials), carol (devs)."""
    backend.create_group(GroupName="devs")
    for name in ("alice", "bob", "carol"):
        backend.create_user(UserName=name)
    backend.add_user_to_group(GroupName="devs", UserName="alice")
    backend.add_user_to_group(GroupName="devs", UserName="carol")
    backend.create_login_profile(UserName="alice", Password="Secret-pass-123")
    backend.create_access_key(UserName="alice")
    serial = backend.create_virtual_mfa_device(VirtualMFADeviceName="alice")["VirtualMFADevice"][
        "SerialNumber"
    ]
    backend.enable_mfa_device(
        UserName="alice", SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
    )
    return backend


def local_keys(kind: str) -> set:
    """The keys the local backend's extension answers with, for the same data shape."""
    local = get_backend(
        create_account(account_id="210987654321", root_email="l@example.com", root_password="Pass-word-1234")
    )
    local.create_user(UserName="x")
    local.create_group(GroupName="x")
    return set(getattr(local, kind)()["Users" if kind == "list_users_overview" else "Groups"][0])


def test_the_users_overview_has_the_local_keys_and_the_credential_data(team):
    result = team.list_users_overview()

    assert (result["Total"], result["Page"], result["Pages"], result["PerPage"]) == (3, 1, 1, 50)
    rows = {row["UserName"]: row for row in result["Users"]}
    assert list(rows) == ["alice", "bob", "carol"]
    assert set(rows["alice"]) == USER_KEYS == local_keys("list_users_overview")
    alice = rows["alice"]
    assert alice["Groups"] == ["devs"] and alice["MFA"] is True and alice["PasswordEnabled"] is True
    assert isinstance(alice["PasswordLastChanged"], datetime.datetime)
    assert [key["Status"] for key in alice["AccessKeys"]] == ["Active"]
    assert isinstance(alice["AccessKeys"][0]["CreateDate"], datetime.datetime)
    bob = rows["bob"]
    assert (bob["Groups"], bob["MFA"], bob["PasswordEnabled"], bob["AccessKeys"]) == ([], False, False, [])
    assert bob["LastActivity"] is None


def test_the_users_overview_searches_sorts_and_pages(team):
    assert [r["UserName"] for r in team.list_users_overview(search="AR")["Users"]] == ["carol"]
    by_groups = team.list_users_overview(sort="groups", descending=True)["Users"]
    assert [r["UserName"] for r in by_groups] == ["carol", "alice", "bob"]
    second = team.list_users_overview(per_page=2, page=2)
    assert [r["UserName"] for r in second["Users"]] == ["carol"]
    assert (second["Pages"], second["Page"]) == (2, 2)


def test_the_users_overview_finds_a_user_by_access_key_id(team):
    key_id = team.list_access_keys(UserName="alice")["AccessKeyMetadata"][0]["AccessKeyId"]

    assert [r["UserName"] for r in team.list_users_overview(search=key_id)["Users"]] == ["alice"]


def test_the_users_overview_makes_a_fixed_number_of_calls(team):
    for n in range(5):
        team.create_user(UserName=f"more{n}")
    calls = []
    team.client.meta.events.register("before-call.iam", lambda model, **kw: calls.append(model.name))

    assert team.list_users_overview()["Total"] == 8

    # One listing each, whatever the number of users (a report still generating is polled a few times).
    listings = {"GetAccountAuthorizationDetails", "ListVirtualMFADevices", "GetCredentialReport"}
    assert set(calls) == listings | {"GenerateCredentialReport"}
    assert len([call for call in calls if call in listings]) == 3


def test_the_groups_overview_counts_members_and_policies(team):
    arn = team.create_policy(
        PolicyName="p",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    )["Policy"]["Arn"]
    team.attach_group_policy(GroupName="devs", PolicyArn=arn)
    team.put_group_policy(
        GroupName="devs",
        PolicyName="inline",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}',
    )
    team.create_group(GroupName="empty")

    result = team.list_groups_overview()

    assert result["Total"] == 2
    devs, empty = result["Groups"]
    assert set(devs) == local_keys("list_groups_overview")
    assert (devs["GroupName"], devs["UserCount"], devs["AttachedPolicyCount"], devs["InlinePolicyCount"]) == (
        "devs",
        2,
        1,
        1,
    )
    assert (empty["UserCount"], empty["AttachedPolicyCount"]) == (0, 0)
    assert [g["GroupName"] for g in team.list_groups_overview(search="EMP")["Groups"]] == ["empty"]


def test_check_password_applies_the_default_policy_without_a_custom_one(backend):
    assert backend.check_password(Password="Secret-pass-123") == {"Violations": []}
    assert backend.check_password(Password="short") == {
        "Violations": [
            "Password should have a minimum length of 8",
            "Password should meet 2 more of the following requirements: Password should have at least one "
            "uppercase letter, Password should have at least one number, Password should have at least one symbol",
        ]
    }
    assert backend.check_password(Password="Root@Example.com")["Violations"] == [
        "Password should not be identical to your AWS account name or email address"
    ]


def test_check_password_applies_the_custom_policy(backend):
    backend.update_account_password_policy(MinimumPasswordLength=12, RequireSymbols=True, RequireNumbers=True)

    assert backend.check_password(Password="abcdefghijk") == {
        "Violations": [
            "Password should have a minimum length of 12",
            "Password should have at least one number",
            "Password should have at least one symbol",
        ]
    }


def test_the_password_policy_summary_words_the_rules(backend):
    default = backend.password_policy_summary()
    assert (default["Custom"], default["MinimumPasswordLength"]) == (False, 8)
    assert default["Rules"][0] == "Minimum password length of 8 characters and a maximum of 128"

    backend.update_account_password_policy(MinimumPasswordLength=10, AllowUsersToChangePassword=True)
    custom = backend.password_policy_summary()
    assert custom == {
        "Rules": [
            "Minimum password length is 10 characters",
            "Never expire password",
            "Allow users to change their own password",
        ],
        "MinimumPasswordLength": 10,
        "AllowUsersToChangePassword": True,
        "Custom": True,
    }


def test_security_recommendations_count_from_the_credential_report(team):
    team.create_login_profile(UserName="bob", Password="Secret-pass-123")

    fresh = team.security_recommendations()
    assert fresh["UsersWithoutMFA"] == {"Count": 1, "Users": ["bob"]}
    assert fresh["OldAccessKeys"] == {"Count": 0, "Users": []}
    assert fresh["RootMFA"] is False and fresh["Days"] == 90

    # A negative window puts the cutoff in the future: every key and password is "old" and unused.
    stale = team.security_recommendations(days=-1)
    assert stale["OldAccessKeys"] == {"Count": 1, "Users": ["alice"]}
    assert stale["UnusedCredentials"] == {"Count": 2, "Users": ["alice", "bob"]}


def test_a_report_line_of_an_earlier_user_of_the_same_name_is_not_used(backend, monkeypatch):
    backend.create_user(UserName="alice")
    backend.create_login_profile(UserName="alice", Password="Secret-pass-123")
    report = backend.credential_report_rows()
    arn = "arn:aws:iam::123456789012:user/alice"
    assert report[arn]["password_enabled"] is True
    report[arn]["created"] -= datetime.timedelta(hours=1)  # as if alice had been deleted and created again
    monkeypatch.setattr(backend, "credential_report_rows", lambda **kw: report)

    (alice,) = backend.list_users_overview()["Users"]

    assert alice["PasswordEnabled"] is False
