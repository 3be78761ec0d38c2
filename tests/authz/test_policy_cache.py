"""The authorization hook's cache of each user's policies (policies/policy_cache.py): a change made in
this process is in force on the very next call, whichever path made it; another worker's change within
the cache's few seconds."""

import json

import pytest

from iamconsole.backends import get_backend
from iamconsole.backends.errors import AccessDenied
from policies import policy_cache

from .conftest import backend_of

ALLOW_GET_USER = json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:GetUser", "Resource": "*"}]}
)
DENY_GET_USER = ALLOW_GET_USER.replace("Allow", "Deny")
READ_ONLY = "arn:aws:iam::aws:policy/IAMReadOnlyAccess"


@pytest.fixture
def root(account):
    iam = get_backend(account)
    iam.create_user(UserName="carol")
    iam.create_user(UserName="bob")
    return iam


def can_get_bob(account) -> bool:
    try:
        backend_of(account, "carol").get_user(UserName="bob")
    except AccessDenied:
        return False
    return True


def test_detaching_a_users_policy_denies_the_next_call(account, root):
    root.attach_user_policy(UserName="carol", PolicyArn=READ_ONLY)
    assert can_get_bob(account) and can_get_bob(account)  # the second from the cache

    root.detach_user_policy(UserName="carol", PolicyArn=READ_ONLY)

    assert not can_get_bob(account)


def test_rewriting_an_inline_policy_in_place_is_in_force_at_once(account, root):
    """PutUserPolicy over an existing name updates the row without a model signal."""
    root.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=ALLOW_GET_USER)
    assert can_get_bob(account)

    root.put_user_policy(UserName="carol", PolicyName="p", PolicyDocument=DENY_GET_USER)

    assert not can_get_bob(account)


def test_a_groups_new_policy_and_a_membership_reach_its_members_at_once(account, root):
    root.create_group(GroupName="readers")
    root.add_user_to_group(UserName="carol", GroupName="readers")
    assert not can_get_bob(account)

    root.attach_group_policy(GroupName="readers", PolicyArn=READ_ONLY)
    assert can_get_bob(account)

    root.remove_user_from_group(UserName="carol", GroupName="readers")
    assert not can_get_bob(account)


def test_a_new_default_policy_version_is_in_force_at_once(account, root):
    arn = root.create_policy(PolicyName="mine", PolicyDocument=ALLOW_GET_USER)["Policy"]["Arn"]
    root.attach_user_policy(UserName="carol", PolicyArn=arn)
    assert can_get_bob(account)

    root.create_policy_version(PolicyArn=arn, PolicyDocument=DENY_GET_USER, SetAsDefault=True)
    assert not can_get_bob(account)

    root.set_default_policy_version(PolicyArn=arn, VersionId="v1")
    assert can_get_bob(account)


def test_a_permissions_boundary_is_in_force_at_once(account, root):
    root.attach_user_policy(UserName="carol", PolicyArn=READ_ONLY)
    boundary = root.create_policy(PolicyName="fence", PolicyDocument=DENY_GET_USER)["Policy"]["Arn"]

    root.put_user_permissions_boundary(UserName="carol", PermissionsBoundary=boundary)
    assert not can_get_bob(account)

    root.delete_user_permissions_boundary(UserName="carol")
    assert can_get_bob(account)


def test_another_workers_change_is_seen_once_the_entry_is_a_few_seconds_old(account, root, monkeypatch):
    """A write in another process sends no signal here: the entry's age bounds how long it is used."""
    from policies.models import PolicyAttachment

    root.attach_user_policy(UserName="carol", PolicyArn=READ_ONLY)
    assert can_get_bob(account)
    with policy_cache_signals_off():  # as if another worker had detached it
        PolicyAttachment.objects.filter(user__name="carol").delete()
    assert can_get_bob(account)  # still cached

    later = policy_cache._clock() + policy_cache.CACHE_SECONDS + 0.1
    monkeypatch.setattr(policy_cache, "_clock", lambda: later)

    assert not can_get_bob(account)


class policy_cache_signals_off:
    """Disconnect the cache's receivers for PolicyAttachment for the duration."""

    def __enter__(self):
        from django.db.models.signals import post_delete

        from policies.models import PolicyAttachment

        self.signal, self.sender = post_delete, PolicyAttachment
        post_delete.disconnect(sender=PolicyAttachment, dispatch_uid="policies.cache.PolicyAttachment.delete")

    def __exit__(self, *exc):
        self.signal.connect(
            policy_cache.forget_on_change,
            sender=self.sender,
            dispatch_uid="policies.cache.PolicyAttachment.delete",
        )
