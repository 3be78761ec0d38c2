"""Attach a policy to users and groups, and detach it (Entities attached tab)."""

from .conftest import ARN, AWS_ARN

ATTACH = f"/policies/attach/{ARN}"
DETACH = f"/policies/detach/{ARN}"


def attached(iam, arn: str) -> tuple[list[str], list[str]]:
    answer = iam.list_entities_for_policy(PolicyArn=arn, PolicyUsageFilter="PermissionsPolicy")
    return [u["UserName"] for u in answer["PolicyUsers"]], [g["GroupName"] for g in answer["PolicyGroups"]]


def test_the_attach_page_lists_only_entities_without_the_policy(signed_in, iam, policy):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="auditors")

    response = signed_in.get(ATTACH)
    searched = signed_in.get(ATTACH, {"q": "CAR"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert [u["UserName"] for u in response.context["users"]] == ["bob", "carol"]
    assert [g["GroupName"] for g in response.context["groups"]] == ["auditors"]
    assert searched.content.decode().lstrip().startswith('<div id="attach-choices"')
    assert [u["UserName"] for u in searched.context["users"]] == ["carol"]


def test_it_attaches_to_the_chosen_users_and_groups(signed_in, iam, policy):
    iam.create_group(GroupName="auditors")

    response = signed_in.post(ATTACH, {"user": ["bob"], "group": ["auditors"]})

    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{ARN}?tab=entities"
    assert attached(iam, ARN) == (["alice", "bob"], ["auditors", "developers"])
    body = signed_in.get(response["Location"]).content.decode()
    assert "Policy DevS3Access attached to user bob, group auditors." in body


def test_an_aws_managed_policy_can_be_attached(signed_in, iam, policy):
    response = signed_in.post(f"/policies/attach/{AWS_ARN}", {"user": ["bob"]})

    assert response.status_code == 302
    assert attached(iam, AWS_ARN) == (["bob"], [])


def test_iams_refusal_is_an_error_message_and_the_rest_is_attached(signed_in, iam, policy):
    response = signed_in.post(ATTACH, {"user": ["bob", "nobody"]}, follow=True)

    body = response.content.decode()
    assert "Policy DevS3Access attached to user bob." in body
    assert (
        "Policy DevS3Access was not attached to user nobody: The user with name nobody cannot be found."
        in body
    )
    assert attached(iam, ARN)[0] == ["alice", "bob"]


def test_choosing_nothing_is_re_rendered_with_the_error(signed_in, iam, policy):
    response = signed_in.post(ATTACH, {})

    assert response.status_code == 200
    assert "Select at least one user or user group." in response.content.decode()


def test_detach_asks_then_detaches(signed_in, iam, policy):
    dialog = signed_in.get(DETACH, {"kind": "group", "name": "developers"}, headers={"HX-Request": "true"})
    response = signed_in.post(DETACH, {"kind": "group", "name": "developers"}, headers={"HX-Request": "true"})

    assert dialog.content.decode().lstrip().startswith('<div class="dialog-backdrop')
    assert "group <strong>developers</strong>" in dialog.content.decode()
    assert response["HX-Redirect"] == f"/policies/details/{ARN}?tab=entities"
    assert attached(iam, ARN) == (["alice"], [])


def test_detaching_what_is_not_attached_says_iams_message(signed_in, iam, policy):
    response = signed_in.post(DETACH, {"kind": "user", "name": "bob"}, follow=True)

    body = response.content.decode()
    assert "Could not detach policy DevS3Access from user bob:" in body
    assert attached(iam, ARN) == (["alice"], ["developers"])


def test_a_bad_detach_request_is_re_rendered(signed_in, policy):
    response = signed_in.post(DETACH, {"kind": "role", "name": "x"})

    assert response.status_code == 200
    assert "Choose the user or group" in response.content.decode()


def test_unknown_policies_are_404(signed_in, account):
    assert signed_in.get(ATTACH).status_code == 404
    assert signed_in.post(DETACH, {"kind": "user", "name": "alice"}).status_code == 404


def test_they_need_a_signed_in_operator(client, policy):
    assert client.get(ATTACH).status_code == 302
    assert client.post(DETACH, {"kind": "user", "name": "alice"}).status_code == 302


def test_they_refuse_other_methods(signed_in, policy):
    assert signed_in.delete(ATTACH).status_code == 405
    assert signed_in.put(DETACH).status_code == 405
