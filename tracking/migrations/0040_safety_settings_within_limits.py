"""Practices that saved safety settings before their limits (tracking.rules:
AGE_MIN_FLOOR, URGENT_RESPONSE_MAX_MINUTES, RESPONSE_TIME_ORDER) are brought within
them, each value moved as little as it takes, with an audit event per practice changed
(before and after, as a change made in the settings screen is)."""

from django.db import migrations
from django.utils import timezone

from tracking import rules

NO_REQUEST_ID = "-"  # painapp.accounts.middleware: a row written outside a request


def bring_within_limits(apps, schema_editor):
    PracticeSettings = apps.get_model("tracking", "PracticeSettings")
    AuditEvent = apps.get_model("accounts", "AuditEvent")
    rows = PracticeSettings.objects.select_for_update().order_by("pk")
    for row in rows.only("pk", "practice_id", *rules.LIMITED_SETTINGS):
        before = {name: getattr(row, name) for name in rules.LIMITED_SETTINGS}
        after = rules.settings_within_limits(before)
        changes = {n: [before[n], after[n]] for n in rules.LIMITED_SETTINGS if before[n] != after[n]}
        if not changes:
            continue
        PracticeSettings.objects.filter(pk=row.pk).update(**{n: after[n] for n in changes})
        AuditEvent.objects.create(
            practice_id=row.practice_id,
            action="practice_safety.within_limits",
            object_type="tracking.practicesettings",
            object_id=str(row.pk),
            at=timezone.now(),
            request_id=NO_REQUEST_ID,
            changes=changes,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("tracking", "0039_contact_attempt_once"),
        ("accounts", "0010_email_addresses_match_accounts"),
    ]

    operations = [
        migrations.RunPython(bring_within_limits, migrations.RunPython.noop),
    ]
