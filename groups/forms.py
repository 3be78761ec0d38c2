"""Forms of the user groups pages: create, delete confirmation, members, policies.

They check what a person can fix before IAM is called (name and path formats, a choice made); the
backend stays the authority (quotas, existence, policy grammar) and its errors go on the field they
concern (STYLE.md 3).
"""

from django import forms

from users.forms_detail import PATH_HELP, PATH_MAX, PATH_RE, check_name

MAX_DELETE = 100
GROUP_NAME_MAX = 128  # groupNameType (facts §5)
GROUP_NAME_HELP = "Up to 128 characters; letters, digits and + = , . @ _ -"
MAX_SELECTED = 100  # users or policies chosen at once; IAM's quotas refuse far fewer policies


def selected_names(data, key: str = "group") -> list[str]:
    """The distinct names selected on a page (`key` repeated), in their order, case-insensitively."""
    seen, names = set(), []
    for name in data.getlist(key):
        name = name.strip()[:128]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names


class DeleteGroupsForm(forms.Form):
    """The typed confirmation of a delete: the group name for one group, "N user groups" for several
    (facts §1.4)."""

    confirmation = forms.CharField(max_length=128, required=False, strip=True)

    def __init__(self, group_names: list[str], *args, **kwargs):
        self.group_names = group_names
        super().__init__(*args, **kwargs)

    @property
    def expected(self) -> str:
        return self.group_names[0] if len(self.group_names) == 1 else f"{len(self.group_names)} user groups"

    def clean(self):
        if not self.group_names:
            raise forms.ValidationError("Select at least one user group to delete.")
        if len(self.group_names) > MAX_DELETE:
            raise forms.ValidationError(f"Delete at most {MAX_DELETE} user groups at a time.")
        if self.cleaned_data.get("confirmation") != self.expected:
            self.add_error("confirmation", f"Enter “{self.expected}” to confirm the deletion.")
        return self.cleaned_data


class GroupForm(forms.Form):
    """A group's name and path (CreateGroup, UpdateGroup); an empty path is the root path, /."""

    group_name = forms.CharField(
        label="User group name", max_length=GROUP_NAME_MAX, help_text=GROUP_NAME_HELP
    )
    path = forms.CharField(label="Path", max_length=PATH_MAX, required=False, help_text=PATH_HELP)

    def clean_group_name(self):
        return check_name(self.cleaned_data["group_name"], what="user group name", limit=GROUP_NAME_MAX)

    def clean_path(self):
        path = self.cleaned_data["path"].strip() or "/"
        if not PATH_RE.fullmatch(path):
            raise forms.ValidationError("The path must begin and end with / and contain no spaces.")
        return path


class CreateGroupForm(GroupForm):
    """Create user group: a name, a path, and the users and managed policies to add at once.

    The users and policies are what the page offered or kept selected; IAM checks they exist."""

    user = forms.MultipleChoiceField(required=False)
    policy = forms.MultipleChoiceField(required=False)

    def __init__(self, *args, users=(), policies=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [(name, name) for name in users]
        self.fields["policy"].choices = [(arn, arn) for arn in policies]

    def clean_user(self):
        users = self.cleaned_data["user"]
        if len(users) > MAX_SELECTED:
            raise forms.ValidationError(f"Add at most {MAX_SELECTED} users at a time.")
        return users


class ChooseForm(forms.Form):
    """A selection from a chooser page (users to add, policies to attach): at least one, of the choices
    the page offered."""

    choice = forms.MultipleChoiceField()

    def __init__(self, *args, choices=(), what: str = "item", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = [(value, value) for value in choices]
        self.fields["choice"].error_messages["required"] = f"Select at least one {what}."

    def clean_choice(self):
        chosen = self.cleaned_data["choice"]
        if len(chosen) > MAX_SELECTED:
            raise forms.ValidationError(f"Select at most {MAX_SELECTED} at a time.")
        return chosen


REMOVE_KINDS = [
    ("user", "Remove a user from the group"),
    ("managed", "Detach a managed policy"),
    ("inline", "Delete an inline policy"),
]


class RemoveForm(forms.Form):
    """What to remove from the group: a member (user name), a managed policy (ARN), an inline policy."""

    kind = forms.ChoiceField(choices=REMOVE_KINDS)
    target = forms.CharField(max_length=2048)
