"""Signing certificates belong to an account, and to the root user when they have no IAM user."""

import django.db.models.deletion
from django.db import migrations, models


def fill_account(apps, schema_editor):
    SigningCertificate = apps.get_model("credentials", "SigningCertificate")
    for certificate in SigningCertificate.objects.select_related("user"):
        certificate.account_id = certificate.user.account_id
        certificate.save(update_fields=["account"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_one_time_download"),
        ("credentials", "0003_login_session_duration_and_mfa_drift"),
        ("users", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="signingcertificate",
            name="account",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signing_certificates",
                to="accounts.account",
            ),
        ),
        migrations.RunPython(fill_account, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="signingcertificate",
            name="account",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signing_certificates",
                to="accounts.account",
            ),
        ),
        migrations.AlterField(
            model_name="signingcertificate",
            name="user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="signing_certificates",
                to="users.iamuser",
            ),
        ),
    ]
