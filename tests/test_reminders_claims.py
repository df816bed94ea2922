"""A worker's claims live as long as the worker: its heartbeat renews them while a
slow send goes on, so no other worker takes a delivery over from a live one (and
sends it twice); a dead worker's claims expire and are handed on (see
test_fault_worker_killed.py for a real worker killed)."""

from __future__ import annotations

import time as clock
from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from painapp.accounts.models import Role
from tests.factories import make_enrollment, make_member
from tracking.models import Delivery
from tracking.reminders import delivery as delivery_module
from tracking.reminders import sweep as sweep_module
from tracking.reminders.delivery import _claim, deliver
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import requeue_stale_deliveries, sweep_due_reminders

# Shrunk for the test (real time, real threads): a 1 s claim, renewed every 0.1 s.
LEASE = timedelta(seconds=1)


class SlowSmtp:
    """An SMTP server (the outside world) that takes longer than a claim lasts to
    accept a message. While it is busy, another worker tries to take the delivery
    over, as the minute sweep would let it."""

    def __init__(self, delivery_id: int) -> None:
        self.delivery_id, self.sent, self.rescued = delivery_id, [], None

    def __call__(self, *args, **kwargs):
        return self

    def send_messages(self, messages):
        clock.sleep(LEASE.total_seconds() * 2.5)
        now = timezone.now()
        requeued = requeue_stale_deliveries(now)
        self.rescued = (requeued, _claim([self.delivery_id], now))
        self.sent.extend(messages)
        return len(messages)


@pytest.mark.django_db(transaction=True)
def test_a_live_worker_keeps_its_claim_through_a_send_longer_than_the_lease(
    cast, program_version, monkeypatch
):
    patient = make_member(cast.practice, Role.PATIENT, "slow@example.org", tz="UTC")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.in_app_enabled = time(9, 0), False
    prefs.save()
    schedules_sync(enrollment=enrollment, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    monkeypatch.setattr(sweep_module, "queue_sends", lambda ids: None)  # no broker here
    sweep_due_reminders(datetime(2026, 6, 1, 9, tzinfo=UTC))
    email = Delivery.objects.get(channel="email")
    Delivery.objects.filter(pk=email.pk).update(due_at=timezone.now())  # due now, for real

    for module in (sweep_module, delivery_module):
        monkeypatch.setattr(module, "CLAIM_TIMEOUT", LEASE)
    monkeypatch.setattr(delivery_module, "HEARTBEAT_EVERY", 0.1, raising=False)
    monkeypatch.setattr(delivery_module, "FRESH_FOR", 0.5, raising=False)
    smtp = SlowSmtp(email.pk)
    monkeypatch.setattr("django.core.mail.get_connection", smtp)

    assert deliver(email.pk) == "sent"
    assert smtp.rescued == (0, {})  # nobody could take it over from a live worker
    assert len(smtp.sent) == 1
    email.refresh_from_db()
    assert email.status == "sent" and email.attempts == 1
    connection.close()


@pytest.mark.django_db(transaction=True)
def test_a_claim_nobody_renews_is_handed_on(cast, program_version, monkeypatch):
    """The other half: once a claim stops being renewed (the worker died), the minute
    sweep queues it again and another worker may claim it."""
    patient = make_member(cast.practice, Role.PATIENT, "dead@example.org", tz="UTC")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    now = timezone.now()
    prefs = preferences_for(enrollment)
    prefs.practice_time = (now - timedelta(minutes=1)).time()  # due a minute ago
    prefs.save()
    schedules_sync(enrollment=enrollment, now=now - timedelta(minutes=5))
    queued: list[list[int]] = []
    monkeypatch.setattr(sweep_module, "queue_sends", lambda ids: queued.append(list(ids)))
    sweep_due_reminders(now)
    ids = sorted(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2  # email and in-app
    assert set(_claim(ids, now)) == set(ids)  # a worker claims them, then dies
    queued.clear()
    assert requeue_stale_deliveries(now + timedelta(seconds=30)) == 0  # maybe still alive
    assert requeue_stale_deliveries(now + timedelta(minutes=1, seconds=1)) == len(ids)
    assert sorted(pk for chunk in queued for pk in chunk) == ids
    assert set(_claim(ids, now + timedelta(minutes=1, seconds=1))) == set(ids)
