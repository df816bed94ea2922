"""The Celery app. Beat's whole schedule lives here, in code."""

import os
from pathlib import Path

from celery import Celery

# Connects the signals that carry request ids into tasks and give workers and beat
# Django's logging (request ids, redaction, LOG_FORMAT) instead of Celery's own.
from painapp import observability  # noqa: F401 (sets up Sentry/logging in workers)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "painapp.settings")

app = Celery("painapp")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

app.conf.beat_schedule = {
    # Claims due reminder schedules and queues their sends (see tracking/tasks.py).
    "sweep-due-reminders": {
        "task": "tracking.tasks.sweep_due_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Opens check-ins whose day has come; marks closed, undone ones as missed.
    "update-checkin-statuses": {
        "task": "tracking.tasks_checkins.update_checkin_statuses",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Escalates urgent alerts nobody acknowledged in time (tracking/tasks_alerts.py).
    "escalate-alerts": {
        "task": "tracking.tasks_alerts.escalate_alerts",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Missed check-ins in a row → alert.
    "missed-checkin-alerts": {
        "task": "tracking.tasks_alerts.raise_missed_checkin_alerts",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
    # Clinicians' daily digest, sent once each clinician's local time passes 07:00.
    "daily-digests": {
        "task": "tracking.tasks_alerts.send_daily_digests",
        "schedule": 900.0,
        "options": {"expires": 840},
    },
}


def ensure_broker_folders() -> None:
    """kombu's filesystem transport needs its folders before the worker starts."""
    options = app.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        if options.get(key):
            Path(options[key]).mkdir(parents=True, exist_ok=True)
    backend = str(app.conf.result_backend or "")
    if backend.startswith("file://"):
        Path(backend.removeprefix("file://")).mkdir(parents=True, exist_ok=True)


@app.task(name="painapp.ping")
def ping(value: str) -> str:
    """Round-trip check: proves a worker is consuming from the broker."""
    return f"pong:{value}"


_BROKER_DOWN_FOR = 30.0
_broker_down_until = 0.0


def publish(task_name: str, *, args: tuple = (), kwargs: dict | None = None, **options) -> bool:
    """Queue a task without ever holding up a web request on a dead broker.

    No publish retries, no result subscription (our tasks record their outcome in the
    database), and after one failure this process stops trying for 30 seconds: callers
    keep the work in the database (outbox, deliveries) and the minute sweep queues it
    again. Returns whether the task was queued.
    """
    import logging
    import time

    global _broker_down_until
    if time.monotonic() < _broker_down_until:
        return False
    try:
        app.send_task(
            task_name, args=args, kwargs=kwargs or {}, retry=False, ignore_result=True, **options
        )
    except Exception:  # kombu/redis raise several types; all mean "not queued"
        _broker_down_until = time.monotonic() + _BROKER_DOWN_FOR
        logging.getLogger(__name__).warning("Broker unavailable; %s left for the sweep", task_name)
        return False
    return True
