from django.urls import path

from . import views, views_wizard

app_name = "users"

urlpatterns = [
    # users list
    path("users", views.user_list, name="user_list"),
    path("users/delete", views.user_delete, name="user_delete"),
]

# add users wizard
urlpatterns += [
    path("users/create", views_wizard.wizard_details, name="wizard_details"),
    path("users/create/permissions", views_wizard.wizard_permissions, name="wizard_permissions"),
    path("users/create/group", views_wizard.wizard_group_create, name="wizard_group_create"),
    path("users/create/tags", views_wizard.wizard_tags, name="wizard_tags"),
    path("users/create/review", views_wizard.wizard_review, name="wizard_review"),
    path("users/create/done", views_wizard.wizard_create, name="wizard_create"),
    path("downloads/<str:token>", views_wizard.download, name="download"),
]
