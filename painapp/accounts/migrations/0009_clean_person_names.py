"""Names saved before painapp.accounts.names lose their invisible characters too: a
right-to-left override in a name reversed it on the caseload and in the alert inbox.

Only the rows that change are written. Going back leaves the names clean (the dropped
characters were invisible and are not kept anywhere)."""

from django.db import migrations

from painapp.accounts.names import clean_person_name


def clean_full_names(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    for pk, name in User.objects.exclude(full_name="").values_list("pk", "full_name").iterator():
        clean = clean_person_name(name)
        if clean != name:
            User.objects.filter(pk=pk).update(full_name=clean)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0008_user_message_emails")]

    operations = [migrations.RunPython(clean_full_names, migrations.RunPython.noop)]
