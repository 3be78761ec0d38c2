"""Finding managed policies by ARN, shared by every app that takes a PolicyArn."""

from iamconsole.backends.errors import NoSuchEntity, ValidationError
from iamconsole.backends.rows import rebuild, snapshot

from .models import ManagedPolicy


def check_arn(arn: str) -> None:
    """AWS's ValidationError for a PolicyArn that is not an ARN at all: an ARN starts with `arn:`
    and has six colon-separated parts (arn:partition:service:region:account:resource)."""
    if not arn.startswith("arn:") or arn.count(":") < 5:
        raise ValidationError(f"ARN {arn} is not valid.")


# AWS managed policies are read-only and shared by every account: a row once read is kept for the
# process's life (load_catalog, the only writer, forgets them). Attaching one is the commonest write.
AWS_POLICY_PREFIX = "arn:aws:iam::aws:policy/"
_AWS_POLICIES: dict[str, tuple] = {}


def find_policy(ctx, arn: str) -> ManagedPolicy | None:
    """The AWS managed policy or this account's customer managed policy with this ARN, or None."""
    check_arn(arn)
    if (values := _AWS_POLICIES.get(arn)) is not None:
        return rebuild(ManagedPolicy, values)
    # ARNs are unique across accounts (the account ID is in them): one indexed lookup, then the check that
    # the policy is AWS's or this account's, and the account the caller already holds.
    try:
        policy = ManagedPolicy.objects.get(arn=arn)
    except ManagedPolicy.DoesNotExist:
        return None
    if policy.account_id is None and arn.startswith(AWS_POLICY_PREFIX):
        _AWS_POLICIES[arn] = snapshot(policy)
    elif policy.account_id != ctx.account.pk:
        return None
    else:
        policy.account = ctx.account
    return policy


def forget_aws_policies() -> None:
    _AWS_POLICIES.clear()


def attachable_policy_or_404(ctx, arn: str) -> ManagedPolicy:
    """For Attach*/PermissionsBoundary: AWS's "does not exist or is not attachable" NoSuchEntity."""
    policy = find_policy(ctx, arn)
    if policy is None:
        raise NoSuchEntity(f"Policy {arn} does not exist or is not attachable.")
    return policy
