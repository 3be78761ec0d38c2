"""GetAccountAuthorizationDetails through the contract (every output checked against botocore's shape).

Users, groups, memberships, tags and boundaries are made through the backend; managed and inline
policies and attachments directly with the models (their actions belong to the policies part).
The member sets follow AWS's recorded answers (scenarios.json, topic authorization_details, and the
same recording's User/Group/no-filter cases): UserPolicyList appears only when the user has one,
GroupList, AttachedManagedPolicies and Tags always; GroupPolicyList always.
"""

import datetime
import itertools
import json

import pytest

from iamconsole.backends import errors, get_backend
from policies.models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
from tests.contract.conftest import CheckedBackend
from users.models import IAMUser

NOW = datetime.datetime(2026, 2, 17, 14, 44, 31, tzinfo=datetime.UTC)
SERIAL = itertools.count(1)
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Action": "s3:ListBucket", "Resource": "*", "Effect": "Allow"}]}
)
# Reads run without a transaction (mutations get a SAVEPOINT and its RELEASE around the work).
TRANSACTION = 0


def aws_policy(name):
    return ManagedPolicy.objects.get(arn=f"arn:aws:iam::aws:policy/{name}")


def make_policy(account, name, *versions, path="/", description=""):
    """A customer managed policy whose versions are `versions` (v1 first; the last is the default)."""
    policy = ManagedPolicy.objects.create(
        account=account,
        arn=f"arn:aws:iam::{account.account_id}:policy{path}{name}",
        policy_id=f"ANPA{next(SERIAL):017d}",
        name=name,
        name_lower=name.lower(),
        path=path,
        description=description,
        default_version_id=f"v{len(versions)}",
        next_version=len(versions) + 1,
        created=NOW,
        updated=NOW + datetime.timedelta(minutes=len(versions)),
    )
    for number, document in enumerate(versions, start=1):
        PolicyVersion.objects.create(
            policy=policy,
            version_id=f"v{number}",
            document=document,
            is_default=number == len(versions),
            created=NOW + datetime.timedelta(minutes=number),
        )
    return policy


def attach(account, policy, *, user=None, group=None):
    PolicyAttachment.objects.create(account=account, policy=policy, user=user, group=group, created=NOW)


def put_inline(account, name, document=DOCUMENT, *, user=None, group=None):
    InlinePolicy.objects.create(
        account=account, user=user, group=group, name=name, document=document, created=NOW
    )


def user_row(account, name):
    return IAMUser.objects.get(account=account, name=name)


def group_row(account, name):
    from groups.models import Group

    return Group.objects.get(account=account, name=name)


def test_an_empty_account_answers_four_empty_lists(iam):
    assert iam.get_account_authorization_details() == {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
        "IsTruncated": False,
    }


def test_a_bare_user_has_aws_member_set(iam):
    created = iam.create_user(UserName="plain")["User"]

    details = iam.get_account_authorization_details(Filter=["User"])

    assert details["UserDetailList"] == [
        {
            "Path": "/",
            "UserName": "plain",
            "UserId": created["UserId"],
            "Arn": "arn:aws:iam::123456789012:user/plain",
            "CreateDate": created["CreateDate"],
            "GroupList": [],
            "AttachedManagedPolicies": [],
            "Tags": [],
        }
    ]


def test_a_user_detail_carries_groups_policies_boundary_and_tags(iam, account):
    created = iam.create_user(UserName="alice", Path="/eng/")["User"]
    iam.create_group(GroupName="zeta")
    iam.create_group(GroupName="Alpha")
    iam.add_user_to_group(GroupName="zeta", UserName="alice")
    iam.add_user_to_group(GroupName="Alpha", UserName="alice")
    iam.tag_user(UserName="alice", Tags=[{"Key": "team", "Value": "platform"}])
    iam.put_user_permissions_boundary(
        UserName="alice", PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess"
    )
    alice = user_row(account, "alice")
    mine = make_policy(account, "ReadBuckets", DOCUMENT)
    attach(account, mine, user=alice)
    attach(account, aws_policy("ReadOnlyAccess"), user=alice)
    spaced = (
        '{\n  "Version": "2012-10-17",\n  "Statement": {"Effect": "Deny", "Action": "*", "Resource": "*"}\n}'
    )
    put_inline(account, "zz-deny", spaced, user=alice)
    put_inline(account, "aa-list", user=alice)

    (detail,) = iam.get_account_authorization_details(Filter=["User"])["UserDetailList"]

    assert detail == {
        "Path": "/eng/",
        "UserName": "alice",
        "UserId": created["UserId"],
        "Arn": "arn:aws:iam::123456789012:user/eng/alice",
        "CreateDate": created["CreateDate"],
        # Documents come back decoded, exactly as they were put (whitespace included).
        "UserPolicyList": [
            {"PolicyName": "aa-list", "PolicyDocument": json.loads(DOCUMENT)},
            {"PolicyName": "zz-deny", "PolicyDocument": json.loads(spaced)},
        ],
        "GroupList": ["Alpha", "zeta"],
        "AttachedManagedPolicies": [
            {"PolicyName": "ReadBuckets", "PolicyArn": "arn:aws:iam::123456789012:policy/ReadBuckets"},
            {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"},
        ],
        "PermissionsBoundary": {
            "PermissionsBoundaryType": "Policy",
            "PermissionsBoundaryArn": "arn:aws:iam::aws:policy/PowerUserAccess",
        },
        "Tags": [{"Key": "team", "Value": "platform"}],
    }


def test_a_group_detail_always_has_its_policy_lists(iam, account):
    created = iam.create_group(GroupName="ops", Path="/infra/")["Group"]
    iam.create_group(GroupName="bare")
    ops = group_row(account, "ops")
    attach(account, aws_policy("ReadOnlyAccess"), group=ops)
    put_inline(account, "group-inline", group=ops)

    details = iam.get_account_authorization_details(Filter=["Group"])

    assert [g["GroupName"] for g in details["GroupDetailList"]] == ["bare", "ops"]
    bare, ops_detail = details["GroupDetailList"]
    assert bare["GroupPolicyList"] == [] and bare["AttachedManagedPolicies"] == []
    assert ops_detail == {
        "Path": "/infra/",
        "GroupName": "ops",
        "GroupId": created["GroupId"],
        "Arn": "arn:aws:iam::123456789012:group/infra/ops",
        "CreateDate": created["CreateDate"],
        "GroupPolicyList": [{"PolicyName": "group-inline", "PolicyDocument": json.loads(DOCUMENT)}],
        "AttachedManagedPolicies": [
            {"PolicyName": "ReadOnlyAccess", "PolicyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}
        ],
    }


def test_customer_policies_come_with_every_version_newest_first(iam, account, other_account):
    v2 = DOCUMENT.replace("ListBucket", "GetObject")
    policy = make_policy(account, "Evolving", DOCUMENT, v2, path="/team/", description="Two versions")
    make_policy(account, "Unattached", DOCUMENT)
    iam.create_user(UserName="bob")
    iam.create_group(GroupName="readers")
    attach(account, policy, user=user_row(account, "bob"))
    attach(account, policy, group=group_row(account, "readers"))
    iam.put_user_permissions_boundary(UserName="bob", PermissionsBoundary=policy.arn)

    details = iam.get_account_authorization_details(Filter=["LocalManagedPolicy"])

    assert [p["PolicyName"] for p in details["Policies"]] == ["Evolving", "Unattached"]
    assert details["UserDetailList"] == details["GroupDetailList"] == details["RoleDetailList"] == []
    assert details["Policies"][0] == {
        "PolicyName": "Evolving",
        "PolicyId": policy.policy_id,
        "Arn": "arn:aws:iam::123456789012:policy/team/Evolving",
        "Path": "/team/",
        "DefaultVersionId": "v2",
        "AttachmentCount": 2,
        "PermissionsBoundaryUsageCount": 1,
        "IsAttachable": True,
        "Description": "Two versions",
        "CreateDate": NOW,
        "UpdateDate": NOW + datetime.timedelta(minutes=2),
        "PolicyVersionList": [
            {
                "Document": json.loads(v2),
                "VersionId": "v2",
                "IsDefaultVersion": True,
                "CreateDate": NOW + datetime.timedelta(minutes=2),
            },
            {
                "Document": json.loads(DOCUMENT),
                "VersionId": "v1",
                "IsDefaultVersion": False,
                "CreateDate": NOW + datetime.timedelta(minutes=1),
            },
        ],
    }
    # The recorded AWS item has exactly these members when there is no description.
    assert set(details["Policies"][1]) == {
        "Arn", "AttachmentCount", "CreateDate", "DefaultVersionId", "IsAttachable", "Path",
        "PermissionsBoundaryUsageCount", "PolicyId", "PolicyName", "PolicyVersionList", "UpdateDate",
    }  # fmt: skip


def test_without_a_filter_only_the_aws_managed_policies_in_use_are_listed(iam, account, other_account):
    iam.create_user(UserName="carol")
    carol = user_row(account, "carol")
    attach(account, aws_policy("ReadOnlyAccess"), user=carol)
    iam.put_user_permissions_boundary(
        UserName="carol", PermissionsBoundary="arn:aws:iam::aws:policy/PowerUserAccess"
    )
    # Used in another account only: not this account's business.
    stranger = IAMUser.objects.create(
        account=other_account, user_id="AIDASTRANGER00000001", name="s", name_lower="s", created=NOW
    )
    attach(other_account, aws_policy("AdministratorAccess"), user=stranger)

    policies = iam.get_account_authorization_details()["Policies"]

    assert {
        p["PolicyName"]: (p["AttachmentCount"], p["PermissionsBoundaryUsageCount"]) for p in policies
    } == {
        "PowerUserAccess": (0, 1),
        "ReadOnlyAccess": (1, 0),
    }


def test_the_aws_managed_filter_lists_the_catalog_with_this_account_counts(iam, account):
    iam.create_user(UserName="dave")
    attach(account, aws_policy("AmazonS3FullAccess"), user=user_row(account, "dave"))
    make_policy(account, "Mine", DOCUMENT)

    pages, marker = [], None
    while True:
        page = iam.get_account_authorization_details(
            Filter=["AWSManagedPolicy"], MaxItems=1000, **({"Marker": marker} if marker else {})
        )
        pages.extend(page["Policies"])
        if not page["IsTruncated"]:
            break
        marker = page["Marker"]

    assert len(pages) == ManagedPolicy.objects.filter(account__isnull=True).count()
    assert all(p["Arn"].startswith("arn:aws:iam::aws:policy/") for p in pages)
    s3 = next(p for p in pages if p["PolicyName"] == "AmazonS3FullAccess")
    assert s3["AttachmentCount"] == 1 and s3["IsAttachable"] is True
    assert s3["PolicyVersionList"][0]["IsDefaultVersion"] is True
    assert s3["PolicyVersionList"][0]["Document"]["Version"] == "2012-10-17"
    service_linked = [p for p in pages if p["Path"] == "/aws-service-role/"]
    assert service_linked and not any(p["IsAttachable"] for p in service_linked)


def test_the_filter_keeps_only_the_named_types(iam, account):
    iam.create_user(UserName="erin")
    iam.create_group(GroupName="crew")
    make_policy(account, "Mine", DOCUMENT)

    users_only = iam.get_account_authorization_details(Filter=["User"])
    roles_only = iam.get_account_authorization_details(Filter=["Role"])
    both = iam.get_account_authorization_details(Filter=["Group", "LocalManagedPolicy"])

    assert [u["UserName"] for u in users_only["UserDetailList"]] == ["erin"]
    assert users_only["GroupDetailList"] == users_only["Policies"] == []
    assert roles_only == {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
        "IsTruncated": False,
    }
    assert both["UserDetailList"] == []
    assert [g["GroupName"] for g in both["GroupDetailList"]] == ["crew"]
    assert [p["PolicyName"] for p in both["Policies"]] == ["Mine"]


def test_it_rejects_an_unknown_entity_type(iam):
    with pytest.raises(errors.ValidationError):
        iam.get_account_authorization_details(Filter=["Robot"])


def test_other_accounts_entities_are_not_listed(iam, other_account):
    other = CheckedBackend(get_backend(other_account))
    other.create_user(UserName="outsider")
    other.create_group(GroupName="outsiders")
    make_policy(other_account, "TheirPolicy", DOCUMENT)

    assert iam.get_account_authorization_details() == {
        "UserDetailList": [],
        "GroupDetailList": [],
        "RoleDetailList": [],
        "Policies": [],
        "IsTruncated": False,
    }


def test_pages_walk_users_then_groups_then_policies(iam, account):
    for name in ("u1", "u2", "u3"):
        iam.create_user(UserName=name)
    for name in ("g1", "g2"):
        iam.create_group(GroupName=name)
    for name in ("p1", "p2"):
        make_policy(account, name, DOCUMENT)
    whole = iam.get_account_authorization_details()

    seen, marker, sizes = {"UserDetailList": [], "GroupDetailList": [], "Policies": []}, None, []
    while True:
        page = iam.get_account_authorization_details(MaxItems=2, **({"Marker": marker} if marker else {}))
        for key in seen:
            seen[key].extend(page[key])
        sizes.append(sum(len(page[key]) for key in seen))
        if not page["IsTruncated"]:
            assert "Marker" not in page
            break
        marker = page["Marker"]

    assert sizes == [2, 2, 2, 1]
    assert seen == {key: whole[key] for key in seen}


def test_a_marker_that_is_not_ours_is_refused(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.get_account_authorization_details(Marker="not-a-marker")

    assert exc.value.message == "Invalid Marker."


def test_the_number_of_queries_does_not_grow_with_users(iam, account, django_assert_num_queries):
    policy = make_policy(account, "Shared", DOCUMENT)
    iam.create_group(GroupName="everyone")

    def add_users(start, stop):
        for index in range(start, stop):
            name = f"user{index:02d}"
            iam.create_user(UserName=name)
            iam.add_user_to_group(GroupName="everyone", UserName=name)
            user = user_row(account, name)
            attach(account, policy, user=user)
            put_inline(account, "inline", user=user)

    add_users(0, 5)
    # counts; users + 3 prefetches; groups + 2 prefetches; policies + versions
    with django_assert_num_queries(10 + TRANSACTION):
        small = iam.get_account_authorization_details()
    add_users(5, 50)
    with django_assert_num_queries(10 + TRANSACTION):
        large = iam.get_account_authorization_details()

    assert len(small["UserDetailList"]) == 5 and len(large["UserDetailList"]) == 50
    assert all(u["GroupList"] == ["everyone"] and u["UserPolicyList"] for u in large["UserDetailList"])
