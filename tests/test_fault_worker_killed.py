"""A Celery worker killed with SIGKILL in the middle of sending: the delivery is
completed by another worker and recorded, and the email goes out exactly once."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.conftest import start_worker, stop_process
from tests.factories import make_enrollment
from tracking.models import Delivery
from tracking.reminders.delivery import deliver
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import CLAIM_TIMEOUT, requeue_stale_deliveries, sweep_due_reminders


def wait_for(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


@pytest.mark.celery_worker
def test_a_killed_worker_does_not_lose_or_double_a_delivery(
    transactional_db, cast, settings, tmp_path
):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice)
    prefs = preferences_for(enrollment)
    now = timezone.now().replace(second=0, microsecond=0)
    prefs.in_app_enabled = False
    prefs.practice_time = (now - timedelta(minutes=1)).astimezone(enrollment.patient.tzinfo).time()
    prefs.save()
    schedules_sync(enrollment=enrollment, now=now - timedelta(minutes=5))
    mail_dir, marker = tmp_path / "mail", tmp_path / "hanging"
    mail_dir.mkdir()
    env = {
        "TEST_EMAIL_BACKEND": "tests.mail_backends.HangOnceBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "HANG_MARKER": str(marker),
    }
    first = start_worker("doomed", **env)
    second = None
    try:
        sweep_due_reminders(now)  # queues the send to the real broker
        delivery = Delivery.objects.get(channel="email")
        wait_for(marker.exists, message="the worker to start sending")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        delivery.refresh_from_db()
        assert delivery.status == "sending" and delivery.attempts == 1
        # Nothing written (the worker's mail connection may have opened its file).
        assert sum(f.read_text().count("\nSubject: ") for f in mail_dir.iterdir()) == 0

        second = start_worker("rescuer", **env)
        # A fresh claim is left alone: the dead worker might still have been alive.
        assert requeue_stale_deliveries(timezone.now()) == 0
        # Ten minutes on (the claim timeout), the minute sweep queues it again.
        Delivery.objects.filter(pk=delivery.pk).update(
            claimed_at=timezone.now() - CLAIM_TIMEOUT - timedelta(seconds=1)
        )
        assert requeue_stale_deliveries(timezone.now()) == 1
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
            message="the delivery to be completed",
        )
        # Redelivering the original message later (Redis's visibility timeout) sends
        # nothing more: the row is already sent.
        assert deliver(delivery.pk) == "sent"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                stop_process(proc)
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    messages = sum(f.read_text().count("\nSubject: ") for f in mail_dir.iterdir())
    assert messages == 1
