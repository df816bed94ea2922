"""Whether a practice may enroll patients yet.

Apps above programs add their conditions here (tracking: a named safety contact and
an escalation chain, so an urgent alert always reaches somebody), registered from
their AppConfig.ready (painapp/accounts/extensions.py). The single invitation
(programs.services.enrollment_invite) and the bulk import both ask before enrolling.
"""

from __future__ import annotations

from collections.abc import Callable

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
