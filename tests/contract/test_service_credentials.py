"""Service-specific credentials through the contract: create, list, reset, update, delete."""

import json
import re

import pytest
from django.contrib.auth.hashers import check_password

from accounts.models import AuditEvent
from credentials.models import ServiceSpecificCredential
from iamconsole.backends import errors, get_backend
from tests.contract.conftest import CheckedBackend
from tests.contract.test_signing_certificates import as_user

CODECOMMIT = "codecommit.amazonaws.com"
CASSANDRA = "cassandra.amazonaws.com"


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return "alice"


def create(iam, service=CODECOMMIT, user="alice"):
    return iam.create_service_specific_credential(UserName=user, ServiceName=service)[
        "ServiceSpecificCredential"
    ]


# -- create ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("service", [CODECOMMIT, CASSANDRA])
def test_it_creates_a_credential_with_a_generated_user_name_and_password(iam, alice, service):
    credential = create(iam, service)

    assert credential["ServiceName"] == service
    assert credential["ServiceUserName"] == "alice-at-123456789012"
    assert credential["UserName"] == "alice"
    assert credential["Status"] == "Active"
    assert re.fullmatch(r"ACCA[A-Z0-9]{17}", credential["ServiceSpecificCredentialId"])
    assert re.fullmatch(r"[A-Za-z0-9+/]{59}=", credential["ServicePassword"])
    assert credential["CreateDate"].tzinfo is not None


def test_the_password_is_stored_only_as_a_hash(iam, alice):
    credential = create(iam)

    stored = ServiceSpecificCredential.objects.get()
    assert credential["ServicePassword"] not in stored.password_hash
    assert check_password(credential["ServicePassword"], stored.password_hash)


def test_the_password_never_reaches_the_audit_log(iam, alice, account):
    password = create(iam)["ServicePassword"]
    credential_id = ServiceSpecificCredential.objects.get().credential_id
    reset_password = iam.reset_service_specific_credential(
        ServiceSpecificCredentialId=credential_id, UserName="alice"
    )["ServiceSpecificCredential"]["ServicePassword"]

    events = AuditEvent.objects.filter(account=account, event_name__endswith="ServiceSpecificCredential")
    dumped = json.dumps([[e.request_parameters, e.response_elements] for e in events])
    assert events.count() == 2
    assert password not in dumped and reset_password not in dumped
    assert "HIDDEN_DUE_TO_SECURITY_REASONS" in dumped


def test_a_second_credential_for_the_service_gets_a_numbered_user_name(iam, alice):
    create(iam)

    assert create(iam)["ServiceUserName"] == "alice+1-at-123456789012"


def test_a_deleted_credentials_user_name_is_given_again(iam, alice):
    first = create(iam)
    create(iam)
    iam.delete_service_specific_credential(
        UserName="alice", ServiceSpecificCredentialId=first["ServiceSpecificCredentialId"]
    )

    assert create(iam)["ServiceUserName"] == "alice-at-123456789012"


def test_it_refuses_a_third_credential_for_one_service_but_not_for_another(iam, alice):
    create(iam, CODECOMMIT)
    create(iam, CODECOMMIT)

    with pytest.raises(errors.LimitExceeded) as exc:
        create(iam, CODECOMMIT)

    assert exc.value.message == "Cannot exceed quota for ServiceSpecificCredentialsPerUserPerService: 2"
    assert exc.value.http_status == 409
    assert create(iam, CASSANDRA)["ServiceUserName"] == "alice-at-123456789012"
    assert ServiceSpecificCredential.objects.filter(service_name=CODECOMMIT).count() == 2


@pytest.mark.parametrize(
    "service", ["nonexistentservice.amazonaws.com", "o3on3n3onosneo", "lambda.amazonaws.com"]
)
def test_an_unsupported_service_is_no_such_entity(iam, alice, service):
    with pytest.raises(errors.NoSuchEntity) as exc:
        create(iam, service)

    assert exc.value.message == f"No such service {service} is supported for Service Specific Credentials"
    assert exc.value.http_status == 404
    assert not ServiceSpecificCredential.objects.exists()


def test_create_for_an_unknown_user_is_no_such_entity(iam):
    with pytest.raises(errors.NoSuchEntity) as exc:
        create(iam, CODECOMMIT, "ghost")

    assert exc.value.message == "The user with name ghost cannot be found."


def test_credential_age_days_is_refused_for_git_and_keyspaces_credentials(iam, alice):
    with pytest.raises(errors.InvalidInput):
        iam.create_service_specific_credential(UserName="alice", ServiceName=CODECOMMIT, CredentialAgeDays=30)

    assert not ServiceSpecificCredential.objects.exists()


# -- list -----------------------------------------------------------------------------------------


def test_list_shows_metadata_without_passwords_filtered_by_service(iam, alice):
    git = create(iam, CODECOMMIT)
    create(iam, CASSANDRA)

    listed = iam.list_service_specific_credentials(UserName="alice", ServiceName=CODECOMMIT)

    assert listed == {
        "ServiceSpecificCredentials": [
            {
                "UserName": "alice",
                "Status": "Active",
                "ServiceUserName": "alice-at-123456789012",
                "CreateDate": git["CreateDate"],
                "ServiceSpecificCredentialId": git["ServiceSpecificCredentialId"],
                "ServiceName": CODECOMMIT,
            }
        ],
        "IsTruncated": False,
    }
    assert len(iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"]) == 2


def test_list_with_all_users_covers_the_whole_account_only(iam, alice, other_account):
    iam.create_user(UserName="bob")
    create(iam, CODECOMMIT, "alice")
    create(iam, CODECOMMIT, "bob")
    other = CheckedBackend(get_backend(other_account))
    other.create_user(UserName="carol")
    create(other, CODECOMMIT, "carol")

    listed = iam.list_service_specific_credentials(AllUsers=True, ServiceName=CODECOMMIT)

    assert sorted(c["UserName"] for c in listed["ServiceSpecificCredentials"]) == ["alice", "bob"]


def test_all_users_and_a_user_name_cannot_be_combined(iam, alice):
    with pytest.raises(errors.InvalidInput):
        iam.list_service_specific_credentials(UserName="alice", AllUsers=True)


def test_list_filtered_by_an_unsupported_service_is_no_such_entity(iam, alice):
    with pytest.raises(errors.NoSuchEntity) as exc:
        iam.list_service_specific_credentials(UserName="alice", ServiceName="lambda.amazonaws.com")

    assert (
        exc.value.message
        == "No such service lambda.amazonaws.com is supported for Service Specific Credentials"
    )


def test_list_pages_with_max_items_and_marker(iam, alice):
    ids = [
        create(iam, service)["ServiceSpecificCredentialId"] for service in (CODECOMMIT, CASSANDRA, CODECOMMIT)
    ]

    first = iam.list_service_specific_credentials(UserName="alice", MaxItems=2)
    second = iam.list_service_specific_credentials(UserName="alice", MaxItems=2, Marker=first["Marker"])

    listed = first["ServiceSpecificCredentials"] + second["ServiceSpecificCredentials"]
    assert sorted(c["ServiceSpecificCredentialId"] for c in listed) == sorted(ids)
    assert (first["IsTruncated"], second["IsTruncated"]) == (True, False)


def test_without_a_user_name_an_iam_user_sees_their_own(account, iam, alice, monkeypatch):
    iam.create_user(UserName="bob")
    mine = create(iam, CODECOMMIT, "alice")["ServiceSpecificCredentialId"]
    create(iam, CODECOMMIT, "bob")

    listed = as_user(account, "alice", monkeypatch).list_service_specific_credentials()

    assert [c["ServiceSpecificCredentialId"] for c in listed["ServiceSpecificCredentials"]] == [mine]
    assert iam.list_service_specific_credentials()["ServiceSpecificCredentials"] == []  # root has none


# -- reset, update, delete ------------------------------------------------------------------------


def test_reset_gives_a_new_password_and_keeps_the_rest(iam, alice):
    created = create(iam, CASSANDRA)
    credential_id = created["ServiceSpecificCredentialId"]
    iam.update_service_specific_credential(
        UserName="alice", ServiceSpecificCredentialId=credential_id, Status="Inactive"
    )

    reset = iam.reset_service_specific_credential(
        UserName="alice", ServiceSpecificCredentialId=credential_id
    )["ServiceSpecificCredential"]

    assert reset["ServicePassword"] != created["ServicePassword"]
    assert {k: v for k, v in reset.items() if k not in ("ServicePassword", "Status")} == {
        k: v for k, v in created.items() if k not in ("ServicePassword", "Status")
    }
    assert reset["Status"] == "Inactive"
    stored = ServiceSpecificCredential.objects.get().password_hash
    assert check_password(reset["ServicePassword"], stored)
    assert not check_password(created["ServicePassword"], stored)


def test_update_sets_the_status(iam, alice):
    credential_id = create(iam)["ServiceSpecificCredentialId"]

    assert (
        iam.update_service_specific_credential(
            UserName="alice", ServiceSpecificCredentialId=credential_id, Status="Inactive"
        )
        == {}
    )

    assert (
        iam.list_service_specific_credentials(UserName="alice")["ServiceSpecificCredentials"][0]["Status"]
        == "Inactive"
    )


def test_update_with_a_status_outside_the_enum_is_a_validation_error(iam, alice):
    credential_id = create(iam)["ServiceSpecificCredentialId"]

    with pytest.raises(errors.ValidationError) as exc:
        iam.update_service_specific_credential(ServiceSpecificCredentialId=credential_id, Status="Invalid")

    assert exc.value.message == (
        "1 validation error detected: Value at 'status' failed to satisfy constraint: Member must satisfy enum value set"
    )


def test_update_refuses_the_expired_status(iam, alice):
    credential_id = create(iam)["ServiceSpecificCredentialId"]

    with pytest.raises(errors.InvalidInput):
        iam.update_service_specific_credential(
            UserName="alice", ServiceSpecificCredentialId=credential_id, Status="Expired"
        )

    assert ServiceSpecificCredential.objects.get().status == "Active"


@pytest.mark.parametrize(
    ("action", "params"),
    [
        ("update_service_specific_credential", {"Status": "Inactive"}),
        ("reset_service_specific_credential", {}),
        ("delete_service_specific_credential", {}),
    ],
)
def test_an_unknown_credential_id_is_no_such_entity(iam, alice, action, params):
    create(iam)

    with pytest.raises(errors.NoSuchEntity) as exc:
        getattr(iam, action)(
            UserName="alice", ServiceSpecificCredentialId="satisfiesregexbutstillinvalid", **params
        )

    assert exc.value.message == "No such credential satisfiesregexbutstillinvalid exists"
    assert exc.value.http_status == 404


def test_another_users_credential_is_not_found(iam, alice):
    iam.create_user(UserName="bob")
    credential_id = create(iam, CODECOMMIT, "bob")["ServiceSpecificCredentialId"]

    with pytest.raises(errors.NoSuchEntity):
        iam.delete_service_specific_credential(UserName="alice", ServiceSpecificCredentialId=credential_id)
    with pytest.raises(errors.NoSuchEntity):
        iam.delete_service_specific_credential(ServiceSpecificCredentialId=credential_id)  # root has none
    assert ServiceSpecificCredential.objects.count() == 1


def test_an_iam_user_resets_their_own_credential_without_a_user_name(account, iam, alice, monkeypatch):
    credential_id = create(iam)["ServiceSpecificCredentialId"]

    reset = as_user(account, "alice", monkeypatch).reset_service_specific_credential(
        ServiceSpecificCredentialId=credential_id
    )

    assert reset["ServiceSpecificCredential"]["UserName"] == "alice"


def test_delete_removes_the_credential(iam, alice):
    credential_id = create(iam)["ServiceSpecificCredentialId"]

    assert (
        iam.delete_service_specific_credential(UserName="alice", ServiceSpecificCredentialId=credential_id)
        == {}
    )

    assert iam.list_service_specific_credentials(UserName="alice") == {
        "ServiceSpecificCredentials": [],
        "IsTruncated": False,
    }
