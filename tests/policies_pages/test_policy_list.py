"""The policies list: every managed policy, filters by type and use, search, sort, pagination, htmx."""

import json

import pytest

from .conftest import DOCUMENT


def names(response) -> list[str]:
    return [p["PolicyName"] for p in response.context["policies"]]


def test_it_lists_aws_and_customer_managed_policies(signed_in, policy):
    response = signed_in.get("/policies")

    assert response.status_code == 200
    body = response.content.decode()
    assert response.context["total"] > 1500  # the AWS managed catalog and the account's own
    assert 'Policies <span class="counter">(' in body
    for label in ["Policy name", "Type", "Used as", "Creation time", "Edited time", "Create policy"]:
        assert label in body
    assert len(response.context["policies"]) == 20


def test_it_filters_by_type(signed_in, policy):
    customer = signed_in.get("/policies", {"type": "customer"})
    job = signed_in.get("/policies", {"type": "job"})
    aws = signed_in.get("/policies", {"type": "aws", "q": "DevS3"})

    assert names(customer) == ["DevS3Access"]
    assert "Permissions policy (2), Permissions boundary (1)" in customer.content.decode()
    assert job.context["total"] > 5
    assert {p["Type"] for p in job.context["policies"]} == {"AWS managed - job function"}
    assert names(aws) == []


def test_it_filters_by_use(signed_in, iam, policy):
    iam.create_policy(PolicyName="Unused", PolicyDocument=json.dumps(DOCUMENT))
    iam.attach_user_policy(UserName="alice", PolicyArn="arn:aws:iam::aws:policy/ReadOnlyAccess")

    permissions = signed_in.get("/policies", {"use": "permissions"})
    boundary = signed_in.get("/policies", {"use": "boundary"})
    unused = signed_in.get("/policies", {"use": "unused", "type": "customer"})

    assert names(permissions) == ["DevS3Access", "ReadOnlyAccess"]
    assert names(boundary) == ["DevS3Access"]
    assert names(unused) == ["Unused"]


def test_search_matches_names_ignoring_case(signed_in, policy):
    response = signed_in.get("/policies", {"q": "devs3"})

    assert names(response) == ["DevS3Access"]


def test_it_sorts_by_a_column_both_ways(signed_in, policy):
    ascending = signed_in.get("/policies", {"sort": "used_as", "type": "all"})
    descending = signed_in.get("/policies", {"sort": "used_as", "dir": "desc"})

    assert "DevS3Access" not in names(ascending)
    assert names(descending)[0] == "DevS3Access"


def test_it_paginates_and_falls_back_on_bad_parameters(signed_in, policy):
    last = signed_in.get("/policies", {"page": "9999"})
    bad = signed_in.get("/policies", {"page": "x", "sort": "arn", "type": "x", "use": "y"})

    assert last.context["page"] == last.context["pages"] > 50
    assert bad.status_code == 200
    assert (bad.context["page"], bad.context["sort"], bad.context["kind"], bad.context["use"]) == (
        1,
        "name",
        "all",
        "all",
    )


def test_htmx_gets_only_the_table(signed_in, policy):
    response = signed_in.get("/policies", {"q": "DevS3"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<section class="container" id="policies-table"')
    assert "<html" not in body
    assert "DevS3Access" in body
    assert 'href="?q=DevS3&amp;sort=type"' in body  # sort links keep the search, with one "?"


def test_an_empty_result_says_so(signed_in, account):
    response = signed_in.get("/policies", {"q": "no-such-policy"})

    assert "No matches" in response.content.decode()


def test_it_needs_a_signed_in_operator(client, account):
    response = client.get("/policies")

    assert response.status_code == 302
    assert "/login" in response["Location"]


def test_it_refuses_post(signed_in):
    assert signed_in.post("/policies").status_code == 405


@pytest.mark.parametrize("extra", [0, 30])
def test_the_query_count_does_not_grow_with_the_policies(
    signed_in, iam, policy, extra, django_assert_max_num_queries
):
    for i in range(extra):
        iam.create_policy(PolicyName=f"Policy{i:02d}", PolicyDocument=json.dumps(DOCUMENT))

    with django_assert_max_num_queries(10):
        response = signed_in.get("/policies", {"use": "all"})

    assert response.status_code == 200
