"""The Policy simulator in Chromium: a user who gets S3 through a group with an Allow and a Deny; the
simulation runs through htmx (no page load), shows each decision, and expands to the matched statement
marked in the group's policy; "What can this user do?" lists the allowed S3 actions. Light and dark
screenshots are kept under the test's tmp_path."""

import json
import re

from playwright.sync_api import expect

from iamconsole.backends import get_backend

POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "ReadAll",
                "Effect": "Allow",
                "Action": ["s3:GetObject", "s3:DeleteObject"],
                "Resource": "*",
            },
            {
                "Sid": "KeepProd",
                "Effect": "Deny",
                "Action": "s3:DeleteObject",
                "Resource": "arn:aws:s3:::prod/*",
            },
        ],
    },
    indent=4,
)


def test_simulate_a_group_members_permissions(signed_in, root, tmp_path):
    iam = get_backend(root)
    arn = iam.create_policy(PolicyName="s3-keep-prod", PolicyDocument=POLICY)["Policy"]["Arn"]
    iam.create_group(GroupName="readers")
    iam.attach_group_policy(GroupName="readers", PolicyArn=arn)
    iam.create_user(UserName="carol")
    iam.add_user_to_group(UserName="carol", GroupName="readers")

    page = signed_in
    page.goto("/policy-simulator")
    expect(page.get_by_role("heading", name="Policy simulator", exact=True)).to_be_visible()
    page.evaluate("window.simulatorPageMarker = 1")  # gone if the form caused a full page load
    page.get_by_role("combobox", name="User", exact=True).select_option("carol")
    page.get_by_role("textbox", name="Actions", exact=True).fill("s3:DeleteObject")
    page.get_by_text("Common actions of IAM, S3 and EC2").click()
    page.get_by_label("GetObject", exact=True).check()
    page.get_by_role("textbox", name="Resources", exact=True).fill("arn:aws:s3:::prod/report.csv")
    page.get_by_role("button", name="Run simulation").click()

    results = page.locator("#simulator-results")
    expect(results.get_by_role("heading", name=re.compile(r"Results \(2\)"))).to_be_visible()
    delete_row = results.locator("tbody.result").filter(
        has=page.get_by_role("cell", name="s3:DeleteObject", exact=True)
    )
    expect(delete_row.locator("td").nth(3)).to_have_text("✕ denied (explicit deny)")
    get_row = results.locator("tbody.result").filter(
        has=page.get_by_role("cell", name="s3:GetObject", exact=True)
    )
    expect(get_row.locator("td").nth(3)).to_have_text("✓ allowed")
    assert page.evaluate("window.simulatorPageMarker") == 1

    delete_row.get_by_text("Matched statements (1)").click()
    expect(delete_row.get_by_text("Explicitly denied")).to_be_visible()
    expect(delete_row.locator("figcaption")).to_contain_text(arn)
    marked = delete_row.locator(".line.hit mark")
    expect(marked.first).to_have_text(re.compile(r"^\s*\{$"))
    expect(delete_row.locator(".line.hit", has_text='"Sid": "KeepProd"')).to_be_visible()
    expect(delete_row.locator(".line.hit", has_text='"Sid": "ReadAll"')).to_have_count(0)
    page.screenshot(path=tmp_path / "simulator-light.png", full_page=True)
    page.emulate_media(color_scheme="dark")
    page.screenshot(path=tmp_path / "simulator-dark.png", full_page=True)
    page.emulate_media(color_scheme="light")

    results.get_by_role("link", name="What can carol do?").click()
    expect(page.get_by_role("heading", name="What can carol do?")).to_be_visible()
    s3 = page.locator("section.effective-service", has_text="Amazon S3")
    expect(s3).to_contain_text("2 of")
    expect(s3.locator("li", has_text=re.compile("^GetObject$"))).to_be_visible()
    expect(s3.locator("li", has_text=re.compile("^DeleteObject$"))).to_be_visible()
