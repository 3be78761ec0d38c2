"""Template filters for the console's dates and ages ("12 days ago", full ISO on hover)."""

import datetime

from django import template
from django.utils import timezone

register = template.Library()


def _days(value) -> int:
    return max(0, (timezone.now() - value).days)


@register.filter
def ago(value, never="Never"):
    """`12 days ago`, `Today`, `Yesterday`; `never` when there is no date."""
    if not value:
        return never
    days = _days(value)
    if days == 0:
        return "Today"
    if days == 1:
        return "Yesterday"
    return f"{days} days ago"


@register.filter
def age(value, none="None"):
    """`12 days` (an age such as a password's), `none` when there is no date."""
    if not value:
        return none
    days = _days(value)
    return "1 day" if days == 1 else f"{days} days"


@register.filter
def iso(value):
    """Full ISO 8601 in UTC, for title attributes and machine-readable times."""
    if not value:
        return ""
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return str(value)
