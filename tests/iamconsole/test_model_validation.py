"""Request members are checked against botocore's input shapes, with AWS's ValidationError wording."""

import pytest

from iamconsole.backends import errors
from iamconsole.backends.model import validate_input


def test_it_names_the_member_and_the_pattern_it_breaks():
    with pytest.raises(errors.ValidationError) as exc:
        validate_input("GetPolicyVersion", {"PolicyArn": "arn:aws:iam::aws:policy/X", "VersionId": "v2-bad!"})

    assert exc.value.message == (
        "1 validation error detected: Value at 'versionId' failed to satisfy constraint: "
        "Member must satisfy regular expression pattern: v[1-9][0-9]*(\\.[A-Za-z0-9-]*)?"
    )
    assert exc.value.http_status == 400


def test_it_answers_a_bad_path_with_aws_sentence():
    with pytest.raises(errors.ValidationError) as exc:
        validate_input("CreateUser", {"UserName": "a", "Path": "no-slashes"})

    assert exc.value.message.startswith(
        "The specified value for path is invalid. It must begin and end with /"
    )


def test_it_counts_several_errors():
    with pytest.raises(errors.ValidationError) as exc:
        validate_input("CreateUser", {"UserName": "x" * 65, "Path": "/" + "a" * 512 + "/"})

    assert exc.value.message.startswith("2 validation errors detected: ")
    assert "Member must have length less than or equal to 64" in exc.value.message
    assert "Member must have length less than or equal to 512" in exc.value.message


def test_a_missing_required_member_is_null():
    with pytest.raises(errors.ValidationError) as exc:
        validate_input("CreateUser", {})

    assert exc.value.message == (
        "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"
    )


def test_enum_and_range_constraints_apply():
    with pytest.raises(errors.ValidationError, match="Member must satisfy enum value set"):
        validate_input("UpdateAccessKey", {"AccessKeyId": "AKIAAAAAAAAAAAAAAAAA", "Status": "Paused"})
    with pytest.raises(errors.ValidationError, match="Member must have value less than or equal to 1000"):
        validate_input("ListUsers", {"MaxItems": 1001})
    with pytest.raises(errors.ValidationError, match="Member must have value greater than or equal to 6"):
        validate_input("UpdateAccountPasswordPolicy", {"MinimumPasswordLength": 5})


def test_unknown_members_are_refused():
    with pytest.raises(errors.ValidationError, match='Unknown parameter in input: "Bogus"'):
        validate_input("CreateUser", {"UserName": "a", "Bogus": 1})


@pytest.mark.parametrize(
    "key,ok",
    [
        ("Department", True),
        ("café ☕", False),
        ("café", True),
        ("a b_c.:/=+-@", True),
        ("x" * 129, False),
        ("", False),
    ],
)
def test_tag_keys_follow_the_unicode_letter_pattern(key, ok):
    params = {"UserName": "a", "Tags": [{"Key": key, "Value": "v"}]}
    if ok:
        validate_input("TagUser", params)
    else:
        with pytest.raises(errors.ValidationError):
            validate_input("TagUser", params)


def test_java_word_characters_are_ascii_only():
    with pytest.raises(errors.ValidationError):
        validate_input("CreateUser", {"UserName": "аdmin"})  # Cyrillic а
    validate_input("CreateUser", {"UserName": "a+b=c,d.e@f_g-h"})


def test_a_password_allows_latin1_but_not_control_characters():
    validate_input("CreateLoginProfile", {"UserName": "a", "Password": "Ünïcödé pass 1!"})
    with pytest.raises(errors.ValidationError):
        validate_input("CreateLoginProfile", {"UserName": "a", "Password": "nul\x00byte"})
    with pytest.raises(errors.ValidationError, match="less than or equal to 128"):
        validate_input("CreateLoginProfile", {"UserName": "a", "Password": "x" * 129})
