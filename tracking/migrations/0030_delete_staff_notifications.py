from django.db import migrations


def delete_staff_rows(apps, schema_editor):
    """Staff notifications were shown on no page, and some named the patient: remove
    them. The alerts, messages and emails they were about are untouched."""
    Notification = apps.get_model("tracking", "Notification")
    Notification.objects.filter(audience="staff").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0029_alert_first_due_at"),
    ]

    # Going back restores nothing (the rows are gone) and needs nothing.
    operations = [migrations.RunPython(delete_staff_rows, migrations.RunPython.noop)]
