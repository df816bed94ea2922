"""Invitee rows (issue 14): an invitation no longer points at an existing account.

Rows made by invitations before this (no usable password, never logged in, no active
membership, not Django-admin staff) are invitee rows: they become inactive and
`is_invitee`, and their links keep working (accepting turns them into the account).
"""

import django.db.models.functions.text
from django.db import migrations, models


def mark_waiting_invitees(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    (User.objects.filter(is_active=True, is_staff=False, is_superuser=False,
                         last_login__isnull=True,
                         password__startswith="!")  # noqa: S106 - Django's "no password" mark
     .exclude(memberships__is_active=True)
     .update(is_invitee=True, is_active=False))


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0004_user_session_epoch'),
        ('auth', '0012_alter_user_first_name_max_length'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='user',
            name='user_email_ci_unique',
        ),
        migrations.AddField(
            model_name='user',
            name='is_invitee',
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AlterField(
            model_name='user',
            name='email',
            field=models.EmailField(db_index=True, max_length=254, verbose_name='email address'),
        ),
        migrations.AddConstraint(
            model_name='user',
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Lower('email'),
                condition=models.Q(('is_invitee', False)),
                name='user_account_email_ci_unique',
            ),
        ),
        migrations.RunPython(mark_waiting_invitees, migrations.RunPython.noop),
    ]
