"""The console's admin pages for a signed-in IAM user: the policy engine decides; a denied read is 403
with AWS's message, never a 500."""

from django.contrib.messages import get_messages

from iamconsole.backends import get_backend

from .conftest import sign_in


def test_a_user_without_permissions_gets_403_with_the_aws_message(client, alice):
    sign_in(client)

    response = client.get("/users")

    assert response.status_code == 403
    page = response.content.decode()
    assert "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:" in page
    assert "alice@123456789012" in page


def test_the_dashboard_is_403_not_500_for_a_user_without_permissions(client, alice):
    sign_in(client)

    assert client.get("/").status_code == 403


def test_a_read_only_user_sees_the_groups_but_cannot_delete_one(client, account, alice):
    iam = get_backend(account)
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/IAMReadOnlyAccess")
    iam.create_group(GroupName="developers")
    sign_in(client)

    listing = client.get("/groups")
    response = client.post("/groups/delete", {"group": ["developers"], "confirmation": "developers"})

    assert listing.status_code == 200
    assert b"developers" in listing.content
    assert iam.get_group(GroupName="developers")["Group"]["GroupName"] == "developers"
    flashes = [str(m) for m in get_messages(response.wsgi_request)]
    assert "not authorized to perform: iam:DeleteGroup" in flashes[0]


def test_the_root_security_credentials_page_is_403_for_an_iam_user(client, alice):
    sign_in(client)

    assert client.get("/account/security-credentials").status_code == 403


def test_an_administrator_iam_user_lists_users_and_downloads_the_wizards_csv(client, account, alice):
    iam = get_backend(account)
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")
    sign_in(client)

    assert client.get("/users").status_code == 200
    client.post("/users/columns", {"column": ["arn"]})  # no operator: not remembered, no error
    assert client.get("/users").status_code == 200
    client.post(
        "/users/create",
        {"user_name": ["made-by-alice"], "programmatic": "on", "password_type": "auto", "next": "1"},
    )
    client.post(
        "/users/create/permissions",
        {"option": "attach", "policy": ["arn:aws:iam::aws:policy/ReadOnlyAccess"], "next": "1"},
    )
    client.post("/users/create/tags", {"next": "1"})
    state = client.session["add_users_wizard"]
    done = client.post("/users/create/done", {"wizard_id": state["id"]})

    assert done.status_code == 200
    csv_response = client.post(f"/downloads/{done.context['token']}")
    assert csv_response.status_code == 200 and b"made-by-alice" in csv_response.content
    assert client.post(f"/downloads/{done.context['token']}").status_code == 404
