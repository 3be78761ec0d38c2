from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    # sign-in
    path("login", views.login, name="login"),
    path("logout", views.logout, name="logout"),
    # accounts
    path("account/switch", views.account_switch, name="account_switch"),
]

# root security credentials
from . import views_root  # noqa: E402

urlpatterns += [
    path(
        "account/security-credentials", views_root.root_security_credentials, name="root_security_credentials"
    ),
    path("account/security-credentials/mfa/assign", views_root.root_mfa_assign, name="root_mfa_assign"),
    path("account/security-credentials/mfa/enable", views_root.root_mfa_enable, name="root_mfa_enable"),
    path("account/security-credentials/mfa/cancel", views_root.root_mfa_cancel, name="root_mfa_cancel"),
    path("account/security-credentials/mfa/remove", views_root.root_mfa_remove, name="root_mfa_remove"),
    path(
        "account/security-credentials/access-keys/create",
        views_root.root_access_key_create,
        name="root_access_key_create",
    ),
    path(
        "account/security-credentials/access-keys/<str:access_key_id>/status",
        views_root.root_access_key_status,
        name="root_access_key_status",
    ),
    path(
        "account/security-credentials/access-keys/<str:access_key_id>/delete",
        views_root.root_access_key_delete,
        name="root_access_key_delete",
    ),
]

# event history
from . import views_events  # noqa: E402

urlpatterns += [
    path("events", views_events.event_list, name="event_list"),
    path("events/export", views_events.event_export, name="event_export"),
    # <str:...> and not <int:...>, so a non-numeric ID is this view's 404 and the URL walk still resolves
    path("events/<str:event_id>", views_events.event_detail, name="event_detail"),
]

# account settings
from . import views_settings  # noqa: E402

urlpatterns += [
    path("account/settings", views_settings.account_settings, name="account_settings"),
    path(
        "account/settings/password-policy", views_settings.password_policy_edit, name="password_policy_edit"
    ),
    path("account/settings/alias", views_settings.account_alias_edit, name="account_alias_edit"),
    path("account/settings/alias/delete", views_settings.account_alias_delete, name="account_alias_delete"),
    path(
        "account/settings/server-certificates/upload",
        views_settings.server_certificate_upload,
        name="server_certificate_upload",
    ),
    path(
        "account/settings/server-certificates/<str:certificate_name>/edit",
        views_settings.server_certificate_edit,
        name="server_certificate_edit",
    ),
    path(
        "account/settings/server-certificates/<str:certificate_name>/delete",
        views_settings.server_certificate_delete,
        name="server_certificate_delete",
    ),
]

# IAM-user sign-in
from . import views_signin  # noqa: E402

urlpatterns += [
    path("signin", views_signin.iam_signin, name="iam_signin"),
    # two segments, so that no account alias can shadow a step
    path("signin/session/continue", views_signin.iam_signin_continue, name="iam_signin_continue"),
    path("signin/session/mfa", views_signin.iam_signin_mfa, name="iam_signin_mfa"),
    path("signin/session/password", views_signin.iam_signin_password, name="iam_signin_password"),
    path("signin/session/cancel", views_signin.iam_signin_cancel, name="iam_signin_cancel"),
    path("signin/<str:account>", views_signin.iam_signin, name="iam_signin_account"),
    path("signout", views_signin.iam_signout, name="iam_signout"),
    path("signout/everywhere", views_signin.iam_signout_everywhere, name="iam_signout_everywhere"),
    path("users/details/<str:user_name>/signin-unlock", views_signin.iam_user_unlock, name="iam_user_unlock"),
]

# connect AWS account
from . import views_connect  # noqa: E402

urlpatterns += [
    path("account/connect", views_connect.account_connect, name="account_connect"),
    path(
        "account/connect/<str:account_id>/test",
        views_connect.account_connect_test,
        name="account_connect_test",
    ),
    path(
        "account/connect/<str:account_id>/import",
        views_connect.account_connect_import,
        name="account_connect_import",
    ),
]

# sign-in protection
urlpatterns += [
    path(
        "account/settings/sign-in-protection",
        views_settings.signin_protection_edit,
        name="signin_protection_edit",
    ),
]
