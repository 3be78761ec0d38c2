"""Contract tests run against the backend contract only (so the AWS backend can run them later)."""

import pytest

from tests.contract.shapes import check_output


class CheckedBackend:
    """Wraps a backend: every result is validated against botocore's output shape."""

    def __init__(self, backend):
        self._backend = backend

    def __getattr__(self, name):
        from iamconsole.backends.model import action_names

        method = getattr(self._backend, name)
        action = action_names().get(name)
        if action is None:
            return method

        def call(**params):
            return check_output(action, method(**params))

        return call


@pytest.fixture
def iam(account):
    from iamconsole.backends import get_backend

    return CheckedBackend(get_backend(account))


ALLOW_ALL_IAM = (
    '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}]}'
)


def allow(
    backend, user_name: str, *, action: str = "iam:*", resource: str = "*", name: str = "allow"
) -> None:
    """Give the IAM user `user_name` an inline policy allowing `action` on `resource` (through the
    root backend `backend`), so a test can act as that user under real authorization."""
    import json

    document = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": action, "Resource": resource}],
    }
    backend.put_user_policy(UserName=user_name, PolicyName=name, PolicyDocument=json.dumps(document))
