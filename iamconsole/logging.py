"""One JSON line per request on the `iamconsole.requests` logger, and one per audit event on
`iamconsole.audit` (README "Deployment").

Fields: time, request_id, account, principal, access_key_id (Query API), method, path, status,
duration_ms. What is never written: the query string (a presigned URL's signature, a form's values),
bodies, headers other than the access key ID (public, as CloudTrail shows it), and the value of a URL
part that is a bearer secret (a one-time download token). Everything is JSON-encoded with
ensure_ascii, so user text in a path cannot forge a line (no raw newline or control character).
"""

import datetime
import json
import logging
import re
import time
import uuid

logger = logging.getLogger("iamconsole.requests")

REDACTED = "[redacted]"
# URL parameters whose value is a secret: their value is replaced in the logged path.
SECRET_KWARGS = re.compile(r"token|secret|password|code", re.IGNORECASE)
MAX_PATH = 512
# A request ID a proxy passed on is reused only when it is a plain token.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
ACCESS_KEY = re.compile(r"Credential=([A-Z0-9]{16,128})/")


def incoming_request_id(request) -> str:
    """A proxy's X-Request-ID when it is a plain token, else a fresh UUID: the request's ID from its start
    (the console's backend stamps its audit events with it)."""
    incoming = request.headers.get("X-Request-ID", "")
    return incoming if REQUEST_ID.fullmatch(incoming) else str(uuid.uuid4())


def request_id(request, response) -> str:
    """The Query API's own x-amzn-RequestId, else the ID the request was given when it arrived."""
    if response.has_header("x-amzn-RequestId"):
        return response["x-amzn-RequestId"]
    return getattr(request, "request_id", None) or incoming_request_id(request)


def logged_path(request) -> str:
    """The request's path (no query string), with secret URL parameters replaced."""
    path = request.path
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if SECRET_KWARGS.search(name) and isinstance(value, str) and value:
                path = path.replace(value, REDACTED)
    return path if len(path) <= MAX_PATH else path[:MAX_PATH] + "..."


def principal_arn(request) -> str | None:
    """The caller's ARN when a layer below named it: the console's backend or a `request.principal`."""
    principal = getattr(request, "principal", None)
    if principal is None and getattr(request, "iam", None) is not None:
        principal = getattr(request.iam, "principal", None)
    arn = getattr(principal, "arn", None)
    return arn if isinstance(arn, str) else None


def access_key_id(request) -> str | None:
    """The access key ID a SigV4 request names (in its Authorization header or presigned query)."""
    match = ACCESS_KEY.search(request.headers.get("Authorization", ""))
    if match:
        return match.group(1)
    credential = request.GET.get("X-Amz-Credential", "") if request.path.startswith("/aws") else ""
    key = credential.split("/", 1)[0]
    return key if re.fullmatch(r"[A-Z0-9]{16,128}", key) else None


def request_line(request, response, started: float) -> dict:
    """The logged record of one request, as a dict of JSON-safe values."""
    account = getattr(request, "account", None)
    record = {
        "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id(request, response),
        "account": getattr(account, "account_id", None),
        "principal": principal_arn(request),
        "method": request.method,
        "path": logged_path(request),
        "status": response.status_code,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
    }
    if key := access_key_id(request):
        record["access_key_id"] = key
    return record


class RequestLogMiddleware:
    """Writes one JSON line per request and answers with its X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        request.request_id = incoming_request_id(request)
        response = self.get_response(request)
        if logger.isEnabledFor(logging.INFO):
            record = request_line(request, response, started)
            if not response.has_header("X-Request-ID"):
                response["X-Request-ID"] = record["request_id"]
            logger.info(json.dumps(record, ensure_ascii=True, separators=(",", ":")))
        return response


def audit_line(event, account_id: str, duration_ms: float) -> str:
    """The JSON line of one audit event: who did what to which account, with what outcome, and how long
    the call took. No request or response member is written (they may hold names a user typed; the
    database keeps them, redacted); every value is JSON-encoded with ensure_ascii."""
    record = {
        "time": event.event_time.isoformat(),
        "type": "audit",
        "request_id": event.request_id,
        "account": account_id,
        "principal": event.principal_arn,
        "action": event.event_name,
        "via": event.via,
        "outcome": event.error_code or "success",
        "duration_ms": round(duration_ms, 1),
    }
    if event.source_ip:
        record["source_ip"] = event.source_ip
    return json.dumps(record, ensure_ascii=True, separators=(",", ":"))
