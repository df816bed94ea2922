"""Helpers for the alert tests (no tests here): check-ins with scored responses made
directly from the real instrument registry and scoring, and a runner for the outbox
work those rules queue."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from painapp.celery import app as celery_app
from tracking.alerts.services import ResolutionOutcome
from tracking.instruments.registry import current_instruments, spec_of
from tracking.instruments.scoring import clean_answers, score
from tracking.models import CheckIn, OutboxTask, Response

PHQ9_CALM = {f"phq{n}": 0 for n in range(1, 10)}


def phq9(item9: int = 0, **others: int) -> dict:
    return {**PHQ9_CALM, **others, "phq9": item9}


def make_checkin(
    enrollment,
    slot: str,
    *,
    answers: dict | None = None,
    days_ago: float = 0,
    kind: str | None = None,
    status: str = CheckIn.Status.COMPLETED,
    window_days: int = 3,
) -> CheckIn:
    """A check-in that opened `days_ago` days ago, with one scored Response per
    instrument in `answers` ({instrument_key: {item_key: value}})."""
    answers = answers or {}
    now = timezone.now()
    opens_at = now - timedelta(days=days_ago)
    kind = kind or (CheckIn.Kind.BASELINE if slot == "baseline" else CheckIn.Kind.WEEKLY)
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot=slot,
        kind=kind,
        due_date=opens_at.date(),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=window_days),
        status=status,
        instrument_keys=list(answers),
        completed_at=now if status == CheckIn.Status.COMPLETED else None,
    )
    instruments = current_instruments(list(answers), enrollment.practice_id) if answers else {}
    for key, raw in answers.items():
        instrument = instruments[key]
        spec = spec_of(instrument)
        clean = clean_answers(spec, raw)
        Response.objects.create(
            checkin=checkin,
            instrument=instrument,
            instrument_key=key,
            instrument_version=instrument.version,
            answers=clean,
            scores=score(spec, clean),
        )
    return checkin


def pain(value: int) -> dict:
    return {"pain_avg": {"pain_avg": value}}


def registered_task(name: str):
    """The Celery task registered under `name`, found as a worker finds it (the worker
    imports every app's tasks.py at start; a test process has to ask for that)."""
    celery_app.autodiscover_tasks(force=True)  # imports each app's tasks.py, nothing else
    return celery_app.tasks[name]


def run_outbox() -> list[str]:
    """Run every pending outbox task the way a worker would (same function, same
    arguments, synchronously). Returns the task names run."""
    ran = []
    for row in OutboxTask.objects.filter(done_at__isnull=True).order_by("pk"):
        task = registered_task(row.task)
        task(**row.kwargs, outbox_id=row.pk)
        ran.append(row.task)
    return ran


# A documented contact, for tests that resolve an alert (issue 15: resolving needs one).
CONTACTED = ResolutionOutcome(
    contacted=True,
    contacted_at=timezone.now(),
    method="phone",
    risk_after="low",
    plan=["continue"],
    note="Spoke by phone; continuing the program.",
)
