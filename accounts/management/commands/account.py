"""`manage.py account connect|test`: connected AWS accounts (ARCHITECTURE.md §5).

`connect` records an account of kind "aws" with its connection settings (region, endpoint URL, a named
profile or a role to assume) and its root operator; no AWS secret is stored: boto3 finds the credentials
(the profile, the environment, config files or an instance role) when the console calls AWS.
`test` asks STS who the console acts as and which of the IAM actions the console needs are denied.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Account
from accounts.services import create_account, generate_password
from iamconsole.backends import IAMError
from iamconsole.backends.aws import AwsBackend, clear_clients, make_client, translate

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


class Command(BaseCommand):
    help = "Connect an AWS account to the console, or test a connected account's access."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        connect = sub.add_parser("connect", help="record a connected AWS account and its root operator")
        connect.add_argument("--account-id", required=True)
        connect.add_argument("--alias")
        connect.add_argument("--region", default="")
        connect.add_argument("--endpoint-url", default="", help="another IAM/STS endpoint (moto, LocalStack)")
        who = connect.add_mutually_exclusive_group()
        who.add_argument("--profile", default="", help="a named profile of the AWS config files")
        who.add_argument("--role-arn", default="", help="a role to assume with STS")
        connect.add_argument("--root-email", help="the operator who signs in to the console for it")
        connect.add_argument("--root-password", help="that operator's password (generated when omitted)")
        connect.add_argument("--json", action="store_true", help="print the result as JSON")
        copy = sub.add_parser(
            "import", help="copy a connected account's users, groups and policies into a new sandbox"
        )
        copy.add_argument("account_id", help="the connected AWS account to read")
        copy.add_argument("--into-account-id", help="the new sandbox's ID (random when omitted)")
        copy.add_argument("--root-email", help="the new sandbox's root operator")
        copy.add_argument("--root-password", help="that operator's password (generated when omitted)")
        copy.add_argument("--json", action="store_true", help="print the result as JSON")
        test = sub.add_parser("test", help="show the caller identity and the console's denied actions")
        test.add_argument("account_id")
        test.add_argument("--json", action="store_true", help="print the result as JSON")

    def handle(self, *args, verb, **options):
        result = getattr(self, f"handle_{verb}")(**options)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2, default=str))
        else:
            for key, value in result.items():
                if isinstance(value, list):
                    value = ", ".join(value) or "none"
                self.stdout.write(f"{key}: {value}")

    def handle_connect(
        self, *, account_id, alias, region, endpoint_url, profile, role_arn, **options
    ) -> dict:
        if len(account_id) != 12 or not account_id.isdigit():
            raise CommandError("--account-id must be 12 digits.")
        if Account.objects.filter(account_id=account_id).exists():
            raise CommandError(f"Account {account_id} already exists.")
        if alias and Account.objects.filter(alias=alias).exists():
            raise CommandError(f"The alias {alias} is taken.")
        root_email = options["root_email"] or f"root+{account_id}@iamconsole.local"
        root_password = options["root_password"] or generate_password()
        with transaction.atomic():
            account = create_account(
                account_id=account_id,
                alias=alias,
                root_email=root_email,
                root_password=root_password,
                kind="aws",
            )
            account.region, account.endpoint_url = region, endpoint_url
            account.profile, account.role_arn = profile, role_arn
            account.save(update_fields=["region", "endpoint_url", "profile", "role_arn"])
        result = {
            "AccountId": account.account_id,
            "Alias": account.alias or "",
            "Kind": account.kind,
            "Region": account.region,
            "EndpointUrl": account.endpoint_url,
            "Profile": account.profile,
            "RoleArn": account.role_arn,
            "RootEmail": account.root_operator.email,
        }
        if not options["root_password"]:  # shown this once: it was generated here
            result["RootPassword"] = root_password
        return result

    def handle_import(self, *, account_id, into_account_id, root_email, root_password, **options) -> dict:
        """A new sandbox with the connected account's IAM shape (no secrets: no passwords or keys)."""
        from accounts.importer import import_into_sandbox
        from iamconsole.backends import IAMError

        source = Account.objects.filter(account_id=account_id, kind=Account.KIND_AWS).first()
        if source is None:
            raise CommandError(f"No connected AWS account {account_id}.")
        if into_account_id and (len(into_account_id) != 12 or not into_account_id.isdigit()):
            raise CommandError("--into-account-id must be 12 digits.")
        password = root_password or generate_password()
        try:
            summary = import_into_sandbox(
                source,
                account_id=into_account_id,
                root_email=root_email or f"root+import-{account_id}@iamconsole.local",
                root_password=password,
            )
        except IAMError as error:
            raise CommandError(f"Nothing was imported: {error.code}: {error.message}")
        result = {"AccountId": summary.account_id, "Copied": dict(summary.counts)}
        if not root_password:
            result["RootPassword"] = password
        return result

    def handle_test(self, *, account_id, **options) -> dict:
        account = Account.objects.filter(account_id=account_id, kind=Account.KIND_AWS).first()
        if account is None:
            raise CommandError(f"No connected AWS account {account_id}.")
        clear_clients()  # credentials may have changed since this process made its clients
        try:
            identity = make_client(account, "sts").get_caller_identity()
        except IAMError as error:
            raise CommandError(f"STS GetCallerIdentity failed: {error}")
        except Exception as error:  # no credentials, endpoint unreachable, ClientError
            raise CommandError(f"STS GetCallerIdentity failed: {_describe(error)}")
        iam = AwsBackend(account)
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
        denied, method = self._simulated_denials(iam, identity["Arn"])
        if denied is None:
            denied, method = self._probed_denials(iam), "tried the reads"
        result["Checked"] = method
        result["Denied"] = denied
        return result

    def _simulated_denials(self, iam, caller_arn: str):
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

    def _probed_denials(self, iam) -> list[str]:
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
