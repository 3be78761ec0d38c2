"""URLs of the user groups pages. A group's pages live under groups/details/<name>, as in the AWS
console, so that no group name ("create", "delete") can be shadowed by a fixed route."""

from django.urls import path

from . import views

app_name = "groups"

urlpatterns = [
    # groups list, create, delete
    path("groups", views.group_list, name="group_list"),
    path("groups/create", views.group_create, name="group_create"),
    path("groups/delete", views.group_delete, name="group_delete"),
    # group details: the page with its tabs, and the actions it offers
    path("groups/details/<str:group_name>", views.group_detail, name="group_detail"),
    path("groups/details/<str:group_name>/edit", views.group_edit, name="group_edit"),
    path("groups/details/<str:group_name>/users/add", views.group_users_add, name="group_users_add"),
    path("groups/details/<str:group_name>/remove", views.group_remove, name="group_remove"),
    path(
        "groups/details/<str:group_name>/permissions/attach",
        views.group_policies_attach,
        name="group_policies_attach",
    ),
    # a new inline policy is posted to the collection, so no policy name ("create") is shadowed
    path(
        "groups/details/<str:group_name>/inline-policies",
        views.group_inline_policy_create,
        name="group_inline_policy_create",
    ),
    path(
        "groups/details/<str:group_name>/inline-policies/<str:policy_name>",
        views.group_inline_policy_edit,
        name="group_inline_policy_edit",
    ),
]
