""" "Get help now": where to turn in a crisis, one link away on every page.

It needs no login (someone in a crisis may be logged out, or on a shared phone). A
patient who is logged in sees the numbers for the country they confirmed (else their
time zone's, else their practice's default country: resources.crisis_country, named
on the page), as their practice has set them; anyone else sees the
reviewed numbers for every country we know. It reads nothing else about anyone, so it
is not audited.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from tracking.safety.resources import (
    DEFAULTS,
    DEFAULTS_ES,
    GENERIC,
    GENERIC_ES,
    active_language,
    crisis_html,
    patient_crisis,
)


@require_GET
def get_help(request: HttpRequest) -> HttpResponse:
    membership = membership_for(request)
    language = active_language()
    context: dict = {"patient": False}
    if membership is not None and membership.role == Role.PATIENT:
        found = patient_crisis(membership.user_id, membership.practice_id, language)
        context.update(
            patient=True,
            has_enrollment=found.enrollment is not None,
            crisis_country=found.country,
            resources=found.html,
        )
    elif language == "es":
        context["everywhere"] = [(d.name, crisis_html(d.body_md)) for d in DEFAULTS_ES.values()] + [
            (_("Anywhere else"), crisis_html(GENERIC_ES))
        ]
    else:
        context["everywhere"] = [(d.name, crisis_html(d.body_md)) for d in DEFAULTS.values()] + [
            (_("Anywhere else"), crisis_html(GENERIC))
        ]
    return render(request, "tracking/patient/get_help.html", context)
