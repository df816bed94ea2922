"""Run by tests/test_sqlite_demo.py in a child process: the embedded demo's database
(SQLite, as `bin/run` uses with no DATABASE_URL), migrated and seeded, and every
role's main screens opened through the real login. Prints one line per screen,
"<name> <status>", and exits non-zero if any screen did not answer 200."""

from __future__ import annotations

import os
import sys


def main(path: str) -> int:
    os.environ.update(DJANGO_SETTINGS_MODULE="painapp.settings", DEBUG="true",
                      DATABASE_URL=f"sqlite:///{path}", REDIS_URL="",
                      ALLOWED_HOSTS="testserver", SECURE_SSL_REDIRECT="false")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from painapp.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET
    from painapp.accounts.models import User
    from programs.models import Enrollment
    from tests import factories

    setup_test_environment()
    for command in ("migrate", "load_program", "load_instruments", "seed_demo"):
        call_command(command, *(["--all"] if command == "load_program" else []), verbosity=0)

    def client_for(email: str) -> Client:
        client = Client()
        factories.TOTP_SECRET = DEMO_TOTP_SECRET
        original = factories.totp_code
        factories.totp_code = lambda secret=DEMO_TOTP_SECRET: original(secret)
        factories.form_login(client, User.objects.get(email=email), "demo-pass-2026")
        return client

    clinician = client_for("clinician@demo.painapp.test")
    enrollment = Enrollment.objects.filter(clinician__email="clinician@demo.painapp.test",
                                           checkins__status="completed").first()
    screens = [(f"caseload sort={sort}", clinician, reverse("caseload"), {"sort": sort})
               for sort in ("alerts", "name", "week", "pain", "last")]
    screens += [("caseload not improving", clinician, reverse("caseload"),
                 {"not_improving": "on", "dir": "asc"}),
                ("patient detail", clinician, reverse("patient_detail", args=[enrollment.pk]),
                 {}),
                ("patient answers", clinician,
                 reverse("patient_checkins", args=[enrollment.pk]), {})]
    admin = client_for("admin@demo.painapp.test")
    screens += [("outcomes report", admin, reverse("admin_outcomes"), {})]
    patient = client_for("patient@demo.painapp.test")
    screens += [(name, patient, reverse(name), {}) for name in ("today", "progress", "my_log")]
    failed = 0
    for name, client, url, params in screens:
        status = client.get(url, params).status_code
        print(name, status)
        failed += status != 200
    # A weekly check-in opened now, answered (the check-in's read and writes are
    # written out for Postgres; here they go through the ORM).
    from datetime import timedelta

    from django.utils import timezone

    from tests.checkin_data import post_for
    from tracking.checkins.schedule import DEFAULT_CONFIG
    from tracking.models import CheckIn

    now = timezone.now()
    checkin = CheckIn.objects.create(
        enrollment=Enrollment.objects.get(patient__email="patient@demo.painapp.test"),
        slot="sqlite-check", kind=CheckIn.Kind.WEEKLY, week=1, due_date=now.date(),
        opens_at=now - timedelta(hours=1), closes_at=now + timedelta(days=3),
        status=CheckIn.Status.OPEN, instrument_keys=DEFAULT_CONFIG["weekly"])
    url = reverse("checkin_detail", args=[checkin.pk])
    steps = [("checkin form", patient.get(url).status_code, 200),
             ("checkin submit", patient.post(url, post_for(checkin.instrument_keys)).status_code,
              302),
             ("checkin results", patient.get(url, {"done": "1"}).status_code, 200),
             ("checkin responses", checkin.responses.count(), len(checkin.instrument_keys))]
    for name, status, expected in steps:
        print(name, status)
        failed += status != expected
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
