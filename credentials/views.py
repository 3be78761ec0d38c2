"""The Credential report page (Access reports): download the CSV, and read the same report as a table.

"Download report" is a POST because it may generate: GenerateCredentialReport (a report younger than
4 hours is kept, AWS's rule), then GetCredentialReport, whose `Content` bytes are served untouched as
`status_reports_<date>T<time>.csv`. The table parses the stored report with the csv module (GET never
generates) and filters its rows; each user links to their page.
"""

import csv
import datetime
import io

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET, require_POST

from iamconsole.backends.errors import (
    CredentialReportExpired,
    CredentialReportNotPresent,
    CredentialReportNotReady,
    IAMError,
)
from iamconsole.htmx import redirect_or_client_redirect

REUSE_AGE = datetime.timedelta(hours=4)  # AWS regenerates a report at most once every 4 hours
ROOT_USER = "<root_account>"
MAX_DAYS = 36500


def _days(label: str) -> forms.IntegerField:
    message = f"Enter a whole number of days from 1 to {MAX_DAYS}."
    return forms.IntegerField(
        required=False,
        min_value=1,
        max_value=MAX_DAYS,
        label=label,
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


class ReportFilterForm(forms.Form):
    """The table's filters: users without MFA, passwords unused for N days, active keys older than N days."""

    no_mfa = forms.BooleanField(required=False, label="No MFA")
    password_unused = _days("Password unused for at least (days)")
    key_age = _days("Active access key older than (days)")

    @property
    def active(self) -> bool:
        return self.is_valid() and any(value not in (None, False) for value in self.cleaned_data.values())


def report_filename(generated: datetime.datetime) -> str:
    """`status_reports_<date>T<time>.csv` from the report's generation time in UTC; the time's colons
    become underscores, since browsers and Windows refuse them in file names."""
    stamp = generated.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H_%M_%S+00_00")
    return f"status_reports_{stamp}.csv"


def _when(value: str) -> datetime.datetime | None:
    """A report timestamp (`2017-06-10T02:35:07+00:00`), or None for N/A, no_information, not_supported."""
    try:
        return datetime.datetime.fromisoformat(value)
    except ValueError:
        return None


def _key(row: dict, n: int) -> dict | None:
    """Access key `n`'s columns, or None when the slot is empty (no key at all)."""
    rotated = _when(row[f"access_key_{n}_last_rotated"])
    if rotated is None:
        return None
    return {
        "active": row[f"access_key_{n}_active"] == "true",
        "last_rotated": rotated,
        "last_used": _when(row[f"access_key_{n}_last_used_date"]),
        "region": row[f"access_key_{n}_last_used_region"],
        "service": row[f"access_key_{n}_last_used_service"],
    }


def parse_report(content: bytes) -> list[dict]:
    """The report's rows: each CSV row as a dict, plus the parsed values the table and filters use."""
    rows = []
    for row in csv.DictReader(io.StringIO(content.decode("utf-8"))):
        rows.append(
            {
                **row,
                "is_root": row["user"] == ROOT_USER,
                "created": _when(row["user_creation_time"]),
                "password": row["password_enabled"] == "true",
                "password_used": _when(row["password_last_used"]),
                "password_changed": _when(row["password_last_changed"]),
                "password_rotation": _when(row["password_next_rotation"]),
                "mfa": row["mfa_active"] == "true",
                "keys": [key for key in (_key(row, 1), _key(row, 2)) if key],
                "certificates": sum(row[f"cert_{n}_active"] == "true" for n in (1, 2)),
            }
        )
    return rows


def filter_rows(rows: list[dict], filters: dict, as_of: datetime.datetime) -> list[dict]:
    """The rows that match every filter; ages count back from `as_of` (when the report was generated).

    A password counts as unused since its last use, or since it was set when it was never used.
    """
    out = []
    for row in rows:
        if filters.get("no_mfa") and row["mfa"]:
            continue
        if days := filters.get("password_unused"):
            last = row["password_used"] or row["password_changed"]
            if not row["password"] or last is None or as_of - last < datetime.timedelta(days=days):
                continue
        if days := filters.get("key_age"):
            cutoff = as_of - datetime.timedelta(days=days)
            if not any(key["active"] and key["last_rotated"] < cutoff for key in row["keys"]):
                continue
        out.append(row)
    return out


def _stored_report(iam) -> tuple[dict | None, str]:
    """(GetCredentialReport's answer, or None; why there is none)."""
    try:
        return iam.get_credential_report(), ""
    except CredentialReportNotPresent:
        return None, "No credential report exists yet."
    except CredentialReportExpired:
        return None, "The last credential report has expired."
    except CredentialReportNotReady:
        return None, "The credential report is still being generated. Reload the page in a moment."


@require_GET
def credential_report(request):
    """The page: when the report was generated, the 4-hour rule, the download, the filtered table."""
    report, missing = _stored_report(request.iam)
    form = ReportFilterForm(request.GET or None)
    rows, shown = [], []
    if report is not None:
        rows = parse_report(report["Content"])
        shown = filter_rows(rows, form.cleaned_data if form.is_valid() else {}, report["GeneratedTime"])
    context = {
        "report": report,
        "missing": missing,
        "next_generation": report["GeneratedTime"] + REUSE_AGE if report else None,
        "form": form,
        "rows": shown,
        "total": len(rows),
    }
    template = "credentials/credential_report.html"
    if request.htmx and not request.htmx.boosted:
        template += "#report-table"
    return render(request, template, context)


@require_POST
def credential_report_generate(request):
    """GenerateCredentialReport, then back to the table (a report younger than 4 hours is kept)."""
    try:
        state = request.iam.generate_credential_report()["State"]
    except IAMError as error:
        messages.error(request, error.message)
    else:
        if state == "COMPLETE":
            messages.info(request, "The current report is less than 4 hours old, so IAM kept it.")
        else:
            messages.success(request, "Credential report generated.")
    return redirect_or_client_redirect(request, reverse("credentials:credential_report"))


@require_POST
def credential_report_download(request):
    """ "Download report": generate (unless a report younger than 4 hours exists), then serve its bytes."""
    try:
        request.iam.generate_credential_report()
        report = request.iam.get_credential_report()
    except IAMError as error:
        messages.error(request, error.message or f"The credential report is not available ({error.code}).")
        return redirect_or_client_redirect(request, reverse("credentials:credential_report"))
    response = HttpResponse(report["Content"], content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(report["GeneratedTime"])}"'
    add_never_cache_headers(response)  # a snapshot of every user's credentials: keep it out of caches
    return response
