"""URLs of the users pages. A user's pages live under users/details/<name>, as in the AWS console, so
that no user name ("create", "delete") can be shadowed by a fixed route."""

from django.urls import path, re_path

from . import views, views_wizard
from . import views_credentials as credentials
from . import views_detail as detail

app_name = "users"

# The credential lists whose items have a status and a delete, and the two that take uploads.
_USER = r"^users/details/(?P<user_name>[\w+=,.@-]+)"
_CREDENTIAL = (
    _USER + r"/(?P<kind>access-keys|ssh-keys|git-credentials|signing-certificates)/(?P<credential_id>\w+)"
)

urlpatterns = [
    # users list
    path("users", views.user_list, name="user_list"),
    path("users/delete", views.user_delete, name="user_delete"),
    path("users/columns", views.user_columns, name="user_columns"),
    # add users wizard
    path("users/create", views_wizard.wizard_details, name="wizard_details"),
    path("users/create/permissions", views_wizard.wizard_permissions, name="wizard_permissions"),
    path("users/create/group", views_wizard.wizard_group_create, name="wizard_group_create"),
    path("users/create/tags", views_wizard.wizard_tags, name="wizard_tags"),
    path("users/create/review", views_wizard.wizard_review, name="wizard_review"),
    path("users/create/done", views_wizard.wizard_create, name="wizard_create"),
    path("downloads/<str:token>", views_wizard.download, name="download"),
    # user details: the page with its tabs, and the actions it offers
    path("users/details/<str:user_name>", detail.user_detail, name="user_detail"),
    path("users/details/<str:user_name>/rename", detail.user_rename, name="user_rename"),
    path(
        "users/details/<str:user_name>/permissions/add",
        detail.user_permissions_add,
        name="user_permissions_add",
    ),
    path(
        "users/details/<str:user_name>/permissions/remove",
        detail.user_permission_remove,
        name="user_permission_remove",
    ),
    # a new inline policy is posted to the collection, so no policy name ("create") is shadowed
    path(
        "users/details/<str:user_name>/inline-policies",
        detail.user_inline_policy_create,
        name="user_inline_policy_create",
    ),
    path(
        "users/details/<str:user_name>/inline-policies/<str:policy_name>",
        detail.user_inline_policy_edit,
        name="user_inline_policy_edit",
    ),
    path(
        "users/details/<str:user_name>/permissions-boundary",
        detail.user_boundary_set,
        name="user_boundary_set",
    ),
    path("users/details/<str:user_name>/tags", detail.user_tags_edit, name="user_tags_edit"),
    # security credentials (the tab's body is views_credentials.security_credentials_context)
    path(
        "users/details/<str:user_name>/console-access",
        credentials.console_access_manage,
        name="console_access_manage",
    ),
    path("users/details/<str:user_name>/mfa/assign", credentials.mfa_assign, name="mfa_assign"),
    path("users/details/<str:user_name>/mfa/enable", credentials.mfa_enable, name="mfa_enable"),
    path("users/details/<str:user_name>/mfa/cancel", credentials.mfa_cancel, name="mfa_cancel"),
    path("users/details/<str:user_name>/mfa/remove", credentials.mfa_remove, name="mfa_remove"),
    path(
        "users/details/<str:user_name>/access-keys/create",
        credentials.access_key_create,
        name="access_key_create",
    ),
    path(
        "users/details/<str:user_name>/git-credentials/generate",
        credentials.git_credential_generate,
        name="git_credential_generate",
    ),
    re_path(
        _USER + r"/git-credentials/(?P<credential_id>\w+)/reset$",
        credentials.git_credential_reset,
        name="git_credential_reset",
    ),
    re_path(
        _USER + r"/(?P<kind>ssh-keys|signing-certificates)/upload$",
        credentials.credential_upload,
        name="credential_upload",
    ),
    re_path(_CREDENTIAL + r"/status$", credentials.credential_status, name="credential_status"),
    re_path(_CREDENTIAL + r"/delete$", credentials.credential_delete, name="credential_delete"),
    # AWS push
    path("users/create/push/<uuid:job_id>", views_wizard.wizard_push, name="wizard_push"),
    path(
        "users/create/push/<uuid:job_id>/credentials",
        views_wizard.wizard_push_credentials,
        name="wizard_push_credentials",
    ),
    path("users/create/push/<uuid:job_id>/retry", views_wizard.wizard_push_retry, name="wizard_push_retry"),
    path(
        "users/create/push/<uuid:job_id>/rollback",
        views_wizard.wizard_push_rollback,
        name="wizard_push_rollback",
    ),
]
