"""Deleting users from the list: typed confirmation, then the console cascade in AWS's order."""

import time

import pyotp
import pytest

from accounts.models import AuditEvent
from iamconsole.backends import errors, get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def loaded(account):
    """A user with something of every kind the cascade removes."""
    iam = get_backend(account)
    iam.create_user(UserName="loaded")
    iam.create_login_profile(UserName="loaded", Password="Loaded-pass-1234")
    iam.create_access_key(UserName="loaded")
    iam.put_user_policy(
        UserName="loaded",
        PolicyName="inline",
        PolicyDocument='{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}',
    )
    iam.attach_user_policy(UserName="loaded", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")
    iam.create_group(GroupName="team")
    iam.add_user_to_group(UserName="loaded", GroupName="team")
    device = iam.create_virtual_mfa_device(VirtualMFADeviceName="loaded-mfa")["VirtualMFADevice"]
    totp = pyotp.TOTP(device["Base32StringSeed"].decode())
    now = time.time()
    iam.enable_mfa_device(
        UserName="loaded",
        SerialNumber=device["SerialNumber"],
        AuthenticationCode1=totp.at(now - 30),
        AuthenticationCode2=totp.at(now),
    )
    return iam


def test_the_confirmation_page_asks_for_the_user_name(signed_in, loaded):
    response = signed_in.get("/users/delete", {"user": "loaded"})

    assert response.status_code == 200
    assert "To confirm deletion, enter <strong>loaded</strong>" in response.content.decode()


def test_several_users_are_confirmed_with_n_users(signed_in, loaded):
    loaded.create_user(UserName="second")

    response = signed_in.post("/users/delete", {"user": ["loaded", "second"], "confirmation": "loaded"})

    assert response.status_code == 200
    assert "Enter “2 users” to confirm the deletion." in response.content.decode()
    assert len(loaded.list_users()["Users"]) == 2


def test_a_wrong_confirmation_deletes_nothing(signed_in, loaded):
    response = signed_in.post("/users/delete", {"user": "loaded", "confirmation": "Loaded"})

    assert response.status_code == 200
    assert loaded.get_user(UserName="loaded")


def test_the_cascade_removes_everything_in_aws_order_then_the_user(signed_in, loaded, account):
    response = signed_in.post("/users/delete", {"user": "loaded", "confirmation": "loaded"}, follow=True)

    assert "User loaded deleted." in response.content.decode()
    with pytest.raises(errors.NoSuchEntity):
        loaded.get_user(UserName="loaded")
    names = list(
        AuditEvent.objects.filter(account=account).order_by("id").values_list("event_name", flat=True)
    )
    cascade = names[names.index("DeleteLoginProfile") :]
    assert cascade == [
        "DeleteLoginProfile",
        "DeleteAccessKey",
        "DeactivateMFADevice",
        "DeleteVirtualMFADevice",
        "DeleteUserPolicy",
        "DetachUserPolicy",
        "RemoveUserFromGroup",
        "DeleteUser",
    ]
    assert loaded.list_virtual_mfa_devices()["VirtualMFADevices"] == []


def test_an_unknown_user_is_reported_not_deleted(signed_in, loaded):
    response = signed_in.post("/users/delete", {"user": "ghost", "confirmation": "ghost"}, follow=True)

    assert "User ghost was not deleted: NoSuchEntity" in response.content.decode()


def test_delete_needs_a_selection(signed_in, loaded):
    response = signed_in.post("/users/delete", {"confirmation": ""})

    assert "Select at least one user to delete." in response.content.decode()


def test_the_htmx_post_gets_a_client_redirect(signed_in, loaded):
    response = signed_in.post(
        "/users/delete", {"user": "loaded", "confirmation": "loaded"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == "/users"
