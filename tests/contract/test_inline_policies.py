"""Inline policies of users and groups through the contract: Put/Get/List/Delete User and Group
policies. Expected answers are AWS's (aws-recorded scenarios, topic inline_policies; facts §4 for
the aggregate size quotas, whose wording is seen in real CLI output)."""

import json

import pytest

from iamconsole.backends import errors, get_backend

DOCUMENT = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:ListUsers", "Resource": "*"}]}
)


def sized(size: int) -> str:
    """A valid document of exactly `size` characters without whitespace (the Sid pads it)."""
    base = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Sid": "", "Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        }
    )
    pad = size - (len(base) - base.count(" "))
    return base.replace('"Sid": ""', '"Sid": "' + "a" * pad + '"')


KINDS = {
    "user": {
        "create": lambda iam, name: iam.create_user(UserName=name),
        "put": lambda iam, name, policy, text: iam.put_user_policy(
            UserName=name, PolicyName=policy, PolicyDocument=text
        ),
        "get": lambda iam, name, policy: iam.get_user_policy(UserName=name, PolicyName=policy),
        "list": lambda iam, name, **page: iam.list_user_policies(UserName=name, **page),
        "delete": lambda iam, name, policy: iam.delete_user_policy(UserName=name, PolicyName=policy),
        "name_key": "UserName",
        "quota": 2048,
        "label": "user",
    },
    "group": {
        "create": lambda iam, name: iam.create_group(GroupName=name),
        "put": lambda iam, name, policy, text: iam.put_group_policy(
            GroupName=name, PolicyName=policy, PolicyDocument=text
        ),
        "get": lambda iam, name, policy: iam.get_group_policy(GroupName=name, PolicyName=policy),
        "list": lambda iam, name, **page: iam.list_group_policies(GroupName=name, **page),
        "delete": lambda iam, name, policy: iam.delete_group_policy(GroupName=name, PolicyName=policy),
        "name_key": "GroupName",
        "quota": 5120,
        "label": "group",
    },
}


@pytest.fixture(params=sorted(KINDS))
def kind(request, iam):
    """One of the two entity kinds, with an entity called `Dev` created."""
    spec = KINDS[request.param]
    spec["create"](iam, "Dev")
    return spec


def names(iam, kind, entity="Dev"):
    return kind["list"](iam, entity)["PolicyNames"]


def test_inline_policy_lifecycle(iam, kind):
    assert kind["list"](iam, "Dev") == {"PolicyNames": [], "IsTruncated": False}

    assert kind["put"](iam, "Dev", "read", DOCUMENT) == {}

    assert kind["get"](iam, "dev", "read") == {
        kind["name_key"]: "Dev",
        "PolicyName": "read",
        "PolicyDocument": json.loads(DOCUMENT),
    }
    assert kind["list"](iam, "Dev") == {"PolicyNames": ["read"], "IsTruncated": False}
    assert kind["delete"](iam, "Dev", "read") == {}
    assert names(iam, kind) == []


def test_put_replaces_a_policy_of_the_same_name(iam, kind):
    kind["put"](iam, "Dev", "p", DOCUMENT)
    replacement = DOCUMENT.replace("iam:ListUsers", "iam:GetUser")

    kind["put"](iam, "Dev", "p", replacement)

    assert names(iam, kind) == ["p"]
    assert kind["get"](iam, "Dev", "p")["PolicyDocument"] == json.loads(replacement)


def test_the_document_is_returned_as_the_text_that_was_put(iam, kind):
    text = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["apigatway:PUT"], "Resource": [\n  "arn:aws:apigateway:us-east-1::/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Frestapis%2Faaeeieije"]}]}'

    kind["put"](iam, "Dev", "encoded", text)

    assert kind["get"](iam, "Dev", "encoded")["PolicyDocument"] == json.loads(text)


def test_list_inline_policies_sorts_and_pages(iam, kind):
    for policy in ("b", "a", "c"):
        kind["put"](iam, "Dev", policy, DOCUMENT)

    first = kind["list"](iam, "Dev", MaxItems=2)
    second = kind["list"](iam, "Dev", MaxItems=2, Marker=first["Marker"])

    assert first["PolicyNames"] == ["a", "b"] and first["IsTruncated"] is True
    assert second == {"PolicyNames": ["c"], "IsTruncated": False}


def test_put_checks_the_document_and_writes_nothing(iam, kind):
    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        kind["put"](iam, "Dev", "p", DOCUMENT.replace("iam:ListUsers", "ListUsers"))

    assert exc.value.message == "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
    assert names(iam, kind) == []


def test_a_principal_is_refused_in_an_inline_policy(iam, kind):
    text = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"},
        }
    )

    with pytest.raises(errors.MalformedPolicyDocument) as exc:
        kind["put"](iam, "Dev", "p", text)

    assert exc.value.message == "Policy document should not specify a principal."


def test_the_inline_policies_share_one_size_quota(iam, kind):
    quota = kind["quota"]
    kind["put"](iam, "Dev", "first", sized(quota - 1000))
    kind["put"](iam, "Dev", "second", sized(1000))  # exactly the quota, whitespace not counted

    with pytest.raises(errors.LimitExceeded) as exc:
        kind["put"](iam, "Dev", "third", sized(100))

    assert exc.value.message == f"Maximum policy size of {quota} bytes exceeded for {kind['label']} Dev"
    assert exc.value.http_status == 409
    assert names(iam, kind) == ["first", "second"]


def test_replacing_a_policy_counts_its_new_size_only(iam, kind):
    quota = kind["quota"]
    kind["put"](iam, "Dev", "big", sized(quota - 500))
    kind["put"](iam, "Dev", "small", sized(500))

    kind["put"](iam, "Dev", "big", sized(quota - 600))  # smaller than before: fits
    with pytest.raises(errors.LimitExceeded):
        kind["put"](iam, "Dev", "small", sized(601))

    assert len(json.dumps(kind["get"](iam, "Dev", "small")["PolicyDocument"])) < 700


def test_one_document_larger_than_the_quota_is_refused_before_it_is_parsed(iam, kind):
    with pytest.raises(errors.LimitExceeded):
        kind["put"](iam, "Dev", "p", "x" * (kind["quota"] + 1))


def test_get_and_delete_answer_a_missing_policy(iam, kind):
    kind["put"](iam, "Dev", "real", DOCUMENT)

    for call in (lambda: kind["get"](iam, "Dev", "ghost"), lambda: kind["delete"](iam, "Dev", "ghost")):
        with pytest.raises(errors.NoSuchEntity) as exc:
            call()
        assert exc.value.message == f"The {kind['label']} policy with name ghost cannot be found."
        assert exc.value.http_status == 404
    assert names(iam, kind) == ["real"]


def test_every_action_answers_a_missing_entity(iam, kind):
    missing = f"The {kind['label']} with name ghost cannot be found."
    for call in (
        lambda: kind["put"](iam, "ghost", "p", DOCUMENT),
        lambda: kind["get"](iam, "ghost", "p"),
        lambda: kind["list"](iam, "ghost"),
        lambda: kind["delete"](iam, "ghost", "p"),
    ):
        with pytest.raises(errors.NoSuchEntity) as exc:
            call()
        assert exc.value.message == missing


def test_inline_policies_belong_to_their_entity_and_account(iam, kind, other_account):
    kind["put"](iam, "Dev", "mine", DOCUMENT)
    theirs = get_backend(other_account)
    kind["create"](theirs, "Dev")
    kind["create"](iam, "Other")

    assert names(iam, kind, "Other") == []
    assert kind["list"](theirs, "Dev")["PolicyNames"] == []
    with pytest.raises(errors.NoSuchEntity):
        kind["get"](theirs, "Dev", "mine")


def test_a_user_and_a_group_of_the_same_name_have_their_own_quota(iam):
    iam.create_user(UserName="same")
    iam.create_group(GroupName="same")
    iam.put_user_policy(UserName="same", PolicyName="p", PolicyDocument=sized(2000))

    iam.put_group_policy(GroupName="same", PolicyName="p", PolicyDocument=sized(5000))

    assert iam.list_user_policies(UserName="same")["PolicyNames"] == ["p"]
    assert iam.list_group_policies(GroupName="same")["PolicyNames"] == ["p"]
