from django.db import migrations, models

# Activities whose page has always told the patient their writing is private ("not
# shown to your care team"), loaded before the loader kept the `private:` front-matter
# key: mark them private-by-default, and keep what patients already wrote there private.
PRIVATE_SLUGS = ["expressive-writing"]


def mark_private(apps, schema_editor):
    Activity = apps.get_model("programs", "Activity")
    Reflection = apps.get_model("programs", "Reflection")
    activities = list(Activity.objects.filter(kind="reflection", slug__in=PRIVATE_SLUGS))
    for activity in activities:
        activity.data = {**(activity.data or {}), "private": True}
    Activity.objects.bulk_update(activities, ["data"])
    Reflection.objects.filter(activity__in=activities).update(private=True)


class Migration(migrations.Migration):
    dependencies = [
        ("programs", "0007_escontent_program_version_language"),
    ]

    operations = [
        migrations.AddField(
            model_name="reflection",
            name="answers",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.RunPython(mark_private, migrations.RunPython.noop),
    ]
