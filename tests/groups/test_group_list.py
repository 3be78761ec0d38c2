"""The user groups list: columns, search, sort, pagination, htmx partial, query budget."""

import pytest

from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"
DOCUMENT = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}'


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def teams(account):
    """admins: 2 users and a managed policy; devs: 1 user and an inline policy; empty: nothing."""
    iam = get_backend(account)
    for name in ["alice", "bob"]:
        iam.create_user(UserName=name)
    iam.create_group(GroupName="admins")
    iam.create_group(GroupName="Devs", Path="/eng/")
    iam.create_group(GroupName="empty")
    iam.add_user_to_group(GroupName="admins", UserName="alice")
    iam.add_user_to_group(GroupName="admins", UserName="bob")
    iam.add_user_to_group(GroupName="Devs", UserName="alice")
    iam.attach_group_policy(GroupName="admins", PolicyArn=READ_ONLY)
    iam.put_group_policy(GroupName="Devs", PolicyName="s3", PolicyDocument=DOCUMENT)
    return iam


def test_it_lists_groups_with_users_permissions_and_creation_time(signed_in, teams):
    response = signed_in.get("/groups")

    assert response.status_code == 200
    groups = response.context["groups"]
    assert [g["GroupName"] for g in groups] == ["admins", "Devs", "empty"]
    assert [(g["UserCount"], g["AttachedPolicyCount"], g["InlinePolicyCount"]) for g in groups] == [
        (2, 1, 0),
        (1, 0, 1),
        (0, 0, 0),
    ]
    body = response.content.decode()
    assert 'User groups <span class="counter">(3)</span>' in body
    for label in ["Group name", "Users", "Permissions", "Creation time"]:
        assert label in body
    assert body.count("✓ Defined") == 2
    assert body.count("! Not defined") == 1
    assert 'href="/groups/details/Devs"' in body


def test_search_matches_group_names_whatever_their_case(signed_in, teams):
    response = signed_in.get("/groups", {"q": "DEV"})

    assert [g["GroupName"] for g in response.context["groups"]] == ["Devs"]


def test_it_sorts_by_users_and_by_permissions_both_ways(signed_in, teams):
    by_users = signed_in.get("/groups", {"sort": "users", "dir": "desc"})
    by_permissions = signed_in.get("/groups", {"sort": "permissions"})

    assert [g["GroupName"] for g in by_users.context["groups"]] == ["admins", "Devs", "empty"]
    assert by_permissions.context["groups"][0]["GroupName"] == "empty"


def test_an_unknown_sort_or_page_falls_back_safely(signed_in, teams):
    response = signed_in.get("/groups", {"sort": "group_id", "page": "x"})

    assert response.status_code == 200
    assert response.context["sort"] == "name"


def test_it_paginates_with_a_visible_total(signed_in, account):
    iam = get_backend(account)
    for i in range(120):
        iam.create_group(GroupName=f"group{i:03d}")

    response = signed_in.get("/groups", {"page": "3"})

    assert response.context["result"]["Total"] == 120
    assert [g["GroupName"] for g in response.context["groups"]][:1] == ["group100"]
    assert len(response.context["groups"]) == 20
    assert 'aria-current="page">3</span>' in response.content.decode()


def test_the_htmx_request_gets_only_the_table(signed_in, teams):
    response = signed_in.get("/groups", {"q": "a"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="container" id="groups-table"')
    assert "<html" not in body


def test_an_empty_account_and_an_empty_search_say_so(signed_in, account):
    assert "No user groups to display." in signed_in.get("/groups").content.decode()
    get_backend(account).create_group(GroupName="one")
    assert "No user group name matches “zzz”." in signed_in.get("/groups", {"q": "zzz"}).content.decode()


def test_it_shows_only_the_signed_in_accounts_groups(signed_in, teams, other_account):
    get_backend(other_account).create_group(GroupName="elsewhere")

    names = [g["GroupName"] for g in signed_in.get("/groups").context["groups"]]

    assert "elsewhere" not in names


def test_it_needs_sign_in_and_get(client, signed_in, db):
    assert signed_in.post("/groups").status_code == 405
    signed_in.logout()
    response = client.get("/groups")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_the_side_navigation_offers_user_groups(signed_in, teams):
    body = signed_in.get("/groups").content.decode()

    assert '<a href="/groups" aria-current="page">User groups</a>' in body


@pytest.mark.parametrize("count", [3, 150])
def test_the_query_count_does_not_grow_with_groups(signed_in, account, django_assert_max_num_queries, count):
    from django.utils import timezone

    from groups.models import Group, GroupMembership
    from policies.models import InlinePolicy
    from users.models import IAMUser

    get_backend(account).create_user(UserName="member")
    user_pk = IAMUser.objects.get(account=account, name="member").pk
    now = timezone.now()
    groups = Group.objects.bulk_create(
        Group(
            account=account, group_id=f"AGPA{i:017d}", name=f"g{i:03d}", name_lower=f"g{i:03d}", created=now
        )
        for i in range(count)
    )
    GroupMembership.objects.bulk_create(
        GroupMembership(group=g, user_id=user_pk, created=now) for g in groups
    )
    InlinePolicy.objects.bulk_create(
        InlinePolicy(account=account, group=g, name="p", document=DOCUMENT, created=now) for g in groups
    )

    with django_assert_max_num_queries(8):
        response = signed_in.get("/groups", {"sort": "permissions"})

    assert response.context["result"]["Total"] == count
    assert all(g["UserCount"] == 1 and g["InlinePolicyCount"] == 1 for g in response.context["groups"])


def test_a_denied_read_is_403_with_iams_message_not_500(signed_in, teams, monkeypatch):
    from iamconsole.backends import errors
    from iamconsole.backends.local import LocalBackend

    def deny(self, **params):
        raise errors.AccessDenied(
            "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:ListGroups"
        )

    monkeypatch.setattr(LocalBackend, "list_groups_overview", deny, raising=False)
    monkeypatch.setattr(LocalBackend, "get_group", deny, raising=False)

    assert signed_in.get("/groups").status_code == 403
    assert signed_in.get("/groups/details/admins").status_code == 403
