"""Escalation of unacknowledged alerts, the clinicians' daily digest, and alert emails.

Emails never carry health data or the patient's name: they say something needs a
look and link to the app, where access is checked and audited."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, Func, IntegerField, Max, OuterRef, Q, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.emails import send_email
from painapp.accounts.models import Practice, Role, User
from tracking import rules as clinical
from tracking.alerts import wording
from tracking.alerts.due import alert_clock, due_time
from tracking.alerts.evaluate import _settings_by_practice
from tracking.alerts.services import tells_clinician_at_once
from tracking.alerts.staff import active_staff
from tracking.models import (
    Alert,
    CheckIn,
    DigestLog,
    EscalationStep,
    OutboxTask,
    PracticeSettings,
)
from tracking.outbox import outbox_add

logger = logging.getLogger(__name__)

# When an alert escalates and when a digest is due are tracking.rules' (imported as
# `clinical`, as `rules` elsewhere names a practice's PracticeSettings).


# ------------------------------------------------------------------ escalation
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
#
# Each move is claimed with a conditional UPDATE on the tier the sweep read (and still
# open, still due), so two workers sweeping at once move an alert once per tier; the
# claim, the outbox emails and the audit event commit together.


@dataclass
class _Context:
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


def _load_context(practice_ids: set[int]) -> _Context:
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
    return _Context(
        settings_of=settings_of,
        zones=dict(Practice.objects.filter(pk__in=practice_ids).values_list("pk", "timezone")),
        chains=chains,
        admins=admins,
        staff=staff,
        safety_contacts=safety_contacts,
    )


def _step_people(step: EscalationStep, *, clinician_id: int, ctx: _Context) -> list[User]:
    staff = ctx.staff[step.practice_id]
    if step.target == EscalationStep.Target.CLINICIAN:
        return [staff[clinician_id]] if clinician_id in staff else []
    if step.target == EscalationStep.Target.STAFF:
        return [staff[step.user_id]] if step.user_id in staff else []
    return list(ctx.admins[step.practice_id])


def _held_by_nobody(alert: Alert, ctx: _Context) -> bool:
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
    return step is not None and not _step_people(step, clinician_id=clinician_id, ctx=ctx)


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


def _next_step(
    alert: Alert, ctx: _Context, *, also_told: set[int] | None = None
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
        step.position: _step_people(step, clinician_id=clinician_id, ctx=ctx) for step in chain
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
    chain stands now (`_next_step`): what the urgent email tells the clinician."""

    admins: bool
    """Every practice admin (a step of the chain naming them)."""
    person: str = ""
    """Else the one person it goes to, by display name; "" with `admins` False: more
    than one person (the admins at the end of a chain with no safety contact), or
    nobody."""


def next_step_of(alert: Alert) -> NextStep:
    """Where `alert` goes next if nobody acknowledges it (the walk above, as the chain
    stands now; it may change before then). A few queries."""
    step, people = _next_step(alert, _load_context({alert.practice_id}))
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


def escalate_unacknowledged_alerts(now: datetime | None = None) -> int:
    """Move every open alert past its due time, or held by nobody active, one step up
    its practice's escalation chain (above). Returns how many moved. Constant queries
    to find and plan them, then per alert one claim, its outbox rows and audit event."""
    now = now or timezone.now()
    # Due, or possibly held by nobody (`_held_by_nobody` decides, below): escalated
    # already (few alerts are), or still with a clinician who has no active membership.
    inactive_clinician = ~Exists(
        active_staff().filter(
            practice_id=OuterRef("practice_id"), user_id=OuterRef("enrollment__clinician_id")
        )
    )
    found = list(
        Alert.objects.filter(status=Alert.Status.OPEN, chain_exhausted_at__isnull=True)
        .filter(
            Q(due_at__lte=now)
            | Q(escalation_position__isnull=False)
            | Q(escalation_position__isnull=True) & inactive_clinician
        )
        .select_related("enrollment")
        .only(
            "pk",
            "practice_id",
            "kind",
            "severity",
            "due_at",
            "escalation_tier",
            "escalation_position",
            "escalated_to",
            "enrollment__clinician_id",
            "enrollment__patient_id",
        )
        .order_by("due_at")
    )
    if not found:
        return 0
    ctx = _load_context({a.practice_id for a in found})
    due = [
        a for a in found if (a.due_at is not None and a.due_at <= now) or _held_by_nobody(a, ctx)
    ]
    moved = 0
    for alert in due:
        step, people = _next_step(alert, ctx)
        claim = Alert.objects.filter(
            pk=alert.pk,
            status=Alert.Status.OPEN,
            chain_exhausted_at__isnull=True,
            # still due, or (held by nobody) with the due time the sweep read
            due_at=alert.due_at,
            escalation_tier=alert.escalation_tier,
            # nobody told since the sweep read it (a chain edit may share it at once,
            # tracking.alerts.chain_edits): else the next sweep plans it afresh
            escalated_to=alert.escalated_to,
        )
        with transaction.atomic():
            if step is not None:
                claimed = claim.update(
                    escalation_tier=alert.escalation_tier + 1,
                    escalation_position=step.position,
                    escalated_at=Coalesce(F("escalated_at"), Value(now)),
                    escalated_to=told_too(people),
                    due_at=due_time(
                        practice_settings=ctx.settings_of[alert.practice_id],
                        timezone_name=ctx.zones.get(alert.practice_id, "UTC"),
                        severity=alert.severity,
                        start=now,
                    ),
                )
            else:
                claimed = claim.update(
                    escalation_tier=alert.escalation_tier + 1,
                    escalated_at=Coalesce(F("escalated_at"), Value(now)),
                    escalated_to=told_too(people),
                    chain_exhausted_at=now,
                )
            if not claimed:
                continue  # acknowledged meanwhile, or another worker moved it first
            tell(
                alert,
                people,
                action="alert.escalated"
                if step is not None
                else "alert.escalated_to_safety_contact",
            )
            moved += 1
    return moved


# ------------------------------------------------------------------ daily digest
def send_daily_digests(now: datetime | None = None) -> int:
    """Decide today's digest for every clinician whose local time is past 07:00 and
    who has none yet today. Returns how many digests were queued to send.

    A digest counts the clinician's patients' alerts created, and check-ins whose
    window closed as missed, since their previous digest (or the last 24 hours), and
    their alerts acknowledged and not yet resolved (however old: they still wait).
    With none of these, the day is still recorded and nothing is sent. Constant
    queries, plus one insert (and one outbox row if there is news) per clinician.
    """
    now = now or timezone.now()
    clinicians = list(
        User.objects.filter(
            is_active=True,
            memberships__role=Role.CLINICIAN,
            memberships__is_active=True,
        )
        .distinct()
        .only("pk", "timezone")
    )
    local_dates = {}
    for clinician in clinicians:
        local = timezone.localtime(now, clinician.tzinfo)
        if clinical.digest_due(local):
            local_dates[clinician.pk] = local.date()
    if not local_dates:
        return 0
    done_today = set(
        DigestLog.objects.filter(
            clinician_id__in=list(local_dates),
            local_date__in=set(local_dates.values()),
        ).values_list("clinician_id", "local_date")
    )
    due = {pk: day for pk, day in local_dates.items() if (pk, day) not in done_today}
    if not due:
        return 0
    last = dict(
        DigestLog.objects.filter(clinician_id__in=list(due))
        .values("clinician_id")
        .annotate(last=Max("created_at"))
        .values_list("clinician_id", "last")
    )
    since = {pk: last.get(pk) or now - clinical.FIRST_DIGEST_WINDOW for pk in due}
    earliest = min(since.values())

    alert_counts: dict[int, Counter] = defaultdict(Counter)
    for clinician_id, kind, created_at in Alert.objects.filter(
        enrollment__clinician_id__in=list(due), created_at__gt=earliest, created_at__lte=now
    ).values_list("enrollment__clinician_id", "kind", "created_at"):
        if created_at > since[clinician_id]:
            alert_counts[clinician_id][kind] += 1
    missed: Counter = Counter()
    for clinician_id, closes_at in CheckIn.objects.filter(
        enrollment__clinician_id__in=list(due),
        status=CheckIn.Status.MISSED,
        closes_at__gt=earliest,
        closes_at__lte=now,
    ).values_list("enrollment__clinician_id", "closes_at"):
        if closes_at > since[clinician_id]:
            missed[clinician_id] += 1
    # Still waiting, however old: acknowledged, not yet resolved (as the inbox lists them).
    acknowledged = dict(
        Alert.objects.filter(
            enrollment__clinician_id__in=list(due), status=Alert.Status.ACKNOWLEDGED
        )
        .values("enrollment__clinician_id")
        .annotate(n=Count("pk"))
        .values_list("enrollment__clinician_id", "n")
    )

    queued = 0
    for clinician_id, day in due.items():
        try:
            with transaction.atomic():
                log = DigestLog.objects.create(
                    clinician_id=clinician_id,
                    local_date=day,
                    since=since[clinician_id],
                    created_at=now,
                    alert_counts=dict(alert_counts[clinician_id]),
                    missed_count=missed[clinician_id],
                    acknowledged_count=acknowledged.get(clinician_id, 0),
                )
                if log.has_news:
                    outbox_add("tracking.tasks_alerts.send_digest_email", digest_id=log.pk)
                    queued += 1
        except IntegrityError:
            continue  # another sweep decided this clinician's day first
    return queued


# ------------------------------------------------------------------ emails
def _outbox_pending(outbox_id: int | None) -> bool:
    """False when this outbox task already finished (a redelivered message)."""
    if not outbox_id:
        return True
    return OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).exists()


def _app_url(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def alert_email_send(*, alert_id: int, outbox_id: int | None = None) -> bool:
    """Email the patient's clinician about a self-harm or red-flag alert. Skipped if
    already sent or already acknowledged. No name, answers or scores in the email."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (
        Alert.objects.select_related("enrollment__clinician", "practice")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.status != Alert.Status.OPEN:
        return False
    clinician = alert.enrollment.clinician
    if not active_staff([alert.practice_id]).filter(user=clinician).exists():
        # Switched off since (account or membership): the sweep moves the alert on.
        logger.error("Alert %s: the clinician is switched off; no email sent", alert_id)
        return False
    send_email(
        "emails/alert_urgent",
        to=clinician.email,
        context={
            "name": clinician.display_name,
            "practice": alert.practice,
            "is_self_harm": alert.kind == Alert.Kind.SELF_HARM,
            # Which kind of sign only (the emergency department today), never which one.
            "is_emergency": alert.kind == Alert.Kind.RED_FLAG
            and clinical.red_flags_urgent(alert.details.get("red_flags", [])),
            # A weekly check-in's new symptoms: emergency signs, or signs for a doctor.
            "symptoms": "emergency"
            if alert.kind == Alert.Kind.EMERGENCY_SYMPTOMS
            else "new"
            if alert.kind == Alert.Kind.NEW_SYMPTOMS
            else "",
            # Where they wrote it ("in a message to the care team"), never what.
            "from_checkin": wording.from_checkin(alert),
            "written_where": wording.where_phrase(alert),
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
            # When to call: the alert's own due time, said in the clinician's zone and
            # language as every alert page says it (wording.due_phrase).
            "due_at": alert_clock(alert, timezone.now()).deadline,
            "now": timezone.now(),
            # Who is told if they do not acknowledge it in time: the practice's chain.
            "next_step": next_step_of(alert),
        },
        language=clinician.language,
        tz=clinician.tzinfo,
    )
    return True


def escalation_email_send(
    *, alert_id: int, user_id: int, outbox_id: int | None = None, unresolved: bool = False
) -> bool:
    """Email one person the escalation chain (or the end of it) reached that an alert
    needs attention: no patient name, no health data, just the link. Skipped if already
    sent, if the alert has been acknowledged since (`unresolved`: an acknowledged alert
    past its resolve time, tracking.alerts.resolve_clock: if it has been resolved
    since), or if they are no longer an active member of staff of the practice."""
    if not _outbox_pending(outbox_id):
        return False
    alert = Alert.objects.select_related("practice").filter(pk=alert_id).first()
    waiting = Alert.Status.ACKNOWLEDGED if unresolved else Alert.Status.OPEN
    if alert is None or alert.status != waiting:
        return False
    person = (
        User.objects.filter(
            pk=user_id,
            is_active=True,
            memberships__practice_id=alert.practice_id,
            memberships__role__in=(Role.ADMIN, Role.CLINICIAN),
            memberships__is_active=True,
        )
        .distinct()
        .first()
    )
    if person is None:
        return False
    send_email(
        "emails/alert_escalation",
        to=person.email,
        context={
            "name": person.display_name,
            "practice": alert.practice,
            "unresolved": unresolved,
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
        },
        language=person.language,
    )
    return True


def handover_email_send(*, alert_id: int, user_id: int, outbox_id: int | None = None) -> bool:
    """Email the clinician a patient was moved to that the patient has an alert not yet
    resolved (tracking.alerts.handover): no name, no health data, just the link.
    Skipped if already sent, resolved since, or the patient is no longer theirs."""
    if not _outbox_pending(outbox_id):
        return False
    alert = (
        Alert.objects.select_related("practice", "enrollment__clinician")
        .filter(pk=alert_id, enrollment__clinician_id=user_id)
        .exclude(status=Alert.Status.RESOLVED)
        .first()
    )
    if alert is None:
        return False
    clinician = alert.enrollment.clinician
    if not active_staff([alert.practice_id]).filter(user=clinician).exists():
        return False
    send_email(
        "emails/alert_handover",
        to=clinician.email,
        context={
            "name": clinician.display_name,
            "practice": alert.practice,
            "url": _app_url(reverse("alert_detail", args=[alert.pk])),
            # When to call: the alert's own due time, said in the clinician's zone and
            # language as every alert page says it (wording.due_phrase).
            "due_at": alert_clock(alert, timezone.now()).deadline,
            "now": timezone.now(),
        },
        language=clinician.language,
        tz=clinician.tzinfo,
    )
    return True


def digest_email_send(*, digest_id: int, outbox_id: int | None = None) -> bool:
    """Send one recorded digest (counts only). Skipped if already sent."""
    log = DigestLog.objects.select_related("clinician").filter(pk=digest_id).first()
    if log is None or log.sent_at is not None or not log.has_news:
        return False
    labels = dict(Alert.Kind.choices)
    order = [k for k, _ in Alert.Kind.choices]
    counts = sorted(
        ((k, n) for k, n in log.alert_counts.items() if n),
        key=lambda kn: order.index(kn[0]) if kn[0] in order else len(order),
    )
    total = sum(n for _, n in counts)
    send_email(
        "emails/digest",
        to=log.clinician.email,
        context={
            "name": log.clinician.display_name,
            "alerts_total": total,
            "alert_counts": [(labels.get(k, k), n) for k, n in counts],
            "missed": log.missed_count,
            "acknowledged": log.acknowledged_count,
            "url": _app_url(reverse("caseload")),
            "inbox_url": _app_url(reverse("alert_inbox")),
        },
        language=log.clinician.language,
    )
    DigestLog.objects.filter(pk=log.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True
