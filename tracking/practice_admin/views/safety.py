"""Practice admins: the practice's safety settings — the safety contact, the ordered
escalation chain, response times, staffed hours, patients' countries and age range,
crisis words and crisis resources per country, and the alert thresholds.

One page, several small forms, each posting a `section` so one mistake never loses
what was typed elsewhere. Every change is audited with before and after
(tracking.safety.services).
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from painapp import edit_version
from painapp.accounts.access import admin_required, practice_object_or_404
from painapp.types import MemberRequest
from tracking import rules
from tracking.alerts.chain import unreachable_people
from tracking.models import EscalationStep, PracticeSettings
from tracking.practice_admin.safety_forms import (
    CrisisResourcesForm,
    EscalationStepForm,
    SafetySettingsForm,
)
from tracking.safety import services
from tracking.safety.resources import (
    COUNTRY_CHOICES,
    COUNTRY_NAMES,
    DEFAULTS,
    crisis_resources_seed,
)

STEP_ACTIONS = ("step_remove", "step_up", "step_down")


def _settings_initial(settings: PracticeSettings, timezone: str) -> dict[str, Any]:
    initial = {name: getattr(settings, name) for name in services.SETTINGS_FIELDS}
    initial["safety_contact"] = settings.safety_contact_id
    initial["crisis_words"] = "\n".join(settings.crisis_words or [])
    initial["timezone"] = timezone
    return initial


@admin_required
@require_http_methods(["GET", "POST"])
def safety_settings(request: MemberRequest) -> HttpResponse:
    practice = request.practice
    settings = PracticeSettings.for_practice(practice.pk)
    crisis_resources_seed(practice.pk)
    section = request.POST.get("section", "") if request.method == "POST" else ""
    status = 200

    settings_form = SafetySettingsForm(
        request.POST if section == "settings" else None,
        practice=practice,
        initial=_settings_initial(settings, practice.timezone),
        row=settings,
    )
    # Saved by another admin since this admin's page was opened (painapp.edit_version):
    # the settings as they are now.
    conflict: PracticeSettings | None = None
    step_form = EscalationStepForm(
        request.POST if section == "step_add" else None, practice=practice
    )
    resources = services.crisis_resources_now(practice)
    resources_form = CrisisResourcesForm(
        request.POST if section == "resources" else None, initial=vars(resources), row=resources
    )
    # The crisis resources as they are now, when another admin saved them meanwhile.
    resources_conflict: SimpleNamespace | None = None

    if section == "settings":
        if settings_form.is_valid():
            try:
                changes = services.practice_safety_settings_update(
                    request=request,
                    practice=practice,
                    data=settings_form.cleaned_data,
                    edited_from=settings_form.edited_version(),
                )
            except edit_version.EditConflict as stale:
                # Nothing saved: what this admin chose stays in the form, what is saved
                # now shows under each setting that differs, and the form carries the
                # new version, so saving again (once they have merged) goes through.
                conflict = cast(PracticeSettings, stale.row)
                settings_form.rebase(conflict)
            except ValidationError as refused:
                # A patient enrolled between the form's check and the save.
                settings_form.add_error(None, refused)
            else:
                messages.success(
                    request, _("Safety settings saved.") if changes else _("Nothing had changed.")
                )
                if "working_days" in changes and not settings_form.cleaned_data["working_days"]:
                    messages.warning(
                        request,
                        _(
                            "No staffed days are ticked: response times now count round the "
                            "clock, and patients are no longer told office hours."
                        ),
                    )
                return redirect("admin_safety_settings")
        status = 409 if conflict is not None else 422
    elif section == "step_add":
        if step_form.is_valid():
            try:
                services.escalation_step_add(
                    request=request,
                    practice=practice,
                    target=step_form.cleaned_data["target"],
                    user=step_form.cleaned_data.get("user"),
                )
            except ValidationError as refused:
                step_form.add_error(None, refused)
            else:
                messages.success(request, _("Step added to the escalation chain."))
                return redirect("admin_safety_settings")
        status = 422
    elif section in STEP_ACTIONS:
        try:
            pk = int(request.POST.get("step", ""))
        except ValueError:
            pk = 0
        step = practice_object_or_404(request, EscalationStep, pk, practice=practice)
        if section == "step_remove":
            services.escalation_step_remove(request=request, step=step)
            if EscalationStep.objects.filter(practice=practice).exists():
                messages.success(request, _("Step removed from the escalation chain."))
            else:
                messages.warning(
                    request,
                    _(
                        "Step removed. The escalation chain is now empty: read what that "
                        "means for an alert below, and add a step."
                    ),
                )
        else:
            services.escalation_step_move(request=request, step=step, up=section == "step_up")
            messages.success(request, _("Escalation chain reordered."))
        return redirect("admin_safety_settings")
    elif section == "resources":
        if resources_form.is_valid():
            try:
                changed = services.crisis_resources_update(
                    request=request,
                    practice=practice,
                    by_country=resources_form.by_country(),
                    edited_from=resources_form.edited_version(),
                )
            except edit_version.EditConflict as stale:
                # As for the settings: nothing saved, what was typed kept, what is
                # saved now under each country that differs.
                resources_conflict = cast(SimpleNamespace, stale.row)
                resources_form.rebase(resources_conflict)
            else:
                messages.success(
                    request,
                    _("Crisis resources saved for %(countries)s.")
                    % {"countries": ", ".join(str(COUNTRY_NAMES[c]) for c in changed)}
                    if changed
                    else _("Nothing had changed."),
                )
                return redirect("admin_safety_settings")
        status = 409 if resources_conflict is not None else 422

    resources_saved_now = edit_version.saved_now(
        resources_form, vars(resources_conflict) if resources_conflict else None
    )
    steps = list(
        EscalationStep.objects.filter(practice=practice).select_related("user").order_by("position")
    )
    contact = settings.safety_contact if settings.safety_contact_id else None
    unreachable = unreachable_people(practice)
    not_ready = services.enrollment_gate(practice)
    if not_ready is not None:
        # A switched-off safety contact stops enrollment: `not_ready` says so, once.
        unreachable = [u for u in unreachable if u.position is not None]
    return render(
        request,
        "tracking/practice_admin/safety_settings.html",
        {
            "settings_form": settings_form,
            "conflict": conflict is not None,
            "saved_now": edit_version.saved_now(
                settings_form,
                _settings_initial(conflict, practice.timezone) if conflict else None,
            ),
            "step_form": step_form,
            "resources_form": resources_form,
            "resources_conflict": resources_conflict is not None,
            "steps": steps,
            "contact": contact,
            "not_ready": not_ready,
            "chain_empty": services.chain_empty_warning(practice) if not steps else "",
            "switched_off": [services.switched_off_warning(u) for u in unreachable],
            "switched_off_steps": {u.position for u in unreachable if u.position is not None},
            # Always scanned as well as the practice's own list (tracking.safety.scanner).
            "english_crisis_words": rules.DEFAULT_CRISIS_WORDS,
            "spanish_crisis_words": rules.DEFAULT_CRISIS_WORDS_ES,
            "resource_fields": [
                (
                    resources_form[f"country_{code}"],
                    DEFAULTS[code].source.split() if code in DEFAULTS else [],
                    resources_saved_now[f"country_{code}"],
                )
                for code, _ in COUNTRY_CHOICES
            ],
        },
        status=status,
    )
