"""Run by tests/test_embedded_demo.py in a child process, with no DATABASE_URL: what
`bin/run` does on a clean clone (start the embedded PostgreSQL from the wheel with a
fresh data folder, migrate, load the program and instruments, seed the demo), then
every role's main screens opened through the real login, and the server stopped.

Prints "database <host> <server_version_num>", then one line per screen,
"<name> <status> <missing text, if any>"; exits non-zero if any screen failed."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

from painapp import embedded_db


def main(var_dir: Path) -> int:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="painapp.settings",
        DEBUG="true",
        PAINAPP_VAR_DIR=str(var_dir),
        REDIS_URL="",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="false",
    )
    os.environ.pop("DATABASE_URL", None)
    # Before Django reads its settings: they find the server's socket through it.
    embedded_db.start(var_dir)
    try:
        return check_screens()
    finally:
        embedded_db.stop(var_dir)


def check_screens() -> int:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from painapp.accounts.management.commands import seed_demo
    from programs.models import Enrollment
    from tests.factories import totp_code

    setup_test_environment()
    for command in ("migrate", "load_program", "load_instruments", "seed_demo"):
        call_command(
            command,
            *(["--all"] if command == "load_program" else []),
            verbosity=0,
            stdout=io.StringIO(),
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        print("database", connection.settings_dict["HOST"], cursor.fetchone()[0])

    def client_for(email: str) -> Client:
        client = Client()
        response = client.post(
            reverse("account_login"), {"login": email, "password": seed_demo.DEMO_PASSWORD}
        )
        if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
            client.post(
                reverse("mfa_authenticate"), {"code": totp_code(seed_demo.DEMO_TOTP_SECRET)}
            )
        return client

    jordan = Enrollment.objects.select_related("patient", "clinician").get(
        patient__email="patient@demo.painapp.test"
    )
    patient, clinician = (client_for(jordan.patient.email), client_for(jordan.clinician.email))
    admin = client_for("admin@demo.painapp.test")
    caseload = [
        e.patient.full_name
        for e in Enrollment.objects.filter(clinician=jordan.clinician).select_related("patient")
    ]
    # (name, client, url, where "/" must lead, texts the page must show (any of a list))
    screens = [
        ("patient today", patient, "/", reverse("today"), [jordan.patient.greeting_name]),
        ("clinician caseload", clinician, "/", reverse("caseload"), [caseload]),
        (
            "patient detail",
            clinician,
            reverse("patient_detail", args=[jordan.pk]),
            None,
            [jordan.patient.full_name, "Average pain"],
        ),
        ("practice overview", admin, "/", reverse("practice_overview"), [seed_demo.PRACTICE_NAME]),
        ("outcomes report", admin, reverse("admin_outcomes"), None, [seed_demo.PRACTICE_NAME]),
    ]
    failed = 0
    for name, client, url, lands_on, texts in screens:
        response = client.get(url, follow=True)
        html = response.content.decode()
        missing = [
            text
            for text in texts
            if not any(t in html for t in ([text] if isinstance(text, str) else text))
        ]
        if lands_on and response.redirect_chain[-1:] != [(lands_on, 302)]:
            missing.append(f"redirect to {lands_on}, got {response.redirect_chain}")
        print(name, response.status_code, *missing)
        failed += response.status_code != 200 or bool(missing)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
