"""Create a demo practice whose people can log in with known passwords.

Safe to run again: existing demo people are left as they are. The other apps add their
part (programs, check-ins, alerts, …) through `demo_seeders`, registered from their
AppConfig.ready (accounts may not import them).
"""

from __future__ import annotations

from typing import Protocol

from django.core.management.base import BaseCommand, OutputWrapper
from django.db import transaction

from painapp.accounts.extensions import ExtensionPoint
from painapp.accounts.models import Membership, Practice, Role, User

DEMO_PASSWORD = "demo-pass-2026"
# Staff must use two-step login. The demo clinicians and admin share this authenticator
# secret: add it to an authenticator app, or run `manage.py demo_code` for today's code.
DEMO_TOTP_SECRET = "PAINAPPDEMOPAINAPPDEMOPAINAPPDEM"
PRACTICE_NAME = "Riverside Back Pain Clinic"

# (email, name, role, time zone, language): Maria Santos reads the app, and gets her
# program, in Spanish.
PEOPLE = [
    ("admin@demo.painapp.test", "Alex Admin", Role.ADMIN, "Europe/London", "en"),
    ("clinician@demo.painapp.test", "Dr Sam Rivera", Role.CLINICIAN, "Europe/London", "en"),
    ("clinician2@demo.painapp.test", "Dr Priya Shah", Role.CLINICIAN, "America/New_York", "en"),
    ("patient@demo.painapp.test", "Jordan Lee", Role.PATIENT, "Europe/London", "en"),
    ("patient2@demo.painapp.test", "Maria Santos", Role.PATIENT, "America/Los_Angeles", "es"),
    ("patient3@demo.painapp.test", "Tom Okafor", Role.PATIENT, "Australia/Sydney", "en"),
    ("patient4@demo.painapp.test", "Aiko Tanaka", Role.PATIENT, "Pacific/Auckland", "en"),
]


class DemoSeeder(Protocol):
    """One app's part of the demo practice. Safe to run again."""

    def __call__(self, *, practice: Practice, stdout: OutputWrapper | None = None) -> None: ...


demo_seeders: ExtensionPoint[DemoSeeder] = ExtensionPoint("demo practice")


class Command(BaseCommand):
    help = "Create the demo practice, with an admin, two clinicians and several patients."

    @transaction.atomic
    def handle(self, *args, **options):
        practice, _ = Practice.objects.get_or_create(
            name=PRACTICE_NAME, defaults={"timezone": "Europe/London"}
        )
        for email, name, role, tz, language in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email,
                    password=DEMO_PASSWORD,
                    full_name=name,
                    timezone=tz,
                    language=language,
                )
            Membership.objects.update_or_create(
                user=user, practice=practice, defaults={"role": role, "is_active": True}
            )
            if role in (Role.CLINICIAN, Role.ADMIN):
                _ensure_totp(user)
        for seed in demo_seeders:
            seed(practice=practice, stdout=self.stdout)

        self.stdout.write(self.style.SUCCESS(f"Demo practice: {practice.name}"))
        self.stdout.write(f"Every demo account's password is: {DEMO_PASSWORD}")
        self.stdout.write(
            "Clinicians and the admin also need a two-step login code: run "
            "`manage.py demo_code`, or add this secret to an authenticator "
            f"app: {DEMO_TOTP_SECRET}"
        )
        for email, name, role, _tz, _language in PEOPLE:
            self.stdout.write(f"  {Role(role).label:<15} {email:<32} ({name})")


def _ensure_totp(user: User) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP

    if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
        TOTP.activate(user, DEMO_TOTP_SECRET)
