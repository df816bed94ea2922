from django.db import migrations, models
from django.db.models import F


def mark_settings_saved(apps, schema_editor):
    """A patient who has saved their country got there through the settings step
    (consent, settings, then where they are): that step is done."""
    Enrollment = apps.get_model("programs", "Enrollment")
    Enrollment.objects.filter(settings_saved_at__isnull=True, consented_at__isnull=False).exclude(
        country=""
    ).update(settings_saved_at=F("consented_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0017_switch_cause"),
    ]

    operations = [
        migrations.AddField(
            model_name="enrollment",
            name="settings_saved_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(mark_settings_saved, migrations.RunPython.noop),
    ]
