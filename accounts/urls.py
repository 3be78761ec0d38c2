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
