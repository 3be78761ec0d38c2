"""URLs of the policies pages. A policy's pages end with its ARN after a fixed action segment
(`policies/details/<arn>`, `policies/edit/<arn>`), so no policy name or path can shadow a route."""

from django.urls import path

from . import views

app_name = "policies"

urlpatterns = [
    # the list, create, and the editor's live validation
    path("policies", views.policy_list, name="policy_list"),
    path("policies/create", views.policy_create, name="policy_create"),
    path("policies/validate", views.policy_validate, name="policy_validate"),
    # one policy: details (tabs), and the actions they offer
    path("policies/details/<path:arn>", views.policy_detail, name="policy_detail"),
    path("policies/edit/<path:arn>", views.policy_edit, name="policy_edit"),
    path("policies/delete/<path:arn>", views.policy_delete, name="policy_delete"),
    path("policies/attach/<path:arn>", views.policy_attach, name="policy_attach"),
    path("policies/detach/<path:arn>", views.policy_detach, name="policy_detach"),
    path(
        "policies/set-default-version/<path:arn>", views.policy_version_default, name="policy_version_default"
    ),
    path("policies/delete-version/<path:arn>", views.policy_version_delete, name="policy_version_delete"),
]
