"""Validation of a backend's output against botocore's output shape for the action.

Every contract test passes its result through `check_output(action, result)`: each member must be
known to the shape, required members present, and values of the shape's type (datetime for
timestamps, bytes for blobs, bool, int, str, lists and maps), with enums respected.
"""

import datetime

from iamconsole.backends.model import operation_model

# Where real AWS answers differ from botocore's model, AWS wins (each seen in recorded AWS answers):
# - PermissionsBoundaryType is "Policy" on the wire, not the model's enum value "PermissionsBoundaryPolicy";
# - the policy simulator names an identity policy's type "IAM Policy", outside the model's enum;
# - the root user (GetUser, ListVirtualMFADevices) has no Path and UserName although the model marks
#   them required.
EXTRA_ENUM_VALUES = {"PermissionsBoundaryType": {"Policy"}, "SourcePolicyType": {"IAM Policy"}}
ROOT_USER_OPTIONAL = {"Path", "UserName"}


def check_output(action: str, result: dict) -> dict:
    shape = operation_model(action).output_shape
    if shape is None:
        assert result in (None, {}), f"{action} has no output, got {result!r}"
        return result
    problems: list[str] = []
    _check(shape, result, action, problems)

    assert not problems, f"{action} output does not fit botocore's shape:\n" + "\n".join(problems)
    return result


def _check(shape, value, where, problems):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a dict, got {type(value).__name__}")
            return
        root_user = shape.name == "User" and str(value.get("Arn", "")).endswith(":root")
        for name in shape.required_members:
            if name not in value and not (root_user and name in ROOT_USER_OPTIONAL):
                problems.append(f"{where}: required member {name} is missing")
        for name, item in value.items():
            if name not in shape.members:
                problems.append(f"{where}: unknown member {name}")
            elif item is None:
                problems.append(f"{where}.{name}: None (omit the member instead)")
            elif item in EXTRA_ENUM_VALUES.get(name, ()):
                continue
            else:
                _check(shape.members[name], item, f"{where}.{name}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{where}: expected a list, got {type(value).__name__}")
            return
        for index, item in enumerate(value):
            _check(shape.member, item, f"{where}[{index}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{where}: expected a dict (map), got {type(value).__name__}")
            return
        for key, item in value.items():
            _check(shape.key, key, f"{where}.key", problems)
            _check(shape.value, item, f"{where}[{key!r}]", problems)
    elif kind == "string" and shape.name == "policyDocumentType":
        # boto3 decodes policy documents into dicts (botocore's json_decode_policies); so does the contract.
        if not isinstance(value, dict):
            problems.append(f"{where}: a policy document must be a dict, as boto3 returns it")
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{where}: expected str, got {type(value).__name__}")
        elif "enum" in shape.metadata and value not in shape.metadata["enum"]:
            problems.append(f"{where}: {value!r} is not one of {shape.metadata['enum']}")
    elif kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            problems.append(f"{where}: expected int, got {type(value).__name__}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{where}: expected bool, got {type(value).__name__}")
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            problems.append(f"{where}: expected an aware datetime, got {value!r}")
    elif kind == "blob":
        if not isinstance(value, bytes):
            problems.append(f"{where}: expected bytes, got {type(value).__name__}")
