"""Outages, made by cutting the loopback proxy in front of PostgreSQL or Redis (the servers stay up):
a clear answer, nothing half-written, and recovery without a restart once the proxy forwards again."""

import re
import time

import pytest
import requests
from botocore.exceptions import ClientError

from .conftest import csrf, iam_client, iam_sign_in, root_sign_in

pytestmark = pytest.mark.postgres


def user_count(cluster, name: str) -> int:
    return cluster.sql("SELECT count(*) FROM users_iamuser WHERE name_lower = %s", name.lower())[0][0]


def test_an_api_call_during_a_database_outage_is_a_service_failure_and_writes_nothing(cluster):
    iam = iam_client(cluster, 0)
    iam.list_users()  # the workers now hold a persistent connection, which the cut breaks

    cluster.pg_proxy.cut()
    with pytest.raises(ClientError) as failure:
        iam.create_user(UserName="during-outage")
    cluster.pg_proxy.restore()

    assert failure.value.response["Error"]["Code"] == "ServiceFailure"
    assert failure.value.response["Error"]["Type"] == "Receiver"
    assert user_count(cluster, "during-outage") == 0
    # The same instance, not restarted, serves the next call with a new connection.
    assert iam.create_user(UserName="during-outage")["User"]["UserName"] == "during-outage"
    assert user_count(cluster, "during-outage") == 1


def wizard_to_review(browser: requests.Session, base: str, names: list[str]) -> str:
    """Walk the add-users wizard to its review step; return the CSRF token and the wizard_id."""
    token = csrf(browser, f"{base}/users/create")
    response = browser.post(
        f"{base}/users/create",
        data={
            "csrfmiddlewaretoken": token,
            "user_name": names,
            "programmatic": "on",
            "password_type": "auto",
        },
    )
    assert response.url.endswith("/users/create/permissions"), response.url
    response = browser.post(
        response.url,
        data={
            "csrfmiddlewaretoken": token,
            "option": "attach",
            "policy": "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "next": "1",
        },
    )
    assert response.url.endswith("/users/create/tags"), response.url
    response = browser.post(response.url, data={"csrfmiddlewaretoken": token})
    assert response.url.endswith("/users/create/review"), response.url
    wizard_id = re.search(r'name="wizard_id" value="([^"]+)"', response.text).group(1)
    return token, wizard_id


def test_the_wizard_s_final_post_during_a_database_outage_is_a_503_page_and_creates_no_user(cluster):
    base = cluster.urls[1]
    browser = requests.Session()
    assert root_sign_in(browser, base).status_code == 302
    names = [f"wizard-outage-{i}" for i in range(5)]
    token, wizard_id = wizard_to_review(browser, base, names)

    cluster.pg_proxy.cut()
    response = browser.post(
        f"{base}/users/create/done", data={"csrfmiddlewaretoken": token, "wizard_id": wizard_id}
    )
    cluster.pg_proxy.restore()

    assert response.status_code == 503
    assert "cannot reach its database" in response.text
    assert response.headers["Retry-After"] == "5"
    assert sum(user_count(cluster, name) for name in names) == 0
    assert "database unreachable: OperationalError" in cluster.log(1)

    # Back without a restart: the same session finishes the batch, all users at once.
    response = browser.post(
        f"{base}/users/create/done", data={"csrfmiddlewaretoken": token, "wizard_id": wizard_id}
    )
    assert response.status_code == 200, response.text[:500]
    assert sum(user_count(cluster, name) for name in names) == 5


def test_a_console_page_during_a_database_outage_is_the_503_page_and_recovers(cluster):
    browser = requests.Session()
    assert root_sign_in(browser, cluster.urls[0]).status_code == 302
    cluster.pg_proxy.cut()
    outage = browser.get(f"{cluster.urls[0]}/users")
    cluster.pg_proxy.restore()

    assert outage.status_code == 503
    assert "Service unavailable" in outage.text
    assert browser.get(f"{cluster.urls[0]}/users").status_code == 200


def test_sign_in_works_while_redis_is_unreachable(cluster):
    iam = iam_client(cluster, 0)
    iam.create_user(UserName="redis-down")
    iam.create_login_profile(UserName="redis-down", Password="Right-pass-1234!", PasswordResetRequired=False)

    cluster.redis_proxy.cut()
    started = time.monotonic()
    response = iam_sign_in(cluster.urls[0], "redis-down", "Right-pass-1234!")
    cluster.redis_proxy.restore()

    assert response.status_code == 302 and "/signin" not in response.headers["Location"]
    assert time.monotonic() - started < 20


def test_the_lockout_fails_closed_while_redis_is_unreachable_and_says_so_in_the_log(cluster):
    iam = iam_client(cluster, 0)
    iam.create_user(UserName="redis-guess")
    iam.create_login_profile(UserName="redis-guess", Password="Right-pass-1234!", PasswordResetRequired=False)

    cluster.redis_proxy.cut()
    try:
        answers = [iam_sign_in(cluster.urls[i % 2], "redis-guess", "wrong-password") for i in range(8)]
        after = iam_sign_in(cluster.urls[0], "redis-guess", "Right-pass-1234!")
    finally:
        cluster.redis_proxy.restore()

    # No unlimited guessing: past the threshold the right password is refused as well.
    assert all(a.status_code in (200, 429, 503) for a in answers)
    assert not (after.status_code == 302 and "/signin" not in after.headers["Location"])
    assert "lockout" in (cluster.log(0) + cluster.log(1)).lower()
