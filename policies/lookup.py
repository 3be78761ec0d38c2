"""Finding managed policies by ARN, shared by every app that takes a PolicyArn."""

from django.db.models import Q

from iamconsole.backends.errors import NoSuchEntity, ValidationError

from .models import ManagedPolicy


def check_arn(arn: str) -> None:
    """AWS's ValidationError for a PolicyArn that is not an ARN at all: an ARN starts with `arn:`
    and has six colon-separated parts (arn:partition:service:region:account:resource)."""
    if not arn.startswith("arn:") or arn.count(":") < 5:
        raise ValidationError(f"ARN {arn} is not valid.")


def find_policy(ctx, arn: str) -> ManagedPolicy | None:
    """The AWS managed policy or this account's customer managed policy with this ARN, or None."""
    check_arn(arn)
    return (
        ManagedPolicy.objects.filter(Q(account__isnull=True) | Q(account=ctx.account), arn=arn)
        .select_related("account")
        .first()
    )


def attachable_policy_or_404(ctx, arn: str) -> ManagedPolicy:
    """For Attach*/PermissionsBoundary: AWS's "does not exist or is not attachable" NoSuchEntity."""
    policy = find_policy(ctx, arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy
