# ruff: noqa: E501 - one scenario per line, and scenario ids are long
"""Scenarios recorded against real AWS that the local backend knowingly fails: scenario id -> why.

test_aws_recorded.py marks these `xfail(strict=True)`: when a gap is fixed its test XPASSes, which fails
the suite until the entry is removed here. `python -m tests.contract.recorded --report` shows the state;
`... --report --write-gaps` rewrites this dict from the scenarios failing now (hand-written reasons kept).
"""

GAPS: dict[str, str] = {
    "users::TestUserAccessKeys::test_access_key_deletion_without_username": "AccessDenied: IAM-user authorization arrives with the policy engine",
    "iam::TestIAMIntegrations::test_simulate_principle_policy[group]": "SimulatePrincipalPolicy not implemented",
    "iam::TestIAMExtensions::test_get_user_without_username_as_user": "AccessDenied: IAM-user authorization arrives with the policy engine",
}
