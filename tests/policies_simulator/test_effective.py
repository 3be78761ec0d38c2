"""What can this user do? The allowed actions on `*` of each service its policies name, by access level."""

import json

import pytest

from iamconsole.backends import get_backend
from policies import effective

S3_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}],
    }
)
EC2_ONE_INSTANCE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "ec2:StopInstances", "Resource": "arn:aws:ec2:*:*:instance/i-123"}
        ],
    }
)
IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    """alice: inline S3 read, EC2 on one instance only; in group auditors (IAMReadOnlyAccess)."""
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="s3-read", PolicyDocument=S3_READ)
    iam.put_user_policy(UserName="alice", PolicyName="one-instance", PolicyDocument=EC2_ONE_INSTANCE)
    iam.create_group(GroupName="auditors")
    iam.attach_group_policy(GroupName="auditors", PolicyArn=IAM_READ)
    iam.add_user_to_group(UserName="alice", GroupName="auditors")
    return iam


def service(response, prefix):
    return next(s for s in response.context["services"] if s["prefix"] == prefix)


def test_it_groups_the_allowed_actions_by_service_and_access_level(signed_in, iam):
    response = signed_in.get("/policy-simulator/effective/alice")

    assert response.status_code == 200
    assert [s["prefix"] for s in response.context["services"]] == ["ec2", "iam", "s3"]
    s3 = service(response, "s3")
    levels = {level["level"]: level["actions"] for level in s3["levels"]}
    assert "GetObject" in levels["Read"] and "ListBucket" in levels["List"]
    assert "Write" not in levels and "PutObject" not in sum(levels.values(), [])
    assert [level["level"] for level in s3["levels"]] == [
        level for level in effective.ACCESS_LEVELS if level in levels
    ]
    iam_levels = {level["level"]: level["actions"] for level in service(response, "iam")["levels"]}
    assert "GetUser" in iam_levels["Read"] and "ListUsers" in iam_levels["List"]
    assert "CreateUser" not in sum(iam_levels.values(), [])
    body = response.content.decode()
    assert "<h1>What can alice do?</h1>" in body
    assert f"✓ {s3['allowed']} of {s3['total']} actions allowed" in body
    assert '<a href="#service-s3">Amazon S3</a>' in body and "Permissions boundary: not set" in body
    assert s3["counts"] == [len(levels.get(level, [])) for level in effective.ACCESS_LEVELS]


def test_a_service_allowed_only_on_specific_resources_shows_none_on_star(signed_in, iam):
    response = signed_in.get("/policy-simulator/effective/alice")

    ec2 = service(response, "ec2")
    assert ec2["allowed"] == 0 and ec2["levels"] == []
    assert "No actions allowed on *" in response.content.decode()


def test_the_boundary_caps_the_effective_permissions(signed_in, iam):
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=POWER_USER)

    response = signed_in.get("/policy-simulator/effective/alice")

    # PowerUserAccess allows of IAM only the service-linked-role and ListRoles actions.
    allowed = sum((level["actions"] for level in service(response, "iam")["levels"]), [])
    assert "GetUser" not in allowed and "ListUsers" not in allowed
    assert set(allowed) <= {"CreateServiceLinkedRole", "DeleteServiceLinkedRole", "ListRoles"}
    assert service(response, "s3")["allowed"] > 0
    body = response.content.decode()
    assert 'Permissions boundary: <span class="mono">arn:aws:iam::aws:policy/PowerUserAccess</span>' in body


def test_star_stands_for_the_common_services(signed_in, iam):
    iam.create_user(UserName="admin")
    iam.attach_user_policy(UserName="admin", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")

    response = signed_in.get("/policy-simulator/effective/admin")

    prefixes = [s["prefix"] for s in response.context["services"]]
    assert prefixes == sorted(effective.COMMON_SERVICES)
    assert all(s["allowed"] == s["total"] for s in response.context["services"])


def test_a_user_without_policies_gets_an_empty_state(signed_in, iam):
    iam.create_user(UserName="bare")

    response = signed_in.get("/policy-simulator/effective/bare")

    assert response.context["services"] == []
    assert "No permissions" in response.content.decode()


def test_the_htmx_request_gets_only_the_services(signed_in, iam):
    response = signed_in.get("/policy-simulator/effective/alice", HTTP_HX_REQUEST="true")

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="effective-services"')
    assert "<h1>" not in body


def test_an_unknown_user_is_404(signed_in, iam):
    assert signed_in.get("/policy-simulator/effective/nobody").status_code == 404


def test_it_needs_a_signed_in_principal(client, iam):
    response = client.get("/policy-simulator/effective/alice")

    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_it_is_read_only(signed_in, iam):
    assert signed_in.post("/policy-simulator/effective/alice").status_code == 405


def test_mentioned_services_reads_allow_statements_only():
    documents = [
        {"Statement": [{"Effect": "Allow", "Action": ["S3:GetObject", "sqs:*"], "Resource": "*"}]},
        {"Statement": {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}},
        {"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]},
    ]

    assert effective.mentioned_services(documents) == sorted(set(effective.COMMON_SERVICES) | {"s3", "sqs"})


def test_a_service_the_catalog_does_not_know_is_named_as_such(signed_in, iam):
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "nosuchsvc:Do", "Resource": "*"}],
    }
    iam.put_user_policy(UserName="alice", PolicyName="odd", PolicyDocument=json.dumps(policy))

    response = signed_in.get("/policy-simulator/effective/alice")

    assert service(response, "nosuchsvc")["total"] == 0
    assert "a service the action catalog does not know" in response.content.decode()
