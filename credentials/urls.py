"""URLs of the credentials pages that are not a user's: the credential report (Access reports)."""

from django.urls import path

from . import views

app_name = "credentials"

urlpatterns = [
    # credential report
    path("credential-report", views.credential_report, name="credential_report"),
    path("credential-report/generate", views.credential_report_generate, name="credential_report_generate"),
    path("credential-report/download", views.credential_report_download, name="credential_report_download"),
]
