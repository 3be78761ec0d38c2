"""The visual policy editor on Create policy and Edit policy: the Visual / JSON switch, the steps (a
service, actions by access level, resources, conditions, more statements), each a form POST that htmx
swaps into #visual-editor, and the document it builds saved with CreatePolicy / CreatePolicyVersion."""

import json

import pytest

from policies import visual

HTMX = {"HX-Request": "true"}
SIMPLE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "Read", "Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"},
        {
            "Effect": "Deny",
            "Action": "s3:DeleteBucket",
            "Resource": "arn:aws:s3:::prod-*",
            "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
        },
    ],
}


def step(service="iam", actions=(), op="refresh", **fields):
    """The POST of one statement in the visual editor (service already chosen unless told)."""
    data = {
        "editor": "visual",
        "statements": "1",
        "s0-effect": "Allow",
        "s0-service": service,
        "s0-service_was": fields.pop("service_was", service),
        "s0-action": list(actions),
        "s0-conditions": "0",
        "op": op,
    }
    data.update(fields)
    return data


def posted_document(response) -> dict:
    return json.loads(response.context["form"]["document"].value())


@pytest.fixture
def simple_policy(iam):
    return iam.create_policy(PolicyName="Simple", PolicyDocument=json.dumps(SIMPLE))["Policy"]["Arn"]


# -- the switch -----------------------------------------------------------------------------------


def test_the_page_opens_in_the_visual_editor_on_request(signed_in, account):
    response = signed_in.get("/policies/create?editor=visual")

    body = response.content.decode()
    assert response.status_code == 200
    assert response.context["editor"]["mode"] == "visual"
    assert 'id="visual-editor"' in body
    assert '<option value="s3">Amazon S3 (s3)</option>' in body
    assert '<button type="submit" name="op" value="to_json" aria-pressed="false"' in body
    assert 'name="document"' not in body  # the document is built from the statements


def test_switching_to_visual_parses_a_simple_document(signed_in, account):
    response = signed_in.post(
        "/policies/create", {"document": json.dumps(SIMPLE), "op": "to_visual", "name": "Kept"}, headers=HTMX
    )

    body = response.content.decode()
    assert body.lstrip().startswith('<form id="policy-form"')
    statements = response.context["editor"]["statements"]
    assert [(s.effect, s.service, s.actions, s.all_resources, s.arns) for s in statements] == [
        ("Allow", "iam", ["GetUser", "ListUsers"], True, []),
        ("Deny", "s3", ["DeleteBucket"], False, ["arn:aws:s3:::prod-*"]),
    ]
    assert statements[1].conditions == [visual.Condition("Bool", "aws:MultiFactorAuthPresent", "false")]
    assert 'id="s0-action-GetUser" value="GetUser" checked' in body
    assert 'value="Kept"' in body  # the name typed so far stays
    assert "This field is required" not in body
    assert posted_document(response) == SIMPLE  # nothing lost on the way


@pytest.mark.parametrize(
    ("document", "reason"),
    [
        (
            {"Version": "2012-10-17", "Statement": {"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}},
            "the action s3:Get* is a pattern or unknown; only whole action names are shown.",
        ),
        (
            {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}],
            },
            "it uses NotAction, which the visual editor does not edit.",
        ),
        (
            {
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "ec2:RunInstances"], "Resource": "*"}
                ]
            },
            "a statement names actions of more than one service.",
        ),
        ("{not json", "it is not valid JSON."),
    ],
)
def test_a_document_too_complex_stays_in_json_and_says_why(signed_in, account, document, reason):
    text = document if isinstance(document, str) else json.dumps(document)

    response = signed_in.post("/policies/create", {"document": text, "op": "to_visual"})

    body = response.content.decode()
    assert response.context["editor"]["mode"] == "json"
    assert response.context["editor"]["note"] == f"The visual editor cannot show this policy: {reason}"
    assert response.context["form"]["document"].value() == text
    assert 'id="id_document"' in body


def test_switching_to_json_shows_the_document_built_so_far(signed_in, account):
    response = signed_in.post(
        "/policies/create",
        step(actions=["GetUser"], op="to_json", **{"s0-all_resources": "on"}),
        headers=HTMX,
    )

    body = response.content.decode()
    assert response.context["editor"]["mode"] == "json"
    assert posted_document(response) == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}],
    }
    assert '<textarea name="document" id="id_document"' in body
    assert "&quot;iam:GetUser&quot;" in body


# -- the steps ------------------------------------------------------------------------------------


def test_choosing_a_service_lists_its_actions_by_access_level(signed_in, account):
    response = signed_in.post("/policies/create", step(service="iam", service_was=""), headers=HTMX)

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="visual-editor"')  # only the editor region is swapped
    levels = [level["name"] for level in response.context["blocks"][0]["levels"]]
    assert levels == ["List", "Read", "Write", "Permissions management", "Tagging"]
    assert "All Read actions" in body
    assert 'value="GetUser"' in body
    assert "All AWS Identity and Access Management (IAM) actions (iam:*)" in body


def test_all_read_actions_ticks_every_read_action_and_unticking_takes_them_away(signed_in, account):
    read = visual.service_levels("iam")["Read"]

    ticked = signed_in.post("/policies/create", step(actions=["ListUsers"], **{"s0-level": "Read"}))
    statement = ticked.context["editor"]["statements"][0]
    assert statement.actions == sorted(read + ["ListUsers"])
    assert 'name="s0-level_was" value="Read"' in ticked.content.decode()

    # The form as shown, with the box unticked: every Read action goes, ListUsers stays.
    unticked = signed_in.post(
        "/policies/create", step(actions=statement.actions, **{"s0-level_was": "Read"}), headers=HTMX
    )
    assert unticked.context["editor"]["statements"][0].actions == ["ListUsers"]

    # Unticking one Read action while the box shows ticked keeps the others.
    one_less = signed_in.post(
        "/policies/create",
        step(actions=[a for a in read if a != "GetUser"], **{"s0-level": "Read", "s0-level_was": "Read"}),
    )
    assert "GetUser" not in one_less.context["editor"]["statements"][0].actions
    assert len(one_less.context["editor"]["statements"][0].actions) == len(read) - 1


def test_every_action_of_the_service_becomes_a_wildcard(signed_in, account):
    response = signed_in.post("/policies/create", step(**{"s0-level": "*", "s0-all_resources": "on"}))

    assert posted_document(response)["Statement"][0]["Action"] == "iam:*"


def test_another_service_starts_with_no_actions(signed_in, account):
    response = signed_in.post(
        "/policies/create", step(service="s3", service_was="iam", actions=["ListTagsForResource"])
    )

    assert response.context["editor"]["statements"][0].actions == []


def test_it_shows_the_resource_types_of_the_chosen_actions(signed_in, account):
    response = signed_in.post("/policies/create", step(actions=["GetUser", "ListUsers", "GetGroup"]))

    block = response.context["blocks"][0]
    assert [(t["name"], t["actions"]) for t in block["resource_types"]] == [
        ("group", ["GetGroup"]),
        ("user", ["GetUser"]),
    ]
    assert block["wildcard_only"] == ["ListUsers"]
    body = response.content.decode()
    assert "arn:${Partition}:iam::${Account}:user/${UserNameWithPath}" in body
    assert "ListUsers takes no resource type: choose All resources to grant it." in body


def test_specific_arns_and_conditions_end_up_in_the_document(signed_in, account):
    added = signed_in.post("/policies/create", step(actions=["GetUser"], op="condition:0"), headers=HTMX)
    assert added.context["editor"]["statements"][0].conditions == [visual.Condition()]
    assert 'id="s0-c0-key"' in added.content.decode()

    fields = {
        "s0-arns": "arn:aws:iam::123456789012:user/alice\r\n\r\narn:aws:iam::123456789012:user/bob\r\n",
        "s0-conditions": "2",
        "s0-c0-operator": "Bool",
        "s0-c0-key": "aws:MultiFactorAuthPresent",
        "s0-c0-value": "true",
        "s0-c1-operator": "IpAddress",
        "s0-c1-key": "aws:SourceIp",
        "s0-c1-value": "203.0.113.0/24",
    }
    response = signed_in.post("/policies/create", step(actions=["GetUser"], **fields))

    assert posted_document(response)["Statement"][0] == {
        "Effect": "Allow",
        "Action": "iam:GetUser",
        "Resource": ["arn:aws:iam::123456789012:user/alice", "arn:aws:iam::123456789012:user/bob"],
        "Condition": {
            "Bool": {"aws:MultiFactorAuthPresent": "true"},
            "IpAddress": {"aws:SourceIp": "203.0.113.0/24"},
        },
    }
    removed = signed_in.post("/policies/create", step(actions=["GetUser"], op="uncondition:0:0", **fields))
    assert "Bool" not in posted_document(removed)["Statement"][0]["Condition"]


def test_add_more_permissions_adds_a_statement_and_remove_takes_one_away(signed_in, account):
    added = signed_in.post("/policies/create", step(actions=["GetUser"], op="add"), headers=HTMX)

    assert len(added.context["editor"]["statements"]) == 2
    assert 'name="statements" value="2"' in added.content.decode()
    assert 'value="remove:1"' in added.content.decode()

    data = step(
        actions=["GetUser"], op="remove:0", statements="2", **{"s1-service": "s3", "s1-effect": "Deny"}
    )
    removed = signed_in.post("/policies/create", data)
    assert [(s.service, s.effect) for s in removed.context["editor"]["statements"]] == [("s3", "Deny")]


def test_a_step_shows_iams_check_of_the_document_so_far(signed_in, account):
    response = signed_in.post("/policies/create", step(actions=["GetUser"]), headers=HTMX)

    assert response.context["validation"] == {"error": "Policy statement must contain resources."}
    assert "Policy statement must contain resources." in response.content.decode()


# -- saving ---------------------------------------------------------------------------------------


def test_it_creates_the_policy_the_visual_editor_built(signed_in, iam, account):
    data = step(actions=["GetUser", "ListUsers"], op="save", name="VisualRead", **{"s0-all_resources": "on"})

    response = signed_in.post("/policies/create", data)

    arn = "arn:aws:iam::123456789012:policy/VisualRead"
    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{arn}"
    document = iam.get_policy_version(PolicyArn=arn, VersionId="v1")["PolicyVersion"]["Document"]
    assert document == {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": ["iam:GetUser", "iam:ListUsers"], "Resource": "*"}],
    }


def test_an_incomplete_policy_is_re_rendered_in_the_visual_editor_with_iams_message(signed_in, iam, account):
    response = signed_in.post("/policies/create", step(actions=["GetUser"], op="save", name="NoResource"))

    assert response.status_code == 200
    assert response.context["editor"]["mode"] == "visual"
    assert response.context["form"].errors["document"] == ["Policy statement must contain resources."]
    assert "Policy statement must contain resources." in response.content.decode()
    assert iam.list_policies(Scope="Local")["Policies"] == []


def test_edit_opens_the_policy_in_the_visual_editor_and_saves_a_new_version(signed_in, iam, simple_policy):
    page = signed_in.get(f"/policies/edit/{simple_policy}?editor=visual")
    assert [s.service for s in page.context["editor"]["statements"]] == ["iam", "s3"]
    assert 'hx-post="/policies/edit/arn:aws:iam::123456789012:policy/Simple"' in page.content.decode()

    data = step(
        actions=["GetUser"], op="save", set_default="on", **{"s0-all_resources": "on", "s0-sid": "Read"}
    )
    response = signed_in.post(f"/policies/edit/{simple_policy}", data)

    assert response.status_code == 302
    version = iam.get_policy(PolicyArn=simple_policy)["Policy"]["DefaultVersionId"]
    assert version == "v2"
    document = iam.get_policy_version(PolicyArn=simple_policy, VersionId="v2")["PolicyVersion"]["Document"]
    assert document["Statement"] == [
        {"Sid": "Read", "Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}
    ]


def test_an_edit_step_keeps_the_version_choices(signed_in, simple_policy):
    response = signed_in.post(f"/policies/edit/{simple_policy}", step(actions=["GetUser"]))

    assert response.context["form"]["set_default"].value() is False  # unticked in the posted form
    assert response.context["mode"] == "edit"


def test_editing_an_unknown_policy_in_the_visual_editor_is_404(signed_in, account):
    arn = "arn:aws:iam::123456789012:policy/Nope"
    assert signed_in.get(f"/policies/edit/{arn}?editor=visual").status_code == 404
    assert signed_in.post(f"/policies/edit/{arn}", step()).status_code == 404


def test_the_steps_need_a_signed_in_operator(client, account):
    assert client.post("/policies/create", step()).status_code == 302


def test_the_steps_are_posts(signed_in):
    assert signed_in.put("/policies/create", step()).status_code == 405


# -- the document both ways -----------------------------------------------------------------------


def test_a_document_survives_the_visual_editor_both_ways():
    statements = visual.from_document(json.dumps(SIMPLE))

    assert json.loads(visual.to_document(statements)) == SIMPLE


def test_unknown_services_and_actions_in_a_post_are_dropped():
    from django.http import QueryDict

    data = QueryDict(mutable=True)
    data.update({"statements": "1", "s0-service": "nosuchservice", "s0-service_was": "nosuchservice"})
    data.setlist("s0-action", ["GetObject"])

    assert visual.parse(data)[0].service == ""
    assert visual.parse(data)[0].actions == []


def test_pressing_visual_in_the_visual_editor_keeps_the_statements(signed_in, account):
    response = signed_in.post("/policies/create", step(actions=["GetUser"], op="to_visual"))

    assert response.context["editor"]["mode"] == "visual"
    assert response.context["editor"]["note"] == ""
    assert response.context["editor"]["statements"][0].actions == ["GetUser"]
