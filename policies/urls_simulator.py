"""URLs of the Policy simulator pages. Their own namespace ("simulator"): the policies pages have theirs."""

from django.urls import path

from . import views_simulator as views

app_name = "simulator"

urlpatterns = [
    # the simulator, and a user's effective permissions by service
    path("policy-simulator", views.simulator, name="simulator"),
    path(
        "policy-simulator/effective/<str:user_name>",
        views.effective_permissions,
        name="effective_permissions",
    ),
]
