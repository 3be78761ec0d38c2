"""The user group details page: summary, tabs by ?tab= (htmx swaps only the tabs), Access Advisor, 404s."""

import datetime

import pytest
from django.utils import timezone

from credentials.ops_keys import record_key_use
from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def devs(account):
    iam = get_backend(account)
    iam.create_group(GroupName="devs", Path="/eng/")
    for name in ["alice", "bob"]:
        iam.create_user(UserName=name)
        iam.add_user_to_group(GroupName="devs", UserName=name)
    iam.attach_group_policy(GroupName="devs", PolicyArn=READ_ONLY)
    iam.put_group_policy(GroupName="devs", PolicyName="s3-all", PolicyDocument=DOCUMENT)
    return iam


def test_the_summary_shows_name_arn_path_and_creation_time(signed_in, devs):
    group = devs.get_group(GroupName="devs")["Group"]

    response = signed_in.get("/groups/details/devs")

    assert response.status_code == 200
    body = response.content.decode()
    assert "arn:aws:iam::123456789012:group/eng/devs" in body
    assert '<dd class="mono">/eng/</dd>' in body
    assert group["CreateDate"].strftime("%Y") in body
    assert "<h1>devs</h1>" in body


def test_the_users_tab_is_the_default_and_lists_the_members(signed_in, devs):
    response = signed_in.get("/groups/details/devs")

    assert response.context["tab"] == "users"
    assert [m["UserName"] for m in response.context["members"]] == ["alice", "bob"]
    body = response.content.decode()
    assert 'Users in this group <span class="counter">(2)</span>' in body
    assert 'href="/users/details/alice"' in body
    assert "/groups/details/devs/remove?kind=user&amp;target=bob" in body


def test_the_permissions_tab_lists_managed_and_inline_policies(signed_in, devs):
    response = signed_in.get("/groups/details/devs", {"tab": "permissions"})

    assert response.context["policies"] == [
        {"name": "ReadOnlyAccess", "arn": READ_ONLY, "type": "AWS managed", "kind": "managed"},
        {"name": "s3-all", "type": "Customer inline", "kind": "inline"},
    ]
    body = response.content.decode()
    assert 'href="/groups/details/devs/inline-policies/s3-all"' in body
    assert "Attach policies" in body and "Create inline policy" in body


def test_the_access_advisor_tab_shows_the_members_last_use(signed_in, devs, account):
    from credentials.models import AccessKey
    from users.models import IAMUser

    key_id = devs.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    devs.create_access_key(UserName="bob")  # never used: not a row
    key = AccessKey.objects.get(account=account, access_key_id=key_id)
    record_key_use(key, "s3", "eu-west-1", timezone.now() - datetime.timedelta(days=3))
    IAMUser.objects.filter(account=account, name="bob").update(
        password_last_used=timezone.now() - datetime.timedelta(days=1)
    )

    response = signed_in.get("/groups/details/devs", {"tab": "access_advisor"})

    rows = response.context["activity"]
    assert [(r["user"], r["service"], r["region"]) for r in rows] == [
        ("bob", "AWS Management Console", ""),
        ("alice", "s3", "eu-west-1"),
    ]
    assert f"Access key {key_id}" in response.content.decode()


def test_the_access_advisor_tab_has_an_honest_empty_state(signed_in, devs):
    body = signed_in.get("/groups/details/devs", {"tab": "access_advisor"}).content.decode()

    assert "No recorded activity" in body
    assert "No user of this group has signed in to the console or used an access key." in body


def test_the_htmx_request_gets_only_the_tabs(signed_in, devs):
    response = signed_in.get("/groups/details/devs", {"tab": "permissions"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="group-tabs">')
    assert "<html" not in body and "s3-all" in body


def test_an_unknown_tab_falls_back_to_users(signed_in, devs):
    assert signed_in.get("/groups/details/devs", {"tab": "secrets"}).context["tab"] == "users"


def test_the_group_name_is_found_whatever_its_case(signed_in, devs):
    response = signed_in.get("/groups/details/DEVS")

    assert response.status_code == 200
    assert response.context["group"]["GroupName"] == "devs"


def test_an_unknown_group_or_an_invalid_name_is_404(signed_in, devs):
    assert signed_in.get("/groups/details/ghost").status_code == 404
    assert signed_in.get("/groups/details/bad%20name").status_code == 404
    assert signed_in.get("/groups/details/" + "x" * 200).status_code == 404


def test_a_group_of_another_account_is_404(signed_in, devs, other_account):
    get_backend(other_account).create_group(GroupName="theirs")

    assert signed_in.get("/groups/details/theirs").status_code == 404


def test_the_users_page_links_group_names_here(signed_in, devs):
    body = signed_in.get("/users/details/alice", {"tab": "groups"}).content.decode()

    assert '<a href="/groups/details/devs">devs</a>' in body


def test_it_needs_sign_in_and_get(client, signed_in, devs):
    assert signed_in.post("/groups/details/devs").status_code == 405
    signed_in.logout()
    assert client.get("/groups/details/devs").status_code == 302
