"""The Policy simulator page: choose a user, a group or pasted policies, actions, resources and
context; the decisions per action and resource, each with its matched statement marked in the policy."""

import json
import re

import pytest

from iamconsole.backends import get_backend

URL = "/policy-simulator"
POWER_USER = "arn:aws:iam::aws:policy/PowerUserAccess"
S3_READ = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}
        ],
    },
    indent=4,
)
NO_DELETE = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
            {
                "Sid": "NoDelete",
                "Effect": "Deny",
                "Action": "s3:DeleteObject",
                "Resource": "arn:aws:s3:::prod/*",
            },
        ],
    },
    indent=2,
)
IAM_ALL = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}
)


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    """alice: inline s3-read; in group devs (inline no-delete: s3:* but Deny DeleteObject on prod/*).
    capped: iam:* inline, boundary PowerUserAccess (which allows everything but iam:, organizations:...)."""
    iam = get_backend(account)
    iam.create_user(UserName="alice")
    iam.put_user_policy(UserName="alice", PolicyName="s3-read", PolicyDocument=S3_READ)
    iam.create_group(GroupName="devs")
    iam.put_group_policy(GroupName="devs", PolicyName="no-delete", PolicyDocument=NO_DELETE)
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    iam.create_user(UserName="capped")
    iam.put_user_policy(UserName="capped", PolicyName="iam-all", PolicyDocument=IAM_ALL)
    iam.put_user_permissions_boundary(UserName="capped", PermissionsBoundary=POWER_USER)
    return iam


def run(client, htmx=False, **data):
    form = {"mode": "user", "resources": "*"} | data
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(URL, form, **headers)


def marked_lines(body: str) -> list[str]:
    """The text of the marked (matched) policy lines in a page."""
    return re.findall(
        r'<span class="line hit"><span class="ln" aria-hidden="true">\d+</span><mark>(.*?)</mark>', body
    )


def test_the_page_offers_users_groups_actions_and_context(signed_in, iam):
    response = signed_in.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>Policy simulator</h1>" in body
    assert '<option value="alice">alice</option>' in body
    assert '<option value="devs">devs</option>' in body
    assert 'value="s3:GetObject"' in body and 'value="iam:CreateUser"' in body
    assert 'name="context_name_0"' in body
    assert "No simulation yet" in body
    assert response.context["rows"] is None


def test_a_user_is_simulated_per_action_and_resource(signed_in, iam):
    response = run(
        signed_in,
        user="alice",
        actions="s3:GetObject\ns3:DeleteObject\nec2:RunInstances",
        resources="arn:aws:s3:::prod/a.txt\narn:aws:s3:::dev/a.txt",
    )

    assert response.status_code == 200
    rows = [(r["action"], r["resource"], r["decision"]) for r in response.context["rows"]]
    assert rows == [
        ("s3:GetObject", "arn:aws:s3:::prod/a.txt", "allowed"),
        ("s3:GetObject", "arn:aws:s3:::dev/a.txt", "allowed"),
        ("s3:DeleteObject", "arn:aws:s3:::prod/a.txt", "explicitDeny"),
        ("s3:DeleteObject", "arn:aws:s3:::dev/a.txt", "allowed"),
        ("ec2:RunInstances", "arn:aws:s3:::prod/a.txt", "implicitDeny"),
        ("ec2:RunInstances", "arn:aws:s3:::dev/a.txt", "implicitDeny"),
    ]
    body = response.content.decode()
    assert '<span class="status ok">✓ allowed</span>' in body
    assert "(explicit deny)" in body and "(implicit deny)" in body
    assert 'Results <span class="counter">(6)</span>' in body
    assert 'href="/policy-simulator/effective/alice"' in body


def test_a_deny_is_shown_with_its_statement_marked_in_the_group_policy(signed_in, iam):
    response = run(signed_in, user="alice", actions="s3:DeleteObject", resources="arn:aws:s3:::prod/a.txt")

    (row,) = response.context["rows"]
    assert row["decision"] == "explicitDeny"
    (policy,) = row["policies"]
    assert (policy["id"], policy["kind"], policy["located"]) == (
        "no-delete",
        "Inline policy of group devs",
        True,
    )
    # The stored text was indented by 2: the Deny statement is lines 9-14 of it, and only those are marked.
    assert [line["number"] for line in policy["lines"] if line.get("hit")] == list(range(9, 15))
    body = response.content.decode()
    assert "Explicitly denied" in body
    assert [line.strip() for line in marked_lines(body)] == [
        "{",
        "&quot;Sid&quot;: &quot;NoDelete&quot;,",
        "&quot;Effect&quot;: &quot;Deny&quot;,",
        "&quot;Action&quot;: &quot;s3:DeleteObject&quot;,",
        "&quot;Resource&quot;: &quot;arn:aws:s3:::prod/*&quot;",
        "}",
    ]
    assert "<details>" in body and "Matched statements (1)" in body


def test_an_allow_marks_the_statement_of_each_policy_that_allows(signed_in, iam):
    response = run(signed_in, user="alice", actions="s3:GetObject")

    (row,) = response.context["rows"]
    assert row["decision"] == "allowed"
    by_id = {p["id"]: p for p in row["policies"]}
    assert set(by_id) == {"s3-read", "no-delete"}
    assert by_id["s3-read"]["kind"] == "Inline policy of user alice"
    assert [line["number"] for line in by_id["s3-read"]["lines"] if line.get("hit")] == list(range(4, 13))
    assert row["boundary"] is None
    assert '<span class="status off">Not set</span>' in response.content.decode()


def test_a_boundary_capped_user_is_denied_what_only_its_policy_allows(signed_in, iam):
    response = run(signed_in, user="capped", actions="iam:CreateUser\niam:GetUser")

    rows = {r["action"]: r for r in response.context["rows"]}
    assert rows["iam:CreateUser"]["decision"] == "implicitDeny"
    assert rows["iam:CreateUser"]["boundary"] is False
    body = response.content.decode()
    assert "✕ Does not allow" in body
    assert "the permissions boundary does not allow the action" in body


def test_a_managed_policy_statement_is_found_by_its_arn(signed_in, iam):
    iam.attach_user_policy(UserName="alice", PolicyArn=POWER_USER)

    response = run(signed_in, user="alice", actions="ec2:RunInstances")

    (row,) = response.context["rows"]
    assert row["decision"] == "allowed"
    (policy,) = row["policies"]
    assert policy["id"] == POWER_USER and policy["located"] is True
    hits = [line["text"] for line in policy["lines"] if line.get("hit")]
    assert '"Effect": "Allow",' in [h.strip() for h in hits]


def test_a_group_is_simulated_with_its_own_policies(signed_in, iam):
    response = run(signed_in, mode="group", group="devs", actions="s3:PutObject\ns3:GetObject")

    assert [(r["action"], r["decision"]) for r in response.context["rows"]] == [
        ("s3:PutObject", "allowed"),
        ("s3:GetObject", "allowed"),
    ]
    assert {p["id"] for p in response.context["rows"][0]["policies"]} == {"no-delete"}


def test_custom_policies_and_a_boundary_are_simulated(signed_in, iam):
    boundary = json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}]}
    )

    response = run(
        signed_in,
        mode="custom",
        policies=f"{S3_READ}\n---\n{IAM_ALL}",
        boundary=boundary,
        actions="s3:GetObject\ns3:ListBucket\niam:GetUser",
    )

    rows = {r["action"]: r for r in response.context["rows"]}
    assert rows["s3:GetObject"]["decision"] == "allowed"
    assert rows["s3:GetObject"]["boundary"] is True
    assert rows["s3:ListBucket"]["decision"] == "implicitDeny"
    assert rows["s3:ListBucket"]["boundary"] is False
    assert rows["iam:GetUser"]["decision"] == "implicitDeny"
    (policy,) = rows["s3:GetObject"]["policies"]
    assert (policy["id"], policy["kind"]) == ("PolicyInputList.1", "Pasted policy")
    assert [line["number"] for line in policy["lines"] if line.get("hit")] == list(range(4, 13))


def test_context_keys_reach_the_conditions(signed_in, iam):
    policy = json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Action": "s3:GetObject",
                    "Resource": "*",
                    "Condition": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
                }
            ],
        }
    )
    without = run(signed_in, mode="custom", policies=policy, actions="s3:GetObject")
    inside = run(
        signed_in,
        mode="custom",
        policies=policy,
        actions="s3:GetObject",
        context_name_0="aws:SourceIp",
        context_type_0="ip",
        context_values_0="203.0.113.9",
    )

    assert without.context["rows"][0]["decision"] == "implicitDeny"
    assert without.context["rows"][0]["missing"] == ["aws:SourceIp"]
    assert "Missing context values" in without.content.decode()
    assert inside.context["rows"][0]["decision"] == "allowed"


def test_the_picker_and_a_whole_service_add_actions(signed_in, iam):
    response = run(
        signed_in, user="alice", common_actions=["s3:GetObject", "ec2:RunInstances"], service="sts"
    )

    actions = [r["action"] for r in response.context["rows"]]
    assert actions[:2] == ["s3:GetObject", "ec2:RunInstances"]
    assert "sts:GetCallerIdentity" in actions and "sts:AssumeRole" in actions


def test_the_htmx_post_gets_only_the_results(signed_in, iam):
    response = run(signed_in, htmx=True, user="alice", actions="s3:GetObject")

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="container" id="simulator-results"')
    assert "<h1>" not in body and "✓ allowed" in body


def test_invalid_input_is_re_rendered_with_the_errors(signed_in, iam):
    response = run(signed_in, user="", actions="")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Choose a user to simulate." in body
    assert "Choose at least one action." in body
    assert "The simulation did not run." in body
    assert response.context["rows"] is None


def test_a_wildcard_action_is_refused_with_the_simulators_message(signed_in, iam):
    response = run(signed_in, user="alice", actions="s3:*")

    assert response.status_code == 200
    assert response.context["form"].errors["actions"] == [
        "Actions/Conditions must not contain wildcards: s3:*"
    ]


def test_a_malformed_pasted_policy_is_an_error_on_the_policies_field(signed_in, iam):
    response = run(signed_in, htmx=True, mode="custom", policies="{not json", actions="s3:GetObject")

    assert response.status_code == 200
    errors = response.context["form"].errors["policies"]
    assert errors[0].startswith("PolicyInputList.1 is not a valid policy document")
    assert "Policy documents: PolicyInputList.1" in response.content.decode()


def test_an_unknown_user_is_an_error_not_a_crash(signed_in, iam):
    response = run(signed_in, user="nobody", actions="s3:GetObject")

    assert response.status_code == 200
    assert "nobody is not one of the available choices" in response.content.decode()


def test_incomplete_context_rows_are_refused(signed_in, iam):
    response = run(signed_in, user="alice", actions="s3:GetObject", context_name_0="aws:SourceIp")

    assert response.context["form"].errors["context_values_0"] == ["Enter a value for aws:SourceIp."]


def test_it_needs_a_signed_in_principal(client, iam):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/login")


def test_other_methods_are_refused(signed_in, iam):
    assert signed_in.put(URL).status_code == 405
    assert signed_in.delete(URL).status_code == 405


def test_a_plain_post_re_renders_the_whole_page_with_the_results(signed_in, iam):
    response = run(signed_in, user="alice", actions="s3:GetObject")

    body = response.content.decode()
    assert "<h1>Policy simulator</h1>" in body and 'id="simulator-results"' in body
    assert '<option value="alice" selected>alice</option>' in body
    assert "✓ allowed" in body


def test_a_stored_layout_that_cannot_be_reproduced_is_located_by_numbers(signed_in, iam):
    odd = '{"Version": "2012-10-17",\n   "Statement": [\n      {"Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}'
    iam.put_user_policy(UserName="alice", PolicyName="odd", PolicyDocument=odd)

    response = run(signed_in, user="alice", actions="s3:GetObject")

    (row,) = response.context["rows"]
    (policy,) = row["policies"]
    assert policy["id"] == "odd" and policy["located"] is False
    assert not any(line.get("hit") for line in policy["lines"])
    assert (
        "Statement at line 3, column 8 to line 3, column 60 of the policy as stored."
        in response.content.decode()
    )


def test_a_listing_error_is_a_flash_and_custom_mode_still_works(signed_in, iam, monkeypatch):
    from iamconsole.backends.errors import AccessDenied
    from policies import effective

    def denied(_iam):
        raise AccessDenied("User is not authorized to perform: iam:ListUsers")

    monkeypatch.setattr(effective, "user_names", denied)

    response = run(signed_in, mode="custom", policies=IAM_ALL, actions="iam:GetUser")

    assert response.status_code == 200
    body = response.content.decode()
    assert "Users and user groups could not be listed: User is not authorized" in body
    assert response.context["rows"][0]["decision"] == "allowed"
