"""Policy versions tab actions: set a version as default, delete a non-default version."""

import json

import pytest

from .conftest import ARN, AWS_ARN, DOCUMENT, versions

DEFAULT = f"/policies/set-default-version/{ARN}"
DELETE = f"/policies/delete-version/{ARN}"


@pytest.fixture
def two_versions(iam, policy):
    iam.create_policy_version(PolicyArn=ARN, PolicyDocument=json.dumps(DOCUMENT), SetAsDefault=True)
    return policy


def test_it_sets_an_old_version_as_default(signed_in, iam, two_versions):
    response = signed_in.post(DEFAULT, {"version_id": "v1"})

    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{ARN}?tab=versions"
    assert versions(iam, ARN) == [("v2", False), ("v1", True)]
    assert (
        "Version v1 of policy DevS3Access set as default."
        in signed_in.get(response["Location"]).content.decode()
    )


def test_an_unknown_version_gets_iams_message(signed_in, iam, two_versions):
    response = signed_in.post(DEFAULT, {"version_id": "v7"}, follow=True)

    assert "Could not set version v7 as default: Policy " in response.content.decode()
    assert versions(iam, ARN) == [("v2", True), ("v1", False)]


def test_it_deletes_a_version_after_confirmation(signed_in, iam, two_versions):
    dialog = signed_in.get(DELETE, {"version_id": "v1"}, headers={"HX-Request": "true"})
    response = signed_in.post(DELETE, {"version_id": "v1"}, headers={"HX-Request": "true"})

    assert "Delete version <strong>v1</strong>" in dialog.content.decode()
    assert dialog.content.decode().lstrip().startswith('<div class="dialog-backdrop')
    assert response["HX-Redirect"] == f"/policies/details/{ARN}?tab=versions"
    assert versions(iam, ARN) == [("v2", True)]


def test_the_default_version_is_not_deleted(signed_in, iam, two_versions):
    response = signed_in.post(DELETE, {"version_id": "v2"}, follow=True)

    assert (
        "Could not delete version v2: Cannot delete the default version of a policy."
        in response.content.decode()
    )
    assert len(versions(iam, ARN)) == 2


def test_a_malformed_version_is_re_rendered(signed_in, two_versions):
    response = signed_in.post(DELETE, {"version_id": "1"})

    assert response.status_code == 200
    assert "Choose a policy version." in response.content.decode()


def test_aws_managed_and_unknown_policies_are_404(signed_in, account):
    assert signed_in.post(f"/policies/set-default-version/{AWS_ARN}", {"version_id": "v1"}).status_code == 404
    assert signed_in.get(f"/policies/delete-version/{AWS_ARN}", {"version_id": "v1"}).status_code == 404
    assert signed_in.post(DEFAULT, {"version_id": "v1"}).status_code == 404


def test_they_need_a_signed_in_operator(client, two_versions):
    assert client.post(DEFAULT, {"version_id": "v1"}).status_code == 302
    assert client.get(DELETE, {"version_id": "v1"}).status_code == 302


def test_they_refuse_other_methods(signed_in, two_versions):
    assert signed_in.get(DEFAULT).status_code == 405
    assert signed_in.put(DELETE).status_code == 405
