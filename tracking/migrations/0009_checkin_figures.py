"""CheckIn.figures (tracking.figures), filled in for every check-in already recorded."""

from django.db import migrations, models

from tracking.figures import _short_sql, figures_of

# tracking.figures._REFRESH_SQL for every check-in, with this migration's table names.
_FILL_SQL = f"""
UPDATE tracking_checkin c SET figures = f.figures
FROM (
  SELECT r.checkin_id, jsonb_build_object(
      'totals', jsonb_object_agg(r.instrument_key, r.scores->'total'),
      'bands', COALESCE(jsonb_object_agg(r.instrument_key, r.scores->'band')
                        FILTER (WHERE r.instrument_key IN ('phq9', 'gad7')), '{{}}'::jsonb),
      'short', jsonb_strip_nulls(jsonb_build_object(
          'phq', {_short_sql("phq")}, 'gad', {_short_sql("gad")}))) AS figures
  FROM tracking_response r
  GROUP BY r.checkin_id) f
WHERE c.id = f.checkin_id"""  # noqa: S608 (constants only)


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
