"""CheckIn.figures (tracking.figures), filled in for every check-in already recorded."""

from django.db import migrations, models

from tracking.checkins.figures import figures_of, refresh_sql

# Every check-in recorded so far, with this migration's table names.
_FILL_SQL = refresh_sql("tracking_checkin", "tracking_response")


def fill(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_FILL_SQL)
        return
    CheckIn = apps.get_model("tracking", "CheckIn")
    Response = apps.get_model("tracking", "Response")
    by_checkin = {}
    for checkin_id, key, scores, answers in Response.objects.order_by("pk").values_list(
            "checkin_id", "instrument_key", "scores", "answers"):
        by_checkin.setdefault(checkin_id, []).append((key, scores, answers))
    for checkin_id, responses in by_checkin.items():
        CheckIn.objects.filter(pk=checkin_id).update(figures=figures_of(responses))


class Migration(migrations.Migration):

    dependencies = [
        ('tracking', '0008_checkin_unanswered_idx'),
    ]

    operations = [
        migrations.AddField(
            model_name='checkin',
            name='figures',
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
