"""The Permissions tab and its actions: add permissions (groups, copy, attach), remove, inline policies,
the permissions boundary."""

import json

import pytest

from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
VIEW_ONLY = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"
IAM_READ = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
S3_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}
)


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    """alice: ViewOnlyAccess attached, inline own-bucket, in group devs (ReadOnlyAccess + inline devs-s3)."""
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.attach_user_policy(UserName="alice", PolicyArn=VIEW_ONLY)
    iam.put_user_policy(UserName="alice", PolicyName="own-bucket", PolicyDocument=S3_ALL)
    iam.create_group(GroupName="devs")
    iam.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)
    iam.put_group_policy(GroupName="devs", PolicyName="devs-s3", PolicyDocument=S3_ALL)
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    return iam


def attached(iam, user="alice"):
    return [p["PolicyArn"] for p in iam.list_attached_user_policies(UserName=user)["AttachedPolicies"]]


def group_names(iam, user="alice"):
    return [g["GroupName"] for g in iam.list_groups_for_user(UserName=user)["Groups"]]


# -- the tab ---------------------------------------------------------------------------------------


def test_the_tab_lists_direct_inline_and_group_policies_with_attached_via(signed_in, iam):
    response = signed_in.get("/users/details/alice", {"tab": "permissions"})

    rows = [(p["name"], p["type"], p.get("group")) for p in response.context["policies"]]
    assert rows == [
        ("ViewOnlyAccess", "AWS managed - job function", None),
        ("own-bucket", "Customer inline", None),
        ("ReadOnlyAccess", "AWS managed", "devs"),
        ("devs-s3", "Customer inline", "devs"),
    ]
    body = response.content.decode()
    assert "Group <strong>devs</strong>" in body and "Directly" in body
    assert 'Permissions policies <span class="counter">(4)</span>' in body


def test_a_user_without_policies_gets_an_empty_state(signed_in, iam):
    iam.create_user(UserName="bare")

    body = signed_in.get("/users/details/bare").content.decode()

    assert "No permissions policies" in body
    assert 'Permissions boundary <span class="counter">(not set)</span>' in body


def test_the_boundary_is_shown_with_change_and_remove(signed_in, iam):
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=POWER_USER)

    response = signed_in.get("/users/details/alice")

    assert response.context["boundary"] == {
        "arn": POWER_USER,
        "name": "PowerUserAccess",
        "type": "AWS managed",
    }
    body = response.content.decode()
    assert "Change boundary" in body and "Remove boundary" in body


# -- add permissions: groups -----------------------------------------------------------------------


def test_add_to_groups_lists_every_group_and_marks_memberships(signed_in, iam):
    iam.create_group(GroupName="ops")

    response = signed_in.get("/users/details/alice/permissions/add")

    assert response.context["option"] == "groups"
    assert {g["GroupName"]: g["Member"] for g in response.context["groups"]} == {"devs": True, "ops": False}
    assert "ReadOnlyAccess" in response.content.decode()


def test_adding_to_groups_redirects_with_a_flash(signed_in, iam):
    iam.create_group(GroupName="ops")
    iam.create_group(GroupName="qa")

    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "groups", "group": ["ops", "qa"], "action": "add"},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/users/details/alice?tab=permissions"
    assert "Permissions added to user alice: Add to group ops; Add to group qa." in response.content.decode()
    assert group_names(iam) == ["devs", "ops", "qa"]


def test_adding_to_groups_needs_a_choice(signed_in, iam):
    response = signed_in.post("/users/details/alice/permissions/add", {"option": "groups", "action": "add"})

    assert response.status_code == 200
    assert "Select at least one group." in response.content.decode()


def test_a_group_that_does_not_exist_is_refused_before_iam(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "groups", "group": "ghost", "action": "add"}
    )

    assert response.status_code == 200
    assert "Select a valid choice. ghost is not one of the available choices." in response.content.decode()


def test_the_eleventh_group_shows_iams_limit_and_keeps_what_was_done(signed_in, iam):
    for i in range(10):
        iam.create_group(GroupName=f"g{i}")
    for i in range(8):
        iam.add_user_to_group(UserName="alice", GroupName=f"g{i}")  # 9 groups with devs

    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "groups", "group": ["g8", "g9"], "action": "add"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "Add to group g9: Cannot exceed quota for GroupsPerUser: 10" in body
    assert "Permissions added to user alice: Add to group g8." in body
    assert len(group_names(iam)) == 10


# -- add permissions: copy ---------------------------------------------------------------------------


def test_copy_lists_other_users_with_their_groups(signed_in, iam):
    iam.create_user(UserName="bob")
    iam.add_user_to_group(UserName="bob", GroupName="devs")

    response = signed_in.get("/users/details/alice/permissions/add", {"option": "copy"})

    assert [(u["UserName"], u["Groups"]) for u in response.context["users"]] == [("bob", ["devs"])]


def test_copy_takes_groups_managed_and_inline_policies_and_the_boundary(signed_in, iam):
    iam.create_user(UserName="carol")
    iam.create_group(GroupName="ops")
    iam.add_user_to_group(UserName="carol", GroupName="ops")
    iam.attach_user_policy(UserName="carol", PolicyArn=IAM_READ)
    iam.put_user_policy(UserName="carol", PolicyName="carol-s3", PolicyDocument=S3_ALL)
    iam.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=POWER_USER)

    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "copy", "source_user": "carol", "action": "add"},
        follow=True,
    )

    assert "Permissions added to user alice:" in response.content.decode()
    assert group_names(iam) == ["devs", "ops"]
    assert attached(iam) == [VIEW_ONLY, IAM_READ]
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["carol-s3", "own-bucket"]
    assert (
        iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == POWER_USER
    )


def test_copy_from_an_unknown_user_says_so_on_the_page(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "copy", "source_user": "ghost", "action": "add"}
    )

    assert response.status_code == 200
    assert "Could not read the permissions of ghost: The user with name ghost cannot be found." in (
        response.content.decode()
    )


def test_copy_needs_a_user(signed_in, iam):
    response = signed_in.post("/users/details/alice/permissions/add", {"option": "copy", "action": "add"})

    assert "Select a user to copy permissions from." in response.content.decode()


# -- add permissions: attach policies directly -------------------------------------------------------


def test_the_policy_search_runs_on_the_server_and_shows_at_most_50(signed_in, iam):
    everything = signed_in.get("/users/details/alice/permissions/add", {"option": "policies"})
    found = signed_in.get("/users/details/alice/permissions/add", {"option": "policies", "q": "iamreadonly"})

    assert len(everything.context["policies"]) == 50
    assert everything.context["policy_matches"] > 1000
    assert "Showing the first 50 of" in everything.content.decode()
    assert [p["PolicyName"] for p in found.context["policies"]] == ["IAMReadOnlyAccess"]


def test_service_role_policies_are_not_offered(signed_in, iam):
    response = signed_in.get(
        "/users/details/alice/permissions/add", {"option": "policies", "q": "ServiceRolePolicy"}
    )

    assert all(not p["Path"].startswith("/aws-service-role/") for p in response.context["policies"])


def test_the_type_filter_keeps_customer_managed_policies(signed_in, iam):
    iam.create_policy(PolicyName="team-read", PolicyDocument=S3_ALL)

    response = signed_in.get("/users/details/alice/permissions/add", {"option": "policies", "scope": "Local"})

    assert [p["PolicyName"] for p in response.context["policies"]] == ["team-read"]
    assert response.context["policies"][0]["Type"] == "Customer managed"


def test_selections_survive_a_new_search(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "policies", "q": "AmazonS3ReadOnly", "policy": IAM_READ},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="add-choices"')
    assert [p["Arn"] for p in response.context["selected_policies"]] == [IAM_READ]
    assert f'<input type="checkbox" name="policy" value="{IAM_READ}" checked>' in body


def test_the_search_button_works_without_javascript(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "policies", "q": "IAMReadOnly", "action": "search"}
    )

    assert "<!doctype html>" in response.content.decode()
    assert [p["PolicyName"] for p in response.context["policies"]] == ["IAMReadOnlyAccess"]


def test_already_attached_policies_are_marked(signed_in, iam):
    response = signed_in.get(
        "/users/details/alice/permissions/add", {"option": "policies", "q": "ViewOnlyAccess"}
    )

    marked = {p["PolicyName"]: p["Attached"] for p in response.context["policies"]}
    assert marked["ViewOnlyAccess"] is True
    assert "(already attached)" in response.content.decode()


def test_attaching_policies_redirects_with_a_flash(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "policies", "policy": [IAM_READ, POWER_USER], "action": "add"},
        follow=True,
    )

    assert "Permissions added to user alice: Attach IAMReadOnlyAccess; Attach PowerUserAccess." in (
        response.content.decode()
    )
    assert attached(iam) == [VIEW_ONLY, IAM_READ, POWER_USER]


def test_attaching_needs_a_policy(signed_in, iam):
    response = signed_in.post("/users/details/alice/permissions/add", {"option": "policies", "action": "add"})

    assert "Select at least one policy." in response.content.decode()


def test_the_eleventh_policy_shows_iams_quota(signed_in, iam):
    names = [p["Arn"] for p in iam.list_policies(Scope="AWS", MaxItems=200)["Policies"]]
    usable = [arn for arn in names if "/aws-service-role/" not in arn and arn != VIEW_ONLY][:10]

    response = signed_in.post(
        "/users/details/alice/permissions/add", {"option": "policies", "policy": usable, "action": "add"}
    )

    assert response.status_code == 200
    assert "Cannot exceed quota for PoliciesPerUser: 10" in response.content.decode()
    assert len(attached(iam)) == 10


def test_an_htmx_add_gets_a_client_redirect_back_to_the_tab_it_came_from(signed_in, iam):
    iam.create_group(GroupName="ops")

    response = signed_in.post(
        "/users/details/alice/permissions/add",
        {"option": "groups", "group": "ops", "action": "add", "next": "groups"},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == "/users/details/alice?tab=groups"


def test_add_permissions_is_404_for_an_unknown_user_and_needs_get_or_post(signed_in, iam):
    assert signed_in.get("/users/details/ghost/permissions/add").status_code == 404
    assert signed_in.put("/users/details/alice/permissions/add").status_code == 405


def test_add_permissions_needs_sign_in(client, iam):
    assert client.get("/users/details/alice/permissions/add").status_code == 302


# -- remove ----------------------------------------------------------------------------------------


def test_remove_asks_for_confirmation_first(signed_in, iam):
    response = signed_in.get(
        "/users/details/alice/permissions/remove", {"kind": "managed", "target": VIEW_ONLY}
    )

    assert response.status_code == 200
    assert "Detach the policy <strong>ViewOnlyAccess</strong> from user <strong>alice</strong>?" in (
        response.content.decode()
    )
    assert attached(iam) == [VIEW_ONLY]


def test_htmx_gets_the_confirmation_as_a_dialog(signed_in, iam):
    response = signed_in.get(
        "/users/details/alice/permissions/remove",
        {"kind": "inline", "target": "own-bucket"},
        headers={"HX-Request": "true"},
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<div class="dialog-backdrop detail-dialog">')
    assert 'role="dialog"' in body and "Delete inline policy?" in body


def test_detaching_a_managed_policy(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove", {"kind": "managed", "target": VIEW_ONLY}, follow=True
    )

    assert "Policy ViewOnlyAccess detached from user alice." in response.content.decode()
    assert attached(iam) == []


def test_deleting_an_inline_policy(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove", {"kind": "inline", "target": "own-bucket"}, follow=True
    )

    assert "Inline policy own-bucket deleted from user alice." in response.content.decode()
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == []


def test_removing_from_a_group_from_the_permissions_tab(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove",
        {"kind": "group", "target": "devs"},
        headers={"HX-Request": "true"},
    )

    assert response["HX-Redirect"] == "/users/details/alice?tab=permissions"
    assert group_names(iam) == []


def test_removing_something_already_gone_is_an_error_flash(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions/remove", {"kind": "managed", "target": IAM_READ}, follow=True
    )

    assert (
        f"Could not remove IAMReadOnlyAccess from user alice: Policy {IAM_READ} was not found."
        in response.content.decode()
    )


def test_remove_without_a_target_is_refused(signed_in, iam):
    response = signed_in.post("/users/details/alice/permissions/remove", {"kind": "managed"})

    assert response.status_code == 200
    assert "Nothing to remove was named." in response.content.decode()
    assert attached(iam) == [VIEW_ONLY]


def test_remove_is_404_for_an_unknown_user_and_405_for_put(signed_in, iam):
    assert signed_in.post("/users/details/ghost/permissions/remove", {"kind": "boundary"}).status_code == 404
    assert signed_in.put("/users/details/alice/permissions/remove").status_code == 405


# -- inline policies -------------------------------------------------------------------------------


def test_the_inline_editor_starts_from_a_template(signed_in, iam):
    response = signed_in.get("/users/details/alice/inline-policies")

    assert response.status_code == 200
    assert "&quot;Version&quot;: &quot;2012-10-17&quot;" in response.content.decode()


def test_creating_an_inline_policy(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/inline-policies", {"policy_name": "logs", "document": S3_ALL}, follow=True
    )

    assert "Inline policy logs created for user alice." in response.content.decode()
    assert iam.get_user_policy(UserName="alice", PolicyName="logs")["PolicyDocument"] == json.loads(S3_ALL)


def test_a_malformed_document_shows_iams_message_on_the_field(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/inline-policies", {"policy_name": "logs", "document": "{not json"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {"document": ["Syntax errors in policy."]}
    assert 'id="id_document_error">Syntax errors in policy.' in response.content.decode()
    assert "logs" not in iam.list_user_policies(UserName="alice")["PolicyNames"]


def test_an_htmx_save_with_an_error_rerenders_only_the_form(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/inline-policies",
        {"policy_name": "logs", "document": "{not json"},
        headers={"HX-Request": "true"},
    )

    assert response.content.decode().lstrip().startswith('<form id="inline-policy-form"')


def test_a_new_policy_may_not_replace_an_existing_one(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/inline-policies", {"policy_name": "own-bucket", "document": S3_ALL}
    )

    assert "User alice already has an inline policy named own-bucket." in response.content.decode()


def test_an_invalid_policy_name_is_refused(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/inline-policies", {"policy_name": "bad name", "document": S3_ALL}
    )

    assert "The policy name can have up to 128 characters." in response.content.decode()


def test_the_inline_size_quota_is_shown_on_the_document(signed_in, iam):
    big = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{'b' * 2100}/*"}
            ],
        }
    )

    response = signed_in.post("/users/details/alice/inline-policies", {"policy_name": "big", "document": big})

    assert (
        "Maximum policy size of 2048 bytes exceeded for user alice"
        in response.context["form"].errors["document"][0]
    )


def test_editing_an_inline_policy_shows_it_formatted_and_keeps_its_name(signed_in, iam):
    page = signed_in.get("/users/details/alice/inline-policies/own-bucket")
    new = S3_ALL.replace("s3:*", "s3:GetObject")
    response = signed_in.post(
        "/users/details/alice/inline-policies/own-bucket",
        {"policy_name": "renamed", "document": new},
        follow=True,
    )

    assert "\n  &quot;Version&quot;: &quot;2012-10-17&quot;," in page.content.decode()
    assert "Inline policy own-bucket updated on user alice." in response.content.decode()
    assert iam.list_user_policies(UserName="alice")["PolicyNames"] == ["own-bucket"]
    statement = iam.get_user_policy(UserName="alice", PolicyName="own-bucket")["PolicyDocument"]["Statement"]
    assert statement[0]["Action"] == "s3:GetObject"


def test_an_unknown_inline_policy_is_404(signed_in, iam):
    assert signed_in.get("/users/details/alice/inline-policies/ghost").status_code == 404
    assert signed_in.get("/users/details/ghost/inline-policies").status_code == 404


def test_the_inline_editor_is_get_or_post(signed_in, iam):
    assert signed_in.delete("/users/details/alice/inline-policies/own-bucket").status_code == 405


# -- permissions boundary ----------------------------------------------------------------------------


def test_setting_a_boundary(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions-boundary", {"policy": POWER_USER, "action": "set"}, follow=True
    )

    assert "Permissions boundary PowerUserAccess set for user alice." in response.content.decode()
    assert (
        iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == POWER_USER
    )


def test_changing_the_boundary_starts_from_the_current_one(signed_in, iam):
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=POWER_USER)

    page = signed_in.get("/users/details/alice/permissions-boundary", {"q": "IAMReadOnly"})
    signed_in.post("/users/details/alice/permissions-boundary", {"policy": IAM_READ, "action": "set"})

    assert page.context["chosen"] == POWER_USER
    assert [p["Arn"] for p in page.context["selected_policies"]] == [POWER_USER]
    assert iam.get_user(UserName="alice")["User"]["PermissionsBoundary"]["PermissionsBoundaryArn"] == IAM_READ


def test_a_boundary_iam_does_not_know_shows_its_message(signed_in, iam):
    ghost = "arn:aws:iam::123456789012:policy/ghost"

    response = signed_in.post("/users/details/alice/permissions-boundary", {"policy": ghost, "action": "set"})

    assert response.status_code == 200
    assert response.context["form"].errors["policy"] == [
        f"Policy {ghost} does not exist or is not attachable."
    ]


def test_a_boundary_must_be_a_policy_arn(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions-boundary", {"policy": "nonsense", "action": "set"}
    )

    assert response.context["form"].errors["policy"] == ["Choose a managed policy."]


def test_the_boundary_search_is_an_htmx_partial(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/permissions-boundary", {"q": "PowerUser"}, headers={"HX-Request": "true"}
    )

    assert response.content.decode().lstrip().startswith('<div id="boundary-choices"')
    names = [p["PolicyName"] for p in response.context["policies"]]
    assert "PowerUserAccess" in names and all("poweruser" in name.lower() for name in names)


def test_removing_the_boundary(signed_in, iam):
    iam.put_user_permissions_boundary(UserName="alice", PermissionsBoundary=POWER_USER)

    confirm = signed_in.get("/users/details/alice/permissions/remove", {"kind": "boundary"})
    response = signed_in.post("/users/details/alice/permissions/remove", {"kind": "boundary"}, follow=True)

    assert "Remove the permissions boundary of user <strong>alice</strong>?" in confirm.content.decode()
    assert "Permissions boundary removed from user alice." in response.content.decode()
    assert "PermissionsBoundary" not in iam.get_user(UserName="alice")["User"]


def test_the_boundary_page_is_404_for_an_unknown_user_and_405_for_put(signed_in, iam):
    assert signed_in.get("/users/details/ghost/permissions-boundary").status_code == 404
    assert signed_in.put("/users/details/alice/permissions-boundary").status_code == 405


def test_the_permissions_tab_links_to_what_the_user_can_do(client, account):
    from iamconsole.backends import get_backend

    get_backend(account).create_user(UserName="curious")
    client.force_login(account.root_operator)

    body = client.get("/users/details/curious?tab=permissions").content.decode()

    assert 'href="/policy-simulator/effective/curious"' in body
    assert "What can this user do?" in body
