"""iamconsole/errors.py, in-process (any database): what a request gets when the database cannot be
reached. The two-instance tests (test_faults.py) show the same over HTTP with a real cut."""

import pytest
from django.db import OperationalError, connection
from django.test import Client, RequestFactory

from iamconsole import errors

pytestmark = pytest.mark.server_error  # these tests ask for server errors


def broken_cursor(*args, **kwargs):
    # What Django raises when the driver cannot connect: its own OperationalError, from the driver's.
    driver_error = connection.Database.OperationalError("could not connect to server at db.internal:5432")
    raise OperationalError(str(driver_error)) from driver_error


@pytest.mark.django_db
def test_a_console_page_is_a_503_page_that_names_nothing_internal(account, monkeypatch):
    client = Client(raise_request_exception=False)
    client.force_login(account.root_operator)
    monkeypatch.setattr(connection, "cursor", broken_cursor)

    response = client.get("/users")

    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "cannot reach its database" in body
    assert "db.internal" not in body and "OperationalError" not in body


@pytest.mark.django_db
def test_the_outage_is_logged_as_a_warning(account, monkeypatch, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(account.root_operator)
    monkeypatch.setattr(connection, "cursor", broken_cursor)

    client.get("/users")

    assert any(
        r.levelname == "WARNING" and "database unreachable: OperationalError (GET /users)" in r.getMessage()
        for r in caplog.records
    )


def answer_while_handling(error: Exception, path: str):
    request = RequestFactory().get(path)
    try:
        raise error
    except Exception:
        return errors.server_error(request)


def test_an_api_request_gets_an_aws_service_failure_document():
    response = answer_while_handling(OperationalError("connection refused"), "/aws")

    assert response.status_code == 500
    assert response["Content-Type"] == "text/xml"
    body = response.content.decode()
    assert "<Type>Receiver</Type><Code>ServiceFailure</Code>" in body
    assert f"<RequestId>{response['x-amzn-RequestId']}</RequestId>" in body
    assert "connection refused" not in body


def test_a_driver_error_raised_from_inside_other_code_counts_as_an_outage():
    from django.db import InterfaceError

    try:
        try:
            raise InterfaceError("connection already closed")
        except InterfaceError as inner:
            raise RuntimeError("while saving") from inner
    except RuntimeError as outer:
        assert errors.is_outage(outer)


@pytest.mark.django_db
def test_any_other_failure_is_still_the_plain_500_page():
    response = answer_while_handling(ValueError("a bug"), "/users")

    assert response.status_code == 500
    assert "Retry-After" not in response
