"""Console extension `allowed_actions` (ARCHITECTURE.md §1): what the signed-in caller may do, so that a
page hides or disables the controls whose action the caller's policies deny (issue 4).

    iam.allowed_actions(Requests=[{"Action": "iam:DeleteUser", "Resource": "arn:aws:iam::1...:user/bob"}])
    -> {"Allowed": [False]}

It answers only about the caller itself, so it is authorized as no IAM action (any signed-in principal
may ask) and never audited. The answers come from the same evaluation as the authorization of each call
(iamconsole/backends/authz.py), with the caller's policies loaded once for all the requests. They are a
hint for the page: the backend still decides every call.
"""

from iamconsole.backends import authz
from iamconsole.backends.base import console_extension
from iamconsole.backends.errors import ValidationError

MAX_REQUESTS = 200  # a page asks about a few dozen controls at most


@console_extension("allowed_actions", authorized_as="")
def allowed_actions(ctx, *, Requests: list) -> dict:
    """{"Allowed": [bool for each {"Action", "Resource"} of Requests, in order]}; Resource defaults to *."""
    if not isinstance(Requests, list | tuple) or len(Requests) > MAX_REQUESTS:
        raise ValidationError(f"Requests must be a list of at most {MAX_REQUESTS} requests.")
    pairs = []
    for request in Requests:
        action = request.get("Action") if isinstance(request, dict) else None
        resource = request.get("Resource", "*") if isinstance(request, dict) else None
        if not isinstance(action, str) or not action or not isinstance(resource, str):
            raise ValidationError("Each request needs an Action and an optional Resource, both strings.")
        pairs.append((action, resource))
    return {"Allowed": authz.allowed(ctx, pairs)}
