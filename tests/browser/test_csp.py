"""The Content-Security-Policy in a real browser: the console's pages load without a single violation.

Chromium reports each blocked inline script, inline style or foreign source as a console error, so a
template that adds `style=` or an inline `<script>` fails here.
"""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PAGES = [
    "/",
    "/users",
    "/groups",
    "/policies",
    "/users/create",
    "/policy-simulator",
    "/events",
    "/account/settings",
]


def test_the_console_pages_cause_no_csp_violation(signed_in):
    violations = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            violations.append(f"{message.location.get('url')}: {message.text}")

    signed_in.on("console", on_console)
    for path in PAGES:
        signed_in.goto(path)
        signed_in.wait_for_load_state("networkidle")

    assert violations == []
