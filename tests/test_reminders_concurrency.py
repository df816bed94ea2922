"""Exactly once under concurrency, with real processes: two sweeps replaying the same
simulated week at the same time, and two Celery workers sending, for a few hundred
patients in several time zones. Every due reminder is sent once; none is missing."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall
from pathlib import Path

import pytest

from painapp.accounts.models import Membership, Practice, Role, User
from programs.models import Enrollment, Screening
from tests.conftest import ROOT, start_worker, stop_process, subprocess_env
from tests.factories import load_shipped_program
from tracking.models import Delivery, ReminderPreferences
from tracking.reminders.localtime import next_occurrence
from tracking.reminders.schedules import schedules_sync

ZONES = [
    "Europe/London",
    "America/New_York",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Auckland",
    "America/Los_Angeles",
]
PATIENTS = 150
START = datetime(2026, 3, 26, tzinfo=UTC)  # the week Europe's clocks spring forward
DAYS = 7


def make_population() -> list[Enrollment]:
    practice = Practice.objects.create(name="Load")
    clinician = User.objects.create_user(email="clin@load.test", password="x" * 12)
    Membership.objects.create(
        user=clinician, practice=practice, role=Role.CLINICIAN, is_active=True
    )
    version = load_shipped_program()
    patients = User.objects.bulk_create(
        User(email=f"p{n}@load.test", timezone=ZONES[n % len(ZONES)]) for n in range(PATIENTS)
    )
    enrollments = Enrollment.objects.bulk_create(
        Enrollment(
            patient=p,
            practice=practice,
            clinician=clinician,
            program_version=version,
            start_date=START.date(),
            status="active",
            onboarded_at=START,
            consented_at=START,
            screening=Screening.CLEAR,
        )
        for p in patients
    )
    ReminderPreferences.objects.bulk_create(
        ReminderPreferences(
            enrollment=e,
            practice_time=wall(7 + n % 14, 30 * (n % 2)),
            email_enabled=True,
            in_app_enabled=n % 3 == 0,
        )
        for n, e in enumerate(enrollments)
    )
    for e in Enrollment.objects.select_related("patient"):
        schedules_sync(enrollment=e, now=START)
    return enrollments


@pytest.mark.celery_worker
def test_two_sweeps_and_two_workers_send_every_reminder_exactly_once(
    transactional_db, settings, tmp_path: Path
):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    t0 = time.monotonic()
    make_population()
    print(f"population {time.monotonic() - t0:.1f}s")
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    workers = [start_worker("w1", **env), start_worker("w2", **env)]
    end = START + timedelta(days=DAYS)
    sweep = [
        sys.executable,
        "manage.py",
        "sweep_reminders",
        "--from",
        START.isoformat(),
        "--to",
        end.isoformat(),
        "--step",
        "60",
    ]
    try:
        sweeps = [
            subprocess.Popen(
                sweep,
                cwd=ROOT,
                env=subprocess_env(**env),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _ in range(2)
        ]
        t0 = time.monotonic()
        outputs = [p.communicate(timeout=600)[0] for p in sweeps]
        print(f"sweeps {time.monotonic() - t0:.1f}s")
        assert all(p.returncode == 0 for p in sweeps), outputs
        deadline = time.monotonic() + 300
        while Delivery.objects.exclude(status__in=["sent", "failed", "skipped"]).exists():
            assert time.monotonic() < deadline, "workers did not drain the queue"
            time.sleep(0.5)
        print(f"drained {time.monotonic() - t0:.1f}s")
    finally:
        for w in workers:
            stop_process(w)

    # Both sweeps did real work: the claims were shared between them.
    claimed = [int(out.strip().split()[-1]) for out in outputs]
    assert sum(claimed) == Delivery.objects.values("schedule", "slot").distinct().count()

    assert not Delivery.objects.exclude(status="sent").exists()
    # every patient got one practice reminder per local day of the week, per channel
    for e in Enrollment.objects.select_related("patient", "reminder_preferences"):
        tz = e.patient.tzinfo
        first_day = START.astimezone(tz).date()
        expected_days = set()
        for n in range(DAYS + 1):
            day = first_day + timedelta(days=n)
            due = next_occurrence(
                at=e.reminder_preferences.practice_time,
                weekdays=None,
                tz=tz,
                after=datetime.combine(day, wall(0, 0), tz) - timedelta(seconds=1),
            )[0]
            if START < due <= end:
                expected_days.add(f"practice:{day.isoformat()}:{tz.key}")
        got = list(
            Delivery.objects.filter(schedule__enrollment=e, channel="email").values_list(
                "slot", flat=True
            )
        )
        assert sorted(got) == sorted(expected_days), e.pk
    emails_sent = sum(f.read_text().count("\nSubject: ") for f in mail_dir.iterdir())
    assert emails_sent == Delivery.objects.filter(channel="email").count()
    from tracking.models import Notification

    assert Notification.objects.count() == Delivery.objects.filter(channel="in_app").count()
