"""Load the AWS managed policy catalog (policies/data) into the database."""

from django.db import migrations


def load(apps, schema_editor):
    from policies.catalog import load_catalog

    load_catalog(apps.get_model("policies", "ManagedPolicy"), apps.get_model("policies", "PolicyVersion"))


def unload(apps, schema_editor):
    apps.get_model("policies", "ManagedPolicy").objects.filter(account__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_initial")]
    operations = [migrations.RunPython(load, unload)]
