"""A Celery worker killed with SIGKILL in the middle of sending: its claim stops being
renewed, and a minute later the minute sweep hands the delivery to another worker,
which sends and records it. Never a missing reminder; a duplicate only if the worker
died after the mail server accepted the message and before it recorded that (README,
"Reminders": at most one duplicate per such death)."""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from tests.conftest import start_worker, stop_process
from tests.factories import make_enrollment
from tracking.models import Delivery
from tracking.reminders.delivery import deliver
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import requeue_stale_deliveries, sweep_due_reminders

# What the README promises: a claim not renewed for a minute is a dead worker's.
DEAD_AFTER = timedelta(minutes=1, seconds=1)


def wait_for(predicate, timeout=60, message="condition"):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.2)


def due_email(cast, settings) -> datetime:
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice)
    prefs = preferences_for(enrollment)
    now = timezone.now().replace(second=0, microsecond=0)
    prefs.in_app_enabled = False
    prefs.practice_time = (now - timedelta(minutes=1)).astimezone(enrollment.patient.tzinfo).time()
    prefs.save()
    schedules_sync(enrollment=enrollment, now=now - timedelta(minutes=5))
    return now


def emails_in(mail_dir) -> int:
    return sum(f.read_text().count("\nSubject: ") for f in mail_dir.iterdir())


@pytest.mark.celery_worker
def test_a_killed_worker_does_not_lose_or_double_a_delivery(
    transactional_db, cast, settings, tmp_path
):
    now = due_email(cast, settings)
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
        # A minute without a heartbeat (the worker is dead): the minute sweep queues
        # it again, and the rescuer sends it.
        Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - DEAD_AFTER)
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
    assert emails_in(mail_dir) == 1


@pytest.mark.celery_worker
def test_a_worker_killed_after_the_server_accepted_causes_one_duplicate_not_more(
    transactional_db, cast, settings, tmp_path
):
    """The one case the claim cannot cover: the server accepted the message and the
    worker died before writing "sent". The reminder is sent again — once."""
    now = due_email(cast, settings)
    mail_dir, marker = tmp_path / "mail", tmp_path / "hanging"
    mail_dir.mkdir()
    env = {
        "TEST_EMAIL_BACKEND": "tests.mail_backends.SendThenHangOnceBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "HANG_MARKER": str(marker),
    }
    first = start_worker("accepted-then-killed", **env)
    second = None
    try:
        sweep_due_reminders(now)
        delivery = Delivery.objects.get(channel="email")
        wait_for(marker.exists, message="the server to accept the first send")
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        assert emails_in(mail_dir) == 1
        assert Delivery.objects.get(pk=delivery.pk).status == "sending"

        second = start_worker("rescuer", **env)
        Delivery.objects.filter(pk=delivery.pk).update(claimed_at=timezone.now() - DEAD_AFTER)
        assert requeue_stale_deliveries(timezone.now()) == 1
        wait_for(
            lambda: Delivery.objects.get(pk=delivery.pk).status == "sent",
            message="the rescuer to send it",
        )
        assert requeue_stale_deliveries(timezone.now()) == 0
        assert deliver(delivery.pk) == "sent"
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                stop_process(proc)
    assert emails_in(mail_dir) == 2  # one duplicate, and no more
