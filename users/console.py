"""The users list's columns, as the AWS console names them, and which ones the operator shows."""

from accounts import preferences

# (key, label, sort key) in the AWS console's order.
COLUMNS = [
    ("name", "User name", "name"),
    ("path", "Path", "path"),
    ("groups", "Groups", "groups"),
    ("last_activity", "Last activity", "last_activity"),
    ("mfa", "MFA", "mfa"),
    ("password_age", "Password age", "password_age"),
    ("console_last_sign_in", "Console last sign-in", "console_last_sign_in"),
    ("access_key_id", "Access key ID", "access_key_id"),
    ("active_key_age", "Active key age", "active_key_age"),
    ("access_key_last_used", "Access key last used", "access_key_last_used"),
    ("arn", "ARN", "arn"),
    ("created", "Creation time", "created"),
]
DEFAULT_HIDDEN = {"path", "arn"}
PREFERENCE = "users_list_columns"


def visible_keys(operator) -> set[str]:
    # A signed-in IAM user is no operator: no remembered preferences, the console's defaults.
    chosen = None if getattr(operator, "is_iam_user", False) else preferences.get(operator, PREFERENCE)
    keys = set(chosen) if chosen else {key for key, _, _ in COLUMNS} - DEFAULT_HIDDEN
    return keys | {"name"}  # the user name is always shown


def visible_columns(operator) -> list[tuple[str, str, str]]:
    keys = visible_keys(operator)
    return [column for column in COLUMNS if column[0] in keys]


def remember_columns(operator, keys: list[str]) -> None:
    if getattr(operator, "is_iam_user", False):
        return  # preferences are remembered for operators only
    known = {key for key, _, _ in COLUMNS}
    preferences.put(operator, PREFERENCE, sorted({key for key in keys if key in known} | {"name"}))
