"""Forms of the policies pages. They check the shape of what was posted; IAM checks the rest (names
already taken, the policy grammar, quotas) and its message lands on the field concerned."""

import re

from django import forms

from iamconsole.backends.errors import (
    EntityAlreadyExists,
    IAMError,
    LimitExceeded,
    MalformedPolicyDocument,
    ValidationError,
)

NAME_RE = re.compile(r"[\w+=,.@-]+")
VERSION_RE = re.compile(r"v[1-9][0-9]*(\.[A-Za-z0-9-]*)?")
NEW_POLICY_DOCUMENT = (
    '{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Sid": "Statement1",\n'
    '      "Effect": "Allow",\n      "Action": [],\n      "Resource": []\n    }\n  ]\n}'
)
MAX_ATTACH = 100  # users and groups attached in one go


class PolicyDocumentForm(forms.Form):
    """The JSON policy editor. Its length (131,072 characters at most) and grammar are IAM's to judge,
    so that the operator reads IAM's own message."""

    document = forms.CharField(label="Policy editor", strip=False, widget=forms.Textarea(attrs={"rows": 20}))

    def add_iam_error(self, error: IAMError) -> None:
        """Put IAM's answer on the field it concerns: the name for a duplicate, else the document."""
        field = "name" if isinstance(error, EntityAlreadyExists) and "name" in self.fields else "document"
        if not isinstance(
            error, MalformedPolicyDocument | LimitExceeded | EntityAlreadyExists | ValidationError
        ):
            field = None
        self.add_error(field, error.message)


class PolicyCreateForm(PolicyDocumentForm):
    """Create policy: name, optional description (immutable afterwards), document."""

    name = forms.CharField(
        label="Policy name",
        max_length=128,
        help_text="Maximum 128 characters. Use alphanumeric and '+=,.@-_' characters.",
    )
    description = forms.CharField(
        label="Description",
        max_length=1000,
        required=False,
        help_text="Maximum 1,000 characters. It cannot be changed after the policy is created.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not NAME_RE.fullmatch(name):
            raise forms.ValidationError("Use only letters, digits and + = , . @ _ - characters.")
        return name


class PolicyEditForm(PolicyDocumentForm):
    """Edit policy = a new version (CreatePolicyVersion). At the five-version quota the operator may
    let the oldest non-default version go to make room."""

    set_default = forms.BooleanField(
        label="Set this new version as the default", required=False, initial=True
    )
    delete_oldest = forms.BooleanField(required=False)


class VersionForm(forms.Form):
    version_id = forms.CharField(max_length=128)

    def clean_version_id(self):
        version_id = self.cleaned_data["version_id"]
        if not VERSION_RE.fullmatch(version_id):
            raise forms.ValidationError("Choose a policy version.")
        return version_id


class DetachForm(forms.Form):
    """Detach the policy from one user or group."""

    kind = forms.ChoiceField(choices=[("user", "User"), ("group", "User group")])
    name = forms.CharField(max_length=128)


class AttachForm(forms.Form):
    """The users and groups chosen on the Attach page (names are IAM's to check)."""

    def __init__(self, data=None, **kwargs):
        super().__init__(data, **kwargs)
        self.users = _names(data, "user") if data is not None else []
        self.groups = _names(data, "group") if data is not None else []

    def clean(self):
        if not self.users and not self.groups:
            raise forms.ValidationError("Select at least one user or user group.")
        if len(self.users) + len(self.groups) > MAX_ATTACH:
            raise forms.ValidationError(f"Attach to at most {MAX_ATTACH} entities at a time.")
        return self.cleaned_data


class DeletePolicyForm(forms.Form):
    """The typed confirmation of a policy delete: the policy's name."""

    confirmation = forms.CharField(max_length=128, required=False, strip=True)

    def __init__(self, policy_name: str, *args, **kwargs):
        self.policy_name = policy_name
        super().__init__(*args, **kwargs)

    def clean_confirmation(self):
        if self.cleaned_data["confirmation"] != self.policy_name:
            raise forms.ValidationError(f"Enter “{self.policy_name}” to confirm the deletion.")
        return self.cleaned_data["confirmation"]


def _names(data, key: str) -> list[str]:
    """The distinct names posted under `key`, in their order."""
    seen, names = set(), []
    for name in data.getlist(key) if hasattr(data, "getlist") else []:
        name = name.strip()[:128]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names
