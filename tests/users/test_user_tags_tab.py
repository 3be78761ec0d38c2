"""The Tags tab and its editor: add, edit, remove (TagUser/UntagUser), AWS's limits on the row concerned."""

import pytest

from iamconsole.backends import get_backend
from users.forms_detail import TagForm


@pytest.fixture
def signed_in(client, account):
    client.force_login(account.root_operator)
    return client


@pytest.fixture
def iam(account):
    iam = get_backend(account)
    iam.create_user(
        UserName="alice", Tags=[{"Key": "team", "Value": "blue"}, {"Key": "Cost Center", "Value": "42"}]
    )
    return iam


def tags(iam, user="alice"):
    return {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=user)["Tags"]}


def rows(*pairs, initial=0):
    """The editor's POST data for rows of (key, value)."""
    data = {"form-TOTAL_FORMS": str(len(pairs)), "form-INITIAL_FORMS": str(initial)}
    for i, (key, value) in enumerate(pairs):
        data[f"form-{i}-key"], data[f"form-{i}-value"] = key, value
    return data


def test_the_tab_lists_the_tags_by_key(signed_in, iam):
    response = signed_in.get("/users/details/alice", {"tab": "tags"})

    assert response.context["tags"] == [
        {"Key": "Cost Center", "Value": "42"},
        {"Key": "team", "Value": "blue"},
    ]
    assert 'Tags <span class="counter">(2)</span>' in response.content.decode()


def test_a_user_without_tags_gets_an_empty_state(signed_in, iam):
    iam.create_user(UserName="bob")

    assert (
        "No tags associated with this user."
        in signed_in.get("/users/details/bob", {"tab": "tags"}).content.decode()
    )


def test_the_editor_starts_with_the_current_tags(signed_in, iam):
    response = signed_in.get("/users/details/alice/tags")

    assert [(f["key"].value(), f["value"].value()) for f in response.context["formset"]] == [
        ("Cost Center", "42"),
        ("team", "blue"),
    ]
    assert "You can add up to 48 more tags." in response.content.decode()


def test_the_editor_offers_one_blank_row_to_a_user_without_tags(signed_in, iam):
    iam.create_user(UserName="bob")

    assert len(signed_in.get("/users/details/bob/tags").context["formset"].forms) == 1


def test_saving_adds_changes_and_removes_tags(signed_in, iam):
    data = rows(("team", "green"), ("env", "prod"), ("", ""), initial=2)  # Cost Center removed

    response = signed_in.post("/users/details/alice/tags", {**data, "action": "save"}, follow=True)

    assert response.redirect_chain[-1][0] == "/users/details/alice?tab=tags"
    assert "Tags of user alice saved." in response.content.decode()
    assert tags(iam) == {"env": "prod", "team": "green"}


def test_a_key_typed_in_another_case_replaces_the_tag(signed_in, iam):
    signed_in.post("/users/details/alice/tags", rows(("Team", "blue"), ("Cost Center", "42"), initial=2))

    assert tags(iam) == {"Cost Center": "42", "Team": "blue"}


def test_saving_without_changes_says_so(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/tags", rows(("Cost Center", "42"), ("team", "blue"), initial=2), follow=True
    )

    assert "The tags of user alice were not changed." in response.content.decode()


def test_keys_that_differ_only_in_case_are_refused_on_the_second_row(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("team", "blue"), ("TEAM", "red")))

    formset = response.context["formset"]
    assert formset.forms[0].errors == {}
    assert formset.forms[1].errors == {
        "key": ["This key is already used on this user; tag keys on users ignore case."]
    }
    assert tags(iam) == {"Cost Center": "42", "team": "blue"}


def test_the_aws_prefix_is_refused_on_its_row(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("team", "blue"), ("AWS:owner", "me")))

    assert response.status_code == 200
    assert response.context["formset"].forms[1].errors["key"] == [
        "Tag keys cannot start with aws: — the prefix is reserved for AWS use."
    ]
    body = response.content.decode()
    assert 'id="id_form-1-key_error"' in body and 'aria-invalid="true"' in body


def test_a_key_over_128_characters_is_refused(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("k" * 129, "v")))

    assert response.context["formset"].forms[0].errors["key"] == [
        "Ensure this value has at most 128 characters (it has 129)."
    ]


def test_a_value_over_256_characters_or_with_other_symbols_is_refused(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("a", "v" * 257), ("b", "semi;colon")))

    forms = response.context["formset"].forms
    assert forms[0].errors["value"] == ["Ensure this value has at most 256 characters (it has 257)."]
    assert forms[1].errors["value"] == [
        "Tag values can contain only letters, digits, spaces and _ . : / = + - @."
    ]


def test_letters_of_any_language_spaces_and_an_empty_value_are_fine(signed_in, iam):
    signed_in.post("/users/details/alice/tags", rows(("équipe bleue", ""), ("部署", "開発")))

    assert tags(iam) == {"équipe bleue": "", "部署": "開発"}


def test_a_value_needs_a_key(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("", "orphan")))

    assert response.context["formset"].forms[0].errors["key"] == ["Enter a key for this value."]


def test_more_than_50_tags_are_refused(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(*[(f"k{i}", "v") for i in range(51)]))

    assert response.context["formset"].non_form_errors() == ["A user can have at most 50 tags."]
    assert "A user can have at most 50 tags." in response.content.decode()
    assert len(tags(iam)) == 2


def test_add_new_tag_adds_a_blank_row_without_saving(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", {**rows(("team", "red")), "action": "add"})

    assert [(f["key"].value(), f["value"].value()) for f in response.context["formset"]] == [
        ("team", "red"),
        ("", ""),
    ]
    assert tags(iam)["team"] == "blue"


def test_remove_drops_the_row_without_saving(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/tags",
        {**rows(("Cost Center", "42"), ("team", "blue"), initial=2), "action": "remove-0"},
    )

    assert [f["key"].value() for f in response.context["formset"]] == ["team"]
    assert "Cost Center" in tags(iam)


def test_a_row_with_an_error_survives_add_and_remove(signed_in, iam):
    response = signed_in.post(
        "/users/details/alice/tags", {**rows(("aws:x", "1"), ("b", "2")), "action": "remove-1"}
    )

    assert [f["key"].value() for f in response.context["formset"]] == ["aws:x"]


def test_the_editor_is_an_htmx_partial_and_saves_with_a_client_redirect(signed_in, iam):
    partial = signed_in.post(
        "/users/details/alice/tags",
        {**rows(("team", "blue")), "action": "add"},
        headers={"HX-Request": "true"},
    )
    saved = signed_in.post(
        "/users/details/alice/tags", rows(("team", "blue")), headers={"HX-Request": "true"}
    )

    assert partial.content.decode().lstrip().startswith('<form id="tags-editor"')
    assert saved["HX-Redirect"] == "/users/details/alice?tab=tags"
    assert tags(iam) == {"team": "blue"}


def test_iams_own_refusal_lands_on_the_row_it_names(signed_in, iam, monkeypatch):
    """Were the form to let a bad key through, IAM's ValidationError ('tags.N.member.key') goes on that row."""
    monkeypatch.setattr(TagForm, "clean_key", lambda self: self.cleaned_data["key"])

    response = signed_in.post(
        "/users/details/alice/tags", rows(("Cost Center", "42"), ("team", "blue"), ("bad<key", "x"))
    )

    assert (
        "Member must satisfy regular expression pattern"
        in response.context["formset"].forms[2].errors["key"][0]
    )
    assert "Correct the tag marked below." in response.content.decode()


def test_iams_refusal_about_no_single_row_is_shown_above_the_rows(signed_in, iam, monkeypatch):
    monkeypatch.setattr(TagForm, "clean_key", lambda self: self.cleaned_data["key"])

    response = signed_in.post("/users/details/alice/tags", rows(("aws:owner", "me")))

    assert response.context["tags_error"] == (
        "Tag keys cannot start with 'aws:' because the prefix is reserved for AWS use."
    )
    assert tags(iam) == {"Cost Center": "42", "team": "blue"}  # the removals wait for the tagging


def test_at_the_quota_the_removals_go_first_so_that_a_swap_fits(signed_in, iam):
    iam.tag_user(UserName="alice", Tags=[{"Key": f"k{i:02d}", "Value": "v"} for i in range(48)])
    current = [(t["Key"], t["Value"]) for t in iam.list_user_tags(UserName="alice")["Tags"]]

    response = signed_in.post(
        "/users/details/alice/tags", rows(*current[1:], ("new", "tag"), initial=50), follow=True
    )

    assert "Tags of user alice saved." in response.content.decode()
    assert len(tags(iam)) == 50 and "new" in tags(iam) and current[0][0] not in tags(iam)


def test_the_editor_is_404_for_an_unknown_user_405_for_put_and_needs_sign_in(signed_in, client, iam):
    assert signed_in.get("/users/details/ghost/tags").status_code == 404
    assert signed_in.put("/users/details/alice/tags").status_code == 405
    signed_in.logout()
    assert client.get("/users/details/alice/tags").status_code == 302


def test_every_mistake_shows_at_once(signed_in, iam):
    response = signed_in.post("/users/details/alice/tags", rows(("team", "x;y"), ("TEAM", "red")))

    forms = response.context["formset"].forms
    assert "value" in forms[0].errors
    assert forms[1].errors["key"] == ["This key is already used on this user; tag keys on users ignore case."]
