"""Alert lifecycle writes: raise, acknowledge, resolve.

These are the only writers of an alert's status, and each recounts the enrollment's
alerts into its summary (tracking.checkins.summaries) in the same transaction, so the
caseload's alert filter and sort, which read the counts, never disagree with the alerts
themselves."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.models import Practice, User
from painapp.submit_once import create_once, made_by
from programs.models import Enrollment
from tracking import rules
from tracking.alerts.due import due_time, resolve_time
from tracking.alerts.staff import active_staff
from tracking.checkins.summaries import summary_alerts_recount
from tracking.models import Alert, AlertContactAttempt, AlertResolution, PracticeSettings
from tracking.outbox import outbox_add


def tells_clinician_at_once(kind: str, severity: str) -> bool:
    """Alerts the clinician hears about at once, by email (tracking.rules.
    needs_prompt_contact); the rest wait for the daily digest."""
    return rules.needs_prompt_contact(kind=kind, severity=severity)


def alert_raise(
    *,
    enrollment: Enrollment,
    kind: str,
    severity: str,
    source: str,
    details: dict | None = None,
    again_after_resolved: bool = False,
) -> Alert | None:
    """Open an alert once per (enrollment, kind, source). Returns None if it exists.

    With `again_after_resolved` (an entry the patient edits in place: a reflection, the
    safety plan, a diary entry), "exists" means not resolved yet: a new risk signal in
    the same entry after its alert was resolved raises a new alert, while a re-save
    during one still open or acknowledged raises nothing (a conditional unique
    constraint, alert_once_open_per_source). The crisis-word scanner asks only when the
    entry's words changed since its last resolved alert (tracking.rules'
    crisis_alert_decision). Without it (a check-in, screening, the
    missed sweep, which look at the same event again), one alert ever per source.

    Its due time is the practice's response time for `severity`, counted in working
    time from now (tracking.rules.working_deadline); unacknowledged by then, the minute
    sweep moves it up the practice's escalation chain. A new alert is counted in the
    enrollment's summary and audited; a self-harm or
    red-flag alert (or any URGENT one) also tells the clinician at once by email through
    the outbox (sent after the surrounding transaction commits, retried by the outbox
    sweep if the broker is down); in the app they see it in the alert inbox and the
    menu's alert count.
    """
    if (
        not again_after_resolved
        and Alert.objects.filter(enrollment=enrollment, kind=kind, source=source).exists()
    ):
        return None
    practice_settings = PracticeSettings.for_practice(enrollment.practice_id)
    now = timezone.now()
    due = due_time(
        practice_settings=practice_settings,
        timezone_name=enrollment.practice.timezone,
        severity=severity,
        start=now,
    )
    try:
        with transaction.atomic():
            alert = Alert.objects.create(
                created_at=now,
                due_at=due,
                first_due_at=due,
                enrollment=enrollment,
                practice_id=enrollment.practice_id,
                kind=kind,
                severity=severity,
                source=source,
                details=details or {},
            )
            summary_alerts_recount(enrollment_id=enrollment.pk)
            badges_changed(enrollment.practice_id)
    except IntegrityError:
        return None
    audit(None, "alert.raised", practice=enrollment.practice, subject=enrollment.patient, obj=alert)
    # The clinician is told at once, if they can be reached: switched off since (their
    # account or their membership here), the escalation sweep moves the alert on.
    if (
        tells_clinician_at_once(kind, severity)
        and active_staff([enrollment.practice_id]).filter(user_id=enrollment.clinician_id).exists()
    ):
        # By email (no name, no health data) and on the clinician's own pages: the alert
        # inbox and the menu's alert count, which counted it as it was saved. No in-app
        # notification row: no page shows staff ones, so it would only keep the
        # patient's name where nobody sees it.
        outbox_add("tracking.tasks_alerts.send_alert_email", alert_id=alert.pk)
    return alert


# An alert's details key: the crisis hits added to it while it was open and nobody had
# acknowledged it (tracking.safety.scanner, rules.repeat_crisis_decision), oldest first,
# each {"at": ISO time, "entry": its kind, "source": "<kind>:<pk>"}.
AGAIN = "again"


def alert_again(*, alert: Alert, source: str, entry: str) -> bool:
    """Note a new crisis hit at `source` on `alert`, still open (not acknowledged): the
    clinician sees "again at …" on it; no new alert and no second urgent email. Audited.
    A hit from a source already noted is not noted twice (a re-save). False when the
    alert was acknowledged or resolved in between (the caller raises a new one)."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Alert.objects.select_for_update()
            .filter(pk=alert.pk, status=Alert.Status.OPEN)
            .only("details")
            .first()
        )
        if locked is None:
            return False
        hits = list(locked.details.get(AGAIN, []))
        if any(hit.get("source") == source for hit in hits):
            return True
        hits.append({"at": now.isoformat(), "entry": entry, "source": source})
        Alert.objects.filter(pk=alert.pk).update(details={**locked.details, AGAIN: hits})
        audit(
            None,
            "alert.again",
            practice=alert.enrollment.practice,
            subject=alert.enrollment.patient,
            obj=alert,
            changes={"times": len(hits) + 1, "entry": entry},
        )
    return True


def alert_acknowledge(*, alert: Alert, by: User, request: HttpRequest | None = None) -> bool:
    """Mark an open alert as seen by `by`. Stops its escalation clock and starts its
    resolve clock: it must be resolved by `resolve_by` (tracking.alerts.due.resolve_time),
    or the escalation chain is told (tracking.alerts.resolve_clock). Counted and audited
    in one transaction; False if it was not open (already acknowledged or resolved)."""
    with transaction.atomic():
        updated = _acknowledge(alert=alert, by=by, request=request, now=timezone.now())
        alert.refresh_from_db()
    return updated


def _acknowledge(*, alert: Alert, by: User, request: HttpRequest | None, now: datetime) -> bool:
    """Inside a transaction: acknowledge `alert` if it is open (its resolve clock starts
    now), recounted and audited. False if it was not open."""
    resolve_by = resolve_time(
        practice_settings=PracticeSettings.for_practice(alert.practice_id),
        timezone_name=Practice.objects.only("timezone").get(pk=alert.practice_id).timezone,
        severity=alert.severity,
        acknowledged_at=now,
    )
    updated = Alert.objects.filter(pk=alert.pk, status=Alert.Status.OPEN).update(
        status=Alert.Status.ACKNOWLEDGED,
        acknowledged_by=by,
        acknowledged_at=now,
        resolve_by=resolve_by,
    )
    if updated:
        summary_alerts_recount(enrollment_id=alert.enrollment_id)
        badges_changed(alert.practice_id)
        audit(
            request,
            "alert.acknowledged",
            practice=alert.practice,
            subject=alert.enrollment.patient,
            obj=alert,
            actor=by,
        )
    return bool(updated)


@dataclass(frozen=True)
class ContactAttempt:
    """A try to reach the patient that did not get through (AlertContactAttempt)."""

    attempted_at: datetime
    method: str
    note: str
    # The form's one-time token (painapp.submit_once): the same form sent twice is one
    # attempt.
    client_token: uuid.UUID | None = None


def _record_attempt(
    *, alert: Alert, by: User, attempt: ContactAttempt, request: HttpRequest | None, now: datetime
) -> None:
    _, created = create_once(
        AlertContactAttempt,
        client_token=attempt.client_token,
        alert=alert,
        attempted_at=attempt.attempted_at,
        method=attempt.method,
        note=attempt.note,
        created_by=by,
        created_at=now,
    )
    if not created:
        return
    audit(
        request,
        "alert.contact_attempted",
        practice=alert.practice,
        subject=alert.enrollment.patient,
        obj=alert,
        actor=by,
    )


def alert_contact_attempt(
    *, alert: Alert, by: User, attempt: ContactAttempt, request: HttpRequest | None = None
) -> bool:
    """Record that `by` tried to reach the patient and could not. The alert is NOT
    resolved: it stays open, acknowledged (by `by`, if nobody had yet: someone is
    working it, and its resolve clock starts). A resolve clock already running keeps
    running (tracking.alerts.resolve_clock tells the chain if it is not resolved in
    time); one whose deadline the chain was already told of starts again from now
    (tracking.rules.resolve_clock_after_attempt), so a next missed deadline tells the
    chain again. Audited in one transaction; False if the alert was resolved meanwhile
    (then nothing is stored). The same form sent again (`attempt.client_token`, checked
    with the alert locked) changes nothing: it is one attempt."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Alert.objects.select_for_update()
            .filter(pk=alert.pk)
            .exclude(status=Alert.Status.RESOLVED)
            .exists()
        )
        if locked and made_by(AlertContactAttempt, attempt.client_token, alert=alert) is None:
            _acknowledge(alert=alert, by=by, request=request, now=now)
            _rearm_resolve_clock(alert=alert, now=now)
            _record_attempt(alert=alert, by=by, attempt=attempt, request=request, now=now)
        alert.refresh_from_db()
    return locked


def _rearm_resolve_clock(*, alert: Alert, now: datetime) -> None:
    """Inside the attempt's transaction, the alert locked and acknowledged: its resolve
    clock after the attempt (tracking.rules.resolve_clock_after_attempt)."""
    state = Alert.objects.only("resolve_by", "resolve_escalated_at").get(pk=alert.pk)
    clock = rules.resolve_clock_after_attempt(
        resolve_by=state.resolve_by,
        chain_told=state.resolve_escalated_at is not None,
        next_resolve_by=resolve_time(
            practice_settings=PracticeSettings.for_practice(alert.practice_id),
            timezone_name=Practice.objects.only("timezone").get(pk=alert.practice_id).timezone,
            severity=alert.severity,
            acknowledged_at=now,
        ),
    )
    if clock.rearmed or clock.resolve_by != state.resolve_by:
        Alert.objects.filter(pk=alert.pk).update(
            resolve_by=clock.resolve_by, resolve_escalated_at=None
        )
        badges_changed(alert.practice_id)


@dataclass(frozen=True)
class ResolutionOutcome:
    """The documented contact that closes an alert (AlertResolution's fields; the form
    in tracking.alerts.forms checks them)."""

    contacted: bool
    risk_after: str  # "" when the patient was not reached
    plan: list[str]
    note: str
    contacted_at: datetime | None = None
    method: str = ""
    # Not reached, for an alert that needs prompt contact: the try, kept as a contact
    # attempt beside the resolution (which its plan allows: tracking.rules.
    # unreached_outcome).
    attempt: ContactAttempt | None = None


def alert_resolve(
    *,
    alert: Alert,
    by: User,
    outcome: ResolutionOutcome,
    request: HttpRequest | None = None,
    by_hold_decision: bool = False,
) -> bool:
    """Close an alert with its documented outcome (an AlertResolution). Resolving an
    open alert also acknowledges it (by the same person). Counted and audited in one
    transaction; False if it was already resolved (the outcome is then not stored).

    An alert that needs prompt contact is never resolved with the patient not reached
    unless the plan hands the risk on (tracking.rules.unreached_outcome): that try is a
    contact attempt (`alert_contact_attempt`), and asking this raises ValueError. The
    one exception, `by_hold_decision`: a red-flag alert closed by the clinician's
    decision on the safety hold, whose reason is the record (tracking.clinic.services)."""
    if (
        not by_hold_decision
        and not outcome.contacted
        and rules.unreached_outcome(kind=alert.kind, severity=alert.severity, plan=outcome.plan)
        != rules.Unreached.RESOLVE
    ):
        raise ValueError("not reached, and the plan hands the risk to nobody: an attempt")
    now = timezone.now()
    with transaction.atomic():
        updated = (
            Alert.objects.filter(pk=alert.pk)
            .exclude(status=Alert.Status.RESOLVED)
            .update(status=Alert.Status.RESOLVED, resolved_by=by, resolved_at=now)
        )
        if updated:
            Alert.objects.filter(pk=alert.pk, acknowledged_at__isnull=True).update(
                acknowledged_by=by, acknowledged_at=now
            )
            AlertResolution.objects.create(
                alert_id=alert.pk,
                contacted=outcome.contacted,
                contacted_at=outcome.contacted_at if outcome.contacted else None,
                method=outcome.method if outcome.contacted else "",
                risk_after=outcome.risk_after if outcome.contacted else "",
                plan=list(outcome.plan),
                note=outcome.note,
                created_by=by,
                created_at=now,
            )
            if outcome.attempt is not None and not outcome.contacted:
                _record_attempt(
                    alert=alert, by=by, attempt=outcome.attempt, request=request, now=now
                )
        alert.refresh_from_db()
        if updated:
            summary_alerts_recount(enrollment_id=alert.enrollment_id)
            badges_changed(alert.practice_id)
            audit(
                request,
                "alert.resolved",
                practice=alert.practice,
                subject=alert.enrollment.patient,
                obj=alert,
                actor=by,
            )
    return bool(updated)
