"""What the signed-in caller may do on a page, asked once per page (issue 4): a view names its controls

    context["can"] = can(request, {"delete": ("iam:DeleteUser", arn), "create": ("iam:CreateUser", ...)})

and the template shows each control enabled or disabled with the reason:

    <button {% if not can.delete %}disabled title="{{ can.why.delete }}"{% endif %}>Delete</button>

One `allowed_actions` call (a console extension: one policy load, no query at all for root) answers for
every control. It is only a hint: the backend still authorizes each call, and its AccessDenied is shown.
"""

from iamconsole.backends.errors import IAMError


class Can(dict):
    """control name -> allowed (bool); `why` holds, for each denied control, the sentence saying why.
    A name the view did not ask about is False, so a misspelt control stays disabled."""

    def __init__(self, allowed: dict[str, bool], checks: dict[str, tuple[str, str]]):
        super().__init__(allowed)
        self["why"] = {
            name: f"You don't have permission to perform {checks[name][0]} here."
            for name, ok in allowed.items()
            if not ok
        }

    def __missing__(self, name):
        return False


def can(request, checks: dict[str, tuple[str, str]]) -> Can:
    """`checks`: control name -> (action with its service prefix, resource ARN or *). Every control is
    allowed when the backend cannot answer (the call itself then decides)."""
    names = list(checks)
    requests = [{"Action": action, "Resource": resource} for action, resource in checks.values()]
    try:
        answers = request.iam.allowed_actions(Requests=requests)["Allowed"] if requests else []
    except IAMError:
        answers = [True] * len(names)
    return Can(dict(zip(names, answers, strict=True)), checks)


def arn(request, resource: str) -> str:
    """`user/*` -> `arn:aws:iam::<the signed-in account>:user/*`."""
    return f"arn:aws:iam::{request.account.account_id}:{resource}"
