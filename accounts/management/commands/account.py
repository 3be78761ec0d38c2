"""`manage.py account connect|test`: connected AWS accounts (ARCHITECTURE.md §5).

`connect` records an account of kind "aws" with its connection settings (region, endpoint URL, a named
profile or a role to assume) and its root operator; no AWS secret is stored: boto3 finds the credentials
(the profile, the environment, config files or an instance role) when the console calls AWS.
`test` asks STS who the console acts as and which of the IAM actions the console needs are denied.
"""

import json

from django.core.management.base import BaseCommand, CommandError

from accounts.connect import (
    NEEDED_ACTIONS,  # noqa: F401 (re-exported: tests and callers name it here)
    PROBES,  # noqa: F401
    ConnectError,
    connect_account,
    describe,
    find_connected_account,
    probed_denials,
    simulated_denials,
    test_connection,
)
from accounts.services import generate_password


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
        """Record the account (the logic is accounts/connect.py's, shared with the console page)."""
        try:
            account, generated = connect_account(
                account_id=account_id,
                alias=alias or "",
                region=region,
                endpoint_url=endpoint_url,
                profile=profile,
                role_arn=role_arn,
                root_email=options["root_email"] or f"root+{account_id}@iamconsole.local",
                root_password=options["root_password"],
            )
        except ConnectError as error:
            raise CommandError(error.message.replace("The account ID", "--account-id"))
        result = describe(account)
        if generated:  # shown this once: it was generated here
            result["RootPassword"] = generated
        return result

    def handle_import(self, *, account_id, into_account_id, root_email, root_password, **options) -> dict:
        """A new sandbox with the connected account's IAM shape (no secrets: no passwords or keys)."""
        from accounts.importer import import_into_sandbox
        from iamconsole.backends import IAMError

        source = find_connected_account(account_id)
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
        account = find_connected_account(account_id)
        if account is None:
            raise CommandError(f"No connected AWS account {account_id}.")
        try:
            return test_connection(account)
        except ConnectError as error:
            raise CommandError(error.message)

    def _simulated_denials(self, iam, caller_arn: str):
        return simulated_denials(iam, caller_arn)

    def _probed_denials(self, iam) -> list[str]:
        return probed_denials(iam)
