"""Which migrations an instance still running the previous release would break (README "Upgrading").

A rolling upgrade runs `migrate` while instances of the previous release still serve. Their code reads
and writes the tables as they were, so a migration must only expand the schema: new tables, new
nullable columns (or columns with a database default), new indexes and constraints the data already
meets, data migrations. What the old code still uses must not go away or change under it: removing or
renaming a column or table, a new NOT NULL column without a database default (the old code's INSERTs
would fail), changing a column, or raw SQL, which nothing here can judge. Those belong in a later
release ("contract"), once no instance runs code that needs the old shape, and are listed in REVIEWED
with the reason they are safe then.

Migrations written before this rule, when no release had been deployed, are in BASELINE.
"""

from django.db import migrations
from django.db.models import NOT_PROVIDED

BASELINE = {
    ("accounts", "0001_initial"),
    ("accounts", "0002_one_time_download"),
    ("accounts", "0003_operator_preference"),
    ("accounts", "0004_event_indexes"),
    ("accounts", "0005_iam_user_session_epoch"),
    ("accounts", "0006_download_owner"),
    ("accounts", "0007_signin_protection"),
    ("credentials", "0001_initial"),
    ("credentials", "0002_initial"),
    ("credentials", "0003_login_session_duration_and_mfa_drift"),
    ("credentials", "0004_signing_certificate_account"),
    ("groups", "0001_initial"),
    ("groups", "0002_initial"),
    ("policies", "0001_initial"),
    ("policies", "0002_initial"),
    ("policies", "0003_aws_managed_policies"),
    ("users", "0001_initial"),
    ("users", "0002_push_job"),
}
# (app, migration) -> why it is safe when it runs (a contract step, the release after its expand step).
REVIEWED: dict[tuple[str, str], str] = {}

# Operations that only add what old code does not know about, or change no schema old code relies on.
EXPANDING = (
    migrations.CreateModel,
    migrations.AddIndex,
    migrations.AddConstraint,
    migrations.RunPython,
    migrations.AlterModelOptions,
    migrations.AlterModelManagers,
)
OUR_APPS = ("accounts", "users", "groups", "policies", "credentials")


def problem(operation) -> str | None:
    """Why `operation` would break an instance of the previous release, or None."""
    if isinstance(operation, EXPANDING):
        return None
    if isinstance(operation, migrations.AddField):
        field = operation.field
        if field.many_to_many or field.null or field.db_default is not NOT_PROVIDED:
            return None
        return (
            f"adds NOT NULL column {operation.model_name}.{operation.name} without a database default "
            "(db_default): the old code's INSERTs would fail"
        )
    if isinstance(operation, migrations.RemoveIndex | migrations.RemoveConstraint):
        return None  # the old code only loses an index's speed or a check it also makes itself
    return f"{type(operation).__name__} ({operation.describe()}) changes what the old code still uses"


def unsafe_migrations(loader) -> list[str]:
    """Every problem in our apps' migrations (a MigrationLoader's graph), except BASELINE and REVIEWED."""
    found = []
    for key, migration in sorted(loader.disk_migrations.items()):
        if key[0] not in OUR_APPS or key in BASELINE or key in REVIEWED:
            continue
        for operation in migration.operations:
            if (why := problem(operation)) is not None:
                found.append(f"{key[0]}.{key[1]}: {why}")
    return found
