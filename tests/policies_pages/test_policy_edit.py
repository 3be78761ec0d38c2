"""Edit policy: a new version (CreatePolicyVersion), at most five kept, the oldest non-default one
deleted on request; AWS managed policies cannot be edited."""

import json

from .conftest import ARN, AWS_ARN, DOCUMENT, versions

URL = f"/policies/edit/{ARN}"
NEW = {**DOCUMENT, "Statement": DOCUMENT["Statement"][:1]}


def test_the_editor_starts_from_the_default_version(signed_in, policy):
    response = signed_in.get(URL)

    assert response.status_code == 200
    assert json.loads(response.context["form"]["document"].value()) == DOCUMENT
    assert response.context["validation"]["valid"] is True
    assert response.context["oldest"] is None
    assert "Set this new version as the default" in response.content.decode()


def test_saving_creates_a_new_default_version(signed_in, iam, policy):
    response = signed_in.post(URL, {"document": json.dumps(NEW), "set_default": "on"})

    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{ARN}"
    assert versions(iam, ARN) == [("v2", True), ("v1", False)]
    document = iam.get_policy_version(PolicyArn=ARN, VersionId="v2")["PolicyVersion"]["Document"]
    assert document == NEW
    follow = signed_in.get(response["Location"]).content.decode()
    assert "Policy DevS3Access updated: version v2 is the default version." in follow


def test_it_can_save_a_version_that_is_not_the_default(signed_in, iam, policy):
    signed_in.post(URL, {"document": json.dumps(NEW)})

    assert versions(iam, ARN) == [("v2", False), ("v1", True)]


def test_invalid_json_is_re_rendered_with_aws_message_and_nothing_changes(signed_in, iam, policy):
    response = signed_in.post(
        URL, {"document": '{"Version": "2012-10-17", "Statement": []}', "set_default": "on"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["Syntax errors in policy."]
    assert versions(iam, ARN) == [("v1", True)]


def test_at_five_versions_it_offers_to_delete_the_oldest_non_default(signed_in, iam, policy):
    for _ in range(4):
        iam.create_policy_version(PolicyArn=ARN, PolicyDocument=json.dumps(DOCUMENT), SetAsDefault=False)
    iam.set_default_policy_version(PolicyArn=ARN, VersionId="v3")

    page = signed_in.get(URL)
    refused = signed_in.post(URL, {"document": json.dumps(NEW), "set_default": "on"})
    saved = signed_in.post(URL, {"document": json.dumps(NEW), "set_default": "on", "delete_oldest": "on"})

    assert page.context["oldest"]["VersionId"] == "v1"
    assert "Delete version <strong>v1</strong>" in page.content.decode()
    assert refused.context["form"].errors["document"] == [
        "A managed policy can have up to 5 versions. Before you create a new version, you must delete an "
        "existing version."
    ]
    assert saved.status_code == 302
    assert sorted(versions(iam, ARN)) == [
        ("v2", False),
        ("v3", False),
        ("v4", False),
        ("v5", False),
        ("v6", True),
    ]


def test_an_invalid_document_deletes_no_version_to_make_room(signed_in, iam, policy):
    for _ in range(4):
        iam.create_policy_version(PolicyArn=ARN, PolicyDocument=json.dumps(DOCUMENT), SetAsDefault=True)

    response = signed_in.post(URL, {"document": "{", "delete_oldest": "on"})

    assert response.context["form"].errors["document"] == ["Syntax errors in policy."]
    assert len(versions(iam, ARN)) == 5


def test_htmx_gets_the_form_back(signed_in, policy):
    response = signed_in.post(URL, {"document": "{"}, headers={"HX-Request": "true"})

    assert response.content.decode().lstrip().startswith('<form id="policy-form"')


def test_aws_managed_and_unknown_policies_cannot_be_edited(signed_in, account):
    assert signed_in.get(f"/policies/edit/{AWS_ARN}").status_code == 404
    assert signed_in.post(f"/policies/edit/{AWS_ARN}", {"document": json.dumps(DOCUMENT)}).status_code == 404
    assert signed_in.get(URL).status_code == 404


def test_it_needs_a_signed_in_operator(client, policy):
    assert client.get(URL).status_code == 302


def test_it_refuses_other_methods(signed_in, policy):
    assert signed_in.put(URL).status_code == 405
