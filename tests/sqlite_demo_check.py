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
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
