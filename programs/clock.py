"""Whose clock a request's times are written on (painapp.formats.clock): a patient's
pages use their own country's clock, every other page the 24-hour clock as before."""

from __future__ import annotations

from django.http import HttpRequest

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from painapp.formats import clock
from programs.access import current_enrollment


def patient_country(request: HttpRequest) -> str:
    """The country whose clock the signed-in patient reads (clock.clock_country: the
    country on their enrollment, else their time zone's); "" for anyone else. Asked only
    when a page writes a clock time: the enrollment the view loaded
    (programs.access.enrollment_required), else one query."""
    user = request.user
    if not user.is_authenticated:
        return ""
    membership = membership_for(request)
    if membership is None or membership.role != Role.PATIENT:
        return ""
    enrollment = getattr(request, "enrollment", None)
    if enrollment is None and hasattr(request, "practice"):
        enrollment = current_enrollment(request)
    return clock.clock_country(enrollment.country if enrollment else "", user.timezone)


class PatientClockMiddleware:
    """Activates the patient's clock for the request, worked out when first needed."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = clock.activate(lambda: patient_country(request))
        try:
            return self.get_response(request)
        finally:
            clock.deactivate(token)
