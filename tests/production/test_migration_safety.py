"""Migrations stay safe to run while an instance of the previous release still serves (README
"Upgrading"): the rule of iamconsole/migration_safety.py holds for every migration, and the rule itself
catches what it must."""

import pytest
from django.db import connection, migrations, models
from django.db.migrations.loader import MigrationLoader

from iamconsole import migration_safety


@pytest.mark.django_db
def test_every_migration_since_the_baseline_only_expands_the_schema():
    loader = MigrationLoader(connection, ignore_no_migrations=True)

    assert migration_safety.unsafe_migrations(loader) == []


@pytest.mark.django_db
def test_the_baseline_names_migrations_that_exist():
    """A typo in BASELINE would exempt nothing and hide nothing; a stale entry is noise."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)

    assert set(loader.disk_migrations) >= migration_safety.BASELINE


@pytest.mark.parametrize(
    "operation",
    [
        migrations.RemoveField(model_name="iamuser", name="path"),
        migrations.RenameField(model_name="iamuser", old_name="path", new_name="user_path"),
        migrations.DeleteModel(name="PushJob"),
        migrations.AlterField(model_name="iamuser", name="path", field=models.CharField(max_length=10)),
        migrations.AddField(
            model_name="iamuser", name="note", field=models.CharField(max_length=10, default="")
        ),
        migrations.RunSQL("ALTER TABLE users_iamuser DROP COLUMN path"),
    ],
    ids=["remove", "rename", "delete-model", "alter", "not-null-without-db-default", "raw-sql"],
)
def test_what_would_break_the_previous_release_is_refused(operation):
    assert migration_safety.problem(operation) is not None


@pytest.mark.parametrize(
    "operation",
    [
        migrations.AddField(model_name="iamuser", name="note", field=models.TextField(null=True)),
        migrations.AddField(
            model_name="iamuser", name="note", field=models.CharField(max_length=10, db_default="")
        ),
        migrations.AddIndex(model_name="iamuser", index=models.Index(fields=["path"], name="iamuser_path")),
        migrations.CreateModel(name="Thing", fields=[("id", models.BigAutoField(primary_key=True))]),
        migrations.RunPython(migrations.RunPython.noop),
    ],
    ids=["nullable", "db-default", "index", "new-table", "data"],
)
def test_what_only_expands_the_schema_is_accepted(operation):
    assert migration_safety.problem(operation) is None


def test_a_new_unsafe_migration_is_reported_by_name():
    class Loader:
        disk_migrations = {
            ("users", "0003_drop_path"): type(
                "Migration", (), {"operations": [migrations.RemoveField(model_name="iamuser", name="path")]}
            )
        }

    (report,) = migration_safety.unsafe_migrations(Loader())

    assert report.startswith("users.0003_drop_path: RemoveField")
