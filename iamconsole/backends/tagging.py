"""The tag rules botocore's model cannot express, for every taggable resource of the local backend:
users, managed policies, virtual MFA devices and server certificates.

The model already checks each key's and value's length and pattern and the 50-tag cap of one
request. What is left is checked here (reference/aws-iam-facts.md §4): no key may start with the
reserved `aws:` prefix (in any case), a request may not name a key twice, and a resource holds at
most its quota of tags after a merge. Any bad tag fails the whole request, so these run before
anything is written.

Keys on users are case-insensitive but case-preserving (`team` replaces `Team`); keys on the other
resources are case-sensitive. Each function takes `case_insensitive` to say which rule applies.
Tags are lists of `{"Key", "Value"}` dicts, as stored in the models' JSON fields.
"""

from .errors import InvalidInput, LimitExceeded

RESERVED_PREFIX = "aws:"
RESERVED_MESSAGE = "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use."
DUPLICATE_MESSAGE = "Duplicate tag keys found."


def _fold(key: str, case_insensitive: bool) -> str:
    """The form of `key` under which two keys are the same key."""
    return key.lower() if case_insensitive else key


def check_tags(tags: list[dict], *, case_insensitive: bool, note_case: bool = True) -> None:
    """InvalidInput for the first tag of the request whose key is reserved or repeats an earlier one.

    The duplicate message adds "Please note that Tag keys are case (in)sensitive." as IAM words it
    for users and server certificates; `note_case=False` leaves the bare sentence, which is what
    the policy actions answer (asserted by tests/contract/test_policies.py).
    """
    seen = set()
    for tag in tags:
        if tag["Key"].lower().startswith(RESERVED_PREFIX):
            raise InvalidInput(RESERVED_MESSAGE)
        key = _fold(tag["Key"], case_insensitive)
        if key in seen:
            if not note_case:
                raise InvalidInput(DUPLICATE_MESSAGE)
            sensitivity = "insensitive" if case_insensitive else "sensitive"
            raise InvalidInput(f"{DUPLICATE_MESSAGE} Please note that Tag keys are case {sensitivity}.")
        seen.add(key)


def merge_tags(
    current: list[dict], new: list[dict], *, case_insensitive: bool, quota: int, quota_name: str
) -> list[dict]:
    """`current` with the (already checked) `new` tags applied, or LimitExceeded past `quota` tags.

    A key already present is replaced in place, key and value (so on a case-insensitive resource
    the new casing wins); other keys are appended in request order. The result keeps that order:
    callers that store tags sorted sort it with `sorted_tags`.
    """
    merged = {_fold(tag["Key"], case_insensitive): _copy(tag) for tag in current}
    for tag in new:
        merged[_fold(tag["Key"], case_insensitive)] = _copy(tag)
    if len(merged) > quota:
        raise LimitExceeded(f"Cannot exceed quota for {quota_name}: {quota}")
    return list(merged.values())


def remove_tags(current: list[dict], keys: list[str], *, case_insensitive: bool) -> list[dict]:
    """`current` without the tags named in `keys`; keys the resource does not have are ignored."""
    doomed = {_fold(key, case_insensitive) for key in keys}
    return [tag for tag in current if _fold(tag["Key"], case_insensitive) not in doomed]


def sorted_tags(tags: list[dict], *, shorter_first: bool = False) -> list[dict]:
    """Copies of `tags` in the order IAM lists them: by key, case-sensitively (code point order).

    `shorter_first` sorts by key length first, as IAM lists policy tags (recorded:
    `a`, `b`, `z`, `abc`).
    """
    if shorter_first:
        return sorted(map(_copy, tags), key=lambda tag: (len(tag["Key"]), tag["Key"]))
    return sorted(map(_copy, tags), key=lambda tag: tag["Key"])


def _copy(tag: dict) -> dict:
    """A `{"Key", "Value"}` dict of its own, so stored and returned lists never share dicts."""
    return {"Key": tag["Key"], "Value": tag["Value"]}
