"""Managed policies attached to users and groups through the contract: Attach/Detach/ListAttached
User and Group policies. Expected answers are AWS's (aws-recorded scenarios, topic attachments;
facts §4 quotas, §6 errors)."""

import json

import pytest

from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend

ACCOUNT_ARN = "arn:aws:iam::123456789012:policy"
EMR = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceforEC2Role"
READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


def policy(iam, name="p", path="/"):
    return iam.create_policy(PolicyName=name, PolicyDocument=DOCUMENT, Path=path)["Policy"]["Arn"]


def attached(iam, **who):
    if "UserName" in who:
        result = iam.list_attached_user_policies(**who)
    else:
        result = iam.list_attached_group_policies(**who)
    return [(p["PolicyName"], p["PolicyArn"]) for p in result["AttachedPolicies"]]


# The same behaviour for users and groups: each case runs for both.
KINDS = {
    "user": {
        "create": lambda iam, name: iam.create_user(UserName=name),
        "attach": lambda iam, name, arn: iam.attach_user_policy(UserName=name, PolicyArn=arn),
        "detach": lambda iam, name, arn: iam.detach_user_policy(UserName=name, PolicyArn=arn),
        "who": lambda name: {"UserName": name},
        "quota": "Cannot exceed quota for PoliciesPerUser: 10",
        "missing": "The user with name {} cannot be found.",
        "label": "User",
    },
    "group": {
        "create": lambda iam, name: iam.create_group(GroupName=name),
        "attach": lambda iam, name, arn: iam.attach_group_policy(GroupName=name, PolicyArn=arn),
        "detach": lambda iam, name, arn: iam.detach_group_policy(GroupName=name, PolicyArn=arn),
        "who": lambda name: {"GroupName": name},
        "quota": "Cannot exceed quota for PoliciesPerGroup: 10",
        "missing": "The group with name {} cannot be found.",
        "label": "Group",
    },
}


@pytest.fixture(params=sorted(KINDS))
def kind(request, iam):
    """One of the two entity kinds, with an entity called `e` created."""
    spec = KINDS[request.param]
    spec["create"](iam, "e")
    return spec


def test_it_attaches_and_detaches_an_aws_managed_policy(iam, kind):
    assert attached(iam, **kind["who"]("e")) == []

    assert kind["attach"](iam, "e", EMR) == {}
    assert attached(iam, **kind["who"]("E")) == [("AmazonElasticMapReduceforEC2Role", EMR)]
    assert iam.get_policy(PolicyArn=EMR)["Policy"]["AttachmentCount"] == 1

    assert kind["detach"](iam, "e", EMR) == {}
    assert attached(iam, **kind["who"]("e")) == []
    assert iam.get_policy(PolicyArn=EMR)["Policy"]["AttachmentCount"] == 0


def test_attaching_twice_is_harmless(iam, kind):
    arn = policy(iam)
    kind["attach"](iam, "e", arn)
    kind["attach"](iam, "e", arn)

    assert attached(iam, **kind["who"]("e")) == [("p", arn)]
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 1


def test_attached_policies_keep_their_order_and_filter_by_path(iam, kind):
    team = policy(iam, "team", "/team/")
    kind["attach"](iam, "e", READ_ONLY)
    kind["attach"](iam, "e", team)

    assert attached(iam, **kind["who"]("e")) == [("ReadOnlyAccess", READ_ONLY), ("team", team)]
    assert attached(iam, **kind["who"]("e"), PathPrefix="/team/") == [("team", team)]


def test_attached_policies_page(iam, kind):
    arns = [policy(iam, f"p{index}") for index in range(3)]
    for arn in arns:
        kind["attach"](iam, "e", arn)
    list_call = (
        iam.list_attached_user_policies
        if "UserName" in kind["who"]("e")
        else iam.list_attached_group_policies
    )

    first = list_call(**kind["who"]("e"), MaxItems=2)
    second = list_call(**kind["who"]("e"), MaxItems=2, Marker=first["Marker"])

    assert [p["PolicyArn"] for p in first["AttachedPolicies"] + second["AttachedPolicies"]] == arns
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)


def test_at_most_ten_policies_attach_to_one_entity(iam, kind):
    arns = [policy(iam, f"p{index}") for index in range(10)]
    for arn in arns:
        kind["attach"](iam, "e", arn)
    kind["attach"](iam, "e", arns[0])  # already attached: not an eleventh

    with pytest.raises(errors.LimitExceeded) as exc:
        kind["attach"](iam, "e", READ_ONLY)

    assert exc.value.message == kind["quota"]
    assert exc.value.http_status == 409
    assert len(attached(iam, **kind["who"]("e"))) == 10


def test_attach_answers_a_policy_that_does_not_exist(iam, kind):
    arn = policy(iam, "real")

    with pytest.raises(errors.NoSuchEntity) as exc:
        kind["attach"](iam, "e", f"{arn}123")

    assert exc.value.message == f"Policy {arn}123 does not exist or is not attachable."
    assert exc.value.http_status == 404
    assert attached(iam, **kind["who"]("e")) == []


@pytest.mark.parametrize("bad", ["longpolicynamebutnoarn", "arn:aws:iam::123456789012"])
def test_attach_and_detach_refuse_what_is_not_an_arn(iam, kind, bad):
    with pytest.raises(errors.ValidationError) as exc:
        kind["attach"](iam, "e", bad)
    assert exc.value.message == f"ARN {bad} is not valid."

    with pytest.raises(errors.ValidationError):
        kind["detach"](iam, "e", bad)


def test_detach_answers_a_policy_that_is_not_attached(iam, kind):
    arn = policy(iam)

    with pytest.raises(errors.NoSuchEntity) as exc:
        kind["detach"](iam, "e", arn)

    assert exc.value.message == f"Policy {arn} was not found."


def test_attach_detach_and_list_answer_a_missing_entity(iam, kind):
    arn = policy(iam)

    for call in (
        lambda: kind["attach"](iam, "ghost", arn),
        lambda: kind["detach"](iam, "ghost", arn),
        lambda: attached(iam, **kind["who"]("ghost")),
    ):
        with pytest.raises(errors.NoSuchEntity) as exc:
            call()
        assert exc.value.message == kind["missing"].format("ghost")
    assert iam.get_policy(PolicyArn=arn)["Policy"]["AttachmentCount"] == 0


def test_service_linked_role_policies_do_not_attach(iam, kind):
    arn = "arn:aws:iam::aws:policy/aws-service-role/AWSSupportServiceRolePolicy"

    with pytest.raises(errors.PolicyNotAttachable) as exc:
        kind["attach"](iam, "e", arn)

    assert exc.value.message == f"Cannot attach a Service Role Policy to a {kind['label']}."
    assert exc.value.http_status == 400


def test_another_accounts_policy_does_not_attach(iam, kind, other_account):
    theirs = CheckedBackend(get_backend(other_account))
    arn = theirs.create_policy(PolicyName="theirs", PolicyDocument=DOCUMENT)["Policy"]["Arn"]

    with pytest.raises(errors.NoSuchEntity) as exc:
        kind["attach"](iam, "e", arn)

    assert exc.value.message == f"Policy {arn} does not exist or is not attachable."


def test_attachments_are_counted_per_account(iam, kind, other_account):
    theirs = CheckedBackend(get_backend(other_account))
    theirs.create_user(UserName="x")
    theirs.attach_user_policy(UserName="x", PolicyArn=READ_ONLY)
    kind["attach"](iam, "e", READ_ONLY)

    assert iam.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1
    assert theirs.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1
    kind["detach"](iam, "e", READ_ONLY)
    assert theirs.get_policy(PolicyArn=READ_ONLY)["Policy"]["AttachmentCount"] == 1


def test_a_user_and_a_group_of_the_same_name_keep_separate_policies(iam):
    iam.create_user(UserName="same")
    iam.create_group(GroupName="same")
    iam.attach_user_policy(UserName="same", PolicyArn=READ_ONLY)

    assert attached(iam, GroupName="same") == []
    with pytest.raises(errors.NoSuchEntity):
        iam.detach_group_policy(GroupName="same", PolicyArn=READ_ONLY)
    assert attached(iam, UserName="same") == [("ReadOnlyAccess", READ_ONLY)]
