"""A group's permissions: attach managed policies (search, all or none), detach, and inline policies
(create, edit, delete) with IAM's MalformedPolicyDocument message on the document."""

import json

import pytest

from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def devs(account):
    iam = get_backend(account)
    iam.create_group(GroupName="devs")
    return iam


def attached(iam):
    return [p["PolicyArn"] for p in iam.list_attached_group_policies(GroupName="devs")["AttachedPolicies"]]


def test_the_attach_page_finds_a_policy_by_its_exact_name_first(signed_in, devs):
    response = signed_in.get("/groups/details/devs/permissions/attach", {"policy_q": "ReadOnlyAccess"})

    assert response.status_code == 200
    assert response.context["policies"][0]["Arn"] == READ_ONLY
    assert response.context["policy_total"] > 50


def test_it_attaches_the_chosen_policies(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/permissions/attach",
        {"policy": [READ_ONLY], "policy_q": "ReadOnlyAccess", "action": "attach"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/groups/details/devs?tab=permissions"
    assert "Policies attached to user group devs: ReadOnlyAccess." in response.content.decode()
    assert attached(devs) == [READ_ONLY]


def test_an_attached_policy_is_marked_not_offered(signed_in, devs):
    devs.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)

    body = signed_in.get(
        "/groups/details/devs/permissions/attach", {"policy_q": "ReadOnlyAccess"}
    ).content.decode()

    assert 'aria-label="ReadOnlyAccess (already attached)"' in body


def test_the_quota_refuses_the_eleventh_policy_and_attaches_none(signed_in, devs):
    names = [f"p{i}" for i in range(11)]
    arns = [devs.create_policy(PolicyName=n, PolicyDocument=DOCUMENT)["Policy"]["Arn"] for n in names]

    response = signed_in.post(
        "/groups/details/devs/permissions/attach", {"policy": arns, "kind": "customer", "action": "attach"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["choice"] == ["Cannot exceed quota for PoliciesPerGroup: 10"]
    assert attached(devs) == []


def test_attaching_needs_a_choice_and_refuses_a_forged_one(signed_in, devs):
    empty = signed_in.post("/groups/details/devs/permissions/attach", {"action": "attach"})
    forged = signed_in.post(
        "/groups/details/devs/permissions/attach",
        {"policy": ["arn:aws:iam::aws:policy/Nope"], "action": "attach"},
    )

    assert "Select at least one policy." in empty.content.decode()
    assert "choice" in forged.context["form"].errors
    assert attached(devs) == []


def test_the_htmx_search_gets_only_the_choices(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/permissions/attach",
        {"policy_q": "ReadOnly"},
        headers={"HX-Request": "true", "HX-Target": "policy-choices"},
    )

    assert response.content.decode().lstrip().startswith('<div id="policy-choices"')


def test_remove_detaches_a_managed_policy(signed_in, devs):
    devs.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)

    response = signed_in.post(
        "/groups/details/devs/remove", {"kind": "managed", "target": READ_ONLY}, follow=True
    )

    assert response.redirect_chain[-1][0] == "/groups/details/devs?tab=permissions"
    assert "Policy ReadOnlyAccess detached from user group devs." in response.content.decode()
    assert attached(devs) == []


def test_detaching_a_policy_that_is_not_attached_shows_iams_error(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/remove", {"kind": "managed", "target": READ_ONLY}, follow=True
    )

    assert f"Policy {READ_ONLY} was not found." in response.content.decode()


def test_it_creates_an_inline_policy(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/inline-policies", {"policy_name": "s3-all", "document": DOCUMENT}, follow=True
    )

    assert "Inline policy s3-all created for user group devs." in response.content.decode()
    got = devs.get_group_policy(GroupName="devs", PolicyName="s3-all")["PolicyDocument"]
    assert got == json.loads(DOCUMENT)


def test_a_malformed_document_shows_iams_message_on_the_editor(signed_in, devs):
    response = signed_in.post(
        "/groups/details/devs/inline-policies",
        {"policy_name": "broken", "document": '{"Version":"2012-10-17","Statement":[{"Effect":"Allow"}]}'},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["Policy statement must contain actions."]
    assert 'id="id_document_error"' in response.content.decode()
    assert devs.list_group_policies(GroupName="devs")["PolicyNames"] == []


def test_a_taken_inline_name_or_an_invalid_name_is_refused(signed_in, devs):
    devs.put_group_policy(GroupName="devs", PolicyName="s3-all", PolicyDocument=DOCUMENT)

    taken = signed_in.post(
        "/groups/details/devs/inline-policies", {"policy_name": "s3-all", "document": DOCUMENT}
    )
    invalid = signed_in.post(
        "/groups/details/devs/inline-policies", {"policy_name": "bad name", "document": DOCUMENT}
    )

    assert taken.context["form"].errors["policy_name"] == [
        "User group devs already has an inline policy named s3-all."
    ]
    assert "policy_name" in invalid.context["form"].errors


def test_it_edits_an_inline_policy(signed_in, devs):
    devs.put_group_policy(GroupName="devs", PolicyName="s3-all", PolicyDocument=DOCUMENT)
    page = signed_in.get("/groups/details/devs/inline-policies/s3-all")
    assert "&quot;s3:*&quot;" in page.content.decode()
    new = DOCUMENT.replace("s3:*", "ec2:*")

    response = signed_in.post("/groups/details/devs/inline-policies/s3-all", {"document": new}, follow=True)

    assert "Inline policy s3-all updated on user group devs." in response.content.decode()
    assert devs.get_group_policy(GroupName="devs", PolicyName="s3-all")["PolicyDocument"] == json.loads(new)


def test_remove_deletes_an_inline_policy(signed_in, devs):
    devs.put_group_policy(GroupName="devs", PolicyName="s3-all", PolicyDocument=DOCUMENT)

    response = signed_in.post(
        "/groups/details/devs/remove", {"kind": "inline", "target": "s3-all"}, follow=True
    )

    assert "Inline policy s3-all deleted from user group devs." in response.content.decode()
    assert devs.list_group_policies(GroupName="devs")["PolicyNames"] == []


def test_unknown_groups_and_policies_are_404_and_methods_and_sign_in_are_checked(client, signed_in, devs):
    assert signed_in.get("/groups/details/ghost/permissions/attach").status_code == 404
    assert signed_in.get("/groups/details/ghost/inline-policies").status_code == 404
    assert signed_in.get("/groups/details/devs/inline-policies/ghost").status_code == 404
    assert signed_in.put("/groups/details/devs/permissions/attach").status_code == 405
    assert signed_in.put("/groups/details/devs/inline-policies").status_code == 405
    signed_in.logout()
    assert client.get("/groups/details/devs/inline-policies").status_code == 302
