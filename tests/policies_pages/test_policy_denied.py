"""When IAM refuses a read (AccessDenied), the pages say so with IAM's message: never a 500."""

import pytest

from iamconsole.backends.errors import AccessDenied
from iamconsole.backends.local import LocalBackend

from .conftest import ARN

DENIED = "User: arn:aws:iam::123456789012:user/x is not authorized to perform: iam:{action}"


@pytest.fixture
def deny(monkeypatch):
    """Make the backend refuse the named actions."""
    real = LocalBackend.call

    def refuse(*actions):
        def call(self, action, *args, **kwargs):
            if action in actions:
                raise AccessDenied(DENIED.format(action=action))
            return real(self, action, *args, **kwargs)

        monkeypatch.setattr(LocalBackend, "call", call)

    return refuse


def test_a_refused_list_is_shown_in_the_page(signed_in, deny):
    deny("ListPolicies")

    response = signed_in.get("/policies")

    assert response.status_code == 200
    assert "not authorized to perform: iam:ListPolicies" in response.content.decode()


def test_a_refused_policy_sends_back_to_the_list_with_the_message(signed_in, policy, deny):
    deny("GetPolicy")

    response = signed_in.get(f"/policies/details/{ARN}", follow=True)

    assert response.redirect_chain == [("/policies", 302)]
    assert "not authorized to perform: iam:GetPolicy" in response.content.decode()


def test_a_refused_tab_says_so_in_the_tab(signed_in, policy, deny):
    deny("ListPolicyVersions")

    response = signed_in.get(f"/policies/details/{ARN}", {"tab": "versions"})

    assert response.status_code == 200
    assert "not authorized to perform: iam:ListPolicyVersions" in response.content.decode()


def test_a_refused_read_on_the_edit_page_goes_back_to_the_policy(signed_in, policy, deny):
    deny("ListPolicyVersions")

    response = signed_in.get(f"/policies/edit/{ARN}")

    assert response.status_code == 302
    assert response["Location"] == f"/policies/details/{ARN}"
