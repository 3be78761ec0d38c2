"""The Query API endpoint (`/aws`): the AWS CLI and boto3 talk to a local account through it.

One request: size check, form decoding, SigV4 (the key's owner becomes the principal), then the
action named by `Action` is parsed from the form by its botocore input shape, run through the backend
exactly as the console runs it (`get_backend(...).call`), and serialised by its output shape. The
credential scope's service picks the API: `iam` (every action the backend implements) or `sts`
(GetCallerIdentity). Every answer, errors included, is AWS's XML with an `x-amzn-RequestId` header.
"""

import functools
import logging
import uuid

import botocore.session
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from credentials.ops_keys import LAST_USED_GRANULARITY, record_key_use
from iamconsole.backends import IAMError, get_backend
from iamconsole.backends.errors import NotImplementedOperation, ServiceFailure

from . import keycache, sigv4, wire, xml
from .errors import InvalidAction, MalformedQueryString, MissingAction

logger = logging.getLogger(__name__)

# Larger bodies are refused before they are read. IAM's limit is not documented; this is the limit an
# AWS Query service (SQS) was seen to answer with (UNVERIFIED for IAM). IAM's largest inputs (a policy
# document of 131,072 characters, URL-encoded) stay well below it.
MAX_BODY_BYTES = 1_662_976
NO_VERSION = "NO_VERSION_SPECIFIED"
# The region IAM, a global service, reports its key use in.
IAM_REGION = "us-east-1"


@functools.cache
def service_model(service: str):
    return botocore.session.get_session().get_service_model(service)


@csrf_exempt  # SigV4 authenticates every request; there is no session and no cookie to forge
@login_not_required
def query_api(request):
    """Answer one Query-protocol request (GET or POST) as IAM, or STS for GetCallerIdentity, does."""
    request_id = str(uuid.uuid4())
    if _content_length(request) > MAX_BODY_BYTES:
        return _too_large(request_id)
    try:
        body = request.body
    except RequestDataTooBig:  # DATA_UPLOAD_MAX_MEMORY_SIZE set below our own limit
        return _too_large(request_id)
    namespace = service_model("iam").metadata["xmlNamespace"]
    try:
        if request.method not in ("GET", "POST"):
            # UNVERIFIED: AWS's answer to another method was not found.
            raise InvalidAction(f"The HTTP method {request.method} is not supported: use GET or POST.")
        pairs = wire.form_pairs(_form_text(request, body))
        signer = sigv4.authenticate(request, body, timezone.now())
        namespace = service_model(signer.service).metadata["xmlNamespace"]
        region = IAM_REGION if signer.service == "iam" else signer.region
        _record_key_use(signer.key, signer.service, region, timezone.now().replace(microsecond=0))
        operation, result = _dispatch(request, signer, pairs, request_id)
        return _xml(
            xml.success(service_model(signer.service), operation, result, request_id), 200, request_id
        )
    except IAMError as error:
        return _error(error, request_id, namespace)
    except Exception:
        # A bug, not a client error: logged with its traceback, answered as AWS answers its own failures
        # (the model's wording for ServiceFailure), never with Django's HTML error page.
        logger.exception("Query API request %s failed", request_id)
        failure = ServiceFailure(
            "The request processing has failed because of an unknown error, exception or failure."
        )
        return _error(failure, request_id, namespace)


def _dispatch(request, signer, pairs, request_id: str):
    """Run the action the form names; return its botocore operation model and output dict."""
    protocol, members = wire.split_protocol(pairs)
    action = protocol.get("Action")
    if not action:
        # UNVERIFIED wording: the code is the Query protocol's documented one for a missing Action.
        raise MissingAction("The request is missing an action or a required parameter.")
    model = service_model(signer.service)
    version = protocol.get("Version") or NO_VERSION
    if version != model.api_version or action not in model.operation_names:
        raise InvalidAction(f"Could not find operation {action} for version {version}")
    operation = model.operation_model(action)
    request.principal = signer.principal  # for the request log (iamconsole/logging.py)
    params = wire.parse_params(operation.input_shape, members)
    if signer.service == "sts":
        return operation, _sts(action, signer)
    backend = get_backend(
        signer.principal.account,
        signer.principal,
        via="api",
        source_ip=request.META.get("REMOTE_ADDR", ""),
        user_agent=request.headers.get("User-Agent", ""),
        # aws:SecureTransport is the connection's; an access key carries no MFA (aws:MultiFactorAuthPresent).
        secure=request.is_secure(),
        mfa=False,
        request_id=request_id,
    )
    return operation, backend.call(action, **params)


def _record_key_use(key, service: str, region: str, when) -> None:
    """Record the key's use unless the row just read shows a use within the current window.

    record_key_use writes only the first use in a window; its UPDATE matches no row otherwise. The key
    was read at the start of this request, so the same test made here saves that round trip on
    nearly every request of a busy key.
    """
    last = key.last_used_date
    if last is not None and last > when - LAST_USED_GRANULARITY:
        return
    record_key_use(key, service, region, when)
    keycache.note_use(key)


def _sts(action: str, signer) -> dict:
    """STS, of which this endpoint serves only GetCallerIdentity: who signed the request."""
    if action != "GetCallerIdentity":
        raise NotImplementedOperation(f"The local STS endpoint does not implement the STS action {action}.")
    principal = signer.principal
    return {"UserId": principal.principal_id, "Account": principal.account.account_id, "Arn": principal.arn}


def _too_large(request_id: str) -> HttpResponse:
    # As the AWS front end answers: plain text, before any parsing (UNVERIFIED for IAM).
    response = HttpResponse(
        f"HTTP content length exceeded {MAX_BODY_BYTES} bytes.", status=413, content_type="text/plain"
    )
    response["x-amzn-RequestId"] = request_id
    return response


def _content_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


def _form_text(request, body: bytes) -> str:
    """The form the request carries: its query string, then (for a form POST) its body."""
    query = request.META.get("QUERY_STRING", "")
    # The presigned-URL members of a query string are authentication, not input.
    query = "&".join(part for part in query.split("&") if not part.startswith(wire.PRESIGN_PREFIX))
    content_type = request.content_type or "application/x-www-form-urlencoded"
    if request.method != "POST" or not body or content_type != "application/x-www-form-urlencoded":
        return query
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedQueryString("The request's query string or form body is malformed.")
    return f"{query}&{text}" if query else text


def _error(error: IAMError, request_id: str, namespace: str) -> HttpResponse:
    return _xml(xml.error(error, request_id, namespace), error.http_status, request_id)


def _xml(body: str, status: int, request_id: str) -> HttpResponse:
    response = HttpResponse(body, status=status, content_type="text/xml")
    response["x-amzn-RequestId"] = request_id
    return response
