"""SigV4 verification of a Query API request: who signed it, or the AWS error that says why not.

The signature is recomputed with botocore's own signer (`botocore.auth.SigV4Auth`) over a request
rebuilt from what arrived: the method, path, query string, the headers the client named in
`SignedHeaders`, the body and the timestamp of `X-Amz-Date`. It is compared in constant time.

The signing key is found by its access key ID in any account (`credentials.ops_keys.secret_for`, behind the
short-lived cache of api/keycache.py): the key's account is the account the request acts on, and the key's owner its principal (the root when
the key has no user). Error wording follows AWS's answers (reference: aws-iam-facts.md §8 and the report
of the api/ issue); the wordings marked UNVERIFIED were not found in real AWS output.
"""

import datetime
import email.utils
import hashlib
import hmac
from dataclasses import dataclass
from urllib.parse import parse_qsl

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from iamconsole.backends.base import Principal

from . import keycache
from .errors import (
    BAD_SIGNATURE,
    INVALID_TOKEN,
    IncompleteSignature,
    InvalidClientTokenId,
    MissingAuthenticationToken,
    SignatureDoesNotMatch,
)

ALGORITHM = "AWS4-HMAC-SHA256"
CLOCK_SKEW = datetime.timedelta(minutes=15)
SERVICES = ("iam", "sts")  # the credential scope's service picks the API the request speaks
TIMESTAMP_FORMAT = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class Signer:
    """A verified request's signer: the key, its owner as the principal, and the credential scope."""

    key: object  # credentials.models.AccessKey
    principal: Principal
    service: str
    region: str


class _Verifier(SigV4Auth):
    """botocore's signer, told which headers the client signed instead of choosing its own."""

    def __init__(self, credentials, service, region, signed_headers: HTTPHeaders):
        super().__init__(credentials, service, region)
        self._signed_headers = signed_headers

    def headers_to_sign(self, request):
        return self._signed_headers


def authenticate(request, body: bytes, now: datetime.datetime) -> Signer:
    """The signer of `request` (a Django request whose raw body is `body`), or raise AWS's auth error.

    The checks run in AWS's order as far as it is known: the header's form, the credential scope, the
    clock, the signed headers, the key, then the signature itself.
    """
    fields, timestamp, date_source = _parse_authorization(request)
    access_key_id, region, service = _check_scope(fields["Credential"], timestamp, date_source)
    _check_clock(timestamp, now)
    signed = _signed_headers(request, fields["SignedHeaders"])
    key, secret = _key(request, access_key_id)

    expected = _signature(request, body, signed, timestamp, access_key_id, secret, service, region)
    # Bytes: compare_digest refuses str with non-ASCII characters, and a header may carry any.
    if not hmac.compare_digest(expected.encode(), fields["Signature"].encode("utf-8", "replace")):
        raise SignatureDoesNotMatch(BAD_SIGNATURE)
    claimed = request.headers.get("X-Amz-Content-SHA256")
    if claimed is not None and claimed != hashlib.sha256(body).hexdigest():
        # The client signed a body hash that is not this body's: the body was changed on the way.
        raise SignatureDoesNotMatch(BAD_SIGNATURE)
    principal = Principal(key.account) if key.user_id is None else Principal(key.account, key.user)
    return Signer(key=key, principal=principal, service=service, region=region)


def _parse_authorization(request) -> tuple[dict[str, str], str, str]:
    """The Authorization header's fields, the signing timestamp and the header that gave it."""
    header = request.headers.get("Authorization")
    if not header:
        raise MissingAuthenticationToken("Request is missing Authentication Token")
    algorithm, _, rest = header.strip().partition(" ")
    if algorithm != ALGORITHM:
        # UNVERIFIED wording: only SigV4 in the Authorization header is served (no SigV2, no presigned URLs).
        raise IncompleteSignature(f"Unsupported AWS 'algorithm': '{algorithm}'. Authorization={header}")
    fields = _authorization_fields(header, rest)
    timestamp, date_source = _timestamp(request)
    missing = [
        f"Authorization header requires '{name}' parameter."
        for name in ("Credential", "Signature", "SignedHeaders")
        if not fields.get(name)
    ]
    if timestamp is None:
        missing.append("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
    if missing:
        raise IncompleteSignature(" ".join(missing) + f" Authorization={header}")
    return fields, timestamp, date_source


def _check_scope(credential: str, timestamp: str, date_source: str) -> tuple[str, str, str]:
    """`KEY/20261128/us-east-1/iam/aws4_request` -> (key ID, region, service), or AWS's refusal.

    Any region is accepted: with a custom endpoint botocore signs IAM for the client's configured
    region, where AWS's global endpoint would want us-east-1.
    """
    scope = credential.split("/")
    if len(scope) != 5:
        raise IncompleteSignature(
            "Credential must have exactly 5 slash-delimited elements, "
            f"e.g. keyid/date/region/service/term, got '{credential}'"
        )
    access_key_id, scope_date, region, service, terminator = scope
    if terminator != "aws4_request":
        raise SignatureDoesNotMatch(
            f"Credential should be scoped with a valid terminator: 'aws4_request', not '{terminator}'."
        )
    if service not in SERVICES:
        raise SignatureDoesNotMatch("Credential should be scoped to correct service: 'iam'.")
    if not region:
        raise SignatureDoesNotMatch("Credential should be scoped to a valid region.")
    if scope_date != timestamp[:8]:
        raise SignatureDoesNotMatch(
            "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: "
            f"'{scope_date}' != '{timestamp[:8]}', from '{date_source}'."
        )
    return access_key_id, region, service


def _key(request, access_key_id: str):
    """The active key and its secret; an unknown or inactive key (or any session token) is refused."""
    if request.headers.get("X-Amz-Security-Token"):
        # This endpoint issues no temporary credentials, so no session token is valid here.
        raise InvalidClientTokenId(INVALID_TOKEN)
    found = keycache.lookup(access_key_id)
    if found is None:  # unknown, or inactive: an inactive key signs nothing
        raise InvalidClientTokenId(INVALID_TOKEN)
    return found


def _authorization_fields(header: str, rest: str) -> dict[str, str]:
    fields = {}
    for part in rest.split(","):
        part = part.strip()
        if not part:
            continue
        name, equals, value = part.partition("=")
        if not equals:
            raise IncompleteSignature(
                f"'{part}' not a valid key=value pair (missing equal-sign) in Authorization header: '{header}'."
            )
        fields[name.strip()] = value.strip()
    return fields


def _timestamp(request) -> tuple[str | None, str]:
    """The request's signing time as SigV4 writes it (`20261128T181500Z`), and the header it came from."""
    value = request.headers.get("X-Amz-Date")
    if value is not None:
        try:
            datetime.datetime.strptime(value, TIMESTAMP_FORMAT)
        except ValueError:
            raise IncompleteSignature(
                f"Date must be in ISO-8601 'basic format'. Got '{value}'. See http://en.wikipedia.org/wiki/ISO_8601"
            )
        return value, "X-Amz-Date"
    value = request.headers.get("Date")
    if value is None:
        return None, ""
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        raise IncompleteSignature(f"Date header is not a valid HTTP date: '{value}'.")  # UNVERIFIED wording
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed.astimezone(datetime.UTC).strftime(TIMESTAMP_FORMAT), "Date"


def _check_clock(timestamp: str, now: datetime.datetime) -> None:
    """AWS refuses a signature more than 15 minutes away from its clock, either way."""
    signed_at = datetime.datetime.strptime(timestamp, TIMESTAMP_FORMAT).replace(tzinfo=datetime.UTC)
    now = now.astimezone(datetime.UTC).replace(microsecond=0)
    now_text = now.strftime(TIMESTAMP_FORMAT)
    if signed_at < now - CLOCK_SKEW:
        earliest = (now - CLOCK_SKEW).strftime(TIMESTAMP_FORMAT)
        raise SignatureDoesNotMatch(
            f"Signature expired: {timestamp} is now earlier than {earliest} ({now_text} - 15 min.)"
        )
    if signed_at > now + CLOCK_SKEW:
        latest = (now + CLOCK_SKEW).strftime(TIMESTAMP_FORMAT)
        # UNVERIFIED wording for a request signed in the future (the expired one is AWS's, observed).
        raise SignatureDoesNotMatch(
            f"Signature not yet current: {timestamp} is still later than {latest} ({now_text} + 15 min.)"
        )


def _signed_headers(request, names: str) -> HTTPHeaders:
    """The headers named in SignedHeaders with the values that arrived; all must be present, host too."""
    headers = HTTPHeaders()
    wanted = [name.strip().lower() for name in names.split(";") if name.strip()]
    if "host" not in wanted:
        raise IncompleteSignature("'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    for name in wanted:
        value = request.headers.get(name)
        if value is None:
            raise IncompleteSignature(
                f"'{name}' is named as a SignedHeader, but it does not exist in the HTTP request."
            )
        headers[name] = value
    return headers


def _signature(request, body, signed, timestamp, access_key_id, secret, service, region) -> str:
    """The signature botocore computes for this request with `secret`."""
    query = parse_qsl(request.META.get("QUERY_STRING", ""), keep_blank_values=True)
    rebuilt = AWSRequest(
        method=request.method,
        url=f"http://{signed['host']}{request.path}",
        data=body,
        headers={},
        params=query,
    )
    rebuilt.context["timestamp"] = timestamp
    if "x-amz-content-sha256" in signed:
        # botocore uses this header in place of hashing the body; the caller checks it hashes the body.
        rebuilt.headers["X-Amz-Content-SHA256"] = signed["x-amz-content-sha256"]
    verifier = _Verifier(Credentials(access_key_id, secret), service, region, signed)
    canonical = verifier.canonical_request(rebuilt)
    return verifier.signature(verifier.string_to_sign(rebuilt, canonical), rebuilt)
