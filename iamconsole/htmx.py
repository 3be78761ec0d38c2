"""htmx helpers shared by the apps' views (STYLE.md 6)."""

from django.shortcuts import redirect
from django_htmx.http import HttpResponseClientRedirect


def redirect_or_client_redirect(request, url: str):
    """After a successful POST: a plain redirect, or for htmx a client-side redirect (htmx does not
    follow a 302 into a full page)."""
    if getattr(request, "htmx", False):
        return HttpResponseClientRedirect(url)
    return redirect(url)
