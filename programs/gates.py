"""Whether a practice may enroll patients yet.

Apps above programs add their conditions here (tracking: a named safety contact and
an escalation chain, so an urgent alert always reaches somebody), registered from
their AppConfig.ready (painapp/accounts/extensions.py). The single invitation
(programs.services.enrollment_invite) and the bulk import both ask before enrolling.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from painapp.accounts.extensions import ExtensionPoint, Notice
from painapp.accounts.models import Practice

EnrollmentGate = Callable[[Practice], Notice | None]
enrollment_gates: ExtensionPoint[EnrollmentGate] = ExtensionPoint("enrollment gates")


def enrollment_not_ready(practice: Practice) -> Notice | None:
    """The first reason this practice may not enroll patients yet, or None."""
    for gate in enrollment_gates:
        if (reason := gate(practice)) is not None:
            return reason
    return None


def enrollment_ready_or_raise(practice: Practice) -> None:
    if (reason := enrollment_not_ready(practice)) is not None:
        raise ValidationError({NON_FIELD_ERRORS: [reason.message]})


# The practice's age range for the program is tracking's (PracticeSettings and the
# rule in tracking.rules, which onboarding applies). An admin who enters a date of
# birth is told at once when it is outside the range, by the same rule: tracking
# registers the check here (tracking/apps.py). It returns the admin's message, or "".
DateOfBirthCheck = Callable[[Practice, date, date], str]
date_of_birth_checks: ExtensionPoint[DateOfBirthCheck] = ExtensionPoint("date of birth checks")


def date_of_birth_problem(practice: Practice, born: date, today: date) -> str:
    """The first problem a registered check finds with a patient's date of birth
    entered by the practice (`today` the practice's date), or ""."""
    for check in date_of_birth_checks:
        if message := check(practice, born, today):
            return message
    return ""
