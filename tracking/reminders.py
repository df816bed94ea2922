"""Reminders, exactly once, at the patient's own wall-clock time.

How it works (see ARCHITECTURE.md, "Scheduling, exactly once"):
1. Each ReminderSchedule stores `next_due_at` (UTC) and `next_slot` — the local day
   ("practice:2026-03-08") or check-in stage ("checkin:42:open") it is for.
2. `sweep_due_reminders` (beat, every minute) claims due schedules with
   SELECT … FOR UPDATE SKIP LOCKED, inserts one Delivery per (schedule, slot, channel)
   — a unique constraint makes a repeat insert nothing — advances the schedule, commits,
   and only then queues the sends.
3. `deliver` claims a delivery with a conditional UPDATE, re-checks that the patient
   still wants it, sends, and records the outcome; transient failures retry with
   backoff, permanent ones are recorded and shown to admins.
Two sweeps, two beats or two workers at once cannot send a slot twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrollment, EnrollmentStatus
from tracking.localtime import in_quiet_hours, next_occurrence, wall_to_utc
from tracking.models import CheckIn, Delivery, ReminderPreferences, ReminderSchedule
from tracking.transports import Message, PermanentError, TransientError, transport_for

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# A reminder that could not go out within this time of its slot is dropped, not sent
# late (a "time to practise" message at 3 a.m. helps nobody).
STALE_AFTER = timedelta(hours=6)
# A delivery claimed this long ago and still not finished belongs to a dead worker.
CLAIM_TIMEOUT = timedelta(minutes=10)
FOLLOWUP_AFTER = timedelta(hours=48)
SEND_CHUNK = 50
_UNSUBSCRIBE_SALT = "painapp.unsubscribe"


# ---------------------------------------------------------------- preferences
def preferences_for(enrollment: Enrollment) -> ReminderPreferences:
    prefs, _ = ReminderPreferences.objects.get_or_create(
        enrollment=enrollment,
        defaults={"practice_time": enrollment.preferred_practice_time},
    )
    return prefs


def schedules_sync(*, enrollment: Enrollment, now: datetime | None = None) -> None:
    """Create or refresh the enrollment's schedules from its preferences.

    Called whenever preferences, the time zone or check-ins change. The next slot is
    computed from `now`; a slot already delivered is never delivered again.
    """
    now = now or timezone.now()
    prefs = preferences_for(enrollment)
    practice, _ = ReminderSchedule.objects.get_or_create(
        enrollment=enrollment, kind=ReminderSchedule.Kind.PRACTICE)
    due, slot = _next_practice(enrollment, prefs, after=now)
    practice.next_due_at, practice.next_slot = due, slot
    practice.active = prefs.practice_enabled
    practice.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])

    checkin, _ = ReminderSchedule.objects.get_or_create(
        enrollment=enrollment, kind=ReminderSchedule.Kind.CHECKIN)
    due, slot = _next_checkin(enrollment, prefs, after=now)
    checkin.next_due_at, checkin.next_slot = due, slot
    checkin.active = prefs.checkin_enabled and due is not None
    checkin.save(update_fields=["next_due_at", "next_slot", "active", "updated_at"])


def _next_practice(enrollment, prefs, *, after: datetime) -> tuple[datetime, str]:
    instant, day = next_occurrence(
        at=prefs.practice_time, weekdays=prefs.practice_days, tz=enrollment.patient.tzinfo,
        after=after, quiet_start=prefs.quiet_start, quiet_end=prefs.quiet_end)
    return instant, f"practice:{day.isoformat()}"


def _next_checkin(enrollment, prefs, *, after: datetime) -> tuple[datetime | None, str]:
    """The next check-in reminder: when one opens (at the practice time on its day),
    and a follow-up 48 hours later if it is still not done."""
    tz = enrollment.patient.tzinfo
    candidates = []
    pending = (CheckIn.objects.filter(enrollment=enrollment,
                                      status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN],
                                      closes_at__gt=after)
               .order_by("opens_at")[:3])
    for checkin in pending:
        opens = max(wall_to_utc(checkin.due_date, prefs.practice_time, tz), checkin.opens_at)
        follow = opens + FOLLOWUP_AFTER
        local_follow = follow.astimezone(tz)
        if in_quiet_hours(local_follow.time(), prefs.quiet_start, prefs.quiet_end):
            follow = wall_to_utc(local_follow.date() + timedelta(
                days=1 if prefs.quiet_start > prefs.quiet_end
                and local_follow.time() >= prefs.quiet_start else 0), prefs.quiet_end, tz)
        for stage, at in (("open", opens), ("followup", follow)):
            if after < at < checkin.closes_at:
                candidates.append((at, f"checkin:{checkin.pk}:{stage}"))
    return min(candidates) if candidates else (None, "")


# ---------------------------------------------------------------- the sweep
def _eligible(enrollment: Enrollment, prefs: ReminderPreferences | None) -> bool:
    return (
        prefs is not None
        and not prefs.paused
        and enrollment.status == EnrollmentStatus.ACTIVE
        and enrollment.onboarded_at is not None
        and enrollment.patient.is_active
    )


def sweep_due_reminders(now: datetime | None = None, *, batch: int = 1000) -> int:
    """Claim every due schedule, record its deliveries, advance it. Returns schedules
    claimed. Safe to run in several processes at once."""
    now = now or timezone.now()
    claimed = 0
    while True:
        with transaction.atomic():
            schedules = list(
                ReminderSchedule.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(active=True, next_due_at__lte=now)
                .select_related("enrollment__patient", "enrollment__reminder_preferences")
                .order_by("next_due_at")[:batch]
            )
            if not schedules:
                break
            deliveries = []
            for schedule in schedules:
                enrollment = schedule.enrollment
                prefs = getattr(enrollment, "reminder_preferences", None)
                fresh = now - schedule.next_due_at <= STALE_AFTER
                if fresh and _eligible(enrollment, prefs) and _still_wanted(schedule, prefs):
                    deliveries.extend(
                        Delivery(schedule=schedule, slot=schedule.next_slot, channel=channel,
                                 due_at=schedule.next_due_at)
                        for channel in prefs.channels
                    )
                _advance(schedule, prefs, now)
            Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
            ReminderSchedule.objects.bulk_update(schedules,
                                                 ["next_due_at", "next_slot", "active"])
            keys = {(d.schedule_id, d.slot) for d in deliveries}
            ids = list(
                Delivery.objects.filter(
                    schedule_id__in={k[0] for k in keys}, slot__in={k[1] for k in keys},
                    status=Delivery.Status.PENDING, attempts=0,
                ).values_list("pk", flat=True)
            ) if keys else []
            transaction.on_commit(lambda ids=ids: queue_sends(ids))
        claimed += len(schedules)
        if len(schedules) < batch:
            break
    return claimed


def _still_wanted(schedule: ReminderSchedule, prefs: ReminderPreferences) -> bool:
    if schedule.kind == ReminderSchedule.Kind.PRACTICE:
        return prefs.practice_enabled
    return prefs.checkin_enabled


def _advance(schedule: ReminderSchedule, prefs: ReminderPreferences | None,
             now: datetime) -> None:
    # Never step back and never replay missed days: continue from the later of the
    # slot just handled and now.
    after = max(schedule.next_due_at, now)
    if prefs is None:
        schedule.active = False
        return
    if schedule.kind == ReminderSchedule.Kind.PRACTICE:
        schedule.next_due_at, schedule.next_slot = _next_practice(
            schedule.enrollment, prefs, after=after)
    else:
        due, slot = _next_checkin(schedule.enrollment, prefs, after=after)
        schedule.next_due_at, schedule.next_slot = due, slot
        schedule.active = due is not None


def queue_sends(ids: list[int]) -> None:
    """Queue sends in chunks. If the broker is down, `requeue_stale_deliveries` picks
    them up later: the rows are already committed."""
    from painapp.celery import publish

    for start in range(0, len(ids), SEND_CHUNK):
        if not publish("tracking.tasks.send_deliveries", args=(ids[start:start + SEND_CHUNK],)):
            return  # the rows are committed; requeue_stale_deliveries picks them up


def requeue_stale_deliveries(now: datetime | None = None, limit: int = 5000) -> int:
    """Deliveries nobody finished: never queued (broker down) or claimed by a worker
    that died. Queue them again; the claim in `deliver` keeps it to one send."""
    now = now or timezone.now()
    ids = list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, created_at__lt=now - CLAIM_TIMEOUT,
              due_at__gt=now - STALE_AFTER)
            | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
        ).values_list("pk", flat=True)[:limit]
    )
    queue_sends(ids)
    return len(ids)


# ---------------------------------------------------------------- sending
def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery at most once. Returns its status afterwards.

    Raises TransientError (after recording it) when the caller should retry later.
    """
    now = now or timezone.now()
    claimed = Delivery.objects.filter(pk=delivery_id).filter(
        Q(status=Delivery.Status.PENDING)
        | Q(status=Delivery.Status.SENDING, claimed_at__lt=now - CLAIM_TIMEOUT)
    ).update(status=Delivery.Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    delivery = (Delivery.objects.select_related(
        "schedule__enrollment__patient", "schedule__enrollment__reminder_preferences",
        "schedule__enrollment__practice").filter(pk=delivery_id).first())
    if delivery is None:
        return "missing"
    if not claimed:
        return delivery.status
    enrollment = delivery.schedule.enrollment
    prefs = getattr(enrollment, "reminder_preferences", None)
    if not (_eligible(enrollment, prefs) and _channel_still_on(delivery, prefs)
            and _checkin_still_due(delivery)):
        _finish(delivery, Delivery.Status.SKIPPED)
        return Delivery.Status.SKIPPED
    try:
        transport_for(delivery.channel).send(build_message(delivery), delivery)
    except TransientError as error:
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, error=f"gave up: {error}")
            return Delivery.Status.FAILED
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING, error=str(error)[:300])
        raise
    except PermanentError as error:
        _finish(delivery, Delivery.Status.FAILED, error=str(error))
        return Delivery.Status.FAILED
    _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
    return Delivery.Status.SENT


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 min … (never a far-future ETA)."""
    return min(30 * 2 ** max(attempts - 1, 0), 900)


def _finish(delivery: Delivery, status: str, *, error: str = "", sent_at=None) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(status=status, error=error[:300],
                                                   sent_at=sent_at)
    delivery.status = status


def _channel_still_on(delivery: Delivery, prefs: ReminderPreferences) -> bool:
    return delivery.channel in prefs.channels and _still_wanted(delivery.schedule, prefs)


def _checkin_still_due(delivery: Delivery) -> bool:
    if not delivery.slot.startswith("checkin:"):
        return True
    checkin_id = int(delivery.slot.split(":")[1])
    return CheckIn.objects.filter(
        pk=checkin_id, status__in=[CheckIn.Status.SCHEDULED, CheckIn.Status.OPEN]).exists()


def unsubscribe_token(enrollment_id: int) -> str:
    return signing.dumps(enrollment_id, salt=_UNSUBSCRIBE_SALT, compress=True)


def enrollment_from_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def build_message(delivery: Delivery) -> Message:
    """The reminder's words. No health data: a reminder may be read over a shoulder."""
    enrollment = delivery.schedule.enrollment
    patient = enrollment.patient
    unsubscribe = settings.SITE_URL + reverse("unsubscribe",
                                              args=[unsubscribe_token(enrollment.pk)])
    if delivery.schedule.kind == ReminderSchedule.Kind.PRACTICE:
        name, path = "reminder_practice", reverse("practice")
        title = "Time for a few minutes of practice"
        sms = "painapp: a gentle reminder for today's few minutes of practice."
    elif delivery.slot.endswith(":followup"):
        name, path = "reminder_checkin_followup", reverse("checkin_current")
        title = "Your check-in is still open"
        sms = "painapp: your weekly check-in is still open. It takes about 3 minutes."
    else:
        name, path = "reminder_checkin", reverse("checkin_current")
        title = "Your weekly check-in is ready"
        sms = "painapp: your weekly check-in is ready. It takes about 3 minutes."
    return Message(
        to_user_id=patient.pk, email=patient.email,
        phone=getattr(enrollment.reminder_preferences, "phone", ""),
        subject=title, template_dir=f"emails/{name}",
        context={"name": patient.display_name, "url": settings.SITE_URL + path,
                 "unsubscribe_url": unsubscribe, "settings_url":
                 settings.SITE_URL + reverse("reminder_settings")},
        sms_text=sms, in_app_title=title, in_app_url=path,
        headers={"List-Unsubscribe": f"<{unsubscribe}>",
                 "List-Unsubscribe-Post": "List-Unsubscribe=One-Click"},
    )
