"""Hostile input through the pages (security checklist §8 rows 1-7, 9-11): refused or rendered inert."""

import csv
import io
import json

import pytest

from iamconsole.backends import get_backend

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


def wizard_details(client, names):
    return client.post(
        "/users/create",
        {"user_name": names, "programmatic": "on", "password_type": "auto", "next": "1"},
    )


@pytest.mark.parametrize(
    "name", ["has space", "a/b", SCRIPT, "\u0430dmin", "x" * 65, "tab\tname", "nul\x00name"]
)
def test_bad_user_names_are_refused_on_their_row_and_escaped(signed_in, account, name):
    response = wizard_details(signed_in, ["good", name])

    assert response.status_code == 200
    assert 1 in response.context["row_errors"] and 0 not in response.context["row_errors"]
    assert SCRIPT not in response.content.decode()
    assert get_backend(account).list_users()["Users"] == []


def test_a_script_in_an_inline_policy_is_shown_inert(signed_in, account):
    iam = get_backend(account)
    iam.create_user(UserName="target")
    document = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::bucket/{SCRIPT}"}
        ],
    }
    iam.put_user_policy(UserName="target", PolicyName="xss", PolicyDocument=json.dumps(document))

    for url in ["/users/details/target?tab=permissions", "/users/details/target/inline-policies/xss"]:
        body = signed_in.get(url).content.decode()
        assert SCRIPT not in body, url


def test_formula_user_names_are_quoted_in_the_credentials_csv(signed_in, account):
    from users.wizard import Created, credentials_csv

    text = credentials_csv(
        [Created("=1+1"), Created("@SUM"), Created("-2"), Created("+cmd"), Created("plain")], "u"
    )

    names = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert names == ["'=1+1", "'@SUM", "'-2", "'+cmd", "plain"]


def test_a_huge_post_is_refused_without_a_500(signed_in):
    response = signed_in.post("/users/create", {"user_name": ["x" * 100] * 3000, "next": "1"})

    assert response.status_code == 400


def tag_formset(pairs):
    data = {"form-TOTAL_FORMS": str(len(pairs)), "form-INITIAL_FORMS": "0", "action": "save"}
    for index, (key, value) in enumerate(pairs):
        data[f"form-{index}-key"], data[f"form-{index}-value"] = key, value
    return data


def test_a_good_tag_edit_goes_through_the_same_form(signed_in, account):
    iam = get_backend(account)
    iam.create_user(UserName="tagged", Tags=[{"Key": "keep", "Value": "me"}])

    signed_in.post("/users/details/tagged/tags", tag_formset([("keep", "me"), ("team", "blue")]))

    assert iam.list_user_tags(UserName="tagged")["Tags"] == [
        {"Key": "keep", "Value": "me"},
        {"Key": "team", "Value": "blue"},
    ]


@pytest.mark.parametrize(
    "pairs",
    [
        [("keep", "me"), ("aws:nope", "2")],
        [("keep", "me")] + [(f"k{i}", "v") for i in range(50)],
        [("keep", "me"), ("k", "x\r\ny")],
        [("keep", "me"), ("k", "x" * 257)],
        [("keep", "me"), ("Keep", "duplicate")],
    ],
)
def test_bad_tags_in_the_details_tags_tab_change_nothing(signed_in, account, pairs):
    iam = get_backend(account)
    iam.create_user(UserName="tagged", Tags=[{"Key": "keep", "Value": "me"}])

    response = signed_in.post("/users/details/tagged/tags", tag_formset(pairs))

    assert response.status_code == 200
    assert iam.list_user_tags(UserName="tagged")["Tags"] == [{"Key": "keep", "Value": "me"}]
