from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class PoliciesConfig(AppConfig):
    name = "policies"

    def ready(self):
        # A change to what a user's policies are made of: the authorization cache forgets what it affects.
        from credentials.models import PasswordPolicy
        from groups.models import Group, GroupMembership
        from users.models import IAMUser

        from .models import InlinePolicy, ManagedPolicy, PolicyAttachment, PolicyVersion
        from .policy_cache import forget_on_change

        models = (IAMUser, Group, GroupMembership, InlinePolicy, PolicyAttachment, ManagedPolicy)
        for model in (*models, PolicyVersion, PasswordPolicy):
            name = model.__name__
            post_save.connect(forget_on_change, sender=model, dispatch_uid=f"policies.cache.{name}.save")
            post_delete.connect(forget_on_change, sender=model, dispatch_uid=f"policies.cache.{name}.delete")
