"""Every URL needs a signed-in principal except an explicit public list; state changes are POST + CSRF.

Walks the whole URLconf (18F tock's test_url_auth pattern), so a new page cannot forget it.
"""

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

PUBLIC = {"/login", "/healthz"}


def all_paths(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from all_paths(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            if "<" not in route:  # routes with converters are covered by their own view tests
                yield "/" + route.lstrip("^").rstrip("$")


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(set(all_paths())))
def test_every_page_needs_sign_in_unless_public(client, path):
    for method in ("get", "post"):
        response = getattr(client, method)(path)
        if path in PUBLIC:
            assert response.status_code in (200, 405), f"{method.upper()} {path}"
        else:
            assert response.status_code == 302, f"{method.upper()} {path} answered {response.status_code}"
            assert response["Location"].startswith("/login?next="), path


@pytest.mark.django_db
@pytest.mark.parametrize("path", sorted(set(all_paths()) - {"/healthz"}))
def test_posts_without_a_csrf_token_are_refused(path, account):
    client = Client(enforce_csrf_checks=True)
    client.force_login(account.root_operator)

    assert client.post(path).status_code in (403, 405), path
