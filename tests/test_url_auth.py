"""Every URL needs a signed-in principal except an explicit public list; state changes are POST + CSRF.

Walks the whole URLconf (18F tock's test_url_auth pattern), so a new page cannot forget it.
"""

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# Public pages, and what an anonymous request gets there. The Query API authenticates each request
# with SigV4 instead of a session: unsigned, it answers 403 as AWS does.
PUBLIC = {
    # IAM-user sign-in: its steps send an anonymous visitor back to the start
    "/signin": (200,),
    "/signin/x": (200,),
    "/signin/session/continue": (302, 405),
    "/signin/session/mfa": (302,),
    "/signin/session/password": (302,),
    "/signin/session/cancel": (302, 405),
    "/signout": (302, 405),
    "/login": (200, 405),
    "/healthz": (200, 405),
    "/readyz": (200, 405),
    "/aws": (403,),
    "/aws/": (403,),
}


# Sample values for the routes' parameters: any value will do, since sign-in comes first.
SAMPLES = {
    "job_id": "00000000-0000-4000-8000-000000000000",
    "user_name": "alice",
    "token": "t0ken",
    "policy_name": "inline",
    "kind": "ssh-keys",
    "credential_id": "AKIAX",
}


def _fill(route: str) -> str:
    """A concrete path for a route: converters and named regex groups replaced by sample values."""
    out, i = "", 0
    while (start := route.find("(?P<", i)) != -1:
        name = route[start + 4 : route.index(">", start)]
        depth, j = 0, start
        while True:  # the group's closing parenthesis, nested groups included
            depth += {"(": 1, ")": -1}.get(route[j], 0)
            if depth == 0:
                break
            j += 1
        out += route[i:start] + SAMPLES.get(name, "x")
        i = j + 1
    route = out + route[i:]
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: SAMPLES.get(m.group(1), "x"), route)


def all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_paths(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = _fill(prefix + str(entry.pattern))
            yield "/" + route.lstrip("^").rstrip("$")


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(set(all_paths())))
def test_every_page_needs_sign_in_unless_public(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if path in PUBLIC:
            assert response.status_code in PUBLIC[path], (
                f"{method.upper()} {path} answered {response.status_code}"
            )
        else:
            assert response.status_code == 302, f"{method.upper()} {path} answered {response.status_code}"
            assert response["Location"].startswith("/login?next="), path


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(set(all_paths()) - {"/healthz", "/readyz", "/aws", "/aws/"}))
def test_posts_without_a_csrf_token_are_refused(path, account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account.root_operator)

    assert client.post(path).status_code in (403, 405), path
