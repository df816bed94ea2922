"""A practice reminder is skipped when the patient already practised that local day
(walk-through: a session saved 16:25 local, the 16:34 reminder still went out by email
and in the app). Recorded as every other skip: the delivery's status "skipped". The
real sweep and delivery, real Postgres; only SMTP is Django's test outbox."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from django.core import mail

from programs.models import PracticeSession
from tests.test_reminders import enroll
from tracking.models import Delivery, Notification
from tracking.reminders.delivery import deliver
from tracking.reminders.schedules import schedules_sync
from tracking.reminders.sweep import sweep_due_reminders

DUE = datetime(2026, 6, 1, 15, 34, tzinfo=UTC)  # 16:34 in London (summer time)


def practised(enrollment, day: date) -> None:
    PracticeSession.objects.create(
        enrollment=enrollment,
        practiced_at=datetime(2026, 6, 1, 15, 25, tzinfo=UTC),  # 16:25 local
        local_date=day,
        pain_before=6,
        threat_before=5,
        pain_after=4,
        threat_after=3,
    )


@pytest.mark.parametrize(
    ("practice_day", "outcome"),
    [(date(2026, 6, 1), "skipped"), (date(2026, 5, 31), "sent"), (None, "sent")],
)
def test_a_reminder_after_practising_that_day_is_skipped(
    cast, program_version, practice_day, outcome
):
    e = enroll(cast, program_version, at=time(16, 34))
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    if practice_day:
        practised(e, practice_day)
    sweep_due_reminders(DUE)
    deliveries = list(Delivery.objects.filter(schedule__kind="practice"))
    assert deliveries
    for d in deliveries:
        assert deliver(d.pk) == outcome
    if outcome == "skipped":
        assert mail.outbox == []
        assert not Notification.objects.filter(user=e.patient).exists()
    else:
        assert Delivery.objects.filter(status="sent").exists()
