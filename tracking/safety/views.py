""" "Get help now": where to turn in a crisis, one link away on every page.

It needs no login (someone in a crisis may be logged out, or on a shared phone); a
patient who is logged in sees their own practice's list. It reads nothing else about
anyone, so it is not audited.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role
from programs.markdown import render_markdown
from tracking.models import PracticeSettings

DEFAULT_RESOURCES = PracticeSettings._meta.get_field("crisis_resources_md").get_default()


@require_GET
def get_help(request: HttpRequest) -> HttpResponse:
    resources = DEFAULT_RESOURCES
    membership = membership_for(request)
    if membership is not None and membership.role == Role.PATIENT:
        settings = PracticeSettings.objects.filter(practice_id=membership.practice_id).first()
        if settings is not None:
            resources = settings.crisis_resources_md
    return render(
        request, "tracking/patient/get_help.html", {"resources": render_markdown(resources)}
    )
