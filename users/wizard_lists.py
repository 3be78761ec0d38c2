"""The choices the wizard's permissions step offers, read through the backend."""

MATCHES_SHOWN = 50


def _paged(call, key, **params):
    marker = None
    while True:
        page = call(**params, MaxItems=1000, **({"Marker": marker} if marker else {}))
        yield from page[key]
        if not page.get("IsTruncated"):
            return
        marker = page["Marker"]


def group_choices(iam) -> list[dict]:
    """Groups with their attached policies (one authorization-details read instead of N+1 calls)."""
    groups = _paged(iam.get_account_authorization_details, "GroupDetailList", Filter=["Group"])
    return sorted(groups, key=lambda g: g["GroupName"].lower())


def user_choices(iam) -> list[str]:
    return [u["UserName"] for u in _paged(iam.list_users, "Users")]


def policy_choices(iam, query: str, kind: str, keep: list[str]) -> tuple[list[dict], int]:
    """Managed policies matching `query` (name substring) of `kind` (all | aws | customer), customer
    managed first; at most MATCHES_SHOWN, plus the ones in `keep` (already selected) wherever they rank.
    Returns (policies, total matches)."""
    scope = {"aws": "AWS", "customer": "Local"}.get(kind, "All")
    needle = query.strip().lower()
    matches = [
        p
        for p in _paged(iam.list_policies, "Policies", Scope=scope)
        if (needle in p["PolicyName"].lower() or p["Arn"] in keep)
        and p.get("IsAttachable", True)
        and ":policy/aws-service-role/" not in p["Arn"]  # service-linked role policies attach to no user
    ]
    matches.sort(key=lambda p: (p["Arn"] not in keep, ":aws:policy/" in p["Arn"], p["PolicyName"].lower()))
    shown = matches[:MATCHES_SHOWN] + [p for p in matches[MATCHES_SHOWN:] if p["Arn"] in keep]
    return shown, len(matches)
