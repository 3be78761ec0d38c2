"""The read side of the audit log (ARCHITECTURE.md §7): console extensions behind the Event history page.

The log is written by `iamconsole/backends/audit.py` (every mutation, every AccessDenied) and by
`accounts/signin.py` (ConsoleLogin); secrets are redacted before they are written, so nothing read here
needs redacting again. These extensions return events in CloudTrail's event shape (`cloudtrail_event`),
the shape `cloudtrail:LookupEvents` returns inside its `CloudTrailEvent` string, so an AWS backend can
answer the same calls from CloudTrail.

Why `authorized_as="GetAccountSummary"`: CloudTrail's own action (`cloudtrail:LookupEvents`) is not an
IAM action, and the policy engine judges only `iam:` actions. The IAM action closest in meaning is an
account-wide read with resource `*`: GetAccountSummary is exactly that, and every read-only IAM policy
(`IAMReadOnlyAccess`, `iam:Get*`) grants it. A per-entity action (ListUsers, GetUser) would be wrong,
because the log covers every entity and the root's own sign-ins; GetAccountAuthorizationDetails would
be needlessly broad in intent (it exposes every policy document). The reads are not audited (a read
extension never is), as CloudTrail does not log LookupEvents as a management write.

Paging is by key, never by offset: the list is ordered by (event_time, id) descending, the index
`audit_account_time` is (account, -event_time, -id), and a cursor holds the (event_time, id) of the row
it continues from, so every page costs the same whatever its depth.
"""

import datetime
import uuid
from collections.abc import Iterator

from django.db import connection
from django.db.models import Q

from iamconsole.backends.base import console_extension
from iamconsole.backends.errors import NoSuchEntity, ValidationError
from iamconsole.backends.paging import decode_marker, encode_marker

from .models import AuditEvent, RequestUserName

EVENT_VERSION = "1.08"
REGION = "us-east-1"  # IAM is a global service: CloudTrail records its events in us-east-1
CONSOLE_LOGIN = "ConsoleLogin"
MAX_PAGE = 100
DEFAULT_PAGE = 50
_CURSOR_KIND = "ListEvents"
# Event IDs are stable UUIDs derived from the account and the row (the table has no UUID column).
_EVENT_ID_NAMESPACE = uuid.UUID("6f1d1c52-4f0e-4a53-9d0e-0c7a1f3e5b21")
# Request members that name the resource an event is about -> CloudTrail's resource type; the list shows
# the first one found, in this order.
RESOURCE_MEMBERS = {
    "UserName": "AWS::IAM::User",
    "GroupName": "AWS::IAM::Group",
    "RoleName": "AWS::IAM::Role",
    "PolicyArn": "AWS::IAM::Policy",
    "PolicyName": "AWS::IAM::Policy",
    "InstanceProfileName": "AWS::IAM::InstanceProfile",
    "SerialNumber": "AWS::IAM::MFADevice",
    "VirtualMFADeviceName": "AWS::IAM::MFADevice",
    "AccessKeyId": "AWS::IAM::AccessKey",
    "ServerCertificateName": "AWS::IAM::ServerCertificate",
    "AccountAlias": "AWS::IAM::AccountAlias",
}


def event_id(account_id: str, pk: int) -> str:
    """CloudTrail's eventID for the row `pk`: a UUID, the same every time it is asked for."""
    return str(uuid.uuid5(_EVENT_ID_NAMESPACE, f"{account_id}:{pk}"))


def _user_name(event: AuditEvent) -> str | None:
    """The IAM user's name from its ARN (`...:user/path/name`); None for the root."""
    if event.principal_type != "IAMUser":
        return None
    return event.principal_arn.rsplit("/", 1)[-1]


def _time(value: datetime.datetime) -> str:
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def cloudtrail_event(event: AuditEvent, account_id: str) -> dict:
    """The event as CloudTrail records it (its documented key order; errorCode/errorMessage only when
    the call failed; userName only for an IAM user, as CloudTrail omits it for the root)."""
    identity = {
        "type": event.principal_type,
        "principalId": event.principal_id,
        "arn": event.principal_arn,
        "accountId": account_id,
    }
    if (name := _user_name(event)) is not None:
        identity["userName"] = name
    record = {
        "eventVersion": EVENT_VERSION,
        "userIdentity": identity,
        "eventTime": _time(event.event_time),
        "eventSource": event.event_source,
        "eventName": event.event_name,
        "awsRegion": REGION,
        "sourceIPAddress": event.source_ip,
        "userAgent": event.user_agent,
    }
    if event.error_code:
        record["errorCode"] = event.error_code
    if event.error_message:
        record["errorMessage"] = event.error_message
    record |= {
        "requestParameters": event.request_parameters,
        "responseElements": event.response_elements,
        "requestID": event.request_id,
        "eventID": event_id(account_id, event.pk),
        "readOnly": event.read_only,
        "eventType": "AwsConsoleSignIn" if event.event_name == CONSOLE_LOGIN else "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "eventCategory": "Management",
    }
    return record


def event_summary(event: AuditEvent, account_id: str) -> dict:
    """What a row of the list (and a line of the CSV export) shows, with the CloudTrail record."""
    params = event.request_parameters if isinstance(event.request_parameters, dict) else {}
    resource = next(((m, params[m]) for m in RESOURCE_MEMBERS if isinstance(params.get(m), str)), None)
    return {
        "Id": event.pk,
        "EventId": event_id(account_id, event.pk),
        "EventName": event.event_name,
        "EventTime": event.event_time,
        "EventSource": event.event_source,
        "UserName": _user_name(event) or ("root" if event.principal_type == "Root" else event.principal_arn),
        "PrincipalArn": event.principal_arn,
        "SourceIPAddress": event.source_ip,
        "UserAgent": event.user_agent,
        "ErrorCode": event.error_code,
        "ErrorMessage": event.error_message,
        "Failed": bool(event.error_code or event.error_message),
        "ResourceType": RESOURCE_MEMBERS[resource[0]] if resource else "",
        "ResourceName": resource[1] if resource else "",
        "RequestId": event.request_id,
        "ReadOnly": event.read_only,
        "Via": event.via,
        "CloudTrailEvent": cloudtrail_event(event, account_id),
    }


def _filtered(
    ctx,
    *,
    start: datetime.datetime | None = None,
    end: datetime.datetime | None = None,
    event_name: str = "",
    principal: str = "",
    user_name: str = "",
    outcome: str = "",
):
    """The account's events matching the filters (all optional, combined with AND).

    `start`/`end` bound event_time inclusively; `event_name` is exact; `principal` is a case-insensitive
    substring of the caller's ARN; `user_name` matches events whose request parameters name that IAM
    user as UserName, case-insensitively as IAM names are (a rename is found under the old name, which
    is its UserName); `outcome` is "success", "error" (any failure, including a failed ConsoleLogin,
    which CloudTrail records with an errorMessage and no errorCode) or one error code.

    Each filter has an index to work from (accounts/models.py: time, name, principal, user); bench/events.py
    shows the plans over a million events.
    """
    events = AuditEvent.objects.filter(account=ctx.account)
    if start is not None:
        events = events.filter(event_time__gte=start)
    if end is not None:
        events = events.filter(event_time__lte=end)
    if event_name:
        events = events.filter(event_name=event_name)
    if principal:
        needle = principal.lower()
        events = events.filter(principal_arn__in=[a for a in _principals(ctx.account) if needle in a.lower()])
    if user_name:
        # The expression of the index audit_account_user, so the filter is an index range, not a scan.
        events = events.alias(user_key=RequestUserName()).filter(user_key=user_name.lower())
    if outcome == "success":
        events = events.filter(error_code="", error_message="")
    elif outcome == "error":
        events = events.exclude(error_code="", error_message="")
    elif outcome:
        events = events.filter(error_code=outcome)
    return events


def _principals(account) -> list[str]:
    """The distinct principal ARNs in the account's log, in one query that skips through the index
    audit_account_principal (a "loose index scan": one index probe per principal, not a scan of the
    log), so a substring filter on the ARN becomes an indexed `IN` of the few ARNs that contain it."""
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    # The table name is our own model's, quoted; the values are parameters.
    sql = f"""
        WITH RECURSIVE principals(arn) AS (
            SELECT MIN(principal_arn) FROM {table} WHERE account_id = %s
            UNION ALL
            SELECT (SELECT MIN(principal_arn) FROM {table} WHERE account_id = %s AND principal_arn > arn)
            FROM principals WHERE arn IS NOT NULL
        )
        SELECT arn FROM principals WHERE arn IS NOT NULL"""  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [account.pk, account.pk])
        return [row[0] for row in cursor.fetchall()]


def _cursor(event: AuditEvent) -> str:
    return encode_marker(_CURSOR_KIND, [event.event_time.isoformat(), event.pk])


def _position(cursor: str) -> tuple[datetime.datetime, int]:
    """The (event_time, id) a cursor holds; ValidationError "Invalid Marker." for anything else."""
    position = decode_marker(_CURSOR_KIND, cursor, list)
    try:
        when, pk = position
        when = datetime.datetime.fromisoformat(when)
    except (TypeError, ValueError):
        raise ValidationError("Invalid Marker.")
    if when.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
        raise ValidationError("Invalid Marker.")
    return when, pk


def _older_than(when, pk) -> Q:
    # The redundant `event_time <= when` lets the database start its index scan at the cursor instead
    # of filtering from the newest row down (an OR alone does not bound the scan on PostgreSQL).
    return Q(event_time__lte=when) & (Q(event_time__lt=when) | Q(event_time=when, id__lt=pk))


def _newer_than(when, pk) -> Q:
    return Q(event_time__gte=when) & (Q(event_time__gt=when) | Q(event_time=when, id__gt=pk))


@console_extension("list_events", authorized_as="GetAccountSummary")
def list_events(
    ctx, *, older: str | None = None, newer: str | None = None, limit: int = DEFAULT_PAGE, **filters
) -> dict:
    """One page of the account's events, newest first, filtered as `_filtered` describes.

    `older` (a cursor) asks for the page after it (older events), `newer` for the page before it.
    Returns {"Events": [event_summary...], "Older": cursor | None, "Newer": cursor | None}: a cursor is
    present when events lie on that side of the page. Two queries at most whatever the log's size (three
    with a principal filter).
    Raises ValidationError("Invalid Marker.") for a cursor that is not one of ours.
    """
    limit = max(1, min(int(limit), MAX_PAGE))
    events = _filtered(ctx, **filters)
    if newer:
        when, pk = _position(newer)
        rows = list(events.filter(_newer_than(when, pk)).order_by("event_time", "id")[: limit + 1])
        more_newer = len(rows) > limit
        rows = rows[:limit][::-1]
        more_older = bool(rows) and events.filter(_older_than(rows[-1].event_time, rows[-1].pk)).exists()
    else:
        if older:
            when, pk = _position(older)
            events_page = events.filter(_older_than(when, pk))
        else:
            events_page = events
        rows = list(events_page.order_by("-event_time", "-id")[: limit + 1])
        more_older = len(rows) > limit
        rows = rows[:limit]
        more_newer = (
            bool(older) and bool(rows) and events.filter(_newer_than(rows[0].event_time, rows[0].pk)).exists()
        )
    return {
        "Events": [event_summary(row, ctx.account_id) for row in rows],
        "Older": _cursor(rows[-1]) if more_older else None,
        "Newer": _cursor(rows[0]) if more_newer else None,
    }


@console_extension("get_event", authorized_as="GetAccountSummary")
def get_event(ctx, *, Id: int) -> dict:
    """{"Event": event_summary} for the account's event `Id`; NoSuchEntity for any other (another
    account's events do not exist for this caller)."""
    event = AuditEvent.objects.filter(account=ctx.account, pk=Id).first()
    if event is None:
        raise NoSuchEntity(f"The event with ID {Id} cannot be found.")
    return {"Event": event_summary(event, ctx.account_id)}


@console_extension("export_events", authorized_as="GetAccountSummary")
def export_events(ctx, **filters) -> dict:
    """{"Events": an iterator of event_summary, newest first} over every event matching the filters.

    The iterator reads the log in chunks as the export is streamed, so an export of a million events
    never holds them all in memory; it is authorized when the extension is called.
    """
    events = _filtered(ctx, **filters).order_by("-event_time", "-id")

    def rows() -> Iterator[dict]:
        for event in events.iterator(chunk_size=2000):
            yield event_summary(event, ctx.account_id)

    return {"Events": rows()}
