from django.apps import AppConfig


class IamconsoleConfig(AppConfig):
    name = "iamconsole"
    verbose_name = "IAM console"
