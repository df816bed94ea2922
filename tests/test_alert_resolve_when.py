"""The resolve form's "When" starts at now, in the clinician's own time zone: most
contacts are recorded just after they happen."""

from __future__ import annotations

from datetime import UTC, datetime

import time_machine
from django.urls import reverse

from painapp.accounts.models import User
from tests.test_alert_not_reached import raise_self_harm


def test_when_starts_at_now_in_the_clinicians_time_zone(cast, client, enrollment):
    User.objects.filter(pk=cast.clinician.pk).update(timezone="America/Los_Angeles")
    client.force_login(cast.clinician)
    with time_machine.travel(datetime(2026, 7, 10, 18, 42, 30, tzinfo=UTC), tick=False):
        alert = raise_self_harm(enrollment)
        page = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    # 18:42 UTC is 11:42 in Los Angeles in summer.
    assert 'name="contacted_at" value="2026-07-10T11:42"' in page
