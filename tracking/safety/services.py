"""Writes for the practice's safety settings and the patient's safety details.

Every change of a practice's safety settings is one `practice_safety.*` audit event
holding what changed, before and after (AuditEvent.changes); people are named by
their user id, never by name or email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time
from types import SimpleNamespace
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext

from painapp import edit_version
from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.models import Practice, User
from programs.models import Enrollment, EnrollmentStatus
from programs.safety import patient_wrote
from tracking.alerts.chain import Unreachable, unreachable_people
from tracking.alerts.chain_edits import alerts_share_with_newcomers, chain_as_it_is
from tracking.alerts.staff import active_staff
from tracking.models import CrisisResource, EscalationStep, PracticeSettings, SafetyPlan
from tracking.safety.resources import COUNTRY_CHOICES

# The PracticeSettings fields the settings screen edits, in the order it shows them.
SETTINGS_FIELDS = (
    "safety_contact",
    "response_minutes_urgent",
    "response_minutes_high",
    "response_minutes_routine",
    "working_hours_start",
    "working_hours_end",
    "working_days",
    "default_country",
    "age_min",
    "age_max",
    "crisis_words",
    "pain_rise_points",
    "pain_rise_checkins",
    "fear_high_threshold",
    "missed_in_a_row",
    "escalation_minutes",
    "checkin_window_days",
    "responder_baseline_floor",
    "min_practice_seconds",
    "messaging_enabled",
)
# What the settings form's version is of (painapp.edit_version): the settings it edits,
# the safety contact by id.
SETTINGS_VERSION = tuple(
    "safety_contact_id" if name == "safety_contact" else name for name in SETTINGS_FIELDS
)


def _plain(value: Any) -> Any:
    """A value as the audit trail keeps it (JSON): a person by id, a time as HH:MM."""
    if isinstance(value, User):
        return value.pk
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value


def _current(settings: PracticeSettings, name: str) -> Any:
    if name == "safety_contact":
        return settings.safety_contact_id
    return _plain(getattr(settings, name))


# Who counts as "in the program": an enrollment the practice still answers for.
OPEN_STATUSES = (EnrollmentStatus.INVITED, EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED)


def patients_in_program(practice: Practice) -> int:
    """How many patients the practice has in the program (invited, active or paused)."""
    return (
        Enrollment.objects.filter(practice=practice, status__in=OPEN_STATUSES)
        .values("patient_id")
        .distinct()
        .count()
    )


def contact_removal_refused(practice: Practice) -> str:
    """Why the safety contact may not be set to nobody now, or "": the practice has
    patients in the program, and the contact is who an alert reaches at the end of the
    chain (the same rule as the enrollment gate: no patients without a contact)."""
    n = patients_in_program(practice)
    if not n:
        return ""
    return gettext(
        "Keep a safety contact: %(practice)s has patients in the program, and the safety "
        "contact is the person an unacknowledged alert reaches at the end of the "
        "escalation chain. Choose someone else if you want to change who it is."
    ) % {"practice": practice.name}


def practice_safety_settings_update(
    *,
    request: HttpRequest,
    practice: Practice,
    data: dict[str, Any],
    edited_from: str | None = None,
) -> dict[str, list[Any]]:
    """Save the settings the admin changed (and the practice's time zone), and audit
    the change with before and after. Returns the changes ({} if nothing changed).

    Raises ValidationError (on "safety_contact") when it would leave the practice with
    no safety contact while it has patients in the program.

    `edited_from`: the version of the settings the form was filled in from
    (painapp.edit_version, by SETTINGS_VERSION). If another admin saved them since,
    nothing is saved and EditConflict holds the settings as they are now."""
    with transaction.atomic():
        settings = PracticeSettings.objects.select_for_update().get(
            pk=PracticeSettings.for_practice(practice.pk).pk
        )
        if not edit_version.is_current(settings, edited_from, SETTINGS_VERSION):
            raise edit_version.EditConflict(settings)
        if "safety_contact" in data and data["safety_contact"] is None:
            refused = settings.safety_contact_id and contact_removal_refused(practice)
            if refused:
                raise ValidationError({"safety_contact": refused})
        changes: dict[str, list[Any]] = {}
        for name in SETTINGS_FIELDS:
            if name not in data:
                continue
            before, after = _current(settings, name), _plain(data[name])
            if before != after:
                changes[name] = [before, after]
                setattr(settings, name, data[name])
        if changes:
            settings.save()
        if "timezone" in data and data["timezone"] != practice.timezone:
            changes["timezone"] = [practice.timezone, data["timezone"]]
            practice.timezone = data["timezone"]
            practice.save(update_fields=["timezone"])
        if changes:
            badges_changed(practice.pk)  # the Messages link follows the messaging switch
            audit(
                request,
                "practice_safety.changed",
                practice=practice,
                obj=settings,
                changes=changes,
            )
    return changes


# ---------------------------------------------------------------- escalation chain


def _chain(steps: list[EscalationStep]) -> list[str]:
    """The chain as the audit trail keeps it: "clinician", "staff:<user id>", "admins"."""
    return [
        f"staff:{step.user_id}" if step.target == EscalationStep.Target.STAFF else step.target
        for step in steps
    ]


def _chain_saved(request: HttpRequest, practice: Practice, before: list[EscalationStep]) -> None:
    """After a change of the chain (`before`: `chain_as_it_is` before it): audit it,
    and share the alerts in flight with whomever it adds to a step they have reached or
    passed (tracking.alerts.chain_edits), in the change's transaction."""
    was, now = _chain(before), _chain(chain_as_it_is(practice.pk))
    if now == was:
        return
    badges_changed(practice.pk)  # who an escalated alert shows to
    audit(
        request,
        "practice_safety.chain_changed",
        practice=practice,
        object_type="tracking.escalationstep",
        changes={"escalation_chain": [was, now]},
    )
    alerts_share_with_newcomers(request=request, practice_id=practice.pk, before=before)


def escalation_step_add(
    *, request: HttpRequest, practice: Practice, target: str, user: User | None = None
) -> EscalationStep:
    """Add a tier at the end of the practice's chain. Raises ValidationError when the
    chain already has the same step (the same named person, or a second "the patient's
    clinician" or "every admin"): the walk would pass the copy over, so it only misleads."""
    with transaction.atomic():
        PracticeSettings.objects.select_for_update().filter(practice=practice).first()
        refused = duplicate_step(practice, target, user)
        if refused:
            raise ValidationError(refused)
        before = chain_as_it_is(practice.pk)
        last = EscalationStep.objects.filter(practice=practice).aggregate(m=Max("position"))["m"]
        step = EscalationStep.objects.create(
            practice=practice,
            position=(last or 0) + 1,
            target=target,
            user=user if target == EscalationStep.Target.STAFF else None,
        )
        _chain_saved(request, practice, before)
    return step


def duplicate_step(practice: Practice, target: str, user: User | None) -> str:
    """Why this step may not be added (it is on the chain already), or ""."""
    same = EscalationStep.objects.filter(practice=practice, target=target)
    if target == EscalationStep.Target.STAFF:
        same = same.filter(user=user)
    position = same.order_by("position").values_list("position", flat=True).first()
    if position is None:
        return ""
    if target == EscalationStep.Target.STAFF and user is not None:
        return gettext(
            "%(person)s is already step %(n)s of the escalation chain. Each person can be "
            "on it once."
        ) % {"person": user.display_name, "n": position}
    return gettext(
        "“%(step)s” is already step %(n)s of the escalation chain. Each step can be on it once."
    ) % {"step": EscalationStep.Target(target).label, "n": position}


def chain_empty_warning(practice: Practice) -> str:
    """What happens to an alert when the practice's escalation chain is empty, in
    plain words (tracking.alerts.chain.next_step), or "" when it has steps."""
    if EscalationStep.objects.filter(practice=practice).exists():
        return ""
    settings = (
        PracticeSettings.objects.filter(practice=practice, safety_contact__isnull=False)
        .select_related("safety_contact")
        .first()
    )
    contact = settings.safety_contact if settings is not None else None
    if contact is not None:
        return gettext(
            "The escalation chain is empty. A new alert still goes to the patient's "
            "clinician, but if nobody acknowledges it by its due time, nobody else is "
            "told on the way: it goes straight to the safety contact, %(contact)s, and "
            "every member of staff sees a banner until someone acknowledges it. Add at "
            "least one step."
        ) % {"contact": contact.display_name}
    return gettext(
        "The escalation chain is empty and there is no safety contact. A new alert still "
        "goes to the patient's clinician, but if nobody acknowledges it by its due time, "
        "nobody else is told on the way: it goes straight to every admin of the practice, "
        "and every member of staff sees a banner until someone acknowledges it. Add at "
        "least one step and choose a safety contact."
    )


def switched_off_warning(found: Unreachable) -> str:
    """What a switched-off person on the safety setup means for an alert, in plain
    words (tracking.alerts.chain: their step is passed over; with the safety
    contact switched off, the end of the chain goes to every active admin)."""
    if found.position is None:
        return gettext(
            "The safety contact, %(person)s, has an account that is switched off: an "
            "alert that nobody acknowledges in time goes to every admin of the practice "
            "instead. Choose someone else as the safety contact."
        ) % {"person": found.person.display_name}
    return gettext(
        "Step %(n)s of the escalation chain names %(person)s, whose account is switched "
        "off: an alert reaches nobody at that step and goes straight on to the next one. "
        "Remove the step and add someone who is active."
    ) % {"n": found.position, "person": found.person.display_name}


def safety_roles_warning(practice: Practice, user: User) -> str:
    """What switching `user` off would mean for the practice's safety setup, or "" when
    it names them nowhere: for the confirmation before it. A warning, not a refusal:
    the chain passes over a switched-off person, and every active admin takes the
    safety contact's place (tracking.alerts.chain), so an alert still reaches
    someone; the admin is asked to choose someone else."""
    contact = PracticeSettings.objects.filter(practice=practice, safety_contact=user).exists()
    position = (
        EscalationStep.objects.filter(
            practice=practice, target=EscalationStep.Target.STAFF, user=user
        )
        .values_list("position", flat=True)
        .first()
    )
    names = {"name": user.display_name, "n": position}
    # Whole sentences, one for each case, so that a translation can word each its own way.
    if contact and position is not None:
        return (
            gettext(
                "%(name)s is the safety contact and step %(n)s of the escalation chain. Once "
                "they are switched off, an alert passes over their step and, at the end of "
                "the chain, goes to every admin instead, and the practice cannot enroll "
                "patients until it has another safety contact. Choose someone else in the "
                "safety settings."
            )
            % names
        )
    if contact:
        return (
            gettext(
                "%(name)s is the safety contact. Once they are switched off, an alert that "
                "nobody acknowledges in time goes to every admin instead, and the practice "
                "cannot enroll patients until it has another safety contact. Choose someone "
                "else in the safety settings."
            )
            % names
        )
    if position is not None:
        return (
            gettext(
                "%(name)s is step %(n)s of the escalation chain. Once they are switched off, "
                "an alert passes over their step and goes straight on to the next one. Choose "
                "someone else in the safety settings."
            )
            % names
        )
    return ""


@dataclass(frozen=True)
class PracticeWarning:
    message: str
    url: str
    link_text: str


def practice_safety_warnings(practice: Practice) -> list[PracticeWarning]:
    """What the admin's overview warns about: an empty escalation chain (what then
    happens to an alert), a step or safety contact whose person is switched off, and
    what still stops the practice from enrolling."""
    url, link = reverse("admin_safety_settings"), gettext("Open the safety settings")
    found = []
    empty = chain_empty_warning(practice)
    if empty:
        found.append(PracticeWarning(empty, url, link))
    gate = enrollment_gate(practice)
    for person in unreachable_people(practice):
        if person.position is None and gate is not None:
            continue  # a switched-off safety contact: the enrollment gate says it below
        found.append(PracticeWarning(switched_off_warning(person), url, link))
    if gate is not None:
        found.append(PracticeWarning(gate.message, gate.url, gate.link_text))
    return found


def escalation_step_remove(*, request: HttpRequest, step: EscalationStep) -> None:
    practice = step.practice
    with transaction.atomic():
        before = chain_as_it_is(practice.pk)
        step.delete()
        _renumber(practice, list(EscalationStep.objects.filter(practice=practice)))
        _chain_saved(request, practice, before)


def escalation_step_move(*, request: HttpRequest, step: EscalationStep, up: bool) -> None:
    """Move a tier one place earlier (`up`) or later in the chain."""
    practice = step.practice
    with transaction.atomic():
        steps = list(EscalationStep.objects.select_for_update().filter(practice=practice))
        before = chain_as_it_is(practice.pk)
        i = next(i for i, s in enumerate(steps) if s.pk == step.pk)
        j = i - 1 if up else i + 1
        if 0 <= j < len(steps):
            steps[i], steps[j] = steps[j], steps[i]
            _renumber(practice, steps)
        _chain_saved(request, practice, before)


def _renumber(practice: Practice, steps: list[EscalationStep]) -> None:
    # Positions are unique per practice: park each out of the way, then number 1..n.
    for offset, step in enumerate(steps):
        EscalationStep.objects.filter(pk=step.pk).update(position=10_000 + offset + 1)
    for offset, step in enumerate(steps):
        EscalationStep.objects.filter(pk=step.pk).update(position=offset + 1)


# ---------------------------------------------------------------- crisis resources


# What the crisis-resources form's version is of (painapp.edit_version): the practice's
# text for every country it shows, as crisis_resources_now holds them.
RESOURCES_VERSION = tuple(f"country_{code}" for code, _ in COUNTRY_CHOICES)


def crisis_resources_now(practice: Practice) -> SimpleNamespace:
    """The practice's crisis resources as the form edits them: one `country_<code>`
    text per country ("" where it has none of its own)."""
    own = dict(CrisisResource.objects.filter(practice=practice).values_list("country", "body_md"))
    return SimpleNamespace(**{name: own.get(name[8:], "") for name in RESOURCES_VERSION})


def crisis_resources_update(
    *,
    request: HttpRequest,
    practice: Practice,
    by_country: dict[str, str],
    edited_from: str | None = None,
) -> list[str]:
    """Save the practice's crisis resources, one text per country; returns the
    countries whose text changed. `edited_from`: the version of the texts the form was
    filled in from (painapp.edit_version, by RESOURCES_VERSION). If another admin saved
    any of them since, nothing is saved and EditConflict holds them as they are now:
    the form posts every country, so saving it blind would put back their old text."""
    with transaction.atomic():
        # One admin's save of the practice's resources at a time (rows may be added).
        Practice.objects.select_for_update().filter(pk=practice.pk).first()
        now = crisis_resources_now(practice)
        if not edit_version.is_current(now, edited_from, RESOURCES_VERSION):
            raise edit_version.EditConflict(now)
        return [
            code
            for code, body in by_country.items()
            if crisis_resource_save(request=request, practice=practice, country=code, body_md=body)
        ]


def crisis_resource_save(
    *, request: HttpRequest, practice: Practice, country: str, body_md: str
) -> bool:
    """Save the practice's crisis resources for one country; True if they changed.
    An empty text removes the practice's own list (patients then see the default)."""
    with transaction.atomic():
        row = (
            CrisisResource.objects.select_for_update()
            .filter(practice=practice, country=country)
            .first()
        )
        before = row.body_md if row else ""
        after = body_md.strip()
        if before.strip() == after:
            return False
        if not after:
            if row is not None:
                row.delete()
        elif row is None:
            row = CrisisResource.objects.create(practice=practice, country=country, body_md=after)
        else:
            row.body_md = after
            row.save(update_fields=["body_md", "updated_at"])
        audit(
            request,
            "practice_safety.resources_changed",
            practice=practice,
            object_type="tracking.crisisresource",
            object_id=country,
            changes={f"crisis_resources_{country}": [before, after]},
        )
    return True


# ---------------------------------------------------------------- the enrollment gate


@dataclass(frozen=True)
class NotReady:
    message: str
    url: str
    link_text: str


def enrollment_gate(practice: Practice) -> NotReady | None:
    """Why this practice may not enroll patients yet, or None: it needs a safety
    contact whose account is on (`active_staff`) and at least one step on its
    escalation chain, so that an urgent alert always has somebody to go to."""
    row = (
        PracticeSettings.objects.filter(practice=practice, safety_contact__isnull=False)
        .select_related("safety_contact")
        .first()
    )
    contact = row.safety_contact if row is not None else None
    chain = EscalationStep.objects.filter(practice=practice).exists()
    switched_off = (
        contact is not None and not active_staff([practice.pk]).filter(user_id=contact.pk).exists()
    )
    if contact is not None and chain and not switched_off:
        return None
    names = {"practice": practice.name}
    # Whole sentences, one for each case, so that a translation can word each its own way.
    if switched_off:
        message = gettext(
            "Before you can enroll patients, choose a new safety contact for %(practice)s. "
            "%(person)s is the safety contact, but their access is switched off, and an "
            "urgent alert must always reach someone."
        )
        names["person"] = contact.display_name if contact is not None else ""
    elif contact is None and not chain:
        message = gettext(
            "Before you can enroll patients, set a safety contact and an escalation chain "
            "for %(practice)s, so that an urgent alert always reaches someone."
        )
    elif contact is None:
        message = gettext(
            "Before you can enroll patients, set a safety contact for %(practice)s, so "
            "that an urgent alert always reaches someone."
        )
    else:
        message = gettext(
            "Before you can enroll patients, set an escalation chain for %(practice)s, so "
            "that an urgent alert always reaches someone."
        )
    return NotReady(
        message=message % names,
        url=reverse("admin_safety_settings"),
        link_text=gettext("Open the safety settings"),
    )


# ---------------------------------------------------------------- the patient's side


def enrollment_safety_details_update(
    *,
    enrollment: Enrollment,
    country: str,
    contact_phone: str = "",
    emergency_contact_name: str = "",
    emergency_contact_phone: str = "",
    edited_from: str | None = None,
) -> None:
    """The patient's country (which crisis numbers they see) and the optional numbers
    their clinician can call them, or someone close, on.

    `edited_from`: the version of these details the form was filled in from
    (painapp.edit_version, by their saved values: a clinician's edit, a pause or a new
    week changes the row too, and must not refuse this save). If the details were saved
    since (another tab, another device), nothing is saved and EditConflict holds the
    enrollment as it is now."""
    fields = Enrollment.SAFETY_DETAILS_FIELDS
    values = {
        "country": country,
        "contact_phone": contact_phone,
        "emergency_contact_name": emergency_contact_name,
        "emergency_contact_phone": emergency_contact_phone,
    }
    with transaction.atomic():
        now = Enrollment.objects.select_for_update().get(pk=enrollment.pk)
        if not edit_version.is_current(now, edited_from, fields):
            raise edit_version.EditConflict(now)
        for name, value in values.items():
            setattr(enrollment, name, value)
        enrollment.save(update_fields=[*fields, "updated_at"])


def safety_plan_save(
    *, enrollment: Enrollment, data: dict[str, str], edited_from: str | None = None
) -> SafetyPlan:
    """Save the patient's personal safety plan (all of it optional), then scan its text
    for crisis words like everything else a patient writes (programs.safety: the alert,
    and the crisis panel on their next page).

    `edited_from`: the version of the plan the form was filled in from
    (painapp.edit_version). If the plan was saved since (another tab, another device),
    nothing is saved and EditConflict says what the plan holds now; what the patient
    typed is still scanned, as for a check-in sent after it closed, so crisis words
    reach the care team and bring the help at once even though the save was refused."""
    texts = {name: data.get(name, "").strip() for name in SafetyPlan.TEXT_FIELDS}
    with transaction.atomic():
        plan = SafetyPlan.objects.select_for_update().filter(enrollment=enrollment).first()
        # No plan now: nothing can be lost, whatever the form was filled in from.
        stale = plan is not None and not edit_version.is_current(plan, edited_from)
        if plan is None:
            plan, _ = SafetyPlan.objects.get_or_create(enrollment=enrollment)
        if not stale:
            for name, text in texts.items():
                setattr(plan, name, text)
            plan.save()
    if stale:
        patient_wrote(
            enrollment, source=f"safety_plan:{plan.pk}", texts=texts.values(), unsaved=True
        )
        raise edit_version.EditConflict(plan)
    patient_wrote(
        enrollment,
        source=f"safety_plan:{plan.pk}",
        texts=[getattr(plan, name) for name in SafetyPlan.TEXT_FIELDS],
    )
    return plan
