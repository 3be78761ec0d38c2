"""Errors the Query API itself answers, before or around the backend: authentication (SigV4) and the
wire (Action, Version, the form). Each is an `IAMError`, so it is serialised like the backend's.

Wording is AWS's where it was found in real answers (reference: aws-iam-facts.md §8 and the report of
the api/ issue); what could not be pinned down is marked UNVERIFIED at the raise site.
"""

from iamconsole.backends.errors import IAMError


class _Sender(IAMError):
    """A client fault: `<Type>Sender</Type>`, 400 unless the subclass says otherwise."""

    type = "Sender"
    http_status = 400


class MissingAuthenticationToken(_Sender):
    code = "MissingAuthenticationToken"
    http_status = 403


class InvalidClientTokenId(_Sender):
    code = "InvalidClientTokenId"
    http_status = 403


class SignatureDoesNotMatch(_Sender):
    code = "SignatureDoesNotMatch"
    http_status = 403


class IncompleteSignature(_Sender):
    code = "IncompleteSignature"


class InvalidAction(_Sender):
    code = "InvalidAction"


class MissingAction(_Sender):
    code = "MissingAction"


class MalformedQueryString(_Sender):
    code = "MalformedQueryString"


INVALID_TOKEN = "The security token included in the request is invalid."
BAD_SIGNATURE = (
    "The request signature we calculated does not match the signature you provided. "
    "Check your AWS Secret Access Key and signing method. Consult the service documentation for details."
)
