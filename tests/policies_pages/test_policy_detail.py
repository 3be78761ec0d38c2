"""The policy details page: summary, Permissions (summary by service + JSON), Entities attached,
Policy versions and Policy usage tabs; AWS managed policies are read-only."""

import json

from .conftest import ARN, AWS_ARN, DOCUMENT

URL = f"/policies/details/{ARN}"


def test_the_permissions_tab_summarizes_by_service_with_access_levels(signed_in, policy):
    response = signed_in.get(URL)

    assert response.status_code == 200
    body = response.content.decode()
    summary = response.context["summary"]
    assert [(row.name, row.access) for row in summary.allow] == [("Amazon S3", "Limited: List, Read")]
    assert [(row.name, row.access, row.resource_text) for row in summary.deny] == [
        ("Amazon S3", "Limited: Write", "arn:aws:s3:::prod-*")
    ]
    assert "Limited: List, Read" in body
    assert "Read buckets" in body  # the description
    assert json.loads(response.context["document_json"]) == DOCUMENT
    assert "&quot;ReadBuckets&quot;" in body  # the JSON, pretty-printed and escaped
    assert f'href="/policies/edit/{ARN}"' in body


def test_it_shows_another_version_on_request(signed_in, iam, policy):
    iam.create_policy_version(
        PolicyArn=ARN,
        PolicyDocument=json.dumps({**DOCUMENT, "Statement": DOCUMENT["Statement"][:1]}),
        SetAsDefault=True,
    )

    latest = signed_in.get(URL)
    first = signed_in.get(URL, {"version": "v1"})

    assert latest.context["version"]["VersionId"] == "v2" and latest.context["summary"].deny == []
    assert first.context["version"]["VersionId"] == "v1" and len(first.context["summary"].deny) == 1
    assert signed_in.get(URL, {"version": "v9"}).status_code == 404


def test_the_entities_tab_lists_users_and_groups_with_detach(signed_in, policy):
    response = signed_in.get(URL, {"tab": "entities"})

    assert [(e["kind"], e["name"]) for e in response.context["entities"]] == [
        ("group", "developers"),
        ("user", "alice"),
    ]
    body = response.content.decode()
    assert f"/policies/detach/{ARN}?kind=user&amp;name=alice" in body
    assert f"/policies/attach/{ARN}" in body


def test_the_versions_tab_offers_default_and_delete_for_old_versions(signed_in, iam, policy):
    iam.create_policy_version(PolicyArn=ARN, PolicyDocument=json.dumps(DOCUMENT), SetAsDefault=True)

    response = signed_in.get(URL, {"tab": "versions"})

    assert [(v["VersionId"], v["IsDefaultVersion"]) for v in response.context["versions"]] == [
        ("v2", True),
        ("v1", False),
    ]
    body = response.content.decode()
    assert body.count("Set as default") == 1
    assert f"/policies/delete-version/{ARN}?version_id=v1" in body


def test_the_usage_tab_shows_the_boundary_users(signed_in, policy):
    response = signed_in.get(URL, {"tab": "usage"})

    assert [u["UserName"] for u in response.context["boundary_users"]] == ["bob"]
    assert "2 entities" in response.content.decode()


def test_an_aws_managed_policy_is_read_only(signed_in, account):
    response = signed_in.get(f"/policies/details/{AWS_ARN}")
    versions = signed_in.get(f"/policies/details/{AWS_ARN}", {"tab": "versions"})

    body = response.content.decode()
    assert response.status_code == 200
    assert "Read-only: AWS managed" in body
    assert "/policies/edit/" not in body and "/policies/delete/" not in body
    assert "Set as default" not in versions.content.decode()
    assert "/policies/delete-version/" not in versions.content.decode()
    assert len(response.context["summary"].allow) > 100  # ReadOnlyAccess reads nearly everything


def test_a_policy_with_a_path_has_its_page(signed_in, account):
    arn = "arn:aws:iam::aws:policy/job-function/ViewOnlyAccess"

    listed = signed_in.get("/policies", {"q": "ViewOnlyAccess"}).content.decode()
    response = signed_in.get(f"/policies/details/{arn}")

    assert f'href="/policies/details/{arn}"' in listed
    assert response.status_code == 200
    assert response.context["policy"]["Type"] == "AWS managed - job function"


def test_htmx_gets_only_the_tabs(signed_in, policy):
    response = signed_in.get(URL, {"tab": "usage"}, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert body.lstrip().startswith('<div id="policy-tabs">')
    assert "summary-heading" not in body and "<html" not in body


def test_an_unknown_tab_falls_back_to_permissions(signed_in, policy):
    assert signed_in.get(URL, {"tab": "secrets"}).context["tab"] == "permissions"


def test_an_unknown_or_foreign_policy_is_404(signed_in, other_account):
    from iamconsole.backends import get_backend

    foreign = get_backend(other_account).create_policy(
        PolicyName="Theirs", PolicyDocument=json.dumps(DOCUMENT)
    )

    assert signed_in.get(f"/policies/details/{ARN}").status_code == 404
    assert signed_in.get("/policies/details/not-an-arn").status_code == 404
    assert signed_in.get(f"/policies/details/{foreign['Policy']['Arn']}").status_code == 404


def test_it_needs_a_signed_in_operator(client, policy):
    assert client.get(URL).status_code == 302


def test_it_refuses_post(signed_in, policy):
    assert signed_in.post(URL).status_code == 405
