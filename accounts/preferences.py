"""An operator's remembered console preferences (per operator, not per session)."""

from .models import OperatorPreference


def get(operator, key: str, default=None):
    row = OperatorPreference.objects.filter(operator=operator, key=key).first()
    return default if row is None else row.value


def put(operator, key: str, value) -> None:
    OperatorPreference.objects.update_or_create(operator=operator, key=key, defaults={"value": value})
