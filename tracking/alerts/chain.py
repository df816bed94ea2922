"""The escalation chain: who holds an open alert, who it goes to next, and telling them.

The walk below is read by the sweep (tracking.alerts.escalation), the resolve clock
(tracking.alerts.resolve_clock), chain edits (tracking.alerts.chain_edits), the urgent
email's "who is told next" (tracking.alerts.emails) and the admin's safety settings
(`unreachable_people`)."""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.db.models import F, Func, IntegerField, Value
from django.http import HttpRequest

from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.models import Practice, Role, User
from tracking import rules as clinical
from tracking.alerts.evaluate import _settings_by_practice
from tracking.alerts.services import tells_clinician_at_once
from tracking.alerts.staff import active_staff
from tracking.models import Alert, EscalationStep, PracticeSettings
from tracking.outbox import outbox_add

logger = logging.getLogger(__name__)

# The chain (EscalationStep, in order of position) is walked one step per due time:
#
# - An alert starts with the patient's clinician (tier 0; told at once for self-harm and
#   red flags, through the inbox and the digest otherwise). Its due time is the
#   practice's response time for its severity, in working time (tracking.rules).
# - Still open (nobody acknowledged it) at its due time, it goes to the next step that
#   tells someone by email who was not told yet (tracking.rules.escalation_next): a
#   "the patient's clinician" step right after an alert the clinician was emailed about
#   at once is passed over (for the others it is their first email about it), and so
#   is a step with nobody active on it or only people told before. An email to each
#   person it adds (and the alert in their inbox and menu count; `Alert.escalated_to`
#   keeps who was told), tier + 1, and a new due time: the same response time again,
#   counted from now.
# - Nobody active holds it any more (the person of the step it is at, or the patient's
#   clinician before any step, had their account or membership switched off since):
#   it moves on at the next sweep, without waiting for its due time, since its clock
#   is running for nobody. "Active" is `active_staff` (tracking.alerts.staff); the admin's safety
#   settings warn about such people with `unreachable_people`, from the same rule.
# - With nobody left (or no chain at all), the practice's safety contact is told (every
#   active practice admin if it has none), and every member of staff of the practice
#   sees a banner until someone acknowledges it. That is the end of the chain.


@dataclass
class ChainContext:
    settings_of: dict[int, PracticeSettings]
    zones: dict[int, str]
    chains: dict[int, list[EscalationStep]]
    admins: dict[int, list[User]]
    staff: dict[int, dict[int, User]]  # practice -> active staff members by id
    safety_contacts: dict[int, User | None]


@dataclass(frozen=True)
class Unreachable:
    """Someone the practice's safety setup names whom an alert cannot reach."""

    position: int | None  # their step of the chain; None: the safety contact
    person: User


def unreachable_people(practice: Practice) -> list[Unreachable]:
    """The named steps of the practice's chain (in order), then its safety contact,
    whose person is switched off (`active_staff`): what the walk above passes over.
    Three queries."""
    active = set(active_staff([practice.pk]).values_list("user_id", flat=True))
    found = []
    for step in (
        EscalationStep.objects.filter(practice=practice, target=EscalationStep.Target.STAFF)
        .select_related("user")
        .order_by("position")
    ):
        person = step.user  # a named step always names someone (a check constraint)
        if person is not None and person.pk not in active:
            found.append(Unreachable(step.position, person))
    row = (
        PracticeSettings.objects.filter(practice=practice, safety_contact__isnull=False)
        .select_related("safety_contact")
        .first()
    )
    contact = row.safety_contact if row is not None else None
    if contact is not None and contact.pk not in active:
        found.append(Unreachable(None, contact))
    return found


def load_context(practice_ids: set[int]) -> ChainContext:
    chains: dict[int, list[EscalationStep]] = defaultdict(list)
    for step in EscalationStep.objects.filter(practice_id__in=practice_ids).order_by(
        "practice_id", "position"
    ):
        chains[step.practice_id].append(step)
    admins: dict[int, list[User]] = defaultdict(list)
    staff: dict[int, dict[int, User]] = defaultdict(dict)
    for membership in active_staff(practice_ids).select_related("user").order_by("pk"):
        staff[membership.practice_id][membership.user_id] = membership.user
        if membership.role == Role.ADMIN:
            admins[membership.practice_id].append(membership.user)
    settings_of = _settings_by_practice(practice_ids)
    safety_contacts = {
        pid: staff[pid].get(s.safety_contact_id) if s.safety_contact_id else None
        for pid, s in settings_of.items()
    }
    return ChainContext(
        settings_of=settings_of,
        zones=dict(Practice.objects.filter(pk__in=practice_ids).values_list("pk", "timezone")),
        chains=chains,
        admins=admins,
        staff=staff,
        safety_contacts=safety_contacts,
    )


def step_people(step: EscalationStep, *, clinician_id: int, ctx: ChainContext) -> list[User]:
    staff = ctx.staff[step.practice_id]
    if step.target == EscalationStep.Target.CLINICIAN:
        return [staff[clinician_id]] if clinician_id in staff else []
    if step.target == EscalationStep.Target.STAFF:
        return [staff[step.user_id]] if step.user_id in staff else []
    return list(ctx.admins[step.practice_id])


def held_by_nobody(alert: Alert, ctx: ChainContext) -> bool:
    """Whether nobody active holds the open alert now: it has reached a step whose
    people are all switched off since, or (before any step) the patient's clinician is."""
    clinician_id = alert.enrollment.clinician_id
    if alert.escalation_position is None:
        return clinician_id not in ctx.staff[alert.practice_id]
    step = next(
        (s for s in ctx.chains[alert.practice_id] if s.position == alert.escalation_position),
        None,
    )
    # A step taken off the chain since: the alert's clock runs on as it was.
    return step is not None and not step_people(step, clinician_id=clinician_id, ctx=ctx)


def tell(
    alert: Alert,
    people: list[User],
    *,
    action: str,
    request: HttpRequest | None = None,
    emailed: bool = True,
    **email: object,
) -> None:
    """An alert has moved on to `people` (a step of the chain, or the end of it): the
    staff menus' counts change, the move is audited (as done by `request`'s user, if
    one did it), and each person is told by email (no name, no health data; `email`
    adds the email task's arguments; not `emailed`: no email fits, the alert only
    shows to them). In the app the alert is in their inbox and the menu's count; there
    is no notification row, as no page shows staff ones. Nobody to tell is logged as
    an error (the staff banner shows it too)."""
    badges_changed(alert.practice_id)
    audit(
        request,
        action,
        practice=Practice(pk=alert.practice_id),
        subject=User(pk=alert.enrollment.patient_id),
        obj=alert,
    )
    if not people:
        logger.error(
            "Alert %s (%s): nobody is left to tell at practice %s (no safety contact, "
            "no active admin)",
            alert.pk,
            action,
            alert.practice_id,
        )
    for person in people if emailed else []:
        outbox_add(
            "tracking.tasks_alerts.send_escalation_email",
            alert_id=alert.pk,
            user_id=person.pk,
            **email,
        )


def next_step(
    alert: Alert, ctx: ChainContext, *, also_told: set[int] | None = None
) -> tuple[EscalationStep, list[User]] | tuple[None, list[User]]:
    """The step the alert goes to next and its people not told yet
    (tracking.rules.escalation_next: the patient's clinician when emailed at once,
    whoever the chain told before and who is in `also_told`, e.g. who acknowledged
    it); (None, people to tell at the end of the chain) when no step adds anyone: the
    safety contact, or every active admin when it has none; never who is in
    `also_told` (the practice's admins then, if the contact is)."""
    clinician_id = alert.enrollment.clinician_id
    passed_over: set[int] = set(also_told or ())
    # The clinician emailed when it was raised (self-harm, red flags, urgent) is not
    # emailed again by a "the patient's clinician" step; for the rest (in their inbox
    # and digest only) that step is the email that says it is waiting.
    told_at_raise = [clinician_id] if tells_clinician_at_once(alert.kind, alert.severity) else []
    chain = ctx.chains[alert.practice_id]
    people_of = {
        step.position: step_people(step, clinician_id=clinician_id, ctx=ctx) for step in chain
    }
    position, fresh = clinical.escalation_next(
        [(step.position, [u.pk for u in people_of[step.position]]) for step in chain],
        reached=alert.escalation_position,
        holding={*told_at_raise, *alert.escalated_to, *passed_over},
    )
    if position is not None:
        step = next(s for s in chain if s.position == position)
        return step, [u for u in people_of[position] if u.pk in fresh]
    contact = ctx.safety_contacts.get(alert.practice_id)
    admins = [u for u in ctx.admins[alert.practice_id] if u.pk not in passed_over]
    if contact is not None and contact.pk not in passed_over:
        return None, [contact]
    return None, admins


@dataclass(frozen=True)
class NextStep:
    """Who an open alert goes to if nobody acknowledges it in time, as the practice's
    chain stands now (`next_step`): what the urgent email tells the clinician."""

    admins: bool
    """Every practice admin (a step of the chain naming them)."""
    person: str = ""
    """Else the one person it goes to, by display name; "" with `admins` False: more
    than one person (the admins at the end of a chain with no safety contact), or
    nobody."""


def next_step_of(alert: Alert) -> NextStep:
    """Where `alert` goes next if nobody acknowledges it (the walk above, as the chain
    stands now; it may change before then). A few queries."""
    step, people = next_step(alert, load_context({alert.practice_id}))
    if step is not None and step.target == EscalationStep.Target.ADMINS:
        return NextStep(admins=True)
    return NextStep(admins=False, person=people[0].display_name if len(people) == 1 else "")


def told_too(people: list[User]) -> Func:
    """An UPDATE's value for `Alert.escalated_to`: the people told now added to it."""
    return Func(
        F("escalated_to"),
        Value([u.pk for u in people], output_field=ArrayField(IntegerField())),
        function="array_cat",
        output_field=ArrayField(IntegerField()),
    )
