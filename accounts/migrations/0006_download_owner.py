"""One-time downloads belong to an owner key (an operator or a signed-in IAM user), not an operator row.
Downloads live ten minutes: the ones pending at migration time are dropped."""

from django.db import migrations, models


def drop_pending(apps, schema_editor):
    apps.get_model("accounts", "OneTimeDownload").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0005_iam_user_session_epoch")]

    operations = [
        migrations.RunPython(drop_pending, migrations.RunPython.noop),
        migrations.RemoveField(model_name="onetimedownload", name="operator"),
        migrations.AddField(
            model_name="onetimedownload",
            name="owner",
            field=models.CharField(default="", max_length=2100),
            preserve_default=False,
        ),
    ]
