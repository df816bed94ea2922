"""Scale out, shown: two web processes, two Celery workers and two beats on one
Postgres and one Redis, as a clinic that outgrew one machine would run them.

Patients log in on one web and answer their check-in on both at once (a double
submit landing on two servers); both beats fire the reminder sweep at the same
moment and both workers take the work. Every check-in must be recorded once and
every reminder sent once.
"""

from __future__ import annotations

import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Role
from painapp.celery import app
from tests.checkin_data import post_for, schedule_from_start
from tests.conftest import ROOT, start_worker, stop_process, subprocess_env
from tests.factories import PASSWORD, make_enrollment, make_member
from tests.faults import AppServer
from tracking.models import CheckIn, Delivery, EnrollmentSummary, Notification, Response
from tracking.reminders.schedules import preferences_for, schedules_sync

# Zones a few hours apart, so that at most one is near its midnight whenever this runs.
ZONES = [
    "Europe/London",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Asia/Kolkata",
    "America/Sao_Paulo",
    "Europe/Helsinki",
]
PATIENTS = 6


def due_in_a_minute(zone: str, now) -> bool:
    """A reminder set a minute ago, scheduled five minutes ago, falls on one local day."""
    local = now.astimezone(ZoneInfo(zone))
    return (local - timedelta(minutes=10)).date() == local.date()


def beat_schedule_due_now(path) -> None:
    """A beat schedule file whose entries last ran one interval ago: a new beat would
    otherwise wait a whole minute before its first sweep."""
    from celery.beat import PersistentScheduler

    scheduler = PersistentScheduler(app=app, schedule_filename=str(path), lazy=True)
    scheduler.setup_schedule()
    now = app.now()
    for entry in scheduler.schedule.values():
        entry.last_run_at = now - entry.schedule.run_every
    scheduler.sync()
    scheduler.close()


def start_beat(schedule_file, log_file) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "painapp",
            "beat",
            "--loglevel=INFO",
            f"--schedule={schedule_file}",
        ],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )


def log_in(web: str, email: str) -> requests.Session:
    session = requests.Session()
    session.get(f"{web}/accounts/login/", timeout=10)
    response = session.post(
        f"{web}/accounts/login/",
        timeout=10,
        allow_redirects=False,
        data={
            "login": email,
            "password": PASSWORD,
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
    )
    assert response.status_code == 302, response.text[:500]
    return session


def wait_for(predicate, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {message}"
        time.sleep(0.3)


@pytest.mark.celery_worker
def test_two_of_everything_records_each_checkin_and_sends_each_reminder_once(
    transactional_db, cast, program_version, settings, tmp_path
):
    import redis

    started = time.monotonic()
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    # As every deploy does before serving (docker/web.sh, bin/run).
    call_command("load_instruments", verbosity=0)
    now = timezone.now().replace(microsecond=0)
    zones = [z for z in ZONES if due_in_a_minute(z, now)][:PATIENTS]
    enrollments = []
    for i, zone in enumerate(zones):
        patient = make_member(cast.practice, Role.PATIENT, f"scale-{i}@example.org", tz=zone)
        enrollment = make_enrollment(
            patient, cast.clinician, cast.practice, version=program_version, days_ago=1
        )
        schedule_from_start(enrollment)
        prefs = preferences_for(enrollment)
        prefs.practice_time = (now - timedelta(minutes=1)).astimezone(ZoneInfo(zone)).time()
        prefs.checkin_enabled = False  # the practice reminder only: one email, one in-app
        prefs.save()
        schedules_sync(enrollment=enrollment, now=now - timedelta(minutes=5))
        enrollments.append(enrollment)

    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    mail = {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    processes, webs, logs = [], [], []
    try:
        webs = [AppServer(subprocess_env()) for _ in range(2)]
        processes += [start_worker("scale-a", **mail), start_worker("scale-b", **mail)]
        wait_for(lambda: len(app.control.ping(timeout=0.5)) == 2, 30, "both workers")

        # Each patient logs in on one web and submits the same check-in to both at once.
        # (The threads only speak HTTP: no database connection of their own.)
        baselines = [CheckIn.objects.get(enrollment=e, slot="baseline") for e in enrollments]

        def check_in(i: int, enrollment, checkin) -> list[int]:
            first, second = (webs[0], webs[1]) if i % 2 == 0 else (webs[1], webs[0])
            session = log_in(first.url, enrollment.patient.email)
            path = reverse("checkin_detail", args=[checkin.pk])
            data = {
                **post_for(checkin.instrument_keys),
                "csrfmiddlewaretoken": session.cookies["csrftoken"],
            }
            with ThreadPoolExecutor(2) as both:
                answers = list(
                    both.map(
                        lambda web: session.post(
                            web.url + path, data=data, timeout=30, allow_redirects=False
                        ),
                        (first, second),
                    )
                )
            return [response.status_code for response in answers]

        with ThreadPoolExecutor(3) as pool:
            statuses = list(pool.map(check_in, range(len(enrollments)), enrollments, baselines))
        # One of each pair recorded it (302 to the results); the other recorded it or
        # showed the results as already done (200): never an error.
        assert all(302 in pair and set(pair) <= {200, 302} for pair in statuses), statuses

        # Two beats, each sweeping as soon as it starts: their sweeps race.
        for name in ("one", "two"):
            schedule = tmp_path / f"beat-{name}"
            beat_schedule_due_now(schedule)
            logs.append((tmp_path / f"beat-{name}.log").open("w"))
            processes.append(start_beat(schedule, logs[-1]))
        wanted = 2 * len(enrollments)  # an email and an in-app reminder each
        wait_for(
            lambda: Delivery.objects.filter(status="sent").count() >= wanted,
            45,
            "every reminder to be sent",
        )
        time.sleep(3)  # long enough for a duplicate sweep or send to show up
    finally:
        for proc in processes:
            if proc.poll() is None:
                stop_process(proc)
        for web in webs:
            web.stop()
        for log in logs:
            log.close()

    beat_logs = [(tmp_path / f"beat-{name}.log").read_text() for name in ("one", "two")]
    assert all("Sending due task sweep-due-reminders" in text for text in beat_logs), beat_logs
    # Each check-in recorded once: completed, one set of answers, counted once.
    for enrollment in enrollments:
        checkin = CheckIn.objects.get(enrollment=enrollment, slot="baseline")
        assert checkin.status == CheckIn.Status.COMPLETED
        answered = Response.objects.filter(checkin=checkin).values_list("instrument_key", flat=True)
        assert sorted(answered) == sorted(checkin.instrument_keys)
        summary = EnrollmentSummary.objects.get(enrollment=enrollment)
        assert summary.pain_checkins == 1, enrollment.patient.email
    # Each reminder sent once: one delivery per channel, one email, one notification.
    deliveries = list(Delivery.objects.values_list("schedule__enrollment", "channel", "status"))
    assert sorted(deliveries) == sorted(
        (e.pk, channel, "sent") for e in enrollments for channel in ("email", "in_app")
    )
    sent_to = [
        line.removeprefix("To: ")
        for f in mail_dir.iterdir()
        for line in f.read_text().splitlines()
        if line.startswith("To: ")
    ]
    reminders = [to for to in sent_to if to.startswith("scale-")]
    assert sorted(reminders) == sorted(e.patient.email for e in enrollments)
    for enrollment in enrollments:
        assert Notification.objects.filter(user=enrollment.patient).count() == 1
    assert time.monotonic() - started < 90
