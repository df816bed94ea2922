"""Emergency contacts' and assessors' names saved before painapp.accounts.names lose
their invisible characters too (a right-to-left override reversed them on screen).

Only the rows that change are written. Going back leaves the names clean (the dropped
characters were invisible and are not kept anywhere)."""

from django.db import migrations

from painapp.accounts.names import clean_person_name


def clean_names(apps, schema_editor):
    for model, field in (("Enrollment", "emergency_contact_name"),
                         ("MedicalAssessment", "assessor_name")):
        rows = apps.get_model("programs", model).objects
        for pk, name in rows.exclude(**{field: ""}).values_list("pk", field).iterator():
            clean = clean_person_name(name)
            if clean != name:
                rows.filter(pk=pk).update(**{field: clean})


class Migration(migrations.Migration):
    dependencies = [("programs", "0015_submit_once")]

    operations = [migrations.RunPython(clean_names, migrations.RunPython.noop)]
