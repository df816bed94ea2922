"""Test data made through the same paths the app uses."""

from __future__ import annotations

import copy
import functools

from painapp.accounts.models import Membership, Practice, Role, User

PASSWORD = "a-long-test-password-1"


def make_practice(name: str = "Test Practice", tz: str = "Europe/London") -> Practice:
    return Practice.objects.create(name=name, timezone=tz)


def make_member(
    practice: Practice,
    role: str,
    email: str,
    *,
    name: str = "",
    tz: str = "UTC",
    active: bool = True,
    mfa: bool | None = None,
) -> User:
    """A member of `practice`. Staff get an authenticator app (TOTP) by default, as the
    app requires before they see patient data; pass mfa=False for one without."""
    user = User.objects.create_user(
        email=email, password=PASSWORD, full_name=name or email.split("@")[0].title(), timezone=tz
    )
    Membership.objects.create(user=user, practice=practice, role=role, is_active=active)
    if mfa if mfa is not None else role in (Role.CLINICIAN, Role.ADMIN):
        enable_totp(user)
    return user


TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def enable_totp(user: User, secret: str = TOTP_SECRET) -> None:
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, secret)


def totp_code(secret: str = TOTP_SECRET) -> str:
    """The code an authenticator app would show now."""
    import time

    from allauth.mfa import app_settings
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    counter = int(time.time()) // app_settings.TOTP_PERIOD  # this step, not the one before
    return format_hotp_value(hotp_value(secret, counter))


__all__ = ["PASSWORD", "Role", "make_member", "make_practice"]


@functools.cache
def _shipped_program_files(folder: str):
    from programs.content import CONTENT_ROOT, read_program

    return read_program(CONTENT_ROOT / folder)


def shipped_program_data(folder: str = "prt-back-8wk"):
    """A shipped program's files as `read_program` reads them. The files don't change
    during a run, so each folder is read once per process (reading and checking the
    Markdown is most of what loading the program costs); every caller gets its own
    copy, so nothing one test changes reaches another."""
    return copy.deepcopy(_shipped_program_files(folder))


def load_shipped_program():
    """The real 8-week curriculum, loaded through the same service as `load_program`."""
    from programs.services import program_version_load

    version, _ = program_version_load(shipped_program_data())
    return version


def make_enrollment(
    patient, clinician, practice, *, version=None, days_ago: int = 10, onboarded: bool = True
):
    """An active, onboarded enrollment that started `days_ago` local days ago."""
    from datetime import timedelta

    from django.utils import timezone

    from programs.models import Screening
    from programs.services import enrollment_create

    version = version or load_shipped_program()
    today = timezone.localtime(timezone.now(), patient.tzinfo).date()
    enrollment = enrollment_create(
        patient=patient,
        practice=practice,
        clinician=clinician,
        program_version=version,
        start_date=today - timedelta(days=days_ago),
    )
    if onboarded:
        now = timezone.now()
        enrollment.consented_at = enrollment.onboarded_at = now
        enrollment.screening = Screening.CLEAR
        enrollment.save()
    return enrollment


def form_login(client, user, password: str = PASSWORD):
    """Log in through the real login form, with the authenticator code for staff.

    allauth refuses a code twice (replay protection); a test that logs the same person
    in on two devices within 30 seconds plays someone who waited for the next code.
    """
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.core.cache import cache
    from django.urls import reverse

    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    if response.status_code == 302 and response.url == reverse("mfa_authenticate"):
        code = totp_code()
        device = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)
        cache.delete(TOTP(device)._get_used_cache_key(code))
        response = client.post(reverse("mfa_authenticate"), {"code": code})
    return response


def make_safety_ready(practice: Practice, contact: User) -> None:
    """What a practice needs before it may enroll patients (programs.gates): a named
    safety contact and an escalation chain (the patient's clinician, then every admin)."""
    from tracking.models import EscalationStep, PracticeSettings

    settings = PracticeSettings.for_practice(practice.pk)
    settings.safety_contact = contact
    settings.save(update_fields=["safety_contact"])
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(practice=practice, position=1, target=EscalationStep.Target.CLINICIAN),
            EscalationStep(practice=practice, position=2, target=EscalationStep.Target.ADMINS),
        ],
        ignore_conflicts=True,
    )
