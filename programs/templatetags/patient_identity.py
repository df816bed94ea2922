"""`{% load patient_identity %}`: `{% patient_second_id enrollment %}`, the second
identifier staff see beside a patient's name (programs.patient_identity)."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from programs.models import Enrollment
from programs.patient_identity import enrollment_second_identifier_html

register = template.Library()


@register.simple_tag
def patient_second_id(enrollment: Enrollment) -> SafeString:
    return enrollment_second_identifier_html(enrollment)
