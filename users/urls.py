from django.urls import path

from . import views

app_name = "users"

urlpatterns = [
    # users list
    path("users", views.user_list, name="user_list"),
    path("users/delete", views.user_delete, name="user_delete"),
]
