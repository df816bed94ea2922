"""Acknowledging an overdue alert does not hide that it was overdue (clinician
walk-through: an alert "overdue since Tue 1 Dec, 10:00 (6 days late)" said only
"Resolve today by 17:00" once acknowledged). The resolve clock runs on, and the alert
page and the inbox keep saying how late the acknowledgement came
(tracking.rules.alert_clock's `acknowledged_late_since`)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from tests.test_alert_due_wording import raise_self_harm
from tracking import rules
from tracking.alerts import wording
from tracking.models import Alert


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


@pytest.mark.parametrize(
    ("first_due_at", "due_at", "acknowledged_at", "late_since"),
    [
        # Acknowledged six days after its first due time: late, from that due time …
        (at(1, 10), at(7, 11), at(7, 10), at(1, 10)),
        # … even when a later escalation step's due time is not passed yet.
        (at(1, 10), at(9, 10), at(7, 10), at(1, 10)),
        # In time, and at the very minute it was due: not late.
        (at(1, 10), at(1, 10), at(1, 9, 30), None),
        (at(1, 10), at(1, 10), at(1, 10), None),
        # An old row with no first due time: its due time stands in.
        (None, at(1, 10), at(2, 10), at(1, 10)),
        # No due time known at all: nothing to be late against.
        (None, None, at(2, 10), None),
    ],
)
def test_how_late_an_acknowledgement_came(first_due_at, due_at, acknowledged_at, late_since):
    clock = rules.alert_clock(
        acknowledged=True,
        first_due_at=first_due_at,
        due_at=due_at,
        resolve_by=at(7, 17),
        chain_exhausted=False,
        now=at(7, 10),
        acknowledged_at=acknowledged_at,
    )
    assert clock.acknowledged_late_since == late_since
    assert clock.deadline == at(7, 17)  # the resolve clock runs on


def test_an_open_alert_is_never_said_acknowledged_late():
    clock = rules.alert_clock(
        acknowledged=False,
        first_due_at=at(1, 10),
        due_at=at(1, 10),
        resolve_by=None,
        chain_exhausted=False,
        now=at(7, 10),
    )
    assert clock.overdue and clock.acknowledged_late_since is None


def test_acknowledging_an_overdue_alert_keeps_its_lateness_said(cast, client, enrollment):
    with time_machine.travel(at(1, 9), tick=False):  # Tuesday, in office hours
        alert = raise_self_harm(enrollment)
    assert alert.first_due_at == at(1, 10)
    client.force_login(cast.clinician)
    with time_machine.travel(at(7, 10), tick=False):  # the Monday after: 6 days late
        before = client.get(reverse("alert_inbox")).content.decode()
        assert "overdue since Tue 1 Dec 2026, 10:00" in before
        client.post(reverse("alert_acknowledge", args=[alert.pk]), {"back": "inbox"})
        alert.refresh_from_db()
        assert alert.status == Alert.Status.ACKNOWLEDGED
        inbox = client.get(reverse("alert_inbox")).content.decode()
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        late = "Acknowledged 6\xa0days after it was due (Tue 1 Dec 2026, 10:00)."
        for html in (inbox, page):
            assert late in html
            assert "today by" in html  # and the resolve clock still shows its time
        with translation.override("es"), timezone.override(UTC):
            said = wording.acknowledged_late(alert, timezone.now())
    assert said.startswith("Reconocida 6\xa0días después") and "1 dic 2026, 10:00" in said


def test_an_alert_acknowledged_in_time_says_nothing_late(cast, client, enrollment):
    with time_machine.travel(at(1, 9), tick=False):
        alert = raise_self_harm(enrollment)
        client.force_login(cast.clinician)
        client.post(reverse("alert_acknowledge", args=[alert.pk]), {"back": "inbox"})
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "after it was due" not in page
