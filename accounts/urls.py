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
