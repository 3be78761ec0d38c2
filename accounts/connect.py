"""Connecting an AWS account and testing its connection: the logic shared by `manage.py account connect|test`
and the console's "Connect AWS account" pages (ARCHITECTURE.md §5).

`connect_account` records an account of kind "aws" with its connection settings (region, endpoint URL, a
named profile or a role to assume) and its root operator; no AWS secret is stored: boto3 finds the
credentials when the console calls AWS. `test_connection` asks STS who the console acts as and which of
the IAM actions the console needs are denied. Both raise `ConnectError` with a sentence for the person.
"""

import re

from django.db import transaction

from iamconsole.backends import IAMError
from iamconsole.backends.aws import AwsBackend, clear_clients, make_client, translate

from .models import Account
from .services import create_account, generate_password

# The IAM actions the console's pages call on a connected account (reads first, then writes).
NEEDED_ACTIONS = (
    "iam:GetAccountAuthorizationDetails",
    "iam:GenerateCredentialReport",
    "iam:GetCredentialReport",
    "iam:ListUsers",
    "iam:GetUser",
    "iam:ListGroups",
    "iam:ListGroupsForUser",
    "iam:ListPolicies",
    "iam:ListAttachedUserPolicies",
    "iam:ListUserPolicies",
    "iam:ListAccessKeys",
    "iam:GetLoginProfile",
    "iam:ListMFADevices",
    "iam:ListVirtualMFADevices",
    "iam:ListUserTags",
    "iam:GetAccountPasswordPolicy",
    "iam:GetAccountSummary",
    "iam:ListAccountAliases",
    "iam:CreateUser",
    "iam:DeleteUser",
    "iam:CreateGroup",
    "iam:AddUserToGroup",
    "iam:AttachUserPolicy",
    "iam:CreateLoginProfile",
    "iam:CreateAccessKey",
    "iam:TagUser",
)

# Without SimulatePrincipalPolicy (a role, a federated caller): the reads tried, one call each.
PROBES = (
    ("iam:GetAccountAuthorizationDetails", "get_account_authorization_details", {"MaxItems": 1}),
    ("iam:GenerateCredentialReport", "generate_credential_report", {}),
    ("iam:ListUsers", "list_users", {"MaxItems": 1}),
    ("iam:ListGroups", "list_groups", {"MaxItems": 1}),
    ("iam:ListPolicies", "list_policies", {"Scope": "Local", "MaxItems": 1}),
    ("iam:ListVirtualMFADevices", "list_virtual_mfa_devices", {"MaxItems": 1}),
    ("iam:GetAccountSummary", "get_account_summary", {}),
    ("iam:ListAccountAliases", "list_account_aliases", {}),
)

ACCOUNT_ID = re.compile(r"\d{12}")


class ConnectError(Exception):
    """A connection that cannot be recorded or tested; `field` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def connect_account(
    *,
    account_id: str,
    alias: str = "",
    region: str = "",
    endpoint_url: str = "",
    profile: str = "",
    role_arn: str = "",
    root_email: str,
    root_password: str | None = None,
) -> tuple[Account, str | None]:
    """Record a connected AWS account whose root operator is `root_email` (an existing operator is
    reused and keeps their password). Returns the account and the password generated for a new operator
    when none was given (None otherwise)."""
    if not ACCOUNT_ID.fullmatch(account_id or ""):
        raise ConnectError("The account ID must be 12 digits.", "account_id")
    if profile and role_arn:
        raise ConnectError("Choose a profile or a role ARN, not both.", "role_arn")
    if Account.objects.filter(account_id=account_id).exists():
        raise ConnectError(f"Account {account_id} already exists.", "account_id")
    if alias and Account.objects.filter(alias=alias).exists():
        raise ConnectError(f"The alias {alias} is taken.", "alias")
    generated = None if root_password else generate_password()
    with transaction.atomic():
        account = create_account(
            account_id=account_id,
            alias=alias,
            root_email=root_email,
            root_password=root_password or generated,
            kind=Account.KIND_AWS,
        )
        account.region, account.endpoint_url = region, endpoint_url
        account.profile, account.role_arn = profile, role_arn
        account.save(update_fields=["region", "endpoint_url", "profile", "role_arn"])
    return account, generated


def connected_account(operator, account_id: str) -> Account | None:
    """The operator's connected AWS account `account_id`, or None (unknown, a sandbox, or not theirs)."""
    return operator.accounts.filter(account_id=account_id, kind=Account.KIND_AWS).first()


def find_connected_account(account_id: str) -> Account | None:
    """Any connected AWS account `account_id` (for the management command, which trusts its user)."""
    return Account.objects.filter(account_id=account_id, kind=Account.KIND_AWS).first()


def describe(account: Account) -> dict:
    """The account's connection settings, as the command prints them."""
    return {
        "AccountId": account.account_id,
        "Alias": account.alias or "",
        "Kind": account.kind,
        "Region": account.region,
        "EndpointUrl": account.endpoint_url,
        "Profile": account.profile,
        "RoleArn": account.role_arn,
        "RootEmail": account.root_operator.email,
    }


def test_connection(account: Account, backend: AwsBackend | None = None) -> dict:
    """STS GetCallerIdentity, then the needed actions denied to that caller (SimulatePrincipalPolicy for
    an IAM user, else the reads tried one by one)."""
    clear_clients()  # credentials may have changed since this process made its clients
    try:
        identity = make_client(account, "sts").get_caller_identity()
    except IAMError as error:
        raise ConnectError(f"STS GetCallerIdentity failed: {error}")
    except Exception as error:  # no credentials, endpoint unreachable, ClientError
        raise ConnectError(f"STS GetCallerIdentity failed: {_describe(error)}")
    iam = backend or AwsBackend(account)
    result = {
        "AccountId": account.account_id,
        "CallerAccount": identity["Account"],
        "CallerArn": identity["Arn"],
        "CallerUserId": identity["UserId"],
    }
    if identity["Account"] != account.account_id:
        result["Warning"] = (
            f"The credentials belong to account {identity['Account']}, not {account.account_id}."
        )
    denied, method = simulated_denials(iam, identity["Arn"])
    if denied is None:
        denied, method = probed_denials(iam), "tried the reads"
    result["Checked"] = method
    result["Denied"] = denied
    return result


# pytest would collect a module-level "test_*" function imported into a test module: say it is none.
test_connection.__test__ = False


def simulated_denials(iam, caller_arn: str):
    """The needed actions SimulatePrincipalPolicy denies an IAM-user caller; (None, "") otherwise."""
    if not (caller_arn.startswith("arn:aws:iam::") and ":user/" in caller_arn):
        return None, ""
    try:
        results = iam.call(
            "SimulatePrincipalPolicy", PolicySourceArn=caller_arn, ActionNames=list(NEEDED_ACTIONS)
        )
    except IAMError:  # the simulator itself denied or unavailable: fall back to the reads
        return None, ""
    denied = [r["EvalActionName"] for r in results["EvaluationResults"] if r["EvalDecision"] != "allowed"]
    return denied, "SimulatePrincipalPolicy"


def probed_denials(iam) -> list[str]:
    """The console's reads that answer AccessDenied (the writes are not tried)."""
    denied = []
    for action, method, params in PROBES:
        try:
            getattr(iam, method)(**params)
        except IAMError as error:
            if error.code in ("AccessDenied", "AccessDeniedException"):
                denied.append(action)
    return denied


def _describe(error) -> str:
    if hasattr(error, "response"):
        return str(translate(error))
    return str(error)
