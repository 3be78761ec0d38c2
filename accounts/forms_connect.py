"""The "Connect AWS account" form: `manage.py account connect`'s options for the signed-in root operator.

It checks the shape of what a person can get wrong (a 12-digit ID, a region name, an http(s) URL, a role
ARN, a profile or a role but not both); accounts/connect.py decides the rest (an ID or alias already
known) and its ConnectError goes on the field it names.
"""

import re

from django import forms

REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-\d")
ROLE_ARN = re.compile(r"arn:aws[\w-]*:iam::\d{12}:role/[\w+=,.@/-]+")
PROFILE = re.compile(r"[\w.@+-]+")


class ConnectForm(forms.Form):
    account_id = forms.RegexField(
        regex=r"^\d{12}$",
        label="Account ID",
        error_messages={"invalid": "The account ID must be 12 digits."},
        help_text="The 12-digit ID of the AWS account.",
    )
    alias = forms.RegexField(
        regex=r"^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$",
        required=False,
        label="Alias",
        error_messages={"invalid": "3 to 63 characters: lowercase letters, digits and hyphens."},
        help_text="Optional. How the account switcher names it.",
    )
    region = forms.CharField(
        required=False,
        max_length=32,
        label="Region",
        help_text="Where STS is called. IAM is global. Default: us-east-1.",
    )
    endpoint_url = forms.URLField(
        required=False,
        max_length=200,
        assume_scheme="https",
        label="Endpoint URL",
        help_text="Optional. Another IAM and STS endpoint (a proxy, LocalStack, moto).",
    )
    profile = forms.CharField(
        required=False,
        max_length=64,
        label="Profile",
        help_text="A named profile of the server's AWS config files. Empty: boto3's default credential chain.",
    )
    role_arn = forms.CharField(
        required=False,
        max_length=2048,
        label="Role ARN",
        help_text="Optional. A role the console assumes with STS (with the profile's or the default credentials).",
    )

    def clean_region(self):
        region = self.cleaned_data["region"].strip()
        if region and not REGION.fullmatch(region):
            raise forms.ValidationError("Enter a region name such as us-east-1.")
        return region

    def clean_profile(self):
        profile = self.cleaned_data["profile"].strip()
        if profile and not PROFILE.fullmatch(profile):
            raise forms.ValidationError("A profile name has letters, digits and . _ - + @ only.")
        return profile

    def clean_role_arn(self):
        arn = self.cleaned_data["role_arn"].strip()
        if arn and not ROLE_ARN.fullmatch(arn):
            raise forms.ValidationError("Enter a role ARN such as arn:aws:iam::111122223333:role/console.")
        return arn

    def clean(self):
        data = super().clean()
        if data.get("profile") and data.get("role_arn"):
            self.add_error("role_arn", "Choose a profile or a role ARN, not both.")
        return data
