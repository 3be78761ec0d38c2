"""User tags through the contract: CreateUser with Tags, TagUser, UntagUser, ListUserTags.

AWS's rules (facts §4, aws-recorded topic `tags`): at most 50 tags per user, keys unique and
case-insensitive but case-preserving on users, no `aws:` keys, and an invalid tag fails the whole
request."""

import pytest

from iamconsole.backends import errors

DUPLICATE = "Duplicate tag keys found. Please note that Tag keys are case insensitive."


def tag(key, value="v"):
    return {"Key": key, "Value": value}


def tags_of(iam, name="alice"):
    return iam.list_user_tags(UserName=name)["Tags"]


@pytest.fixture
def alice(iam):
    iam.create_user(UserName="alice")
    return "alice"


# -- CreateUser with tags -------------------------------------------------------------------------


def test_create_user_returns_and_stores_its_tags(iam):
    user = iam.create_user(UserName="alice", Tags=[tag("env", "production"), tag("Team", "")])["User"]

    assert user["Tags"] == [tag("env", "production"), tag("Team", "")]
    assert iam.get_user(UserName="alice")["User"]["Tags"] == [tag("Team", ""), tag("env", "production")]
    assert tags_of(iam) == [tag("Team", ""), tag("env", "production")]


def test_create_user_refuses_keys_that_differ_only_in_case_and_creates_nothing(iam):
    with pytest.raises(errors.InvalidInput) as exc:
        iam.create_user(UserName="alice", Tags=[tag("Team"), tag("team")])

    assert exc.value.message == DUPLICATE
    assert exc.value.http_status == 400
    with pytest.raises(errors.NoSuchEntity):
        iam.get_user(UserName="alice")


def test_create_user_refuses_an_aws_prefixed_key_and_creates_nothing(iam):
    with pytest.raises(errors.InvalidInput):
        iam.create_user(UserName="alice", Tags=[tag("ok"), tag("AWS:CreatedBy")])

    assert iam.list_users()["Users"] == []


def test_create_user_refuses_51_tags_and_creates_nothing(iam):
    with pytest.raises(errors.ValidationError) as exc:
        iam.create_user(UserName="alice", Tags=[tag(f"k{n}") for n in range(51)])

    assert "Member must have length less than or equal to 50" in exc.value.message
    assert iam.list_users()["Users"] == []


def test_create_user_accepts_50_tags(iam):
    user = iam.create_user(UserName="alice", Tags=[tag(f"k{n:02d}") for n in range(50)])["User"]

    assert len(user["Tags"]) == 50


# -- TagUser --------------------------------------------------------------------------------------


def test_tag_user_adds_and_overwrites_tags(iam, alice):
    assert iam.tag_user(UserName=alice, Tags=[tag("key-1", "value-1"), tag("key-2", "value-2")]) == {}
    iam.tag_user(UserName=alice, Tags=[tag("key-2", "changed"), tag("key-3", "value-3")])

    assert tags_of(iam) == [tag("key-1", "value-1"), tag("key-2", "changed"), tag("key-3", "value-3")]


def test_tag_user_replaces_a_key_given_in_another_case_with_the_new_casing(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("Department", "finance")])

    iam.tag_user(UserName=alice, Tags=[tag("department", "hr")])

    assert tags_of(iam) == [tag("department", "hr")]


def test_tag_user_refuses_duplicate_keys_in_one_request(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("keep", "1")])

    for pair in ([tag("dup"), tag("dup")], [tag("Dept", "a"), tag("dept", "b")]):
        with pytest.raises(errors.InvalidInput) as exc:
            iam.tag_user(UserName=alice, Tags=pair)
        assert exc.value.message == DUPLICATE

    assert tags_of(iam) == [tag("keep", "1")]


@pytest.mark.parametrize("key", ["aws:foo", "AWS:foo", "Aws:Team"])
def test_tag_user_refuses_aws_prefixed_keys_and_changes_nothing(iam, alice, key):
    with pytest.raises(errors.InvalidInput) as exc:
        iam.tag_user(UserName=alice, Tags=[tag("fine"), tag(key)])

    assert "aws:" in exc.value.message
    assert exc.value.http_status == 400
    assert tags_of(iam) == []


def test_tag_user_accepts_aws_in_the_middle_of_a_key(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("my-aws:key")])

    assert tags_of(iam) == [tag("my-aws:key")]


def test_tag_user_refuses_51_tags_in_one_request(iam, alice):
    with pytest.raises(errors.ValidationError) as exc:
        iam.tag_user(UserName=alice, Tags=[tag(f"k{n}") for n in range(51)])

    assert exc.value.message == (
        "1 validation error detected: Value at 'tags' failed to satisfy constraint: "
        "Member must have length less than or equal to 50"
    )
    assert tags_of(iam) == []


def test_tag_user_refuses_a_51st_tag_across_requests_and_changes_nothing(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag(f"k{n:02d}") for n in range(50)])

    with pytest.raises(errors.LimitExceeded) as exc:
        iam.tag_user(UserName=alice, Tags=[tag("k00", "new"), tag("one-more")])

    assert exc.value.message == "Cannot exceed quota for TagsPerUser: 50"
    assert exc.value.http_status == 409
    tags = iam.list_user_tags(UserName=alice, MaxItems=100)["Tags"]
    assert len(tags) == 50 and tags[0] == tag("k00")


def test_retagging_existing_keys_in_another_case_at_50_tags_stays_within_the_quota(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag(f"k{n:02d}") for n in range(50)])

    iam.tag_user(UserName=alice, Tags=[tag("K00", "upper")])

    tags = iam.list_user_tags(UserName=alice)["Tags"]
    assert len(tags) == 50 and tags[0] == tag("K00", "upper")


@pytest.mark.parametrize(
    "bad",
    [tag("k" * 129), tag("k", "v" * 257), tag(""), tag("cost#center"), tag("team", "a,b")],
)
def test_tag_user_rejects_keys_and_values_outside_the_model(iam, alice, bad):
    with pytest.raises(errors.ValidationError):
        iam.tag_user(UserName=alice, Tags=[tag("fine"), bad])

    assert tags_of(iam) == []


def test_tag_user_accepts_unicode_letters_spaces_and_the_allowed_symbols(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("Cost Center_é.:/=+-@", "Ünïcode 42 _.:/=+-@")])

    assert tags_of(iam) == [tag("Cost Center_é.:/=+-@", "Ünïcode 42 _.:/=+-@")]


# -- UntagUser ------------------------------------------------------------------------------------


def test_untag_user_removes_keys_case_insensitively_and_ignores_unknown_ones(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("key-1", "value-1"), tag("Key-2", "value-2"), tag("key-3")])

    assert iam.untag_user(UserName=alice, TagKeys=["key-2", "never-there"]) == {}

    assert tags_of(iam) == [tag("key-1", "value-1"), tag("key-3")]


def test_untag_user_rejects_51_keys(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("k0")])

    with pytest.raises(errors.ValidationError):
        iam.untag_user(UserName=alice, TagKeys=[f"k{n}" for n in range(51)])

    assert tags_of(iam) == [tag("k0")]


# -- ListUserTags ---------------------------------------------------------------------------------


def test_list_user_tags_is_empty_for_an_untagged_user(iam, alice):
    assert iam.list_user_tags(UserName=alice) == {"Tags": [], "IsTruncated": False}


def test_list_user_tags_sorts_by_key(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag("b"), tag("a"), tag("C")])

    assert [t["Key"] for t in tags_of(iam)] == ["C", "a", "b"]


def test_list_user_tags_pages_with_a_marker(iam, alice):
    iam.tag_user(UserName=alice, Tags=[tag(f"k{n}") for n in range(5)])

    first = iam.list_user_tags(UserName=alice, MaxItems=2)
    second = iam.list_user_tags(UserName=alice, MaxItems=2, Marker=first["Marker"])
    third = iam.list_user_tags(UserName=alice, MaxItems=2, Marker=second["Marker"])

    assert [t["Key"] for t in first["Tags"]] == ["k0", "k1"] and first["IsTruncated"] is True
    assert [t["Key"] for t in second["Tags"]] == ["k2", "k3"] and second["IsTruncated"] is True
    assert [t["Key"] for t in third["Tags"]] == ["k4"] and third["IsTruncated"] is False
    assert "Marker" not in third


def test_list_user_tags_refuses_a_foreign_marker(iam, alice):
    iam.create_user(UserName="bob")
    users_marker = iam.list_users(MaxItems=1)["Marker"]

    with pytest.raises(errors.ValidationError) as exc:
        iam.list_user_tags(UserName=alice, Marker=users_marker)

    assert exc.value.message == "Invalid Marker."


# -- unknown users (recorded) ---------------------------------------------------------------------


def test_tag_actions_answer_no_such_entity_for_an_unknown_user(iam):
    message = "The user with name nonexistent-user cannot be found."
    for call in (
        lambda: iam.tag_user(UserName="nonexistent-user", Tags=[tag("key", "value")]),
        lambda: iam.untag_user(UserName="nonexistent-user", TagKeys=["key"]),
        lambda: iam.list_user_tags(UserName="nonexistent-user"),
    ):
        with pytest.raises(errors.NoSuchEntity) as exc:
            call()
        assert exc.value.message == message
        assert exc.value.http_status == 404
