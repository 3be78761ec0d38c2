"""The IAM service model as botocore ships it, and request validation driven by it.

Every backend call is checked against the operation's input shape before anything else happens:
unknown members, missing required members, and strings, numbers and lists that break the model's
`min`/`max`/`pattern`/`enum` constraints raise `ValidationError` with AWS's wording
("1 validation error detected: Value at 'userName' failed to satisfy constraint: Member must ...").
The patterns are Java regexes: `\\w` is ASCII there, and `\\p{L}` classes need the `regex` package.
"""

import datetime
import functools
import re

import botocore.session
import regex

from .errors import ValidationError

# AWS answers a bad path with its own sentence rather than the pattern.
_PATH_MESSAGE = (
    "The specified value for path is invalid. It must begin and end with / and contain only "
    "alphanumeric characters and/or / characters."
)


@functools.cache
def service_model():
    return botocore.session.get_session().get_service_model("iam")


@functools.cache
def operation_model(action: str):
    return service_model().operation_model(action)


def snake_case(action: str) -> str:
    """`CreateUser` -> `create_user`, `UploadSSHPublicKey` -> `upload_ssh_public_key` (boto3's rule)."""
    from botocore import xform_name

    return xform_name(action)


@functools.cache
def action_names() -> dict[str, str]:
    """snake_case method name -> IAM action name, for every action in the model."""
    return {snake_case(name): name for name in service_model().operation_names}


@functools.cache
def _compile(pattern: str):
    if "\\p{" in pattern:
        return regex.compile(pattern)
    return re.compile(pattern, re.ASCII | re.DOTALL)


def _lower_camel(name: str) -> str:
    return name[:1].lower() + name[1:]


def validate_input(action: str, params: dict) -> None:
    """Raise ValidationError unless `params` fit the action's input shape."""
    shape = operation_model(action).input_shape
    errors: list[str] = []
    if shape is None:
        if params:
            raise ValidationError(f"Unknown parameter in input: {next(iter(params))!r}")
        return
    unknown = [key for key in params if key not in shape.members]
    if unknown:
        raise ValidationError(
            f'Unknown parameter in input: "{unknown[0]}", must be one of: {", ".join(shape.members)}'
        )
    _check_structure(shape, params, "", errors)
    if errors == [_PATH_MESSAGE]:
        raise ValidationError(_PATH_MESSAGE)
    if errors:
        head = (
            "1 validation error detected: "
            if len(errors) == 1
            else f"{len(errors)} validation errors detected: "
        )
        raise ValidationError(head + "; ".join(errors))


def _check_structure(shape, value, where, errors):
    if not isinstance(value, dict):
        errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a structure")
        return
    for name in shape.required_members:
        if value.get(name) is None:
            errors.append(
                f"Value null at '{_join(where, name)}' failed to satisfy constraint: Member must not be null"
            )
    for name, member_value in value.items():
        member = shape.members.get(name)
        if member is None:
            errors.append(
                f"Value at '{_join(where, name)}' failed to satisfy constraint: Member is not known"
            )
            continue
        if member_value is None:
            continue
        _check(member, member_value, _join(where, name), errors)


def _join(where, name):
    name = _lower_camel(name)
    return f"{where}.{name}" if where else name


def _check(shape, value, where, errors):
    kind = shape.type_name
    meta = shape.metadata
    if kind == "structure":
        _check_structure(shape, value, where, errors)
    elif kind == "list":
        if not isinstance(value, list | tuple):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a list")
            return
        _check_length(meta, len(value), where, errors)
        for index, item in enumerate(value, start=1):
            _check(shape.member, item, f"{where}.{index}.member", errors)
    elif kind == "map":
        if not isinstance(value, dict):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a map")
            return
        for key, item in value.items():
            _check(shape.key, key, f"{where}.key", errors)
            _check(shape.value, item, f"{where}.value", errors)
    elif kind == "string":
        if not isinstance(value, str):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a string")
            return
        if "enum" in meta and value not in meta["enum"]:
            errors.append(
                f"Value at '{where}' failed to satisfy constraint: Member must satisfy enum value set"
            )
            return
        if _check_length(meta, len(value), where, errors):
            return
        pattern = meta.get("pattern")
        if pattern and not _compile(pattern).fullmatch(value):
            if shape.name == "pathType":
                errors.append(_PATH_MESSAGE)
            else:
                errors.append(
                    f"Value at '{where}' failed to satisfy constraint: "
                    f"Member must satisfy regular expression pattern: {pattern}"
                )
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a number")
            return
        if "min" in meta and value < meta["min"]:
            errors.append(
                f"Value at '{where}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            errors.append(
                f"Value at '{where}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )
    elif kind == "boolean":
        if not isinstance(value, bool):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a boolean")
    elif kind == "blob":
        if not isinstance(value, bytes | bytearray | str):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be binary")
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime):
            errors.append(f"Value at '{where}' failed to satisfy constraint: Member must be a timestamp")


def _check_length(meta, length, where, errors) -> bool:
    if "min" in meta and length < meta["min"]:
        errors.append(
            f"Value at '{where}' failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}"
        )
        return True
    if "max" in meta and length > meta["max"]:
        errors.append(
            f"Value at '{where}' failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}"
        )
        return True
    return False
