"""Event history: the account's audit log (ARCHITECTURE.md §7), as CloudTrail's console shows it.

The list filters by time range, event name, principal, the IAM user an event is about and outcome, and
pages by key (`older`/`newer` cursors from the backend, never an offset); the detail shows the event's
CloudTrail record; the export streams the filtered events as CSV or JSON Lines. Everything is read
through the console extensions of `accounts/ops_events.py` (`list_events`, `get_event`, `export_events`).
"""

import csv
import json

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.validators import RegexValidator
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from iamconsole.backends import errors

_READ_PREFIXES = ("Get", "List", "Simulate", "Generate")
_DATETIME = "%Y-%m-%dT%H:%M:%S"


def _error_codes() -> list[str]:
    """Every error code the backends raise (the IAMError subclasses'), for the outcome filter."""
    codes, pending = set(), [errors.IAMError]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if not cls.__name__.startswith("_"):
            codes.add(cls.code)
    return sorted(codes)


def _outcome_choices():
    return [("", "Any outcome"), ("success", "Success"), ("error", "Any error")] + [
        (code, code) for code in _error_codes()
    ]


def _when_field(label: str) -> forms.DateTimeField:
    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"}, format=_DATETIME)
    return forms.DateTimeField(required=False, label=label, widget=widget)


class EventFilterForm(forms.Form):
    """The list's filters; `filters()` gives them as `list_events`/`export_events` keyword arguments."""

    start = _when_field("From (UTC)")
    end = _when_field("To (UTC)")
    event_name = forms.CharField(
        required=False,
        max_length=128,
        label="Event name",
        validators=[RegexValidator(r"^[A-Za-z]+$", "Enter an event name such as CreateUser.")],
    )
    principal = forms.CharField(required=False, max_length=2048, label="Principal ARN contains")
    user = forms.CharField(
        required=False,
        max_length=64,
        label="About user",
        validators=[
            RegexValidator(r"^[A-Za-z0-9_+=,.@-]+$", "Enter a user name: letters, digits and + = , . @ _ -.")
        ],
    )
    outcome = forms.ChoiceField(required=False, label="Outcome", choices=_outcome_choices)

    def clean(self):
        start, end = self.cleaned_data.get("start"), self.cleaned_data.get("end")
        if start and end and end < start:
            self.add_error("end", "Choose an end time after the start time.")
        return self.cleaned_data

    def filters(self) -> dict:
        data = self.cleaned_data
        return {
            "start": data["start"],
            "end": data["end"],
            "event_name": data["event_name"],
            "principal": data["principal"].strip(),
            "user_name": data["user"],
            "outcome": data["outcome"],
        }


class EventExportForm(EventFilterForm):
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("jsonl", "JSON Lines")], initial="csv")


def _event_names(iam) -> list[str]:
    """The names the log can hold: the backend's mutating actions, and ConsoleLogin."""
    names = {a for a in iam.implemented_actions() if not a.startswith(_READ_PREFIXES)}
    return sorted(names | {"ConsoleLogin"})


def _page(request, form) -> dict:
    """The page of events the request asks for; a cursor that is not one of ours starts from the newest."""
    cursors = {"older": request.GET.get("older") or None, "newer": request.GET.get("newer") or None}
    try:
        return request.iam.list_events(**cursors, **form.filters())
    except errors.ValidationError:
        form.add_error(None, "The page link was not valid; showing the newest events.")
        return request.iam.list_events(**form.filters())


@require_GET
def event_list(request):
    """Event history: newest first, filtered, paged by key; htmx swaps the filters and the table."""
    form = EventFilterForm(request.GET)
    result = None
    if form.is_valid():
        try:
            result = _page(request, form)
        except errors.IAMError as error:  # AccessDenied for a principal not allowed to read the log
            messages.error(request, error.message)
    context = {"form": form, "result": result, "event_names": _event_names(request.iam)}
    template = "accounts/event_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#events-table"
    return render(request, template, context)


@require_GET
def event_detail(request, event_id: str):
    """One event's details and its CloudTrail record (pretty-printed JSON, escaped by the template)."""
    if not event_id.isdigit() or len(event_id) > 18:
        raise Http404("No such event.")
    try:
        event = request.iam.get_event(Id=int(event_id))["Event"]
    except errors.NoSuchEntity:
        raise Http404("No such event.")
    except errors.AccessDenied as error:
        raise PermissionDenied(error.message)
    record = json.dumps(event["CloudTrailEvent"], indent=2, ensure_ascii=False)
    return render(request, "accounts/event_detail.html", {"event": event, "record": record})


@require_http_methods(["GET", "POST"])
def event_export(request):
    """Download the filtered events as CSV or JSON Lines (an attachment streamed in chunks)."""
    form = EventExportForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        context = {"form": form, "result": None, "event_names": _event_names(request.iam)}
        return render(request, "accounts/event_list.html", context)
    try:
        rows = request.iam.export_events(**form.filters())["Events"]
    except errors.AccessDenied as error:
        raise PermissionDenied(error.message)
    kind = form.cleaned_data["format"]
    content, content_type = (
        (_csv(rows), "text/csv") if kind == "csv" else (_jsonl(rows), "application/x-ndjson")
    )
    response = StreamingHttpResponse(content, content_type=f"{content_type}; charset=utf-8")
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    filename = f"event-history-{request.account.account_id}-{stamp}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


# Columns of the CSV export: CloudTrail console's download columns, then the call's details as JSON.
CSV_COLUMNS = [
    ("Event ID", "EventId"),
    ("Event time", None),
    ("User name", "UserName"),
    ("Principal ARN", "PrincipalArn"),
    ("Event name", "EventName"),
    ("Resource type", "ResourceType"),
    ("Resource name", "ResourceName"),
    ("Event source", "EventSource"),
    ("AWS region", None),
    ("Error code", "ErrorCode"),
    ("Error message", "ErrorMessage"),
    ("Source IP address", "SourceIPAddress"),
    ("User agent", "UserAgent"),
    ("Request ID", "RequestId"),
    ("Request parameters", None),
    ("Response elements", None),
]
# A cell a spreadsheet would evaluate as a formula (OWASP's list of leading characters).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value: str) -> str:
    """`value` for a CSV cell, prefixed with a quote when a spreadsheet would run it as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


class _Echo:
    """The file-like object csv.writer writes to: each row comes straight back, for streaming."""

    def write(self, value):
        return value


def _csv_row(event: dict) -> list[str]:
    record = event["CloudTrailEvent"]
    values = {
        "Event time": record["eventTime"],
        "AWS region": record["awsRegion"],
        "Request parameters": json.dumps(record["requestParameters"], ensure_ascii=False),
        "Response elements": json.dumps(record["responseElements"], ensure_ascii=False),
    }
    return [safe_cell(str(event[key]) if key else values[label]) for label, key in CSV_COLUMNS]


def _csv(rows):
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow([label for label, _ in CSV_COLUMNS])  # the BOM makes Excel read UTF-8
    for event in rows:
        yield writer.writerow(_csv_row(event))


def _jsonl(rows):
    for event in rows:
        yield json.dumps(event["CloudTrailEvent"], ensure_ascii=False, separators=(",", ":")) + "\n"
