"""IAM errors as AWS names them (ARCHITECTURE.md §1, reference/aws-iam-facts.md §6).

Each subclass carries the AWS error code, AWS's message wording (given by the raiser), the HTTP
status AWS answers with, and the fault type (`Sender` or `Receiver`) of the Query protocol's
`<ErrorResponse>`. Code that catches errors matches on the class; the Query API serialises
`code`, `message`, `http_status` and `type` as they are.
"""


class IAMError(Exception):
    """Base of every error a backend raises on purpose."""

    code = "InternalFailure"
    http_status = 500
    type = "Receiver"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def __str__(self):
        return f"{self.code}: {self.message}"

    def as_dict(self) -> dict:
        """The error as boto3 shows it in `ClientError.response["Error"]`."""
        return {"Code": self.code, "Message": self.message, "Type": self.type}


class _Sender(IAMError):
    type = "Sender"
    http_status = 400


class NoSuchEntity(_Sender):
    code = "NoSuchEntity"
    http_status = 404


class EntityAlreadyExists(_Sender):
    code = "EntityAlreadyExists"
    http_status = 409


class LimitExceeded(_Sender):
    code = "LimitExceeded"
    http_status = 409


class DeleteConflict(_Sender):
    code = "DeleteConflict"
    http_status = 409


class EntityTemporarilyUnmodifiable(_Sender):
    code = "EntityTemporarilyUnmodifiable"
    http_status = 409


class ConcurrentModification(_Sender):
    code = "ConcurrentModification"
    http_status = 409


class InvalidInput(_Sender):
    code = "InvalidInput"


class ValidationError(_Sender):
    """Request members that break the model's constraints (pattern, length, range, enum, required)."""

    code = "ValidationError"


class MalformedPolicyDocument(_Sender):
    code = "MalformedPolicyDocument"


class PasswordPolicyViolation(_Sender):
    code = "PasswordPolicyViolation"


class PolicyNotAttachable(_Sender):
    code = "PolicyNotAttachable"


class InvalidAuthenticationCode(_Sender):
    code = "InvalidAuthenticationCode"
    http_status = 403


class InvalidUserType(_Sender):
    code = "InvalidUserType"


class InvalidPublicKey(_Sender):
    code = "InvalidPublicKey"


class DuplicateSSHPublicKey(_Sender):
    code = "DuplicateSSHPublicKey"


class UnrecognizedPublicKeyEncoding(_Sender):
    code = "UnrecognizedPublicKeyEncoding"


class MalformedCertificate(_Sender):
    code = "MalformedCertificate"


class InvalidCertificate(_Sender):
    code = "InvalidCertificate"


class DuplicateCertificate(_Sender):
    code = "DuplicateCertificate"
    http_status = 409


class KeyPairMismatch(_Sender):
    code = "KeyPairMismatch"


class ServiceNotSupported(_Sender):
    """botocore's ServiceNotSupportedException; its wire code is `NotSupportedService`."""

    code = "NotSupportedService"
    http_status = 404


class CredentialReportNotPresent(_Sender):
    code = "ReportNotPresent"
    http_status = 410


class CredentialReportExpired(_Sender):
    code = "ReportExpired"
    http_status = 410


class CredentialReportNotReady(_Sender):
    code = "ReportInProgress"
    http_status = 404


class AccessDenied(_Sender):
    code = "AccessDenied"
    http_status = 403


class NotImplementedOperation(_Sender):
    """An IAM action this backend does not implement (named in the message)."""

    code = "NotImplemented"
    http_status = 501


class ServiceFailure(IAMError):
    code = "ServiceFailure"
    http_status = 500
    type = "Receiver"


class PolicyEvaluation(IAMError):
    code = "PolicyEvaluation"
    http_status = 500
    type = "Receiver"


def error_class_for(code: str) -> type[IAMError]:
    """The IAMError subclass for an AWS error code (used to translate boto3's ClientError)."""
    for cls in _all_subclasses(IAMError):
        if cls.code == code and not cls.__name__.startswith("_"):
            return cls
    return IAMError


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)
