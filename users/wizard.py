"""The add-users wizard's server-side state, whole-batch validation and creation (facts §1.1).

The state lives in the session (server-side) under one key, step by step; the custom password is kept
encrypted there and the whole state is dropped once the users are created, so no secret outlives the
success page. `validate_batch` checks every row against the backend before the first write;
`create_users` then makes every user in one backend batch.
"""

import csv
import io
import json
import uuid
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag

from accounts.services import generate_password
from iamconsole import crypto
from iamconsole.backends import IAMError
from iamconsole.backends.errors import NoSuchEntity
from iamconsole.backends.model import validate_input

SESSION_KEY = "add_users_wizard"
STEPS = ["details", "permissions", "tags", "review"]
MAX_USERS = 10
CHANGE_PASSWORD_POLICY = "arn:aws:iam::aws:policy/IAMUserChangePassword"
CSV_HEADER = ["User name", "Password", "Access key ID", "Secret access key", "Console login link"]
_PURPOSE = "wizard-password"


# -- state -------------------------------------------------------------------------------------------


def new_state() -> dict:
    return {
        "id": uuid.uuid4().hex,
        "details": {
            "names": [""],
            "programmatic": False,
            "console": False,
            "password_type": "auto",
            "custom_password": "",
            "require_reset": True,
        },
        "permissions": {"option": "group", "groups": [], "copy_from": "", "policies": [], "boundary": ""},
        "tags": [],
        "done": [],
    }


def load(session) -> dict:
    return session.get(SESSION_KEY) or new_state()


def save(session, state: dict) -> None:
    session[SESSION_KEY] = state
    session.modified = True


def clear(session) -> None:
    session.pop(SESSION_KEY, None)


def seal_password(password: str) -> str:
    return crypto.encrypt(password, _PURPOSE) if password else ""


def open_password(sealed: str) -> str:
    """The custom password kept in the wizard's state; "" when none, or when it was sealed under an
    encryption key since rotated (the operator types it again)."""
    if not sealed:
        return ""
    try:
        return crypto.decrypt(sealed, _PURPOSE)
    except (ValueError, InvalidTag):
        return ""


def first_missing_step(state: dict, step: str) -> str | None:
    """The earliest step before `step` that was not completed (a tampered or skipped flow)."""
    for earlier in STEPS[: STEPS.index(step)]:
        if earlier not in state["done"]:
            return earlier
    return None


# -- validation --------------------------------------------------------------------------------------


@dataclass
class BatchErrors:
    """Errors keyed by field ("names" per row index, "password", "groups", "policies", ...)."""

    rows: dict[int, str] = field(default_factory=dict)
    fields: dict[str, str] = field(default_factory=dict)

    def __bool__(self):
        return bool(self.rows or self.fields)


def check_names(iam, names: list[str]) -> dict[int, str]:
    """Per-row errors for the user names: AWS's rules, duplicates in the batch, names already taken."""
    errors: dict[int, str] = {}
    seen: dict[str, int] = {}
    for index, name in enumerate(names):
        if not name:
            errors[index] = "Enter a user name."
            continue
        try:
            validate_input("CreateUser", {"UserName": name})
        except IAMError:
            errors[index] = "Up to 64 characters: letters, digits and + = , . @ _ - only."
            continue
        if name.lower() in seen:
            errors[index] = "This user name is already in this list."
            errors.setdefault(seen[name.lower()], "This user name is already in this list.")
            continue
        seen[name.lower()] = index
        try:
            iam.get_user(UserName=name)
            errors[index] = f"User with name {name} already exists."
        except NoSuchEntity:
            pass
    return errors


def validate_batch(iam, state: dict) -> BatchErrors:
    """Everything the final step will do, checked against the backend without writing anything."""
    errors = BatchErrors(rows=check_names(iam, state["details"]["names"]))
    details, permissions = state["details"], state["permissions"]
    if not (details["programmatic"] or details["console"]):
        errors.fields["access"] = "Select at least one access type."
    if details["console"] and details["password_type"] == "custom":
        violations = iam.check_password(Password=open_password(details["custom_password"]))["Violations"]
        if violations:
            errors.fields["password"] = "; ".join(violations)
    for group in permissions["groups"] if permissions["option"] == "group" else []:
        try:
            iam.get_group(GroupName=group, MaxItems=1)
        except NoSuchEntity:
            errors.fields["groups"] = f"The group with name {group} cannot be found."
    if permissions["option"] == "copy":
        try:
            iam.get_user(UserName=permissions["copy_from"])
        except (NoSuchEntity, IAMError):
            errors.fields["copy_from"] = "Choose an existing user to copy permissions from."
    arns = list(permissions["policies"] if permissions["option"] == "attach" else [])
    if permissions["boundary"]:
        arns.append(permissions["boundary"])
    for arn in arns:
        try:
            iam.get_policy(PolicyArn=arn)
        except IAMError:
            errors.fields["policies"] = f"Policy {arn} does not exist or is not attachable."
    if state["tags"]:
        try:
            validate_input("TagUser", {"UserName": "x", "Tags": state["tags"]})
        except IAMError as error:
            errors.fields["tags"] = error.message
    return errors


# -- creation ----------------------------------------------------------------------------------------


@dataclass
class Created:
    user_name: str
    password: str = ""
    access_key_id: str = ""
    secret_access_key: str = ""
    done: list[str] = field(default_factory=list)
    error: str = ""


def _copy_plan(iam, source: str) -> dict:
    """What "Copy permissions from existing user" copies: groups, managed policies, inline policies,
    and the permissions boundary."""
    user = iam.get_user(UserName=source)["User"]
    return {
        "groups": [
            g["GroupName"] for g in iam.list_groups_for_user(UserName=source, MaxItems=1000)["Groups"]
        ],
        "policies": [
            p["PolicyArn"]
            for p in iam.list_attached_user_policies(UserName=source, MaxItems=1000)["AttachedPolicies"]
        ],
        "inline": [
            (name, iam.get_user_policy(UserName=source, PolicyName=name)["PolicyDocument"])
            for name in iam.list_user_policies(UserName=source, MaxItems=1000)["PolicyNames"]
        ],
        "boundary": user.get("PermissionsBoundary", {}).get("PermissionsBoundaryArn", ""),
    }


def resolve_batch(iam, state: dict) -> dict:
    """What every user of the batch gets: groups, managed policies, inline policies (name, JSON text),
    the boundary, and the generated passwords' minimum length (copy-from-user resolved now)."""
    details, permissions = state["details"], state["permissions"]
    policy = iam.password_policy_summary() if details["console"] else {}
    groups, policies, inline, boundary = [], [], [], permissions["boundary"]
    if permissions["option"] == "group":
        groups = list(permissions["groups"])
    elif permissions["option"] == "attach":
        policies = list(permissions["policies"])
    elif permissions["option"] == "copy":
        plan = _copy_plan(iam, permissions["copy_from"])
        groups, policies, inline = plan["groups"], plan["policies"], plan["inline"]
        boundary = boundary or plan["boundary"]
    needs_change_policy = (
        details["console"] and details["require_reset"] and not policy.get("AllowUsersToChangePassword")
    )
    if needs_change_policy and CHANGE_PASSWORD_POLICY not in policies:
        policies.append(CHANGE_PASSWORD_POLICY)
    return {
        "groups": groups,
        "policies": policies,
        "inline": [[name, doc if isinstance(doc, str) else json.dumps(doc)] for name, doc in inline],
        "boundary": boundary,
        "minimum_length": max(20, policy.get("MinimumPasswordLength", 8)),
    }


def plan_passwords(state: dict, minimum_length: int) -> dict[str, str]:
    """Each user's console password: the custom one, or a generated one; {} without console access."""
    details = state["details"]
    if not details["console"]:
        return {}
    custom = open_password(details["custom_password"]) if details["password_type"] == "custom" else ""
    return {name: custom or generate_password(minimum_length) for name in details["names"]}


def create_users(iam, state: dict) -> list[Created]:
    """Create every user of the batch, in one backend batch; returns each user's secrets and steps.

    The caller has run `validate_batch` first. An error from the backend inside the batch rolls the
    whole batch back on the local backend and is re-raised. (On an AWS account, users/push.py runs the
    same calls as a resumable job instead.)
    """
    details = state["details"]
    resolved = resolve_batch(iam, state)
    groups, policies, inline, boundary = (
        resolved["groups"],
        resolved["policies"],
        resolved["inline"],
        resolved["boundary"],
    )
    passwords = plan_passwords(state, resolved["minimum_length"])
    results = []
    with iam.hashing_ahead(list(passwords.values())), iam.batch():
        for name in details["names"]:
            created = Created(name)
            request = {"UserName": name}
            if boundary:
                request["PermissionsBoundary"] = boundary
            if state["tags"]:
                request["Tags"] = state["tags"]
            iam.create_user(**request)
            created.done.append("CreateUser")
            if details["console"]:
                created.password = passwords[name]
                iam.create_login_profile(
                    UserName=name, Password=created.password, PasswordResetRequired=details["require_reset"]
                )
                created.done.append("CreateLoginProfile")
            if details["programmatic"]:
                key = iam.create_access_key(UserName=name)["AccessKey"]
                created.access_key_id, created.secret_access_key = key["AccessKeyId"], key["SecretAccessKey"]
                created.done.append("CreateAccessKey")
            for group in groups:
                iam.add_user_to_group(UserName=name, GroupName=group)
                created.done.append(f"AddUserToGroup {group}")
            for arn in policies:
                iam.attach_user_policy(UserName=name, PolicyArn=arn)
                created.done.append(f"AttachUserPolicy {arn}")
            for policy_name, text in inline:
                iam.put_user_policy(UserName=name, PolicyName=policy_name, PolicyDocument=text)
                created.done.append(f"PutUserPolicy {policy_name}")
            results.append(created)
    return results


def credentials_csv(results: list[Created], sign_in_url: str) -> str:
    """The legacy wizard's credentials.csv: one row per user, unused fields empty (facts §1.1).

    User names that a spreadsheet would run as a formula (`=`, `+`, `-`, `@` are legal in IAM names)
    are prefixed with a quote (security checklist §8.11); secrets are written as they are, since a
    changed password is a wrong one (generated passwords never start with such a character).
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for row in results:
        writer.writerow(
            [
                _cell(row.user_name),
                row.password,
                row.access_key_id,
                row.secret_access_key,
                sign_in_url if row.password else "",
            ]
        )
    return out.getvalue()


def _cell(value: str) -> str:
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
