"""What LocalBackend does around every operation: audit, authorization, scoping, unknown actions."""

import pytest

from accounts.models import AuditEvent
from iamconsole import crypto
from iamconsole.backends import errors, get_backend
from users.models import IAMUser


def test_a_mutation_writes_one_audit_event_with_the_principal_and_parameters(iam, account):
    iam.create_user(UserName="audited", Tags=[{"Key": "k", "Value": "v"}])

    event = AuditEvent.objects.get(account=account)
    assert event.event_name == "CreateUser"
    assert event.principal_arn == "arn:aws:iam::123456789012:root"
    assert event.principal_type == "Root"
    assert event.request_parameters == {"UserName": "audited", "Tags": [{"Key": "k", "Value": "v"}]}
    assert event.error_code == ""


def test_a_failed_mutation_is_audited_with_its_error_code_and_writes_nothing_else(iam, account):
    iam.create_user(UserName="dup")

    with pytest.raises(errors.EntityAlreadyExists):
        iam.create_user(UserName="DUP")

    failed = AuditEvent.objects.filter(account=account, error_code="EntityAlreadyExists")
    assert failed.count() == 1
    assert IAMUser.objects.filter(account=account).count() == 1


def test_reads_are_not_audited(iam, account):
    iam.create_user(UserName="reader")
    iam.get_user(UserName="reader")

    assert list(AuditEvent.objects.values_list("event_name", flat=True)) == ["CreateUser"]


def test_secrets_are_redacted_in_audit_parameters(account):
    from iamconsole.backends.audit import REDACTED, redact

    assert redact({"UserName": "a", "Password": "p", "Nested": [{"SecretAccessKey": "s"}]}) == {
        "UserName": "a",
        "Password": REDACTED,
        "Nested": [{"SecretAccessKey": REDACTED}],
    }


def test_an_iam_user_principal_is_denied_explicitly_until_the_policy_engine_decides(iam, account):
    iam.create_user(UserName="trainee")
    trainee = IAMUser.objects.get(name="trainee")

    with pytest.raises(errors.AccessDenied) as exc:
        get_backend(account, trainee).create_user(UserName="sneaky")

    assert exc.value.message == (
        "User: arn:aws:iam::123456789012:user/trainee is not authorized to perform: iam:CreateUser on resource: "
        "arn:aws:iam::123456789012:user/sneaky because no identity-based policy allows the iam:CreateUser action"
    )
    assert exc.value.http_status == 403
    assert not IAMUser.objects.filter(name="sneaky").exists()
    assert AuditEvent.objects.filter(error_code="AccessDenied", principal_arn=trainee.arn).count() == 1


def test_entities_of_another_account_are_not_found(iam, other_account):
    iam.create_user(UserName="mine")

    with pytest.raises(errors.NoSuchEntity):
        get_backend(other_account).get_user(UserName="mine")


def test_an_action_the_backend_lacks_is_named_in_a_clear_error(iam):
    with pytest.raises(errors.NotImplementedOperation, match="does not implement the IAM action CreateRole"):
        iam.create_role(RoleName="r", AssumeRolePolicyDocument="{}")


def test_a_method_that_is_no_iam_action_is_an_attribute_error(iam):
    with pytest.raises(AttributeError):
        iam.make_coffee()


def test_encryption_round_trips_and_binds_the_purpose(settings):
    token = crypto.encrypt("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "access-key")

    assert "wJalr" not in token
    assert crypto.decrypt(token, "access-key") == "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
    with pytest.raises(Exception):  # noqa: B017 - cryptography's InvalidTag
        crypto.decrypt(token, "totp-seed")
