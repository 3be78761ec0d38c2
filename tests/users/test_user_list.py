"""The users list: columns, search by name or access key, sort, pagination, htmx partial, query budget."""

import pytest

from iamconsole.backends import get_backend


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def people(account):
    iam = get_backend(account)
    for name in ["alice", "Bob", "carol"]:
        iam.create_user(UserName=name)
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    key = iam.create_access_key(UserName="Bob")["AccessKey"]["AccessKeyId"]
    return key


def test_it_lists_users_with_the_console_columns(signed_in, people):
    response = signed_in.get("/users")

    assert response.status_code == 200
    assert [u["UserName"] for u in response.context["users"]] == ["alice", "Bob", "carol"]
    body = response.content.decode()
    assert 'Users <span class="counter">(3)</span>' in body
    for label in [
        "User name",
        "Groups",
        "Last activity",
        "MFA",
        "Password age",
        "Console last sign-in",
        "Access key ID",
    ]:
        assert label in body
    assert f'{people} <span class="status ok">(Active)</span>' in body


def test_search_finds_a_user_by_name_or_by_access_key_id(signed_in, people):
    by_name = signed_in.get("/users", {"q": "CAR"})
    by_key = signed_in.get("/users", {"q": people.lower()})

    assert [u["UserName"] for u in by_name.context["users"]] == ["carol"]
    assert [u["UserName"] for u in by_key.context["users"]] == ["Bob"]


def test_it_sorts_by_a_column_both_ways(signed_in, people):
    ascending = signed_in.get("/users", {"sort": "groups"})
    descending = signed_in.get("/users", {"sort": "groups", "dir": "desc"})

    assert ascending.context["users"][-1]["UserName"] == "alice"
    assert descending.context["users"][0]["UserName"] == "alice"


def test_an_unknown_sort_or_page_falls_back_safely(signed_in, people):
    response = signed_in.get("/users", {"sort": "password_hash", "page": "x"})

    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_it_paginates_with_a_visible_total(signed_in, account):
    iam = get_backend(account)
    for i in range(120):
        iam.create_user(UserName=f"user{i:03d}")

    response = signed_in.get("/users", {"page": "3"})

    assert response.context["result"]["Total"] == 120
    assert [u["UserName"] for u in response.context["users"]][:1] == ["user100"]
    assert len(response.context["users"]) == 20


def test_the_htmx_request_gets_only_the_table(signed_in, people):
    response = signed_in.get("/users", {"q": "a"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="container" id="users-table"')
    assert "<html" not in body


def test_an_empty_search_says_so(signed_in, people):
    response = signed_in.get("/users", {"q": "zzz"})

    assert "No matches" in response.content.decode()


def test_it_needs_sign_in_and_get(client, signed_in, db):
    assert signed_in.post("/users").status_code == 405
    signed_in.logout()
    assert client.get("/users").status_code == 302


@pytest.mark.parametrize("count", [5, 60])
def test_the_query_count_does_not_grow_with_users(signed_in, account, django_assert_max_num_queries, count):
    iam = get_backend(account)
    iam.create_group(GroupName="g")
    for i in range(count):
        iam.create_user(UserName=f"u{i:03d}")
        iam.add_user_to_group(UserName=f"u{i:03d}", GroupName="g")
        iam.create_access_key(UserName=f"u{i:03d}")

    with django_assert_max_num_queries(8):
        signed_in.get("/users")


def test_manage_columns_is_remembered_for_the_operator(client, signed_in, people, account):
    dialog = signed_in.get("/users/columns", headers={"HX-Request": "true"})
    assert 'role="dialog"' in dialog.content.decode() and "<html" not in dialog.content.decode()

    signed_in.post("/users/columns", {"column": ["arn", "groups", "bogus"]})

    response = signed_in.get("/users")
    assert [key for key, _, _ in response.context["columns"]] == ["name", "groups", "arn"]
    assert "arn:aws:iam::123456789012:user/alice" in response.content.decode()
    client.logout()
    client.force_login(account.root_operator)  # a new session keeps the choice
    assert [key for key, _, _ in client.get("/users").context["columns"]] == ["name", "groups", "arn"]


def test_the_query_count_stays_flat_with_5000_users(signed_in, account, django_assert_max_num_queries):
    from django.utils import timezone

    from users.models import IAMUser

    now = timezone.now()
    IAMUser.objects.bulk_create(
        IAMUser(
            account=account,
            user_id=f"AIDA{i:017d}",
            name=f"bulk{i:04d}",
            name_lower=f"bulk{i:04d}",
            created=now,
        )
        for i in range(5000)
    )

    with django_assert_max_num_queries(8):
        response = signed_in.get("/users", {"page": "40", "sort": "last_activity"})

    assert response.context["result"]["Total"] == 5000
    assert len(response.context["users"]) == 50


def test_sort_and_page_links_keep_the_search(signed_in, people):
    body = signed_in.get("/users", {"q": "a"}).content.decode()

    assert 'href="?q=a&amp;sort=groups"' in body
    assert "??" not in body
