"""Create policy: the JSON editor, IAM's message on the field it concerns, the new policy's page."""

import json

from .conftest import DOCUMENT


def test_the_page_offers_a_starter_document_and_live_validation(signed_in, account):
    response = signed_in.get("/policies/create")

    body = response.content.decode()
    assert response.status_code == 200
    assert '"Version": "2012-10-17"' in response.context["form"]["document"].value()
    assert 'hx-post="/policies/validate"' in body
    assert 'hx-trigger="input changed delay:500ms"' in body
    assert response.context["validation"] == {"error": "Policy statement must contain actions."}


def test_it_creates_the_policy_and_goes_to_its_page(signed_in, iam, account):
    response = signed_in.post(
        "/policies/create",
        {"name": "ReadBuckets", "description": "For auditors", "document": json.dumps(DOCUMENT)},
    )

    arn = "arn:aws:iam::123456789012:policy/ReadBuckets"
    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{arn}"
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["Description"] == "For auditors"
    document = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert document == DOCUMENT
    assert "Policy ReadBuckets created." in signed_in.get(response["Location"]).content.decode()


def test_invalid_json_is_re_rendered_with_aws_message(signed_in, iam, account):
    response = signed_in.post("/policies/create", {"name": "Broken", "document": '{"Version": "2012-10-17",'})

    assert response.status_code == 200
    assert response.context["form"].errors["document"] == ["Syntax errors in policy."]
    body = response.content.decode()
    assert "Syntax errors in policy." in body
    assert "{&quot;Version&quot;: &quot;2012-10-17&quot;," in body  # the text is kept
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_a_grammar_error_shows_iams_own_sentence(signed_in, iam, account):
    document = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject"}]}

    response = signed_in.post("/policies/create", {"name": "NoResource", "document": json.dumps(document)})

    assert response.context["form"].errors["document"] == ["Policy statement must contain resources."]


def test_a_taken_name_is_reported_on_the_name(signed_in, iam, policy):
    response = signed_in.post("/policies/create", {"name": "devs3access", "document": json.dumps(DOCUMENT)})

    assert response.status_code == 200
    assert response.context["form"].errors["name"] == [
        "A policy called devs3access already exists. Duplicate names are not allowed."
    ]


def test_a_bad_name_is_refused_before_iam(signed_in, iam, account):
    response = signed_in.post("/policies/create", {"name": "no spaces", "document": json.dumps(DOCUMENT)})

    assert "name" in response.context["form"].errors
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_htmx_gets_the_form_back_and_a_client_redirect_on_success(signed_in, account):
    invalid = signed_in.post(
        "/policies/create", {"name": "X", "document": "[]"}, headers={"HX-Request": "true"}
    )
    valid = signed_in.post(
        "/policies/create", {"name": "X", "document": json.dumps(DOCUMENT)}, headers={"HX-Request": "true"}
    )

    assert invalid.content.decode().lstrip().startswith('<form id="policy-form"')
    assert valid["HX-Redirect"] == "/policies/details/arn:aws:iam::123456789012:policy/X"


def test_it_needs_a_signed_in_operator(client, account):
    assert client.get("/policies/create").status_code == 302


def test_it_refuses_other_methods(signed_in):
    assert signed_in.delete("/policies/create").status_code == 405
