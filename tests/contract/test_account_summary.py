"""GetAccountSummary through the contract: AWS's key set and quotas, and this account's real counts.

Users are created through the backend; the other entities directly with the models (their actions
belong to other parts of the backend).
"""

import datetime
import itertools

from credentials.models import AccessKey, ServerCertificate, VirtualMFADevice
from groups.models import Group
from iamconsole.backends.model import service_model
from policies.models import ManagedPolicy, PolicyAttachment
from users.models import IAMUser

NOW = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
SERIAL = itertools.count(1)
# Reads run without a transaction (mutations get a SAVEPOINT and its RELEASE around the work).
TRANSACTION = 0

# The quotas AWS answered with (scenarios.json, topic account_summary, recorded 17-02-2026).
RECORDED_QUOTAS = {
    "AccessKeysPerUserQuota": 2,
    "AccountAccessKeysPresent": 0,
    "AccountMFAEnabled": 0,
    "AccountSigningCertificatesPresent": 0,
    "AssumeRolePolicySizeQuota": 2048,
    "AttachedPoliciesPerGroupQuota": 10,
    "AttachedPoliciesPerRoleQuota": 10,
    "AttachedPoliciesPerUserQuota": 10,
    "GlobalEndpointTokenVersion": 1,
    "GroupPolicySizeQuota": 5120,
    "GroupsPerUserQuota": 10,
    "GroupsQuota": 300,
    "InstanceProfilesQuota": 1000,
    "PoliciesQuota": 1500,
    "PolicySizeQuota": 6144,
    "PolicyVersionsInUseQuota": 10000,
    "RolePolicySizeQuota": 10240,
    "RolesQuota": 1000,
    "ServerCertificatesQuota": 20,
    "SigningCertificatesPerUserQuota": 2,
    "UserPolicySizeQuota": 2048,
    "UsersQuota": 5000,
    "VersionsPerPolicyQuota": 5,
}


def make_group(account, name):
    return Group.objects.create(
        account=account,
        group_id=f"AGPA{next(SERIAL):017d}",
        name=name,
        name_lower=name.lower(),
        created=NOW,
    )


def make_policy(account, name):
    return ManagedPolicy.objects.create(
        account=account,
        arn=f"arn:aws:iam::{account.account_id}:policy/{name}",
        policy_id=f"ANPA{next(SERIAL):017d}",
        name=name,
        name_lower=name.lower(),
        created=NOW,
        updated=NOW,
    )


def make_mfa(account, name, user=None, enabled=False):
    return VirtualMFADevice.objects.create(
        account=account,
        serial_number=f"arn:aws:iam::{account.account_id}:mfa/{name}",
        name=name,
        seed_encrypted="x",
        user=user,
        enable_date=NOW if (user or enabled) else None,
        created=NOW,
    )


def test_it_answers_every_key_botocore_lists_with_aws_quotas(iam):
    summary = iam.get_account_summary()["SummaryMap"]

    assert set(summary) == set(service_model().shape_for("summaryKeyType").enum)
    assert {key: summary[key] for key in RECORDED_QUOTAS} == RECORDED_QUOTAS
    assert all(isinstance(value, int) for value in summary.values())


def test_an_empty_account_counts_nothing_but_the_root_password(iam):
    summary = iam.get_account_summary()["SummaryMap"]

    counters = ("Users", "Groups", "Policies", "PolicyVersionsInUse", "ServerCertificates", "MFADevices")
    assert {key: summary[key] for key in counters} == dict.fromkeys(counters, 0)
    assert (
        summary["MFADevicesInUse"]
        == summary["Roles"]
        == summary["InstanceProfiles"]
        == summary["Providers"]
        == 0
    )
    assert summary["AccountPasswordPresent"] == 1


def test_it_counts_the_account_entities(iam, account, other_account):
    for name in ("ann", "bob", "cid"):
        iam.create_user(UserName=name)
    ann = IAMUser.objects.get(account=account, name="ann")
    group = make_group(account, "devs")
    make_group(account, "ops")
    policy = make_policy(account, "ReadStuff")
    aws_policy = ManagedPolicy.objects.get(arn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    PolicyAttachment.objects.create(account=account, policy=policy, user=ann, created=NOW)
    PolicyAttachment.objects.create(account=account, policy=aws_policy, group=group, created=NOW)
    make_mfa(account, "ann-phone", user=ann)
    make_mfa(account, "spare")
    ServerCertificate.objects.create(
        account=account,
        server_certificate_id="ASCAEXAMPLE0000000001",
        name="web",
        name_lower="web",
        body="-",
        private_key_encrypted="-",
        uploaded=NOW,
        expiration=NOW,
    )
    # Another account's entities are not counted.
    other = IAMUser.objects.create(
        account=other_account, user_id="AIDAOTHER000000000001", name="ann", name_lower="ann", created=NOW
    )
    make_policy(other_account, "ReadStuff")
    PolicyAttachment.objects.create(account=other_account, policy=aws_policy, user=other, created=NOW)

    summary = iam.get_account_summary()["SummaryMap"]

    assert summary["Users"] == 3
    assert summary["Groups"] == 2
    assert summary["Policies"] == 1  # customer managed only; the AWS managed catalog is not counted
    assert summary["PolicyVersionsInUse"] == 2  # one per attachment in this account
    assert summary["MFADevices"] == 2
    assert summary["MFADevicesInUse"] == 1
    assert summary["ServerCertificates"] == 1
    assert summary["AccountMFAEnabled"] == 0
    assert summary["AccountAccessKeysPresent"] == 0


def test_root_flags_follow_the_root_credentials(iam, account):
    iam.create_user(UserName="keyholder")
    user = IAMUser.objects.get(account=account)
    AccessKey.objects.create(
        account=account, user=user, access_key_id="AKIAUSERKEY000000001", secret_encrypted="x", created=NOW
    )
    assert iam.get_account_summary()["SummaryMap"]["AccountAccessKeysPresent"] == 0

    AccessKey.objects.create(
        account=account, access_key_id="AKIAROOTKEY000000001", secret_encrypted="x", created=NOW
    )
    make_mfa(account, "root-device", enabled=True)

    summary = iam.get_account_summary()["SummaryMap"]
    assert summary["AccountAccessKeysPresent"] == 1
    assert summary["AccountMFAEnabled"] == 1
    assert summary["MFADevicesInUse"] == 1


def test_it_runs_in_one_query_whatever_the_data(iam, account, django_assert_num_queries):
    for index in range(20):
        iam.create_user(UserName=f"user{index}")
        make_group(account, f"group{index}")

    with django_assert_num_queries(1 + TRANSACTION):
        iam.get_account_summary()
