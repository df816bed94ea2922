"""Test data made through the same paths the app uses."""

from __future__ import annotations

from painapp.accounts.models import Membership, Practice, Role, User

PASSWORD = "a-long-test-password-1"


def make_practice(name: str = "Test Practice", tz: str = "Europe/London") -> Practice:
    return Practice.objects.create(name=name, timezone=tz)


def make_member(practice: Practice, role: str, email: str, *, name: str = "",
                tz: str = "UTC", active: bool = True) -> User:
    user = User.objects.create_user(email=email, password=PASSWORD,
                                    full_name=name or email.split("@")[0].title(), timezone=tz)
    Membership.objects.create(user=user, practice=practice, role=role, is_active=active)
    return user


__all__ = ["PASSWORD", "Role", "make_member", "make_practice"]


def load_shipped_program():
    """The real 8-week curriculum, loaded through the same service as `load_program`."""
    from programs.content import CONTENT_ROOT, read_program
    from programs.services import program_version_load

    version, _ = program_version_load(read_program(CONTENT_ROOT / "prt-back-8wk"))
    return version


def make_enrollment(patient, clinician, practice, *, version=None, days_ago: int = 10,
                    onboarded: bool = True):
    """An active, onboarded enrollment that started `days_ago` local days ago."""
    from datetime import timedelta

    from django.utils import timezone

    from programs.models import Screening
    from programs.services import enrollment_create

    version = version or load_shipped_program()
    today = timezone.localtime(timezone.now(), patient.tzinfo).date()
    enrollment = enrollment_create(patient=patient, practice=practice, clinician=clinician,
                                   program_version=version,
                                   start_date=today - timedelta(days=days_ago))
    if onboarded:
        now = timezone.now()
        enrollment.consented_at = enrollment.onboarded_at = now
        enrollment.screening = Screening.CLEAR
        enrollment.save()
    return enrollment
