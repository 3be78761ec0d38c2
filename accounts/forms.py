"""Forms of the accounts app."""

from django import forms
from django.contrib.auth import authenticate

# AWS's sign-in page answers every failure with the same sentence.
SIGN_IN_FAILED = "Your authentication information is incorrect. Please try again."


class LoginForm(forms.Form):
    """Root sign-in: the operator's email and password; one generic error for every failure."""

    email = forms.EmailField(max_length=254)
    password = forms.CharField(max_length=4096, strip=False)

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user = None
        super().__init__(*args, **kwargs)

    def clean(self):
        email, password = self.cleaned_data.get("email"), self.cleaned_data.get("password")
        if email and password:
            self.user = authenticate(self.request, username=email.lower(), password=password)
        if self.user is None:
            raise forms.ValidationError(SIGN_IN_FAILED, code="invalid_login")
        return self.cleaned_data
