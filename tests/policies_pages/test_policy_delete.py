"""Delete a customer managed policy: typed confirmation, then detach, old versions, DeletePolicy."""

import json

import pytest

from .conftest import ARN, AWS_ARN, DOCUMENT

URL = f"/policies/delete/{ARN}"


@pytest.fixture
def unbounded(iam, policy):
    """The policy without its use as bob's boundary, and with a second version."""
    iam.delete_user_permissions_boundary(UserName="bob")
    iam.create_policy_version(PolicyArn=ARN, PolicyDocument=json.dumps(DOCUMENT), SetAsDefault=True)
    return policy


def test_the_dialog_asks_for_the_name(signed_in, policy):
    response = signed_in.get(URL, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="dialog-backdrop')
    assert "To confirm deletion, enter the policy name" in body
    assert "permissions boundary of 1 user" in body


def test_a_wrong_name_is_re_rendered_and_nothing_is_deleted(signed_in, iam, unbounded):
    response = signed_in.post(URL, {"confirmation": "devs3access"})

    assert response.status_code == 200
    assert "Enter “DevS3Access” to confirm the deletion." in response.content.decode()
    assert iam.get_policy(PolicyArn=ARN)["Policy"]["AttachmentCount"] == 2


def test_it_detaches_drops_old_versions_and_deletes(signed_in, iam, unbounded):
    response = signed_in.post(URL, {"confirmation": "DevS3Access"})

    assert response.status_code == 302
    assert response["Location"] == "/policies"
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_attached_user_policies(UserName="alice")["AttachedPolicies"] == []
    assert "Policy DevS3Access deleted." in signed_in.get("/policies").content.decode()


def test_a_boundary_in_use_stops_the_delete_with_iams_message(signed_in, iam, policy):
    response = signed_in.post(URL, {"confirmation": "DevS3Access"}, follow=True)

    assert (
        "Policy DevS3Access was not deleted: Cannot delete a policy attached to entities."
        in response.content.decode()
    )
    assert iam.get_policy(PolicyArn=ARN)["Policy"]["PermissionsBoundaryUsageCount"] == 1


def test_aws_managed_and_unknown_policies_are_404(signed_in, account):
    assert signed_in.get(f"/policies/delete/{AWS_ARN}").status_code == 404
    assert signed_in.post(URL, {"confirmation": "DevS3Access"}).status_code == 404


def test_it_needs_a_signed_in_operator(client, policy):
    assert client.get(URL).status_code == 302


def test_it_refuses_other_methods(signed_in, policy):
    assert signed_in.put(URL).status_code == 405
