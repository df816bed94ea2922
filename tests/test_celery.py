"""Celery is wired to Redis: a task crosses the broker and a real worker runs it."""

from __future__ import annotations

import uuid

import pytest

from painapp.celery import app, ping


@pytest.mark.celery_worker
def test_a_task_round_trips_through_redis_and_a_worker(celery_worker_process):
    token = uuid.uuid4().hex
    result = ping.delay(token)
    assert result.get(timeout=30) == f"pong:{token}"


def test_the_beat_schedule_sweeps_every_minute_with_an_expiry():
    entry = app.conf.beat_schedule["sweep-due-reminders"]
    assert entry["task"] == "tracking.tasks.sweep_due_reminders"
    assert entry["schedule"] == 60.0
    assert entry["options"]["expires"] < 60
    app.loader.import_default_modules()  # what a worker does at start-up
    assert entry["task"] in app.tasks


def test_every_beat_and_outbox_task_is_registered_with_the_worker():
    app.loader.import_default_modules()  # what a worker does at start-up
    for entry in app.conf.beat_schedule.values():
        assert entry["task"] in app.tasks, entry["task"]
    for name in (
        "tracking.tasks_admin.send_import_invitations",
        "tracking.tasks_alerts.send_alert_email",
    ):
        assert name in app.tasks, name
