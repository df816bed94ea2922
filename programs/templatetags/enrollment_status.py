"""`{% load enrollment_status %}`: an enrollment's status as staff read it
(programs.enrollment_status)."""

from __future__ import annotations

from django import template

from programs import enrollment_status
from programs.models import Enrollment

register = template.Library()


@register.filter
def status_label(enrollment: Enrollment) -> str:
    """`{{ enrollment|status_label }}`: "Invited", "Onboarding", "On hold: safety review",
    "Active", … The enrollment must be loaded with `accepted` (with_accepted)."""
    return enrollment_status.enrollment_label(enrollment)
