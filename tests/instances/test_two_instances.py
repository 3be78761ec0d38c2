"""Two gunicorn instances on one PostgreSQL database and one Redis: what one instance records, the other
sees (lockout counters, one-time downloads, sessions) and concurrent writes stay unique."""

import hashlib
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from botocore.exceptions import ClientError

from .conftest import csrf, iam_client, iam_sign_in, root_sign_in

pytestmark = pytest.mark.postgres

SIGN_IN_FAILED_MARK = "errorlist"  # the generic error box of a refused sign-in


def make_console_user(cluster, name: str, password: str) -> None:
    iam = iam_client(cluster, 0)
    iam.create_user(UserName=name)
    iam.create_login_profile(UserName=name, Password=password, PasswordResetRequired=False)


def signed_in(response) -> bool:
    return response.status_code == 302 and "/signin" not in response.headers["Location"]


def test_a_lockout_counts_failures_made_on_both_instances(cluster):
    make_console_user(cluster, "lock-me", "Right-pass-1234!")
    for attempt in range(5):  # 3 on one instance, 2 on the other: 5 is the threshold
        response = iam_sign_in(cluster.urls[attempt % 2], "lock-me", "wrong-password")
        assert response.status_code == 200 and not signed_in(response)

    # The right password is refused now on either instance: the count is shared.
    for base in cluster.urls:
        assert not signed_in(iam_sign_in(base, "lock-me", "Right-pass-1234!"))


def test_a_user_below_the_threshold_still_signs_in_on_the_other_instance(cluster):
    make_console_user(cluster, "not-locked", "Right-pass-1234!")
    for _ in range(2):
        assert not signed_in(iam_sign_in(cluster.urls[0], "not-locked", "wrong-password"))

    assert signed_in(iam_sign_in(cluster.urls[1], "not-locked", "Right-pass-1234!"))


def offer_download(cluster) -> str:
    """A one-time download offered to the root operator, made in the cluster's database."""
    code = (
        "from accounts import downloads; from accounts.models import Account; "
        "a = Account.objects.get(account_id='111122223333'); "
        "print(downloads.offer(a, a.root_operator, 'credentials.csv', 'User name,Password\\nx,y\\n'))"
    )
    return cluster.manage("shell", "-c", code).strip().splitlines()[-1]  # after the shell's banner


def test_a_one_time_download_is_served_once_across_both_instances(cluster):
    browser = requests.Session()
    assert root_sign_in(browser, cluster.urls[0]).status_code == 302
    token = offer_download(cluster)
    csrf_token = csrf(browser, f"{cluster.urls[0]}/users")

    def redeem(base):
        return browser.post(f"{base}/downloads/{token}", data={"csrfmiddlewaretoken": csrf_token})

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(redeem, [cluster.urls[i % 2] for i in range(8)]))

    assert sorted(a.status_code for a in answers) == [200] + [404] * 7
    served = next(a for a in answers if a.status_code == 200)
    assert served.text == "User name,Password\nx,y\n"
    token_hash = hashlib.sha256(token.encode()).hexdigest()
    assert cluster.sql("SELECT count(*) FROM accounts_onetimedownload WHERE token_hash = %s", token_hash) == [
        (0,)
    ]


def test_a_session_started_on_one_instance_is_valid_on_the_other_and_sign_out_ends_it_on_both(cluster):
    browser = requests.Session()
    assert root_sign_in(browser, cluster.urls[0]).status_code == 302

    assert browser.get(f"{cluster.urls[1]}/users", allow_redirects=False).status_code == 200
    assert browser.get(f"{cluster.urls[0]}/users", allow_redirects=False).status_code == 200

    # A copy of the cookie (another tab, or a stolen cookie) must die with the sign-out too.
    copy = requests.Session()
    copy.cookies.update(browser.cookies)
    token = csrf(browser, f"{cluster.urls[1]}/users")
    assert browser.post(f"{cluster.urls[1]}/logout", data={"csrfmiddlewaretoken": token}).ok

    for base in cluster.urls:
        response = copy.get(f"{base}/users", allow_redirects=False)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_twenty_concurrent_creates_of_one_name_over_both_instances_make_exactly_one_user(cluster):
    clients = [iam_client(cluster, 0), iam_client(cluster, 1)]

    def create(index):
        try:
            clients[index % 2].create_user(UserName="only-once")
            return "created"
        except ClientError as error:
            return error.response["Error"]["Code"]

    with ThreadPoolExecutor(20) as pool:
        outcomes = list(pool.map(create, range(20)))

    assert outcomes.count("created") == 1
    assert outcomes.count("EntityAlreadyExists") == 19
    rows = cluster.sql("SELECT count(*) FROM users_iamuser WHERE name_lower = 'only-once'")
    assert rows[0][0] == 1
