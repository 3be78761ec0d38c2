"""Forms of the users pages."""

from django import forms

MAX_DELETE = 100


class DeleteUsersForm(forms.Form):
    """The typed confirmation of a delete: the user name for one user, "N users" for several."""

    confirmation = forms.CharField(max_length=128, required=False, strip=True)

    def __init__(self, user_names: list[str], *args, **kwargs):
        self.user_names = user_names
        super().__init__(*args, **kwargs)

    @property
    def expected(self) -> str:
        return self.user_names[0] if len(self.user_names) == 1 else f"{len(self.user_names)} users"

    def clean(self):
        if not self.user_names:
            raise forms.ValidationError("Select at least one user to delete.")
        if len(self.user_names) > MAX_DELETE:
            raise forms.ValidationError(f"Delete at most {MAX_DELETE} users at a time.")
        if self.cleaned_data.get("confirmation") != self.expected:
            self.add_error("confirmation", f"Enter “{self.expected}” to confirm the deletion.")
        return self.cleaned_data


def selected_user_names(data) -> list[str]:
    """The distinct user names selected on the list (`user` repeated), in their order."""
    seen, names = set(), []
    for name in data.getlist("user"):
        name = name.strip()[:128]
        if name and name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    return names
