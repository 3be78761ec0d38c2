"""The visual policy editor in Chromium, end to end: build a policy (IAM, two Read/List actions on all
resources, an MFA condition on a second, Deny statement), look at its JSON, create it, attach it to a
user group, add a user to the group, and simulate that user's permissions. Every step of the editor is
an htmx swap of #visual-editor (no page load). Light and dark screenshots are kept under tmp_path."""

import json
import re

from playwright.sync_api import expect

from iamconsole.backends import get_backend

ARN = "arn:aws:iam::123456789012:policy/ReadUsersVisual"


def settled(page) -> None:
    """Wait until htmx has finished swapping and settling: a control swapped in a moment ago gets its
    listeners only after the settle, and an event fired before that is lost (seen in CI)."""
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )


def test_build_a_policy_visually_attach_it_and_simulate_it(signed_in, root, tmp_path):
    iam = get_backend(root)
    iam.create_group(GroupName="auditors")
    iam.create_user(UserName="dana")
    page = signed_in

    # Build the policy in the visual editor.
    page.goto("/policies/create")
    settled(page)
    page.get_by_role("textbox", name="Policy name").fill("ReadUsersVisual")
    settled(page)
    page.get_by_role("button", name="Visual", exact=True).click()
    editor = page.locator("#visual-editor")
    expect(editor).to_be_visible()
    page.evaluate("window.editorPageMarker = 1")  # gone if a step caused a full page load
    expect(page.get_by_role("textbox", name="Policy name")).to_have_value("ReadUsersVisual")

    # Each step waits for what only the server's answer shows, so that no step races the last swap.
    first, second = editor.locator("fieldset.statement").nth(0), editor.locator("fieldset.statement").nth(1)
    settled(page)
    first.get_by_label("Service", exact=True).select_option("iam")
    expect(
        first.get_by_role("heading", name=re.compile("AWS Identity and Access Management"))
    ).to_be_visible()
    settled(page)
    first.locator("summary", has_text="Read actions").click()
    settled(page)
    first.get_by_role("checkbox", name="GetUser", exact=True).check()
    expect(first.get_by_role("heading", name=re.compile("Allow, 1 action$"))).to_be_visible()
    settled(page)
    first.locator("summary", has_text="List actions").click()
    settled(page)
    first.get_by_role("checkbox", name="ListUsers", exact=True).check()
    expect(first.get_by_role("heading", name=re.compile("Allow, 2 actions$"))).to_be_visible()
    expect(first.get_by_role("cell", name="user", exact=True)).to_be_visible()  # GetUser's resource type
    expect(first.get_by_text("ListUsers takes no resource type")).to_be_visible()
    settled(page)
    first.get_by_role("checkbox", name=re.compile(r"^All resources")).check()
    expect(first.get_by_text("ListUsers takes no resource type")).to_have_count(0)

    settled(page)
    editor.get_by_role("button", name="Add more permissions").click()
    expect(second).to_be_visible()
    settled(page)
    second.get_by_role("radio", name="Deny").check()
    expect(second.get_by_role("heading", name=re.compile("Select a service – Deny"))).to_be_visible()
    settled(page)
    second.get_by_label("Service", exact=True).select_option("iam")
    expect(
        second.get_by_role("heading", name=re.compile("AWS Identity and Access Management"))
    ).to_be_visible()
    settled(page)
    second.locator("summary", has_text="Read actions").click()
    settled(page)
    second.get_by_role("checkbox", name="GetUser", exact=True).check()
    expect(second.get_by_role("heading", name=re.compile("Deny, 1 action$"))).to_be_visible()
    settled(page)
    second.get_by_role("checkbox", name=re.compile(r"^All resources")).check()
    expect(second.get_by_label("Specific ARNs")).to_have_count(0)
    settled(page)
    second.get_by_role("button", name="Add condition").click()
    expect(second.get_by_label("Condition key")).to_be_visible()
    settled(page)
    second.get_by_label("Condition key").fill("aws:MultiFactorAuthPresent")
    settled(page)
    second.get_by_label("Operator").select_option("Bool")
    settled(page)
    second.get_by_label("Value", exact=True).fill("false")
    expect(editor.get_by_text("✓ valid")).to_be_visible()
    assert page.evaluate("window.editorPageMarker") == 1
    page.screenshot(path=tmp_path / "visual-editor-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=tmp_path / "visual-editor-dark.png", full_page=True)
    page.emulate_media(color_scheme="light")

    # The JSON view shows the document; back to Visual, nothing is lost.
    settled(page)
    page.get_by_role("button", name="JSON", exact=True).click()
    document = json.loads(page.get_by_role("textbox", name="Policy document (JSON)").input_value())
    assert document == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "Statement1",
                "Effect": "Allow",
                "Action": ["iam:GetUser", "iam:ListUsers"],
                "Resource": "*",
            },
            {
                "Effect": "Deny",
                "Action": "iam:GetUser",
                "Resource": "*",
                "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "false"}},
            },
        ],
    }
    settled(page)
    page.get_by_role("button", name="Visual", exact=True).click()
    expect(page.locator("#visual-editor fieldset.statement")).to_have_count(2)
    settled(page)
    page.get_by_role("button", name="Create policy").click()
    expect(page.get_by_text("Policy ReadUsersVisual created.")).to_be_visible()

    # Attach it to the group, then add dana to the group.
    page.goto(f"/policies/attach/{ARN}")
    settled(page)
    page.get_by_role("checkbox", name="auditors").check()
    settled(page)
    page.get_by_role("button", name="Attach policy").click()
    expect(page.get_by_role("heading", name=re.compile("ReadUsersVisual"))).to_be_visible()
    page.goto("/groups/details/auditors")
    settled(page)
    page.get_by_role("link", name="Add users").first.click()
    settled(page)
    page.get_by_role("checkbox", name="dana").check()
    settled(page)
    page.get_by_role("button", name="Add users").click()
    expect(page.get_by_role("link", name="dana", exact=True)).to_be_visible()

    # Simulate dana (no MFA): ListUsers allowed, GetUser hits the Deny, nothing grants DeleteUser.
    page.goto("/policy-simulator")
    settled(page)
    page.get_by_role("combobox", name="User", exact=True).select_option("dana")
    settled(page)
    page.get_by_role("textbox", name="Actions", exact=True).fill("iam:ListUsers\niam:GetUser\niam:DeleteUser")
    settled(page)
    page.get_by_role("button", name="Run simulation").click()
    results = page.locator("#simulator-results")
    expect(results.get_by_role("heading", name=re.compile(r"Results \(3\)"))).to_be_visible()

    def decision(action):
        row = results.locator("tbody.result").filter(has=page.get_by_role("cell", name=action, exact=True))
        return row.locator("td").nth(3)

    expect(decision("iam:ListUsers")).to_have_text("✓ allowed")
    expect(decision("iam:GetUser")).to_have_text("✕ denied (explicit deny)")
    expect(decision("iam:DeleteUser")).to_have_text(re.compile(r"denied"))
    assert iam.list_attached_group_policies(GroupName="auditors")["AttachedPolicies"][0]["PolicyArn"] == ARN
