"""Forms of IAM-user sign-in and of the change-password pages (sign-in step and self-service)."""

from django import forms

# AWS's sign-in page answers every failure (unknown user, wrong password, wrong code, a lock) alike.
SIGN_IN_FAILED = "Your authentication information is incorrect. Please try again."
MISMATCH = "The new passwords do not match."


class IAMSignInForm(forms.Form):
    """Account ID or alias, IAM user name, password. Lengths are generous caps, not rules: a wrong value
    must get the generic answer, not a hint."""

    account = forms.CharField(max_length=64, label="Account ID (12 digits) or account alias")
    username = forms.CharField(max_length=64, label="IAM user name")
    password = forms.CharField(max_length=128, strip=False, label="Password")


class MFACodeForm(forms.Form):
    """The 6-digit code of the user's authenticator app."""

    code = forms.RegexField(regex=r"^\d{6}$", label="MFA code", max_length=6, strip=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["code"].error_messages["invalid"] = "Enter the 6-digit code from your authenticator app."


class ChangePasswordForm(forms.Form):
    """Current password, new password twice. The policy itself is checked by ChangePassword."""

    old_password = forms.CharField(max_length=128, strip=False, label="Current password")
    new_password = forms.CharField(max_length=128, strip=False, label="New password")
    confirm_password = forms.CharField(max_length=128, strip=False, label="Confirm new password")

    def clean(self):
        data = super().clean()
        if data.get("new_password") and data.get("confirm_password") != data["new_password"]:
            self.add_error("confirm_password", MISMATCH)
        return data
