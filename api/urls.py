"""The Query API endpoint: the AWS CLI and boto3 use `<console>/aws` as their endpoint URL."""

from django.urls import path

from . import views

app_name = "api"

urlpatterns = [
    path("aws", views.query_api, name="query_api"),
    path("aws/", views.query_api),
]
