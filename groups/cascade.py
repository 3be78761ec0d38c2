"""The console's user group delete (reference/aws-iam-facts.md §1.4): what IAM's DeleteGroup refuses to
do alone, done first through the backend in AWS's order (§6: remove users, delete inline policies,
detach managed policies, then DeleteGroup), so it works the same on any backend.

Each step is reported; a failed step stops that group's deletion (DeleteGroup would refuse anyway),
and the report says what was removed before it.
"""

from dataclasses import dataclass, field

from iamconsole.backends import IAMError
from users.cascade import Step

# Step actions -> how the summary counts them.
_NOUNS = {
    "RemoveUserFromGroup": ("removed", "user"),
    "DeleteGroupPolicy": ("deleted", "inline policy"),
    "DetachGroupPolicy": ("detached", "managed policy"),
}


@dataclass
class GroupDeletion:
    group_name: str
    steps: list[Step] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return bool(self.steps) and self.steps[-1].action == "DeleteGroup" and self.steps[-1].ok

    def summary(self) -> str:
        """What the successful steps before DeleteGroup did, e.g. "removed 2 users, detached 1 managed
        policy" ("" when there was nothing to remove)."""
        parts = []
        for action, (verb, noun) in _NOUNS.items():
            count = sum(1 for step in self.steps if step.action == action and step.ok)
            if count:
                plural = noun.replace("policy", "policies") if noun.endswith("policy") else f"{noun}s"
                parts.append(f"{verb} {count} {noun if count == 1 else plural}")
        return ", ".join(parts)


def _paged(call, key, **params):
    """Every item of a paginated IAM list (follows Marker until IsTruncated is false)."""
    marker = None
    while True:
        page = call(**params, **({"Marker": marker} if marker else {}))
        yield from page[key]
        if not page.get("IsTruncated"):
            return
        marker = page["Marker"]


def _plan(iam, name):
    """The calls that empty and delete one group, in AWS's order. Each listing is read before its
    removals run, so the removals never page over a shrinking list."""
    members = [u["UserName"] for u in _paged(iam.get_group, "Users", GroupName=name)]
    for user in members:
        yield (
            "RemoveUserFromGroup",
            user,
            lambda u=user: iam.remove_user_from_group(GroupName=name, UserName=u),
        )
    for policy_name in list(_paged(iam.list_group_policies, "PolicyNames", GroupName=name)):
        yield (
            "DeleteGroupPolicy",
            policy_name,
            lambda p=policy_name: iam.delete_group_policy(GroupName=name, PolicyName=p),
        )
    for policy in list(_paged(iam.list_attached_group_policies, "AttachedPolicies", GroupName=name)):
        arn = policy["PolicyArn"]
        yield "DetachGroupPolicy", arn, lambda a=arn: iam.detach_group_policy(GroupName=name, PolicyArn=a)
    yield "DeleteGroup", name, lambda: iam.delete_group(GroupName=name)


def delete_group_cascade(iam, name: str) -> GroupDeletion:
    """Delete group `name` and everything attached to it; the per-step result, stopping at the first
    failure."""
    result = GroupDeletion(name)
    try:
        for action, target, call in _plan(iam, name):
            step = Step(action, target)
            result.steps.append(step)
            try:
                call()
            except IAMError as error:
                step.error = f"{error.code}: {error.message}"
                return result
    except IAMError as error:  # a listing failed (the group vanished, or access was denied)
        result.steps.append(Step("List", name, f"{error.code}: {error.message}"))
    return result
