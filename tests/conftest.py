"""The cast every test can use, and the real-process fixtures (Chromium, Celery).

Cast: `practice` has an admin, a clinician and that clinician's patient, plus a
second clinician and patient who are not theirs; `other_practice` has its own admin,
clinician and patient. Outsider tests log in as the latter and expect 404s.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.factories import Role, make_member, make_practice, make_safety_ready

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"

# Playwright drives Chromium from the test process while live_server runs Django
# in a thread of the same process; Django refuses ORM calls from an event loop
# unless told this is fine. Tests only, never the app.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@dataclass
class Cast:
    practice: object
    admin: object
    clinician: object
    patient: object
    other_clinician: object
    other_patient: object
    other_practice: object
    outsider_admin: object
    outsider_clinician: object
    outsider_patient: object


@pytest.fixture
def cast(db) -> Cast:
    practice = make_practice("Riverside")
    other = make_practice("Elsewhere", tz="America/New_York")
    admin = make_member(practice, Role.ADMIN, "admin@riverside.test")
    outsider_admin = make_member(other, Role.ADMIN, "admin@elsewhere.test")
    # Both practices may enroll patients: each has a safety contact and a chain.
    make_safety_ready(practice, admin)
    make_safety_ready(other, outsider_admin)
    return Cast(
        practice=practice,
        admin=admin,
        clinician=make_member(practice, Role.CLINICIAN, "clin@riverside.test", name="Dr Kim"),
        patient=make_member(practice, Role.PATIENT, "pat@riverside.test", name="Pat One"),
        other_clinician=make_member(practice, Role.CLINICIAN, "clin2@riverside.test"),
        other_patient=make_member(practice, Role.PATIENT, "pat2@riverside.test"),
        other_practice=other,
        outsider_admin=outsider_admin,
        outsider_clinician=make_member(other, Role.CLINICIAN, "clin@elsewhere.test"),
        outsider_patient=make_member(other, Role.PATIENT, "pat@elsewhere.test"),
    )


@pytest.fixture
def superuser_client(cast):
    """A Django-admin superuser, logged in with password and code (the admin needs MFA)."""
    from django.test import Client

    from painapp.accounts.models import User
    from tests.factories import PASSWORD, enable_totp, form_login

    superuser = User.objects.create_superuser(email="root@painapp.test", password=PASSWORD)
    enable_totp(superuser)
    browser = Client()
    form_login(browser, superuser)
    return browser


# ---------------------------------------------------------------- browser tests
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-quic",
        ],
    }


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


# ---------------------------------------------------------------- celery worker
@pytest.fixture
def celery_worker_process(transactional_db, settings):
    """A real `celery worker` process on the real Redis broker, using the test database."""
    import redis as redis_lib

    redis_lib.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    proc = start_worker()
    yield proc
    stop_process(proc)


def subprocess_env(**extra) -> dict:
    """Environment for a child process (worker, sweep) that uses the test database."""
    from django.conf import settings
    from django.db import connection

    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "painapp.settings_test",
        "DATABASE_URL": _database_url(connection.settings_dict),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        **extra,
    }


def start_worker(name: str = "w1", **env) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "painapp",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{name}@%h",
        ],
        cwd=ROOT,
        env=subprocess_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for_worker(proc)
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()


def _database_url(s: dict) -> str:
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _wait_for_worker(proc: subprocess.Popen, timeout: float = 30) -> None:
    from painapp.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"celery worker exited: {proc.stdout.read()}")
        if app.control.ping(timeout=0.5):
            return
    proc.kill()
    raise RuntimeError("celery worker did not answer a ping in time")


# ---------------------------------------------------------------- enrollments
@pytest.fixture
def program_version(db):
    from tests.factories import load_shipped_program

    return load_shipped_program()


@pytest.fixture
def enrollment(cast, program_version):
    """cast.patient on the shipped program with cast.clinician, in week 2."""
    from tests.factories import make_enrollment

    return make_enrollment(cast.patient, cast.clinician, cast.practice, version=program_version)


@pytest.fixture
def us_patient(client, cast, enrollment):
    """`client` signed in as cast.patient, whose enrollment is in the US: the crisis box
    shows the US numbers (988), not those of the practice's own country (the UK)."""
    enrollment.country = "US"
    enrollment.save(update_fields=["country"])
    client.force_login(cast.patient)
    return client


@pytest.fixture
def week3(request, enrollment):
    """The patient's week 3 check-in, open today: the baseline was done two weeks ago
    with default answers (override `week3` in a module for other answers). A module's
    `pytest.mark.patient_country("US")` sets where the patient is: the crisis and
    emergency numbers follow it."""
    from tests.checkin_data import started_two_weeks_ago

    if country := request.node.get_closest_marker("patient_country"):
        enrollment.country = country.args[0]
        enrollment.save(update_fields=["country"])
    return started_two_weeks_ago(enrollment)["week-3"]


@pytest.fixture
def on_hold(enrollment):
    """`enrollment`, its patient on a safety hold: red flags at screening (a history of
    cancer), not yet started, and the red-flag alert that asks for the decision."""
    from programs.models import EnrollmentStatus, Screening
    from tests.clinical_data import add_alert
    from tracking.models import Alert

    enrollment.screening = Screening.HOLD
    enrollment.red_flags = ["cancer_history"]
    enrollment.status = EnrollmentStatus.INVITED
    enrollment.onboarded_at = None
    enrollment.save()
    add_alert(
        enrollment,
        Alert.Kind.RED_FLAG,
        Alert.Severity.HIGH,
        source="screening",
        details={"red_flags": ["cancer_history"]},
    )
    return enrollment


@pytest.fixture
def other_enrollment(cast, program_version):
    """cast.other_patient, same practice, looked after by cast.other_clinician."""
    from tests.factories import make_enrollment

    return make_enrollment(
        cast.other_patient, cast.other_clinician, cast.practice, version=program_version
    )


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached pages live in Redis: start every test with none."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request in Spanish activates it for
    the thread, and code that runs outside a request would otherwise inherit it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def spanish_invitation(cast, client):
    """The address of the invitation an admin sent in Spanish to a new patient (Rosa, in
    Mexico City), as the email gives it; the client is logged out again."""
    import time_machine
    from django.urls import reverse

    from tests.factories import load_shipped_program
    from tests.test_invitations import link_from_last_email, path_of

    client.force_login(cast.admin)
    with time_machine.travel("2026-12-06 12:00:00Z", tick=False):
        response = client.post(
            reverse("patient_invite"),
            {
                "full_name": "Rosa Martínez",
                "email": "rosa@example.org",
                "timezone": "America/Mexico_City",
                "clinician": cast.clinician.pk,
                "program_version": load_shipped_program().pk,
                "start_date": "2026-12-06",
                "language": "es",
            },
        )
    assert response.status_code == 302
    client.logout()
    return path_of(link_from_last_email())
