"""URLs of an IAM user's own "My security credentials" (credentials/views_self.py)."""

from django.urls import path

from . import views_self

app_name = "self"

urlpatterns = [
    path("self/security-credentials", views_self.security_credentials, name="security_credentials"),
    path("self/security-credentials/password", views_self.password_change, name="password_change"),
    path("self/security-credentials/mfa/assign", views_self.mfa_assign, name="mfa_assign"),
    path("self/security-credentials/mfa/enable", views_self.mfa_enable, name="mfa_enable"),
    path("self/security-credentials/mfa/cancel", views_self.mfa_cancel, name="mfa_cancel"),
    path("self/security-credentials/mfa/remove", views_self.mfa_remove, name="mfa_remove"),
    path(
        "self/security-credentials/access-keys/create", views_self.access_key_create, name="access_key_create"
    ),
    path("self/security-credentials/ssh-keys/upload", views_self.ssh_key_upload, name="ssh_key_upload"),
    path(
        "self/security-credentials/<str:kind>/<str:credential_id>/status",
        views_self.credential_status,
        name="credential_status",
    ),
    path(
        "self/security-credentials/<str:kind>/<str:credential_id>/delete",
        views_self.credential_delete,
        name="credential_delete",
    ),
]
