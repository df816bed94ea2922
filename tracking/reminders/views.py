"""The patient's reminder settings, the in-app notification list, and unsubscribe."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from painapp import edit_version
from painapp.accounts.access import patient_required
from painapp.accounts.audit import audit
from painapp.types import MemberRequest
from programs.access import enrollment_required
from programs.models import Enrollment
from programs.types import PatientRequest
from tracking.models import Notification, ReminderPreferences
from tracking.reminders.delivery import enrollment_from_unsubscribe_token
from tracking.reminders.forms import ReminderPreferencesForm
from tracking.reminders.schedules import preferences_for, reminder_preferences_save


@enrollment_required
@require_http_methods(["GET", "POST"])
def settings_page(request: PatientRequest) -> HttpResponse:
    """The patient's reminder settings. Saved from a page opened before they were last
    saved (another tab or device, or their clinician paused them), nothing is saved
    (painapp.edit_version): the form comes back with what they chose, what is saved
    now under each setting that differs, and the new version."""
    prefs = preferences_for(request.enrollment)
    form = ReminderPreferencesForm(
        request.POST if request.method == "POST" else None, instance=prefs, row=prefs
    )
    conflict: ReminderPreferences | None = None
    if request.method == "POST" and form.is_valid():
        try:
            reminder_preferences_save(
                enrollment=request.enrollment,
                prefs=form.save(commit=False),
                edited_from=form.edited_version(),
                resubscribe=form.resubscribes(),
            )
        except edit_version.EditConflict as changed:
            conflict = cast(ReminderPreferences, changed.row)
            form.rebase(conflict)
        else:
            messages.success(request, _("Your reminder settings are saved."))
            return redirect("reminder_settings")
    saved = form.as_shown(conflict) if conflict is not None else None
    return render(
        request,
        "tracking/patient/reminder_settings.html",
        {
            "form": form,
            "prefs": conflict or prefs,
            "tz": request.user.timezone,
            "conflict": conflict is not None,
            "saved_now": edit_version.saved_now(form, saved),
        },
        status=409 if conflict is not None else 200,
    )


@patient_required
def notifications(request: MemberRequest) -> HttpResponse:
    """The patient's own notifications at the practice they are signed in to: never a
    staff one (which names patients), nor another practice's, for a person who is also
    staff, or a patient, elsewhere."""
    mine = Notification.objects.filter(
        user=request.user,
        audience=Notification.Audience.PATIENT,
        practice=request.membership.practice,
    )
    items = list(mine[:50])
    mine.filter(read_at__isnull=True).update(read_at=timezone.now())
    return render(request, "tracking/patient/notifications.html", {"items": items})


@csrf_exempt  # authenticated by the signed token; mail clients POST without a session
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """One click, no login: stop reminder emails for the enrollment the token names.

    GET shows a confirmation button (link scanners must not unsubscribe anyone);
    POST — from the button or a mail client's List-Unsubscribe-Post — does it.
    """
    enrollment_id = enrollment_from_unsubscribe_token(token)
    enrollment = (
        Enrollment.objects.filter(pk=enrollment_id).select_related("practice").first()
        if enrollment_id
        else None
    )
    if enrollment is None:
        return render(request, "tracking/patient/unsubscribe.html", {"invalid": True}, status=404)
    if request.method == "POST":
        ReminderPreferences.objects.filter(enrollment=enrollment).update(
            unsubscribed_at=timezone.now()
        )
        audit(
            request,
            "reminders.unsubscribed",
            practice=enrollment.practice,
            subject=enrollment.patient,
            obj=enrollment,
            actor=enrollment.patient,
        )
        return render(request, "tracking/patient/unsubscribe.html", {"done": True})
    return render(request, "tracking/patient/unsubscribe.html", {"token": token})
