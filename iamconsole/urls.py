"""URL configuration: public pages are marked @login_not_required; everything else needs sign-in."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_GET

from . import health, views


@login_not_required
@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("", include("accounts.urls")),
    path("", include("users.urls")),
    path("", include("groups.urls")),
    path("", include("credentials.urls")),
    path("", include("credentials.urls_self")),
    path("", include("policies.urls")),
    path("", include("policies.urls_simulator")),
    path("healthz", healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("", include("api.urls")),
]

# A database outage is answered with a 503 page (or ServiceFailure on /aws), not a bare 500.
handler500 = "iamconsole.errors.server_error"
