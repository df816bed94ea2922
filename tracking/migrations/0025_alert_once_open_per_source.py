"""An alert is unique per (enrollment, kind, source) only while it is not resolved: an
entry edited in place raises a new alert after its last one was resolved.

Reverse: the old constraint (once per source, ever) cannot hold while an entry has
several alerts, so before it comes back each older alert of such a group gets its own
source ("<source>#<alert id>"): nothing is deleted and the newest alert keeps the
entry's source."""

from django.db import migrations, models


def _sources_made_unique(apps, schema_editor):
    Alert = apps.get_model("tracking", "Alert")
    newest: dict[tuple, int] = {}
    rows = Alert.objects.order_by("-created_at", "-pk").values_list(
        "pk", "enrollment_id", "kind", "source"
    )
    for pk, enrollment_id, kind, source in rows:
        key = (enrollment_id, kind, source)
        if key in newest:
            suffix = f"#{pk}"
            Alert.objects.filter(pk=pk).update(source=source[: 64 - len(suffix)] + suffix)
        else:
            newest[key] = pk


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0024_submit_once"),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="alert",
            name="alert_once_per_source",
        ),
        # Runs only backwards, between dropping the new constraint and adding the old.
        migrations.RunPython(migrations.RunPython.noop, _sources_made_unique),
        migrations.AddConstraint(
            model_name="alert",
            constraint=models.UniqueConstraint(
                condition=~models.Q(status="resolved"),
                fields=("enrollment", "kind", "source"),
                name="alert_once_open_per_source",
            ),
        ),
    ]
