from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class ApiConfig(AppConfig):
    name = "api"

    def ready(self):
        # A key, user or account changed in this process: the signing-key cache forgets what it held.
        from accounts.models import Account
        from credentials.models import AccessKey
        from users.models import IAMUser

        from .keycache import forget_on_change

        for model in (AccessKey, IAMUser, Account):
            post_save.connect(
                forget_on_change, sender=model, dispatch_uid=f"api.keycache.{model.__name__}.save"
            )
            post_delete.connect(
                forget_on_change, sender=model, dispatch_uid=f"api.keycache.{model.__name__}.delete"
            )
