"""The contract suite's own tests (tests/contract/) run on AwsBackend against a moto server: users, user
tags, groups, managed policies, attachments, inline policies and access keys.

Each test function of those modules is reused as it is, renamed `test_<area>__<its name>`, with this
directory's fixtures: `account` is a connected AWS account pointed at moto and `iam` its backend with
every output checked against botocore's output shape. Module fixtures are registered under a per-area
name where two areas define the same name differently (`alice`, `kind`).

What cannot run here is listed in SKIPS with its reason, in three kinds:
- AWS: AWS behaviour that moto does not reproduce (so the test is right, moto is lenient or different);
- LOCAL: the test looks inside the local backend (its models, audit table, a second local sandbox);
- MOTO: moto answers a shape or wording that is not AWS's recorded one.
`test_every_skip_names_a_reused_test` keeps the list free of names the contract suite no longer has.
To see whether a newer moto caught up on a category, drop its entries from SKIPS and run this module.
At the time of writing (moto 5): 73 reused test
functions pass here, 125 are skipped.
"""

import functools
import inspect

import pytest

from tests.contract import (
    test_access_keys,
    test_attachments,
    test_groups,
    test_inline_policies,
    test_policies,
    test_user_tags,
    test_users,
)

AREAS = {
    "users": test_users,
    "user_tags": test_user_tags,
    "groups": test_groups,
    "policies": test_policies,
    "attachments": test_attachments,
    "inline_policies": test_inline_policies,
    "access_keys": test_access_keys,
}
# Fixture names two areas define differently: each area's test gets its own under `<area>_<name>`.
RENAMED = {"alice", "kind"}

AWS_CASE = "AWS: names and tag keys are unique case-insensitively; moto compares them case-sensitively"
AWS_PAGING = "AWS: List* actions page with MaxItems/Marker (100 by default) and refuse a forged Marker; moto never truncates"
AWS_ORDER = "AWS: listings are sorted by name case-insensitively; moto keeps creation order"
AWS_FILTER = "AWS: PathPrefix and the listing filters narrow the answer; moto ignores them here"
AWS_QUOTA = "AWS: the quota is enforced with LimitExceeded; moto does not enforce it"
AWS_DENY = "AWS: DeleteConflict refuses deleting what is still attached or in use; moto deletes it"
AWS_CHECK = "AWS: the precondition (existence, ownership, name taken, policy grammar) is checked; moto accepts the call"
AWS_TAGS = (
    "AWS: tag rules (reserved aws: prefix, duplicate keys in any case) are enforced; moto is more lenient"
)
AWS_MANAGED = "AWS: the AWS managed policies exist in every account; this moto server serves none of them"
AWS_WORDING = "AWS: the error's exact code or message (recorded from AWS) differs from moto's"
MOTO_IDS = "MOTO: moto's unique IDs lack AWS's AIDA/AGPA/ANPA prefixes"
MOTO_SHAPE = "MOTO: moto's answer lacks or miscounts a member AWS returns (boundary, tags, attachment count)"
MOTO_CALLER = "MOTO: moto's caller is its default IAM user, not the account's root"
MOTO_STRICT = "MOTO: moto refuses a call AWS accepts (removing a non-member from a group)"
MOTO_500 = "MOTO: moto fails this call with a non-IAM answer (HTTP 500), for boundaries and forged markers"
LOCAL = (
    "LOCAL: looks inside the local backend (models, stored ciphertexts, audit events, another local sandbox)"
)

SKIPS: dict[str, str] = {
    # AWS_CASE
    "test_groups__add_user_to_group_twice_is_a_no_op": AWS_CASE,
    "test_groups__create_group_refuses_a_name_taken_in_any_case": AWS_CASE,
    "test_groups__get_group_returns_the_group_and_no_users": AWS_CASE,
    "test_groups__list_groups_orders_by_name_case_insensitively": AWS_CASE,
    "test_policies__create_policy_refuses_a_name_taken_in_any_case": AWS_CASE,
    "test_user_tags__tag_user_replaces_a_key_given_in_another_case_with_the_new_casing": AWS_CASE,
    "test_user_tags__untag_user_removes_keys_case_insensitively_and_ignores_unknown_ones": AWS_CASE,
    "test_users__get_user_finds_a_user_by_a_case_variant_of_its_name": AWS_CASE,
    "test_users__it_refuses_a_name_that_differs_only_in_case": AWS_CASE,
    "test_users__list_users_orders_by_name_case_insensitively_without_tags_or_boundary": AWS_CASE,
    "test_users__update_user_refuses_a_name_taken_in_any_case": AWS_CASE,
    # AWS_PAGING
    "test_access_keys__a_forged_marker_is_invalid": AWS_PAGING,
    "test_access_keys__delete_removes_the_key": AWS_PAGING,
    "test_access_keys__list_pages_with_max_items_and_marker": AWS_PAGING,
    "test_groups__get_group_lists_members_by_name_and_pages_them": AWS_PAGING,
    "test_groups__list_groups_for_user_orders_and_pages": AWS_PAGING,
    "test_groups__list_groups_pages_with_a_marker": AWS_PAGING,
    "test_groups__list_groups_refuses_a_marker_of_another_action": AWS_PAGING,
    "test_inline_policies__inline_policy_lifecycle": AWS_PAGING,
    "test_inline_policies__list_inline_policies_sorts_and_pages": AWS_PAGING,
    "test_policies__list_entities_for_policy_pages": AWS_PAGING,
    "test_policies__list_policies_by_scope": AWS_PAGING,
    "test_policies__list_policies_pages_through_every_policy_once": AWS_PAGING,
    "test_user_tags__list_user_tags_pages_with_a_marker": AWS_PAGING,
    "test_user_tags__list_user_tags_refuses_a_foreign_marker": AWS_PAGING,
    "test_users__list_users_pages_stay_stable_when_a_seen_user_is_deleted": AWS_PAGING,
    "test_users__list_users_pages_with_an_opaque_marker": AWS_PAGING,
    "test_users__list_users_refuses_a_marker_it_did_not_make": AWS_PAGING,
    "test_users__list_users_returns_100_by_default": AWS_PAGING,
    # AWS_ORDER
    "test_policies__get_policy_adds_the_description_and_the_tags_in_iam_order": AWS_ORDER,
    "test_policies__list_entities_for_policy_filters": AWS_ORDER,
    "test_policies__list_entities_for_policy_lists_groups_and_users": AWS_ORDER,
    "test_user_tags__create_user_returns_and_stores_its_tags": AWS_ORDER,
    "test_user_tags__list_user_tags_sorts_by_key": AWS_ORDER,
    # AWS_FILTER
    "test_groups__list_groups_filters_by_path_prefix": AWS_FILTER,
    "test_policies__list_policies_filters_by_path_prefix": AWS_FILTER,
    # AWS_QUOTA
    "test_groups__a_user_may_be_in_at_most_ten_groups": AWS_QUOTA,
    "test_groups__create_group_refuses_the_groups_quota": AWS_QUOTA,
    "test_inline_policies__one_document_larger_than_the_quota_is_refused_before_it_is_parsed": AWS_QUOTA,
    "test_inline_policies__replacing_a_policy_counts_its_new_size_only": AWS_QUOTA,
    "test_inline_policies__the_inline_policies_share_one_size_quota": AWS_QUOTA,
    "test_policies__create_policy_refuses_the_policies_quota": AWS_QUOTA,
    "test_policies__tag_policy_refuses_more_than_50_tags_in_all": AWS_QUOTA,
    "test_user_tags__retagging_existing_keys_in_another_case_at_50_tags_stays_within_the_quota": AWS_QUOTA,
    "test_user_tags__tag_user_refuses_a_51st_tag_across_requests_and_changes_nothing": AWS_QUOTA,
    "test_users__it_refuses_the_users_quota": AWS_QUOTA,
    # AWS_DENY
    "test_groups__deleting_a_group_is_refused_while_a_renamed_member_remains": AWS_DENY,
    "test_policies__delete_policy_refuses_a_policy_used_as_a_boundary": AWS_DENY,
    "test_policies__delete_policy_refuses_a_policy_with_other_versions": AWS_DENY,
    "test_policies__delete_policy_refuses_an_attached_policy": AWS_DENY,
    # AWS_CHECK
    "test_access_keys__another_users_key_is_not_found_and_not_touched": AWS_CHECK,
    "test_groups__update_group_refuses_a_taken_name_and_changes_nothing": AWS_CHECK,
    "test_inline_policies__a_principal_is_refused_in_an_inline_policy": AWS_CHECK,
    "test_policies__list_entities_for_policy_answers_no_such_entity": AWS_CHECK,
    "test_users__create_user_refuses_a_boundary_that_is_not_an_arn": AWS_CHECK,
    "test_users__create_user_refuses_an_unknown_boundary_and_creates_nothing": AWS_CHECK,
    # AWS_TAGS
    "test_access_keys__update_cannot_set_expired": AWS_TAGS,
    "test_policies__create_policy_refuses_bad_tags_and_writes_nothing": AWS_TAGS,
    "test_policies__list_policy_tags_orders_shorter_keys_first": AWS_TAGS,
    "test_policies__tag_policy_adds_and_replaces_case_sensitively": AWS_TAGS,
    "test_policies__tag_policy_refuses_reserved_keys_and_keeps_the_tags": AWS_TAGS,
    "test_user_tags__create_user_refuses_an_aws_prefixed_key_and_creates_nothing": AWS_TAGS,
    "test_user_tags__create_user_refuses_keys_that_differ_only_in_case_and_creates_nothing": AWS_TAGS,
    "test_user_tags__tag_user_refuses_aws_prefixed_keys_and_changes_nothing": AWS_TAGS,
    "test_user_tags__tag_user_refuses_duplicate_keys_in_one_request": AWS_TAGS,
    # AWS_MANAGED
    "test_attachments__a_user_and_a_group_of_the_same_name_keep_separate_policies": AWS_MANAGED,
    "test_attachments__at_most_ten_policies_attach_to_one_entity": AWS_MANAGED,
    "test_attachments__attached_policies_keep_their_order_and_filter_by_path": AWS_MANAGED,
    "test_attachments__it_attaches_and_detaches_an_aws_managed_policy": AWS_MANAGED,
    "test_attachments__service_linked_role_policies_do_not_attach": AWS_MANAGED,
    "test_policies__aws_managed_policies_cannot_be_deleted": AWS_MANAGED,
    "test_policies__aws_managed_policies_cannot_be_tagged": AWS_MANAGED,
    "test_policies__get_policy_shows_an_aws_managed_policy": AWS_MANAGED,
    "test_policies__list_entities_for_an_aws_policy_counts_this_account_only": AWS_MANAGED,
    "test_policies__list_policies_only_attached_and_by_usage": AWS_MANAGED,
    # AWS_WORDING
    "test_access_keys__last_used_of_an_unknown_key_is_access_denied": AWS_WORDING,
    "test_access_keys__update_of_an_unknown_key_is_no_such_entity": AWS_WORDING,
    "test_attachments__attach_and_detach_refuse_what_is_not_an_arn": AWS_WORDING,
    "test_attachments__attach_answers_a_policy_that_does_not_exist": AWS_WORDING,
    "test_attachments__attach_detach_and_list_answer_a_missing_entity": AWS_WORDING,
    "test_groups__add_user_to_group_answers_no_such_entity_for_the_user_first": AWS_WORDING,
    "test_groups__get_group_answers_no_such_entity_for_an_unknown_group": AWS_WORDING,
    "test_groups__remove_user_from_group_answers_no_such_entity_for_the_user_first": AWS_WORDING,
    "test_groups__update_group_renames_and_moves_keeping_id_and_members": AWS_WORDING,
    "test_inline_policies__every_action_answers_a_missing_entity": AWS_WORDING,
    "test_inline_policies__get_and_delete_answer_a_missing_policy": AWS_WORDING,
    "test_policies__delete_policy_answers_no_such_entity": AWS_WORDING,
    "test_policies__get_policy_answers_no_such_entity": AWS_WORDING,
    "test_policies__get_policy_refuses_what_is_not_an_arn": AWS_WORDING,
    "test_policies__policy_tags_of_a_missing_policy": AWS_WORDING,
    "test_users__update_user_answers_no_such_entity_for_an_unknown_user": AWS_WORDING,
    # MOTO_IDS
    "test_groups__it_creates_a_group_with_an_aws_shaped_id_and_arn": MOTO_IDS,
    "test_policies__it_creates_a_policy_with_v1_as_default_version": MOTO_IDS,
    "test_users__it_creates_a_user_with_an_aws_shaped_id_and_arn": MOTO_IDS,
    # MOTO_SHAPE
    "test_attachments__attaching_twice_is_harmless": MOTO_SHAPE,
    "test_policies__untag_policy_removes_named_keys_and_ignores_others": MOTO_SHAPE,
    "test_users__it_creates_a_user_with_a_permissions_boundary": MOTO_SHAPE,
    "test_users__update_user_keeps_tags_boundary_and_groups": MOTO_SHAPE,
    # MOTO_CALLER
    "test_access_keys__root_owns_its_own_keys_when_it_names_no_user": MOTO_CALLER,
    "test_access_keys__roots_quota_is_two_keys_too": MOTO_CALLER,
    "test_users__get_user_without_a_name_describes_the_root_caller": MOTO_CALLER,
    # MOTO_STRICT
    "test_groups__removing_a_user_who_is_not_a_member_succeeds": MOTO_STRICT,
    # MOTO_500
    "test_policies__list_policies_refuses_a_marker_it_did_not_make": MOTO_500,
    "test_users__boundary_actions_answer_no_such_entity_for_an_unknown_user": MOTO_500,
    "test_users__it_puts_replaces_and_deletes_a_permissions_boundary": MOTO_500,
    "test_users__put_boundary_refuses_an_unknown_policy_and_keeps_the_old_one": MOTO_500,
    # LOCAL
    "test_access_keys__a_ciphertext_moved_to_another_key_does_not_decrypt": LOCAL,
    "test_access_keys__a_deleted_key_frees_its_place": LOCAL,
    "test_access_keys__an_iam_user_naming_no_user_manages_its_own_keys": LOCAL,
    "test_access_keys__another_accounts_key_does_not_exist_here": LOCAL,
    "test_access_keys__it_refuses_a_third_access_key_even_when_one_is_inactive": LOCAL,
    "test_access_keys__last_used_records_the_first_use_in_a_15_minute_window": LOCAL,
    "test_access_keys__secret_for_ignores_inactive_and_unknown_keys": LOCAL,
    "test_access_keys__secrets_appear_only_in_the_create_response": LOCAL,
    "test_access_keys__the_stored_secret_is_encrypted_and_readable_by_the_verifier": LOCAL,
    "test_access_keys__the_quota_holds_under_concurrent_creates": LOCAL,
    "test_attachments__another_accounts_policy_does_not_attach": LOCAL,
    "test_attachments__attachments_are_counted_per_account": LOCAL,
    "test_groups__delete_group_reports_members_then_inline_then_attached_policies": LOCAL,
    "test_groups__list_groups_query_count_does_not_grow_with_groups": LOCAL,
    "test_policies__a_customer_policy_may_share_a_name_with_an_aws_policy_or_another_account": LOCAL,
    "test_policies__another_accounts_policy_does_not_exist_here": LOCAL,
    "test_policies__aws_managed_policy_counts_are_per_account": LOCAL,
    "test_policies__list_policies_costs_the_same_queries_whatever_the_attachments": LOCAL,
    "test_users__delete_user_reports_what_is_attached_in_aws_order": LOCAL,
    "test_users__each_attached_item_alone_blocks_delete_user": LOCAL,
}


@pytest.fixture
def access_keys_alice(iam):
    """test_access_keys's `alice` returns the local model row; here the user's name."""
    iam.create_user(UserName="alice")
    return "alice"


def _reused(area: str, function):
    """A new function calling `function`, with the area's renamed fixtures in its signature and its
    marks (parametrize) copied: marking it never marks the contract suite's own test."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def wrapper(**kwargs):
        for name in RENAMED:
            if f"{area}_{name}" in kwargs:
                kwargs[name] = kwargs.pop(f"{area}_{name}")
        return function(**kwargs)

    wrapper.__signature__ = signature.replace(
        parameters=[
            parameter.replace(name=f"{area}_{parameter.name}") if parameter.name in RENAMED else parameter
            for parameter in signature.parameters.values()
        ]
    )
    return wrapper


def _register() -> list[str]:
    names = []
    for area, module in AREAS.items():
        for name, value in vars(module).items():
            if name in RENAMED and hasattr(value, "_fixture_function_marker"):
                globals().setdefault(f"{area}_{name}", value)
            elif name.startswith("test_") and inspect.isfunction(value):
                reused_name = f"test_{area}__{name[5:]}"
                test = _reused(area, value)
                if reused_name in SKIPS:
                    test = pytest.mark.skip(reason=SKIPS[reused_name])(test)
                globals()[reused_name] = test
                names.append(reused_name)
            elif hasattr(value, "_fixture_function_marker") and name not in globals():
                globals()[name] = value  # the area's other fixtures (raw_iam, other, used_policy)
    return names


REUSED = _register()


def test_every_skip_names_a_reused_test():
    assert sorted(set(SKIPS) - set(REUSED)) == []
