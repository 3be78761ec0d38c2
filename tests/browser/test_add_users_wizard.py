"""The add-users wizard end to end in Chromium: 10 users with both access types, a group made in the
dialog with a policy attached, tags; the CSV; secrets not shown again; an MFA device assigned from the
shown secret key; users deleted through the typed confirmation."""

import csv
import re
import time

import pyotp
from playwright.sync_api import expect

from iamconsole.backends import get_backend

NAMES = [f"trainee{i:02d}" for i in range(10)]


def test_the_whole_wizard_then_mfa_then_delete(signed_in, root):
    page = signed_in
    page.goto("/users")
    page.get_by_role("link", name="Add users").click()
    expect(page.get_by_role("heading", name="Set user details")).to_be_visible()

    for _ in range(9):
        page.get_by_role("button", name="Add another user").click()
        page.wait_for_load_state()
    name_inputs = page.locator('input[name="user_name"]')
    expect(name_inputs).to_have_count(10)
    expect(page.get_by_role("button", name="Add another user")).to_be_disabled()
    for index, name in enumerate(NAMES):
        name_inputs.nth(index).fill(name)
    page.get_by_role("checkbox", name=re.compile("Programmatic access")).check()
    page.get_by_role("checkbox", name=re.compile("AWS Management Console access")).check()
    page.get_by_role("button", name="Next: Permissions").click()

    # A group made in the dialog, with a policy attached to it.
    expect(page.get_by_role("heading", name="Set permissions", exact=True)).to_be_visible()
    page.get_by_role("link", name="Create group").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_label("User group name").fill("trainees")
    dialog.get_by_label("Filter policies by name").fill("IAMReadOnlyAccess")
    dialog.get_by_role("button", name="Search").click()
    expect(page.get_by_role("dialog").get_by_text("1 policies")).to_be_visible()
    page.get_by_role("dialog").get_by_label("IAMReadOnlyAccess", exact=True).check()
    page.get_by_role("dialog").get_by_role("button", name="Create user group").click()
    expect(page.get_by_text("User group trainees created.")).to_be_visible()
    expect(page.get_by_label("trainees", exact=True)).to_be_checked()
    page.get_by_role("button", name="Next: Tags").click()

    page.get_by_role("button", name="Add new tag").click()
    page.get_by_label("Key").fill("course")
    page.get_by_label(re.compile("^Value")).fill("iam-101")
    page.get_by_role("button", name="Next: Review").click()
    expect(page.get_by_role("heading", name="Review and create")).to_be_visible()
    page.get_by_role("button", name="Create users").click()

    # The success page: ten users, secrets behind Show, the CSV once.
    expect(page.get_by_role("heading", name=re.compile("Success"))).to_be_visible()
    rows = page.locator("table.data tbody tr")
    expect(rows).to_have_count(10)
    first = rows.first
    first.locator("details").first.locator("summary").click()
    secret = first.locator("details").first.locator(".mono").inner_text().strip()
    assert len(secret) == 40
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download .csv").click()
    download = download_info.value
    assert download.suggested_filename == "credentials.csv"
    with open(download.path(), newline="", encoding="utf-8") as f:
        table = list(csv.reader(f))
    assert table[0] == ["User name", "Password", "Access key ID", "Secret access key", "Console login link"]
    assert [row[0] for row in table[1:]] == NAMES
    assert table[1][3] == secret
    assert all(row[1] and row[2].startswith("AKIA") for row in table[1:])
    assert table[1][4] == "https://browser-tests.signin.aws.amazon.com/console"

    # Going back or reloading shows the secret no more.
    page.go_back()
    assert secret not in page.content()
    page.goto("/users")
    assert secret not in page.content()
    expect(page.get_by_role("heading", name=re.compile(r"Users \(10\)"))).to_be_visible()

    iam = get_backend(root)
    assert [g["GroupName"] for g in iam.list_groups_for_user(UserName="trainee05")["Groups"]] == ["trainees"]
    assert iam.list_user_tags(UserName="trainee05")["Tags"] == [{"Key": "course", "Value": "iam-101"}]

    # Assign an MFA device from the shown secret key and two consecutive codes.
    page.goto("/users/details/trainee00?tab=security_credentials")
    page.get_by_role("link", name="Assign MFA device").click()
    page.get_by_label("Device name").fill("trainee00-phone")
    page.get_by_role("button", name="Next").click()
    page.get_by_text("Show secret key").click()
    seed = page.locator(".seed").inner_text().strip()
    totp = pyotp.TOTP(seed)
    now = time.time()
    page.get_by_label("MFA code 1").fill(totp.at(now - 30))
    page.get_by_label("MFA code 2").fill(totp.at(now))
    page.get_by_role("button", name="Add MFA").click()
    expect(page.locator(".flash.success")).to_be_visible()
    devices = iam.list_mfa_devices(UserName="trainee00")["MFADevices"]
    assert [d["SerialNumber"] for d in devices] == ["arn:aws:iam::123456789012:mfa/trainee00-phone"]

    # Delete two users through the typed confirmation.
    page.goto("/users")
    page.get_by_label("Select trainee08").check()
    page.get_by_label("Select trainee09").check()
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_role("heading", name="Delete 2 users?")).to_be_visible()
    page.get_by_label(re.compile("To confirm deletion")).fill("2 users")
    page.get_by_role("button", name="Delete").click()
    expect(page.get_by_text("User trainee08 deleted.")).to_be_visible()
    expect(page.get_by_text("User trainee09 deleted.")).to_be_visible()
    assert len(iam.list_users()["Users"]) == 8
