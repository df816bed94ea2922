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
