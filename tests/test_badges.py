"""The menu's badges (painapp.accounts.badges): counted once and kept in the cache, yet
never behind what the reader did or what was done that concerns them. Against real
Redis; with the cache unreachable the badges are counted on each page."""

from __future__ import annotations

import re

from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from painapp.accounts.badges import BADGES_SECONDS
from programs.enrollments import enrollment_transfer
from tracking.alerts.services import alert_acknowledge, alert_raise
from tracking.messaging.services import message_send
from tracking.models import Alert
from tracking.safety.services import practice_safety_settings_update

BADGE = re.compile(r'class="nav__badge">(\d+)<')


def alerts_badge(client) -> int | None:
    """The open-alert count in the staff menu (its first badge: Alerts comes before
    Messages), or None when none is shown."""
    page = client.get(reverse("caseload")).content.decode()
    found = re.search(r'Alerts <span class="nav__badge">(\d+)<', page)
    return int(found[1]) if found else None


def messages_badge(client) -> int | None:
    page = client.get(reverse("today")).content.decode()
    found = re.search(r'Messages <span class="nav__badge">(\d+)<', page)
    return int(found[1]) if found else None


def raise_alert(enrollment, n=1):
    return alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.FEAR_HIGH,
        severity=Alert.Severity.ROUTINE,
        source=f"badges:{n}",
    )


def test_a_new_alert_shows_at_once_and_goes_at_once_when_acknowledged(cast, enrollment, client):
    client.force_login(cast.clinician)
    assert alerts_badge(client) is None  # counted (none) and kept
    alert = raise_alert(enrollment)
    assert alerts_badge(client) == 1
    raise_alert(enrollment, 2)
    assert alerts_badge(client) == 2
    client.post(reverse("alert_acknowledge", args=[alert.pk]))
    assert alerts_badge(client) == 1


def test_a_message_shows_at_once_for_its_reader_and_goes_once_read(cast, enrollment, client):
    client.force_login(cast.patient)
    assert messages_badge(client) is None
    message_send(enrollment=enrollment, author=cast.clinician, body="How did it go?")
    assert messages_badge(client) == 1
    client.get(reverse("messages"))  # reading the thread
    assert messages_badge(client) is None


def test_a_patient_moved_to_another_clinician_moves_their_alert_badge(cast, enrollment, client):
    raise_alert(enrollment)
    client.force_login(cast.other_clinician)
    assert alerts_badge(client) is None
    client.force_login(cast.clinician)
    assert alerts_badge(client) == 1
    enrollment_transfer(enrollment=enrollment, to_clinician=cast.other_clinician)
    assert alerts_badge(client) is None
    client.force_login(cast.other_clinician)
    assert alerts_badge(client) == 1


def test_turning_messaging_off_takes_the_link_away_at_once(cast, enrollment, client):
    client.force_login(cast.patient)
    assert 'href="/messages/"' in client.get(reverse("today")).content.decode()
    practice_safety_settings_update(
        request=None, practice=cast.practice, data={"messaging_enabled": False}
    )
    assert 'href="/messages/"' not in client.get(reverse("today")).content.decode()


def test_a_page_drawn_again_does_not_count_the_badges_again(cast, enrollment, client):
    raise_alert(enrollment)
    message_send(enrollment=enrollment, author=cast.patient, body="Hello")
    client.force_login(cast.clinician)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("caseload"))
    with CaptureQueriesContext(connection) as again:
        page = client.get(reverse("caseload")).content.decode()

    def counting(queries):
        return [
            q["sql"]
            for q in queries
            if "COUNT(" in q["sql"]
            and ('"tracking_alert"' in q["sql"] or "tracking_message" in q["sql"])
        ]

    assert len(counting(first)) == 2  # open alerts; unread messages
    assert counting(again) == []
    assert 'Alerts <span class="nav__badge">1<' in page
    assert 'Messages <span class="nav__badge">1<' in page
    assert BADGES_SECONDS <= 60  # the longest a change nobody announced can lag


def test_with_the_cache_unreachable_the_badges_are_counted_on_every_page(cast, enrollment, client):
    client.force_login(cast.clinician)  # the session lives in the database
    raise_alert(enrollment)
    nothing_listens = "redis://127.0.0.1:1/0"
    backend = "django.core.cache.backends.redis.RedisCache"
    with override_settings(CACHES={"default": {"BACKEND": backend, "LOCATION": nothing_listens}}):
        assert alerts_badge(client) == 1
        assert alert_acknowledge(alert=Alert.objects.get(), by=cast.clinician)
        assert alerts_badge(client) is None
