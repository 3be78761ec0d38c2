"""The user details page: summary, tabs by ?tab= (htmx swaps only the tabs), Access Advisor, 404s."""

import datetime

import pytest
from django.utils import timezone

from credentials.ops_keys import record_key_use
from iamconsole.backends import get_backend

READ_ONLY = "arn:aws:iam::aws:policy/ReadOnlyAccess"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def alice(account):
    iam = get_backend(account)
    iam.create_user(UserName="alice", Path="/engineering/", Tags=[{"Key": "team", "Value": "blue"}])
    iam.create_login_profile(UserName="alice", Password="Alice-pass-1234")
    iam.create_group(GroupName="devs")
    iam.add_user_to_group(UserName="alice", GroupName="devs")
    return iam


def mark_key_used(account, key_id, service, region, days_ago):
    """What the Query API records when a signed request uses the key (issue 7 will call it for real)."""
    from credentials.models import AccessKey

    key = AccessKey.objects.get(account=account, access_key_id=key_id)
    record_key_use(key, service, region, timezone.now() - datetime.timedelta(days=days_ago))


def test_the_summary_shows_arn_path_console_access_keys_and_unique_id(signed_in, alice):
    key = alice.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    user = alice.get_user(UserName="alice")["User"]

    response = signed_in.get("/users/details/alice")

    assert response.status_code == 200
    body = response.content.decode()
    assert "arn:aws:iam::123456789012:user/engineering/alice" in body
    assert '<dd class="mono">/engineering/</dd>' in body
    assert "✓ Enabled" in body
    assert user["UserId"] in body
    assert f'<span class="mono">{key}</span>' in body
    assert "Never used" in body
    assert "<dt>Last console sign-in</dt><dd>Never</dd>" in body  # a password, never used


def test_console_access_is_disabled_without_a_login_profile(signed_in, alice):
    alice.create_user(UserName="bob")

    body = signed_in.get("/users/details/bob").content.decode()

    assert "○ Disabled" in body
    assert "<dt>Last console sign-in</dt><dd>None</dd>" in body
    assert "<dt>Access keys</dt><dd>None</dd>" in body


def test_the_user_name_is_found_whatever_its_case(signed_in, alice):
    response = signed_in.get("/users/details/ALICE")

    assert response.status_code == 200
    assert response.context["user"]["UserName"] == "alice"


def test_an_unknown_user_is_404(signed_in, alice):
    assert signed_in.get("/users/details/ghost").status_code == 404


def test_a_name_iam_would_refuse_is_404_not_500(signed_in, alice):
    assert signed_in.get("/users/details/" + "x" * 200).status_code == 404
    assert signed_in.get("/users/details/bad%20name").status_code == 404


def test_the_page_needs_sign_in(client, alice):
    response = client.get("/users/details/alice")

    assert response.status_code == 302
    assert response["Location"].startswith("/login?next=")


def test_the_page_is_get_only(signed_in, alice):
    assert signed_in.post("/users/details/alice").status_code == 405


@pytest.mark.parametrize(
    "tab, heading",
    [
        ("permissions", "Permissions policies"),
        ("groups", "User groups membership"),
        ("tags", "Tags"),
        ("security_credentials", "Console sign-in"),
        ("access_advisor", "Services last accessed"),
    ],
)
def test_each_tab_is_a_bookmarkable_link(signed_in, alice, tab, heading):
    response = signed_in.get("/users/details/alice", {"tab": tab})

    body = response.content.decode()
    assert response.context["tab"] == tab
    assert heading in body
    assert f'href="?tab={tab}" hx-get="?tab={tab}"' in body
    assert 'hx-push-url="true" aria-current="page">' in body


def test_an_unknown_tab_falls_back_to_permissions(signed_in, alice):
    assert signed_in.get("/users/details/alice", {"tab": "nope"}).context["tab"] == "permissions"


def test_htmx_gets_only_the_tabs_region(signed_in, alice):
    response = signed_in.get("/users/details/alice", {"tab": "groups"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="user-tabs">')
    assert '<h2 id="summary-heading">' not in body
    assert "devs" in body


def test_a_boosted_htmx_request_gets_the_whole_page(signed_in, alice):
    response = signed_in.get("/users/details/alice", headers={"HX-Request": "true", "HX-Boosted": "true"})

    assert "<!doctype html>" in response.content.decode()


def test_the_security_credentials_tab_includes_the_credentials_sections(signed_in, alice):
    alice.create_access_key(UserName="alice")

    response = signed_in.get("/users/details/alice", {"tab": "security_credentials"})

    assert "security_credentials" in response.context
    assert "users/user_security_credentials.html" in [t.name for t in response.templates]


def test_the_access_advisor_lists_key_use_and_console_sign_in_most_recent_first(signed_in, alice, account):
    used = alice.create_access_key(UserName="alice")["AccessKey"]["AccessKeyId"]
    alice.create_access_key(UserName="alice")  # never used: not a row
    mark_key_used(account, used, "iam", "us-east-1", days_ago=3)
    from users.models import IAMUser

    IAMUser.objects.filter(name="alice").update(
        password_last_used=timezone.now() - datetime.timedelta(days=1)
    )

    response = signed_in.get("/users/details/alice", {"tab": "access_advisor"})

    rows = response.context["activity"]
    assert [(r["service"], r["credential"]) for r in rows] == [
        ("AWS Management Console", "Console password"),
        ("iam", f"Access key {used}"),
    ]
    body = response.content.decode()
    assert "3 days ago" in body and "us-east-1" in body


def test_the_access_advisor_says_so_when_nothing_was_used(signed_in, alice):
    alice.create_access_key(UserName="alice")

    response = signed_in.get("/users/details/alice", {"tab": "access_advisor"})

    assert response.context["activity"] == []
    assert "This user has not signed in to the console or used an access key." in response.content.decode()


def test_another_accounts_user_is_404(client, other_account, alice):
    client.force_login(other_account.root_operator)

    assert client.get("/users/details/alice").status_code == 404


def test_the_permissions_tab_has_a_query_budget_at_the_group_quota(
    signed_in, alice, django_assert_max_num_queries
):
    for i in range(9):  # alice is already in devs: 10 groups, the most a user can have
        alice.create_group(GroupName=f"g{i}")
        alice.add_user_to_group(UserName="alice", GroupName=f"g{i}")
        alice.attach_group_policy(GroupName=f"g{i}", PolicyArn=READ_ONLY)

    # Two IAM calls per group (attached, inline), each a few queries: bounded because a user is in at
    # most 10 groups (measured 98 at the quota).
    with django_assert_max_num_queries(110):
        response = signed_in.get(
            "/users/details/alice", {"tab": "permissions"}, headers={"HX-Request": "true"}
        )

    assert len(response.context["policies"]) == 9


def test_names_with_every_allowed_symbol_work_in_urls(signed_in, alice):
    alice.create_user(UserName="a+b=c,d.e@f-g_h")

    page = signed_in.get("/users/details/a+b=c,d.e@f-g_h")
    renamed = signed_in.post("/users/details/a+b=c,d.e@f-g_h/rename", {"user_name": "x+y", "path": "/"})

    assert page.status_code == 200
    assert 'href="/users/details/a+b=c,d.e@f-g_h/rename"' in page.content.decode()
    assert renamed["Location"] == "/users/details/x+y?tab=permissions"
    assert alice.get_user(UserName="x+y")


def test_the_security_credentials_tab_has_a_placeholder_until_its_module_exists(
    signed_in, alice, monkeypatch
):
    from users import views_detail

    monkeypatch.setattr(views_detail, "security_credentials_context", None)

    response = signed_in.get("/users/details/alice", {"tab": "security_credentials"})

    assert response.status_code == 200
    assert "This tab is not available yet." in response.content.decode()


def test_the_details_page_links_to_the_users_events(client, account):
    from iamconsole.backends import get_backend

    get_backend(account).create_user(UserName="watched")
    client.force_login(account.root_operator)

    assert 'href="/events?user=watched"' in client.get("/users/details/watched").content.decode()
