"""Forms of the user details page: rename, add permissions, inline policies, boundary, removals, tags.

They check what the console checks before calling IAM (formats, required choices, the tag rules a
person can fix on the row they typed); the backend remains the authority, and its errors are put on
the field they concern by `field_for_error` (STYLE.md 3).
"""

import re

import regex
from django import forms
from django.forms import formset_factory

# IAM's own patterns (facts §5): user and policy names, paths, tag keys and values.
NAME_RE = re.compile(r"[\w+=,.@-]+", re.ASCII)
PATH_RE = re.compile(r"/|/[\x21-\x7e]+/")
ARN_RE = re.compile(r"arn:aws[\w-]*:iam::(aws|\d{12}):policy/[\x21-\x7e]+")
TAG_KEY_RE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]+")
TAG_VALUE_RE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")

USER_NAME_MAX = 64
POLICY_NAME_MAX = 128
PATH_MAX = 512
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAGS_PER_USER = 50  # the same figure the backend enforces; the form only says it on the page first
MAX_SELECTED_POLICIES = 20  # AttachedPoliciesPerUserQuota at its highest; IAM refuses beyond the user's quota

USER_NAME_HELP = "Up to 64 characters; letters, digits and + = , . @ _ -"
PATH_HELP = "Begins and ends with /; up to 512 printable ASCII characters, no spaces."
POLICY_NAME_HELP = "Up to 128 characters; letters, digits and + = , . @ _ -"
TAG_KEY_HELP = "Up to 128 characters; letters, digits, spaces and _ . : / = + - @; cannot start with aws:"
TAG_VALUE_HELP = "Up to 256 characters; letters, digits, spaces and _ . : / = + - @"

OPTION_GROUPS, OPTION_COPY, OPTION_POLICIES = "groups", "copy", "policies"
ADD_OPTIONS = [
    (OPTION_GROUPS, "Add user to group"),
    (OPTION_COPY, "Copy permissions"),
    (OPTION_POLICIES, "Attach policies directly"),
]
REMOVE_KINDS = [
    ("managed", "Detach a managed policy"),
    ("inline", "Delete an inline policy"),
    ("group", "Remove from a group"),
    ("boundary", "Remove the permissions boundary"),
]


def check_name(value: str, *, what: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit or not NAME_RE.fullmatch(value):
        raise forms.ValidationError(
            f"The {what} can have up to {limit} characters. Valid characters: A-Z, a-z, 0-9, and "
            "+ = , . @ _ - (hyphen)."
        )
    return value


class RenameUserForm(forms.Form):
    """UpdateUser from the console: a new name and/or path (facts §1.3: AWS offers this only via the API)."""

    user_name = forms.CharField(label="User name", max_length=128, help_text=USER_NAME_HELP)
    path = forms.CharField(label="Path", max_length=PATH_MAX, help_text=PATH_HELP)

    def clean_user_name(self):
        return check_name(self.cleaned_data["user_name"], what="user name", limit=USER_NAME_MAX)

    def clean_path(self):
        path = self.cleaned_data["path"].strip()
        if not PATH_RE.fullmatch(path):
            raise forms.ValidationError("The path must begin and end with / and contain no spaces.")
        return path


class AddPermissionsForm(forms.Form):
    """The three options of "Add permissions" (facts §1.1-1.2); only the chosen option's field counts.

    The choices are what the page offered (the account's groups, the policies found), so a stale or
    forged value is refused before IAM is called; IAM still decides (quotas, attachability).
    """

    option = forms.ChoiceField(choices=ADD_OPTIONS)
    group = forms.MultipleChoiceField(required=False)
    source_user = forms.CharField(required=False, max_length=128)
    policy = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, groups=(), policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = [(name, name) for name in groups]
        self.fields["policy"].choices = [(arn, arn) for arn in policies]

    def clean(self):
        data = super().clean()
        option = data.get("option")
        if option == OPTION_GROUPS and not data.get("group"):
            self.add_error("group", "Select at least one group.")
        elif option == OPTION_COPY and not data.get("source_user"):
            self.add_error("source_user", "Select a user to copy permissions from.")
        elif option == OPTION_POLICIES:
            chosen = data.get("policy") or []
            if not chosen:
                self.add_error("policy", "Select at least one policy.")
            elif len(chosen) > MAX_SELECTED_POLICIES:
                self.add_error("policy", f"Select at most {MAX_SELECTED_POLICIES} policies.")
        return data


class InlinePolicyForm(forms.Form):
    """An inline policy: its name (fixed once it exists) and its JSON document, checked by IAM."""

    policy_name = forms.CharField(label="Policy name", max_length=POLICY_NAME_MAX, help_text=POLICY_NAME_HELP)
    document = forms.CharField(label="Policy editor", max_length=131072, strip=False)

    def clean_policy_name(self):
        return check_name(self.cleaned_data["policy_name"], what="policy name", limit=POLICY_NAME_MAX)

    def clean_document(self):
        document = self.cleaned_data["document"]
        if not document.strip():
            raise forms.ValidationError("Enter a policy document.")
        return document


class BoundaryForm(forms.Form):
    """The managed policy to use as the user's permissions boundary."""

    policy = forms.CharField(label="Permissions boundary", max_length=2048)

    def clean_policy(self):
        arn = self.cleaned_data["policy"].strip()
        if not ARN_RE.fullmatch(arn):
            raise forms.ValidationError("Choose a managed policy.")
        return arn


class RemovePermissionForm(forms.Form):
    """What to remove from the user: a managed policy (ARN), inline policy, group, or the boundary."""

    kind = forms.ChoiceField(choices=REMOVE_KINDS)
    target = forms.CharField(required=False, max_length=2048)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data["kind"] != "boundary" and not data.get("target"):
            raise forms.ValidationError("Nothing to remove was named.")
        return data


class TagForm(forms.Form):
    """One row of the tag editor."""

    key = forms.CharField(label="Key", required=False, max_length=TAG_KEY_MAX, strip=False)
    value = forms.CharField(label="Value", required=False, max_length=TAG_VALUE_MAX, strip=False)

    def clean_key(self):
        key = self.cleaned_data["key"]
        if key and not TAG_KEY_RE.fullmatch(key):
            raise forms.ValidationError(
                "Tag keys can contain only letters, digits, spaces and _ . : / = + - @."
            )
        if key.lower().startswith("aws:"):
            raise forms.ValidationError(
                "Tag keys cannot start with aws: — the prefix is reserved for AWS use."
            )
        return key

    def clean_value(self):
        value = self.cleaned_data["value"]
        if not TAG_VALUE_RE.fullmatch(value):
            raise forms.ValidationError(
                "Tag values can contain only letters, digits, spaces and _ . : / = + - @."
            )
        return value

    def clean(self):
        data = super().clean()
        if not data.get("key") and data.get("value") and "key" not in self.errors:
            self.add_error("key", "Enter a key for this value.")
        return data

    @property
    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not data.get("key") and not data.get("value")


class BaseTagFormSet(forms.BaseFormSet):
    """The editor's rows: keys are case-insensitive on users, so `Team` and `team` are one key."""

    def clean(self):
        # Every row is checked, even when others have errors, so that all mistakes show at once.
        seen: set[str] = set()
        for form in self.forms:
            key = getattr(form, "cleaned_data", {}).get("key", "")
            if not key:
                continue
            if key.lower() in seen:
                form.add_error("key", "This key is already used on this user; tag keys on users ignore case.")
            seen.add(key.lower())
        if len(seen) > TAGS_PER_USER:
            raise forms.ValidationError(f"A user can have at most {TAGS_PER_USER} tags.")

    def tags(self) -> list[dict]:
        """The non-blank rows as IAM tags, in the editor's order."""
        return [
            {"Key": form.cleaned_data["key"], "Value": form.cleaned_data["value"]}
            for form in self.forms
            if not form.is_blank
        ]


TagFormSet = formset_factory(
    TagForm, formset=BaseTagFormSet, extra=0, max_num=TAGS_PER_USER + 10, absolute_max=TAGS_PER_USER + 10
)


# Backend errors -> the field they concern. ValidationError names the member ('newUserName',
# 'tags.3.member.key'); other codes are known per operation.
_MEMBER_RE = re.compile(r"Value (?:null )?at '([\w.]+)'")


def field_for_error(error, fields: dict[str, str], default: str | None = None) -> str | None:
    """The form field an IAMError concerns: `fields` maps request members (lower camel case, as
    ValidationError names them, or error codes) to field names; `default` otherwise."""
    if error.code in fields:
        return fields[error.code]
    match = _MEMBER_RE.search(error.message)
    if match and match.group(1) in fields:
        return fields[match.group(1)]
    if "value for path is invalid" in error.message and "path" in fields:
        return fields["path"]
    return default


def tag_row_for_error(error) -> tuple[int, str] | None:
    """(row index, "key"|"value") for a ValidationError on `tags.N.member.key|value`, else None."""
    match = re.search(r"'tags\.(\d+)\.member\.(key|value)'", error.message)
    if match is None:
        return None
    return int(match.group(1)) - 1, match.group(2)
