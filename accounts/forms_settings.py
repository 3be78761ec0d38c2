"""Forms of the Account settings page: the password policy, the account alias, server certificates.

They check what a person can get wrong on the page (a choice, a number within AWS's range, a required
field, the shape of a PEM block) so that the confirmation step never offers a policy IAM would refuse;
the backend still decides, and its IAMError goes on the field it concerns (`add_backend_error`).
Ranges and defaults are AWS's (reference/aws-iam-facts.md §3).
"""

import re

from django import forms

from .ops_signin_protection import RANGES as PROTECTION_RANGES

# UpdateAccountPasswordPolicy's ranges [BC] and the console's starting values when "Custom" is chosen.
MIN_LENGTH_RANGE = (6, 128)
MAX_AGE_RANGE = (1, 1095)
REUSE_RANGE = (1, 24)
CONSOLE_MIN_LENGTH = 8  # the IAM default policy's minimum (the API's own default, 6, is below it)
CONSOLE_MAX_AGE = 90
CONSOLE_REUSE = 5
SYMBOLS_TEXT = "! @ # $ % ^ & * ( ) _ + - = [ ] { } | '"

IAM_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)
IAM_PATH = re.compile(r"/|/[\x21-\x7e]*/")  # pathType, with AWS's own sentence below
PATH_MESSAGE = (
    "The path must begin and end with / and contain only printable ASCII characters, without spaces."
)
ALIAS = re.compile(r"[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]")
ALIAS_RULES = (
    "3 to 63 characters: lowercase letters, digits and hyphens. It must start and end with a letter or "
    "digit and cannot contain two hyphens in a row."
)

# "Value at 'minimumPasswordLength' failed to satisfy constraint: ..." (several are joined by "; ").
_MEMBER_RE = re.compile(r"Value (?:null )?at '([\w.]+)'")


def add_backend_error(form: forms.Form, error, fields: dict[str, str]) -> None:
    """Put an IAMError on the fields it concerns.

    `fields` maps request members in lower camel case (as ValidationError names them) or error codes
    to form fields. A ValidationError listing several members puts each sentence on its own field;
    whatever names no known field becomes a form error.
    """
    if error.code in fields:
        form.add_error(fields[error.code], error.message)
        return
    if error.code == "ValidationError":
        head, _, rest = error.message.partition(": ")
        sentences = rest.split("; ") if head.endswith("detected") else [error.message]
        for sentence in sentences:
            match = _MEMBER_RE.search(sentence)
            field = fields.get(match.group(1)) if match else None
            if field is None and "value for path is invalid" in sentence:
                field = fields.get("path")
            form.add_error(field, sentence if field else error.message)
            if field is None:
                return
        return
    form.add_error(None, error.message)


# -- password policy ------------------------------------------------------------------------------

POLICY_FIELDS = {
    "minimumPasswordLength": "minimum_password_length",
    "maxPasswordAge": "max_password_age",
    "passwordReusePrevention": "password_reuse_prevention",
}


def _number(bounds: tuple[int, int], what: str) -> forms.IntegerField:
    """A whole number within AWS's range, with the range in every error."""
    message = f"{what} must be a whole number from {bounds[0]} to {bounds[1]}."
    return forms.IntegerField(
        required=False,
        min_value=bounds[0],
        max_value=bounds[1],
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


# The policy's numbers and the checkbox that switches each on (None: always on for a custom policy).
NUMBERS = (
    ("minimum_password_length", None),
    ("max_password_age", "expire_passwords"),
    ("password_reuse_prevention", "prevent_reuse"),
)


class PasswordPolicyForm(forms.Form):
    """ "Edit password policy": IAM default, or a custom policy with every UpdateAccountPasswordPolicy
    parameter. Expiry and reuse prevention are switched on by a checkbox, then take a number."""

    policy_type = forms.ChoiceField(
        choices=[("default", "IAM default"), ("custom", "Custom")], widget=forms.RadioSelect
    )
    minimum_password_length = _number(MIN_LENGTH_RANGE, "Password minimum length")
    require_uppercase_characters = forms.BooleanField(required=False)
    require_lowercase_characters = forms.BooleanField(required=False)
    require_numbers = forms.BooleanField(required=False)
    require_symbols = forms.BooleanField(required=False)
    expire_passwords = forms.BooleanField(required=False)
    max_password_age = _number(MAX_AGE_RANGE, "Password expiration")
    hard_expiry = forms.BooleanField(required=False)
    allow_users_to_change_password = forms.BooleanField(required=False)
    prevent_reuse = forms.BooleanField(required=False)
    password_reuse_prevention = _number(REUSE_RANGE, "Remembered passwords")

    @staticmethod
    def initial_for(policy: dict | None) -> dict:
        """The form's starting values: the custom policy (GetAccountPasswordPolicy), or the console's."""
        if policy is None:
            return {
                "policy_type": "default",
                "minimum_password_length": CONSOLE_MIN_LENGTH,
                "max_password_age": CONSOLE_MAX_AGE,
                "password_reuse_prevention": CONSOLE_REUSE,
            }
        return {
            "policy_type": "custom",
            "minimum_password_length": policy["MinimumPasswordLength"],
            "require_uppercase_characters": policy["RequireUppercaseCharacters"],
            "require_lowercase_characters": policy["RequireLowercaseCharacters"],
            "require_numbers": policy["RequireNumbers"],
            "require_symbols": policy["RequireSymbols"],
            "expire_passwords": bool(policy.get("MaxPasswordAge")),
            "max_password_age": policy.get("MaxPasswordAge") or CONSOLE_MAX_AGE,
            "hard_expiry": bool(policy.get("HardExpiry")),
            "allow_users_to_change_password": policy["AllowUsersToChangePassword"],
            "prevent_reuse": bool(policy.get("PasswordReusePrevention")),
            "password_reuse_prevention": policy.get("PasswordReusePrevention") or CONSOLE_REUSE,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.ignored = set()
        if self.is_bound:
            custom = self.data.get("policy_type") == "custom"
            for name, switch in NUMBERS:
                if not custom or (switch and not self.data.get(switch)):
                    # A number that does not count (IAM default chosen, or its switch off) is ignored,
                    # so a leftover out-of-range value cannot block the save.
                    self.fields[name] = forms.CharField(required=False)
                    self.ignored.add(name)

    def clean(self):
        data = super().clean()
        for name in self.ignored:
            data[name] = None
        if data.get("policy_type") != "custom":
            return data
        messages = {
            "minimum_password_length": f"Enter a length from {MIN_LENGTH_RANGE[0]} to {MIN_LENGTH_RANGE[1]}.",
            "max_password_age": f"Enter a number of days from {MAX_AGE_RANGE[0]} to {MAX_AGE_RANGE[1]}.",
            "password_reuse_prevention": (
                f"Enter a number of passwords from {REUSE_RANGE[0]} to {REUSE_RANGE[1]}."
            ),
        }
        for name, message in messages.items():
            if name not in self.ignored and data.get(name) is None and name not in self.errors:
                self.add_error(name, message)
        return data

    @property
    def custom(self) -> bool:
        return self.cleaned_data.get("policy_type") == "custom"

    def parameters(self) -> dict:
        """UpdateAccountPasswordPolicy's members for the custom policy; the omitted ones take AWS's
        defaults (no expiry, no reuse check, no hard expiry)."""
        data = self.cleaned_data
        params = {
            "MinimumPasswordLength": data["minimum_password_length"],
            "RequireSymbols": data["require_symbols"],
            "RequireNumbers": data["require_numbers"],
            "RequireUppercaseCharacters": data["require_uppercase_characters"],
            "RequireLowercaseCharacters": data["require_lowercase_characters"],
            "AllowUsersToChangePassword": data["allow_users_to_change_password"],
        }
        if data["expire_passwords"]:
            params["MaxPasswordAge"] = data["max_password_age"]
        if data["password_reuse_prevention"] and data["prevent_reuse"]:
            params["PasswordReusePrevention"] = data["password_reuse_prevention"]
        if data["hard_expiry"]:
            params["HardExpiry"] = True
        return params

    def rules(self) -> list[str]:
        """The custom policy in the console's words, for the confirmation step."""
        data = self.cleaned_data
        rules = [f"Minimum password length is {data['minimum_password_length']} characters"]
        if data["require_uppercase_characters"]:
            rules.append("Require at least one uppercase letter from the Latin alphabet (A-Z)")
        if data["require_lowercase_characters"]:
            rules.append("Require at least one lowercase letter from the Latin alphabet (a-z)")
        if data["require_numbers"]:
            rules.append("Require at least one number")
        if data["require_symbols"]:
            rules.append(f"Require at least one non-alphanumeric character ({SYMBOLS_TEXT})")
        if data["expire_passwords"]:
            rules.append(f"Password expires in {data['max_password_age']} day(s)")
        else:
            rules.append("Never expire password")
        if data["hard_expiry"]:
            rules.append("Password expiration requires administrator reset")
        if data["prevent_reuse"]:
            rules.append(f"Remember last {data['password_reuse_prevention']} password(s) and prevent reuse")
        if data["allow_users_to_change_password"]:
            rules.append("Allow users to change their own password")
        return rules


# -- account alias --------------------------------------------------------------------------------


class AccountAliasForm(forms.Form):
    """ "Create" / "Edit" account alias (CreateAccountAlias replaces the current one)."""

    alias = forms.CharField(max_length=63, help_text=ALIAS_RULES)

    def clean_alias(self):
        alias = self.cleaned_data["alias"]
        if not ALIAS.fullmatch(alias):
            raise forms.ValidationError(f"The alias must be {ALIAS_RULES[0].lower()}{ALIAS_RULES[1:]}")
        return alias


ALIAS_FIELDS = {"accountAlias": "alias", "EntityAlreadyExists": "alias"}


# -- server certificates --------------------------------------------------------------------------

NAME_RULES = "Up to 128 characters; letters, digits and + = , . @ _ -"
PATH_RULES = "Begins and ends with /; for example /cloudfront/. Up to 512 characters."


def _name(value: str) -> str:
    if not IAM_NAME.fullmatch(value):
        raise forms.ValidationError(f"Use only letters, digits and + = , . @ _ - ({NAME_RULES}).")
    return value


def _path(value: str) -> str:
    if not IAM_PATH.fullmatch(value):
        raise forms.ValidationError(PATH_MESSAGE)
    return value


def _pem(value: str, marker: str, what: str) -> str:
    if marker not in value:
        raise forms.ValidationError(f"Paste the {what} in PEM format (it contains “{marker}”).")
    return value


class ServerCertificateUploadForm(forms.Form):
    """UploadServerCertificate: name, path, the PEM certificate body, optional chain, the private key.

    The private key is never rendered back into the page (`render_value` is off on re-display)."""

    name = forms.CharField(max_length=128, help_text=NAME_RULES)
    path = forms.CharField(max_length=512, initial="/", help_text=PATH_RULES)
    certificate_body = forms.CharField(max_length=16384, strip=False, widget=forms.Textarea)
    certificate_chain = forms.CharField(
        required=False, max_length=2097152, strip=False, widget=forms.Textarea
    )
    private_key = forms.CharField(max_length=16384, strip=False, widget=forms.Textarea)

    def clean_name(self):
        return _name(self.cleaned_data["name"])

    def clean_path(self):
        return _path(self.cleaned_data["path"])

    def clean_certificate_body(self):
        return _pem(self.cleaned_data["certificate_body"], "-----BEGIN CERTIFICATE-----", "certificate body")

    def clean_certificate_chain(self):
        chain = self.cleaned_data["certificate_chain"]
        if not chain.strip():
            return None
        return _pem(chain, "-----BEGIN CERTIFICATE-----", "certificate chain")

    def clean_private_key(self):
        return _pem(self.cleaned_data["private_key"], "PRIVATE KEY-----", "private key")


UPLOAD_FIELDS = {
    "serverCertificateName": "name",
    "path": "path",
    "certificateBody": "certificate_body",
    "certificateChain": "certificate_chain",
    "privateKey": "private_key",
    "EntityAlreadyExists": "name",
    "KeyPairMismatch": "private_key",
    "InvalidCertificate": "certificate_body",
    "DuplicateCertificate": "certificate_body",
}


def upload_error_field(error) -> str | None:
    """MalformedCertificate is one sentence for the body, the key and the chain: only a message that
    names the chain can be placed; the rest goes on the body, the first thing to check."""
    if error.code == "MalformedCertificate":
        return "certificate_chain" if "chain" in error.message else "certificate_body"
    return None


class ServerCertificateEditForm(forms.Form):
    """UpdateServerCertificate: a new name and/or path."""

    name = forms.CharField(max_length=128, help_text=NAME_RULES)
    path = forms.CharField(max_length=512, help_text=PATH_RULES)

    def clean_name(self):
        return _name(self.cleaned_data["name"])

    def clean_path(self):
        return _path(self.cleaned_data["path"])


EDIT_FIELDS = {
    "newServerCertificateName": "name",
    "newPath": "path",
    "path": "path",
    "EntityAlreadyExists": "name",
}


# -- sign-in protection ---------------------------------------------------------------------------

# This console's lockout, not an AWS setting: the ranges its console extension enforces.
FAILURES_RANGE = PROTECTION_RANGES["FailuresBeforeLock"][:2]
GROWTH_RANGE = PROTECTION_RANGES["WaitGrowth"][:2]
MAX_WAIT_RANGE = PROTECTION_RANGES["MaximumWaitMinutes"][:2]


def _required_number(bounds: tuple[int, int], what: str) -> forms.IntegerField:
    """A required whole number within `bounds`, with the range in every error."""
    field = _number(bounds, what)
    field.required = True
    field.error_messages["required"] = field.error_messages["invalid"]
    return field


class SignInProtectionForm(forms.Form):
    """ "Edit sign-in protection": failures before a temporary lock, wait growth, maximum wait."""

    failures_before_lock = _required_number(FAILURES_RANGE, "Failures before a temporary lock")
    wait_growth = _required_number(GROWTH_RANGE, "Wait growth")
    max_wait_minutes = _required_number(MAX_WAIT_RANGE, "Maximum wait")

    @staticmethod
    def initial_for(current: dict) -> dict:
        """The form's starting values from GetSignInProtection's output."""
        return {
            "failures_before_lock": current["FailuresBeforeLock"],
            "wait_growth": current["WaitGrowth"],
            "max_wait_minutes": current["MaximumWaitMinutes"],
        }

    def parameters(self) -> dict:
        data = self.cleaned_data
        return {
            "FailuresBeforeLock": data["failures_before_lock"],
            "WaitGrowth": data["wait_growth"],
            "MaximumWaitMinutes": data["max_wait_minutes"],
        }


SIGNIN_PROTECTION_FIELDS = {
    "failuresBeforeLock": "failures_before_lock",
    "waitGrowth": "wait_growth",
    "maximumWaitMinutes": "max_wait_minutes",
}
