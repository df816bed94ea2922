"""Settings saved before the safety limits (tracking.rules.settings_within_limits):
migration 0040 brings each practice's within them, audited; and every reader acts on
the settings within the limits even if a row outside them is still stored."""

from __future__ import annotations

import importlib

from django.apps import apps
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tracking.alerts.due import response_minutes
from tracking.models import PracticeSettings
from tracking.screening.forms import age_range

migration = importlib.import_module("tracking.migrations.0040_safety_settings_within_limits")

UNSAFE = {
    "age_min": 5,
    "response_minutes_urgent": 5000,
    "response_minutes_high": 480,
    "response_minutes_routine": 10,
}


def stored(practice) -> PracticeSettings:
    """The practice's settings with values saved before the limits (no form refuses
    them here)."""
    settings = PracticeSettings.for_practice(practice.pk)
    PracticeSettings.objects.filter(pk=settings.pk).update(**UNSAFE)
    return PracticeSettings.objects.get(pk=settings.pk)


def test_the_migration_brings_old_values_within_the_limits_and_audits_each_practice(cast):
    unsafe = stored(cast.practice)
    safe = PracticeSettings.for_practice(cast.other_practice.pk)
    migration.bring_within_limits(apps, None)
    unsafe.refresh_from_db()
    assert (
        unsafe.age_min,
        unsafe.age_max,
        unsafe.response_minutes_urgent,
        unsafe.response_minutes_high,
        unsafe.response_minutes_routine,
    ) == (18, 120, 480, 480, 480)
    event = AuditEvent.objects.get(action="practice_safety.within_limits")
    assert (event.practice_id, event.actor_id, event.object_id) == (
        cast.practice.pk,
        None,
        str(unsafe.pk),
    )
    assert event.changes == {
        "age_min": [5, 18],
        "response_minutes_urgent": [5000, 480],
        "response_minutes_routine": [10, 480],
    }
    # A practice already within the limits is neither changed nor audited.
    untouched = PracticeSettings.objects.get(pk=safe.pk)
    assert (untouched.age_min, untouched.response_minutes_urgent) == (
        safe.age_min,
        safe.response_minutes_urgent,
    )
    # Run again (nothing is left outside): no second event.
    migration.bring_within_limits(apps, None)
    assert AuditEvent.objects.filter(action="practice_safety.within_limits").count() == 1


def test_the_admin_reads_the_change_in_the_audit_trail(client, cast):
    stored(cast.practice)
    migration.bring_within_limits(apps, None)
    client.force_login(cast.admin)
    page = client.get(reverse("admin_audit")).content.decode()
    assert "Safety settings brought within the app&#x27;s new limits (an app update)" in page


def test_readers_never_act_on_a_stored_value_outside_the_limits(cast):
    settings = stored(cast.practice)
    assert age_range(cast.practice.pk) == (18, settings.age_max)
    assert response_minutes(settings, "urgent") == 480
    assert response_minutes(settings, "routine") == 480
