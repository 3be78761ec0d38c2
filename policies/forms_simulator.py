"""The Policy simulator's form: whose policies (a user, a group, or pasted policies), which actions,
on which resources, with which context keys; `cleaned_data` then holds the simulator's inputs
(`action_names`, `resource_arns`, `context_entries`, `policy_texts`, `boundary`)."""

import re

from django import forms

from .effective import picker_choices, service_actions, service_prefixes

MODES = [("user", "User"), ("group", "User group"), ("custom", "Custom policies")]
CONTEXT_TYPES = [
    (name, name)
    for name in (
        "string",
        "stringList",
        "numeric",
        "numericList",
        "boolean",
        "booleanList",
        "ip",
        "ipList",
        "binary",
        "binaryList",
        "date",
        "dateList",
    )
]
CONTEXT_ROWS = 3
MAX_ACTIONS = 1000
MAX_RESOURCES = 100
MAX_POLICY_CHARS = 131072
# A line holding only "---" separates pasted policies.
_SEPARATOR = re.compile(r"^\s*---\s*$", re.MULTILINE)


def _lines(text: str) -> list[str]:
    """The distinct non-empty lines of `text`, stripped, in order."""
    return list(dict.fromkeys(line.strip() for line in text.splitlines() if line.strip()))


class SimulatorForm(forms.Form):
    mode = forms.ChoiceField(choices=MODES, initial="user", widget=forms.RadioSelect, label="Simulate")
    user = forms.ChoiceField(required=False, label="User")
    group = forms.ChoiceField(required=False, label="User group")
    policies = forms.CharField(
        required=False,
        max_length=MAX_POLICY_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        label="Policy documents",
    )
    boundary = forms.CharField(
        required=False,
        max_length=MAX_POLICY_CHARS,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6, "spellcheck": "false"}),
        label="Permissions boundary - optional",
    )
    actions = forms.CharField(
        required=False,
        max_length=65536,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        label="Actions",
    )
    common_actions = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, label="Common actions"
    )
    service = forms.ChoiceField(required=False, label="Add every action of a service")
    resources = forms.CharField(
        required=False,
        initial="*",
        max_length=65536,
        widget=forms.Textarea(attrs={"rows": 2, "spellcheck": "false"}),
        label="Resources",
    )

    def __init__(self, *args, users=(), groups=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = [("", "Choose a user")] + [(name, name) for name in users]
        self.fields["group"].choices = [("", "Choose a user group")] + [(name, name) for name in groups]
        self.fields["common_actions"].choices = picker_choices()
        self.fields["service"].choices = [("", "None")] + [(prefix, prefix) for prefix in service_prefixes()]
        for row in range(CONTEXT_ROWS):
            self.fields[f"context_name_{row}"] = forms.CharField(
                required=False, max_length=256, label=f"Context key {row + 1}"
            )
            self.fields[f"context_type_{row}"] = forms.ChoiceField(
                choices=CONTEXT_TYPES, required=False, initial="string", label=f"Type {row + 1}"
            )
            self.fields[f"context_values_{row}"] = forms.CharField(
                required=False, max_length=4096, label=f"Values {row + 1}"
            )

    def context_rows(self):
        """(name, type, values) bound fields per context row, for the template."""
        return [
            (self[f"context_name_{row}"], self[f"context_type_{row}"], self[f"context_values_{row}"])
            for row in range(CONTEXT_ROWS)
        ]

    def picker_groups(self):
        """(service name, its checkbox subwidgets) for the common-actions picker."""
        boxes = iter(self["common_actions"].subwidgets)
        return [
            (name, [next(boxes) for _ in options]) for name, options in self.fields["common_actions"].choices
        ]

    def clean_resources(self) -> list[str]:
        arns = _lines(self.cleaned_data["resources"]) or ["*"]
        if len(arns) > MAX_RESOURCES:
            raise forms.ValidationError(f"Enter at most {MAX_RESOURCES} resources.")
        return arns

    def clean_policies(self) -> list[str]:
        return [text.strip() for text in _SEPARATOR.split(self.cleaned_data["policies"]) if text.strip()]

    def clean(self):
        data = super().clean()
        mode = data.get("mode")
        if mode in ("user", "group") and not data.get(mode):
            self.add_error(mode, f"Choose a {'user' if mode == 'user' else 'user group'} to simulate.")
        if mode == "custom" and not data.get("policies") and "policies" not in self.errors:
            self.add_error("policies", "Paste at least one policy document.")
        data["policy_texts"] = data.get("policies") or []
        data["boundary"] = (data.get("boundary") or "").strip()
        self._clean_actions(data)
        data["resource_arns"] = data.get("resources") or ["*"]
        data["context_entries"] = self._context_entries(data)
        return data

    def _clean_actions(self, data):
        names = _lines(data.get("actions") or "") + list(data.get("common_actions") or [])
        if data.get("service"):
            names += list(service_actions(data["service"]))
        names = list(dict.fromkeys(names))
        if not names:
            self.add_error("actions", "Choose at least one action.")
        elif len(names) > MAX_ACTIONS:
            self.add_error("actions", f"Simulate at most {MAX_ACTIONS} actions at a time.")
        for name in names:
            if ":" not in name or " " in name:
                self.add_error("actions", f"{name} is not an action name like iam:GetUser.")
                break
        data["action_names"] = names

    def _context_entries(self, data) -> list[dict]:
        entries = []
        for row in range(CONTEXT_ROWS):
            name = (data.get(f"context_name_{row}") or "").strip()
            raw = data.get(f"context_values_{row}") or ""
            values = [value.strip() for value in raw.split(",") if value.strip()]
            if not name and not values:
                continue
            if not name:
                self.add_error(f"context_name_{row}", "Enter the context key's name.")
                continue
            if not values:
                self.add_error(f"context_values_{row}", f"Enter a value for {name}.")
                continue
            kind = data.get(f"context_type_{row}") or "string"
            entries.append({"ContextKeyName": name, "ContextKeyValues": values, "ContextKeyType": kind})
        return entries
