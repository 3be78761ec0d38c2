"""`manage.py sandbox create|list|reset|delete|demo`: local accounts for scripts and instructors.

Non-interactive. `create` can also make an IAM admin user with AdministratorAccess and one access
key (`--admin-user`), and an access key for the account's root (`--root-access-key`); `--json`
prints what was made, secrets included: this is the one time they are shown.
"""

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import Account
from accounts.services import create_account, generate_password, reset_account
from iamconsole.backends import IAMError, get_backend
from iamconsole.backends.base import Principal

ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
DEMO_EMAIL = "demo@iamconsole.local"


class Command(BaseCommand):
    help = "Create, list, reset or delete local sandbox accounts."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="verb", required=True)
        create = sub.add_parser("create", help="create a sandbox account")
        create.add_argument("--account-id")
        create.add_argument("--alias")
        create.add_argument("--root-email")
        create.add_argument("--root-password")
        create.add_argument(
            "--admin-user", help="also create this IAM user with AdministratorAccess and a key"
        )
        create.add_argument(
            "--root-access-key", action="store_true", help="also create an access key for root"
        )
        create.add_argument("--json", action="store_true", help="print the result as JSON")
        sub.add_parser("list", help="list the accounts")
        reset = sub.add_parser("reset", help="empty an account's IAM entities and password policy")
        reset.add_argument("account_id")
        delete = sub.add_parser("delete", help="delete an account and everything in it")
        delete.add_argument("account_id")
        sub.add_parser("demo", help="create the demo sandbox unless one exists, and print its sign-in")

    def handle(self, *args, verb, **options):
        return getattr(self, f"handle_{verb}")(**options)

    def handle_create(
        self, *, account_id, alias, root_email, root_password, admin_user, root_access_key, **options
    ):
        if account_id and (len(account_id) != 12 or not account_id.isdigit()):
            raise CommandError("--account-id must be 12 digits.")
        if account_id and Account.objects.filter(account_id=account_id).exists():
            raise CommandError(f"Account {account_id} already exists.")
        result = self._create(account_id, alias, root_email, root_password, admin_user, root_access_key)
        if options["json"]:
            self.stdout.write(json.dumps(result, indent=2))
        else:
            for key, value in result.items():
                self.stdout.write(f"{key}: {value}")

    @transaction.atomic
    def _create(self, account_id, alias, root_email, root_password, admin_user, root_access_key) -> dict:
        root_password = root_password or generate_password()
        account = create_account(
            account_id=account_id,
            root_email=root_email or f"root+{account_id or 'sandbox'}@iamconsole.local",
            root_password=root_password,
        )
        if not root_email:  # one operator per sandbox when the caller did not name one
            account.root_operator.username = account.root_operator.email = (
                f"root+{account.account_id}@iamconsole.local"
            )
            account.root_operator.save(update_fields=["username", "email"])
        iam = get_backend(account, via="command")
        try:
            if alias:
                iam.create_account_alias(AccountAlias=alias)
                account.refresh_from_db()
            result = {
                "AccountId": account.account_id,
                "Alias": account.alias,
                "RootEmail": account.root_operator.email,
                "RootPassword": root_password,
            }
            if admin_user:
                iam.create_user(UserName=admin_user)
                iam.attach_user_policy(UserName=admin_user, PolicyArn=ADMIN_POLICY)
                key = iam.create_access_key(UserName=admin_user)["AccessKey"]
                result |= {
                    "AdminUser": admin_user,
                    "AccessKeyId": key["AccessKeyId"],
                    "SecretAccessKey": key["SecretAccessKey"],
                }
            if root_access_key:
                key = get_backend(account, Principal(account), via="command").create_access_key()["AccessKey"]
                result |= {
                    "RootAccessKeyId": key["AccessKeyId"],
                    "RootSecretAccessKey": key["SecretAccessKey"],
                }
        except IAMError as error:
            raise CommandError(f"{error.code}: {error.message}")
        result["SignInUrl"] = "http://127.0.0.1:8000/login"
        return {k: v for k, v in result.items() if v is not None}

    def handle_list(self, **options):
        for account in Account.objects.select_related("root_operator"):
            owner = account.root_operator.email if account.root_operator else "-"
            self.stdout.write(f"{account.account_id}\t{account.alias or '-'}\t{account.kind}\t{owner}")

    def handle_reset(self, *, account_id, **options):
        reset_account(self._account(account_id))
        self.stdout.write(f"Account {account_id} reset.")

    def handle_delete(self, *, account_id, **options):
        account = self._account(account_id)
        with transaction.atomic():
            operator = account.root_operator
            account.delete()
            if operator is not None and not operator.accounts.exists() and not operator.root_of.exists():
                operator.delete()
        self.stdout.write(f"Account {account_id} deleted.")

    def handle_demo(self, **options):
        """The demo sandbox of `make run`: made once; its root password is set anew and printed each time,
        since only its hash is kept."""
        password = generate_password(16)
        with transaction.atomic():
            account = Account.objects.filter(root_operator__username=DEMO_EMAIL).first()
            if account is None:
                account = create_account(root_email=DEMO_EMAIL, root_password=password)
                get_backend(account, via="command").create_account_alias(
                    AccountAlias=f"demo-{account.account_id}"
                )
                account.refresh_from_db()
                self.stdout.write(self.style.SUCCESS("Created the demo sandbox."))
            else:
                account.root_operator.set_password(password)
                account.root_operator.save(update_fields=["password"])
        self.stdout.write(
            "\n".join(
                [
                    f"  Account:  {account.account_id} ({account.alias})",
                    "  Sign in:  http://127.0.0.1:8000/login",
                    f"  Email:    {DEMO_EMAIL}",
                    f"  Password: {password}",
                ]
            )
        )

    def _account(self, account_id) -> Account:
        try:
            return Account.objects.get(account_id=account_id)
        except Account.DoesNotExist:
            raise CommandError(f"No account {account_id}.")
