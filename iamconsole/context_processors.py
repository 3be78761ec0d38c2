"""Template context for the console frame: the side navigation and the operator's accounts."""

from django.urls import NoReverseMatch, reverse

# (label, URL name) in the AWS console's order; sections are (section title, None).
NAV = [
    ("Dashboard", "dashboard"),
    ("Access management", None),
    ("User groups", "groups:group_list"),
    ("Users", "users:user_list"),
    ("Policies", "policies:policy_list"),
    ("Account settings", "accounts:account_settings"),
    ("Access reports", None),
    ("Credential report", "credentials:credential_report"),
    ("Policy simulator", "simulator:simulator"),
    ("Event history", "accounts:event_list"),
]


def console(request):
    if not getattr(request, "account", None):
        return {}
    items = []
    for label, name in NAV:
        if name is None:
            items.append({"section": label})
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue  # a page that is not built yet is not offered
        current = request.path == url or (url != "/" and request.path.startswith(url))
        items.append({"label": label, "url": url, "current": current, "top": name == "dashboard"})
    # Drop a section heading with no pages under it.
    nav = [
        item
        for i, item in enumerate(items)
        if "section" not in item or (i + 1 < len(items) and "section" not in items[i + 1])
    ]
    return {"nav": nav, "console_accounts": getattr(request, "console_accounts", [])}
