"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against live_server.

Playwright never downloads a browser here. Where Chromium is missing the tests skip with a message
saying how to install it; in CI (CI=true) a missing browser is a failure, never a skip.
"""

import os
import shutil

import pytest

from accounts.services import create_account

# Playwright's sync API runs an event loop in the test's thread; the ORM calls the tests make
# themselves (fixtures, checks) are plain synchronous code and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return (
        os.environ.get("IAMCONSOLE_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    )


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - requirements-dev.txt installs it
        path = None
    if path is None:
        message = "browser tests need Chromium: apt-get install -y chromium (or set IAMCONSOLE_CHROMIUM)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def root(transactional_db, catalog):
    return create_account(
        account_id="123456789012",
        alias="browser-tests",
        root_email="root@example.com",
        root_password="Root-pass-1234",
    )


@pytest.fixture
def signed_in(page, root):
    page.goto("/login")
    page.get_by_label("Root user email address").fill("root@example.com")
    page.get_by_label("Password").fill("Root-pass-1234")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/")
    return page
