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
