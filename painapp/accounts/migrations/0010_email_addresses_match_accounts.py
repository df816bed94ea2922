"""allauth's EmailAddress rows made to match each account's login address
(painapp.accounts.email_addresses): rows added on allauth's email page, now switched off,
could name someone else's address and let it reach the account (a password reset for
that address also mailed a link for this account; a login with it could open this
account). Those rows go; each active account keeps one row, its own address.

Going back leaves the rows as they are now (the dropped ones were never proved)."""

from django.db import migrations
from django.db.models.functions import Lower

from painapp.accounts.email_addresses import sync_email_addresses


def match_accounts(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    EmailAddress = apps.get_model("account", "EmailAddress")
    # Every row naming another address first: one may be verified and hold the address
    # another account logs in with, which that account's own row needs.
    EmailAddress.objects.exclude(email=Lower("user__email")).delete()
    for user in User.objects.iterator():
        sync_email_addresses(user, EmailAddress)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0009_clean_person_names"),
        ("account", "0009_emailaddress_unique_primary_email"),
    ]

    operations = [migrations.RunPython(match_accounts, migrations.RunPython.noop)]
