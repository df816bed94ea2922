"""Sending: claim deliveries, re-check eligibility, send, record each outcome."""

from __future__ import annotations

import threading
import time
from datetime import date, datetime, timedelta
from functools import reduce
from operator import or_
from typing import NamedTuple, cast

from django.conf import settings
from django.core import signing
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from programs.models import PracticeSession
from tracking.checkins.selectors import OpenCheckIn, checkin_title, due_checkins
from tracking.checkins.services import checkin_length
from tracking.instruments import registry
from tracking.models import CheckIn, Delivery, ReminderPreferences, ReminderSchedule
from tracking.reminders.schedules import ENROLLMENT_COLUMNS, slot_day
from tracking.reminders.sweep import (
    CLAIM_TIMEOUT,
    REQUEUE_AFTER,
    _eligible,
    _still_wanted,
)
from tracking.reminders.transports import (
    Message,
    PermanentError,
    TransactionalTransport,
    TransientError,
    Transport,
    transport_for,
)

MAX_ATTEMPTS = 5
# What the send path reads with each delivery: its schedule's kind, and what the
# eligibility checks and the message need of the enrollment, patient and preferences.
_SEND_COLUMNS = (
    *(f.name for f in Delivery._meta.concrete_fields),
    "schedule__id",
    "schedule__kind",
    "schedule__enrollment_id",
    "schedule__enrollment__practice_id",  # the in-app notification's practice
    *(f"schedule__{column}" for column in ENROLLMENT_COLUMNS),
    "schedule__enrollment__patient__email",
    "schedule__enrollment__patient__full_name",
    "schedule__enrollment__patient__language",
)
_UNSUBSCRIBE_SALT = "painapp.unsubscribe"
# Deliveries a worker claims at once: the checks read after the claim are at most
# this many sends old. The heartbeat keeps all of them claimed meanwhile.
CLAIM_AHEAD = 20
# How often a worker's heartbeat renews the claims it holds (seconds): well inside
# CLAIM_TIMEOUT, so one late beat (a busy database) costs nothing.
HEARTBEAT_EVERY = CLAIM_TIMEOUT.total_seconds() / 4
# Before a send, a claim renewed less than this long ago (seconds) is surely still
# ours and stays so while the heartbeat runs; an older one is renewed there and then.
FRESH_FOR = CLAIM_TIMEOUT.total_seconds() / 2
_clock = time.monotonic  # when a claim was last renewed (tests move it on)


# ---------------------------------------------------------------- sending
class Outcome(NamedTuple):
    """What `deliver_many` did with one delivery: its status afterwards ("missing" if
    there is no such row), its attempts so far, and the error when it is to be retried
    (the row is back to pending)."""

    status: str
    attempts: int = 0
    retry: TransientError | None = None


def deliver(delivery_id: int, now: datetime | None = None) -> str:
    """Send one delivery at most once. Returns its status afterwards.

    Raises TransientError (after recording it) when the caller should retry later.
    """
    [outcome] = deliver_many([delivery_id], now=now)
    if outcome.retry is not None:
        raise outcome.retry
    return outcome.status


def deliver_many(delivery_ids: list[int], now: datetime | None = None) -> list[Outcome]:
    """Send each delivery at most once; one Outcome per id, in order.

    Exactly once, with fewer round trips than one delivery at a time:

    - Deliveries are claimed CLAIM_AHEAD at a time, by one conditional UPDATE that
      locks the rows in id order (two workers given the same ids, e.g. a redelivered
      message, never deadlock) and re-checks "pending, or claimed by a worker that
      died" on each row's latest version: of two concurrent claims one wins, the other
      gets nothing. RETURNING says which rows this worker owns.
    - The patient's eligibility, channel and check-in are read once per claimed group,
      after the claim (so never older than the group's few sends).
    - While this worker holds claims, a heartbeat thread renews them every
      HEARTBEAT_EVERY, however long a send takes: a claim expires (and
      `requeue_stale_deliveries` hands the delivery to another worker) only when this
      worker has died. Before each send the claim is checked to be ours (see _Claims).
    - Each outcome is recorded right after its send, in its own statement; an in-app
      notification is created in the same transaction as its "sent" (all or nothing).
    - One connection per transport for the whole call (one SMTP session for a chunk).
    """
    outcomes: dict[int, Outcome] = {}
    transports: dict[str, Transport] = {}
    claims = _Claims()
    try:
        for start in range(0, len(delivery_ids), CLAIM_AHEAD):
            group = delivery_ids[start : start + CLAIM_AHEAD]
            outcomes.update(_deliver_group(group, now or timezone.now(), transports, claims))
    finally:
        claims.stop()
        for transport in transports.values():
            transport.close()
    return [outcomes.get(pk, Outcome("missing")) for pk in delivery_ids]


def _claim(delivery_ids: list[int], now: datetime) -> dict[int, int]:
    """Claim those of `delivery_ids` nobody else holds; {id: attempts} of those claimed."""
    meta = Delivery._meta
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    # The subquery locks the rows in id order and re-checks its WHERE clause on a row
    # another worker just claimed (READ COMMITTED), so that row drops out.
    claimable = "id = ANY(%s) AND (status = %s OR (status = %s AND claimed_at < %s))"
    sql = (
        f"UPDATE {table} SET status = %s, claimed_at = %s, attempts = attempts + 1"  # noqa: S608
        f" WHERE id IN (SELECT id FROM {table} WHERE {claimable} ORDER BY id FOR UPDATE)"
        " RETURNING id, attempts"
    )
    pending, sending = Delivery.Status.PENDING, Delivery.Status.SENDING
    field = meta.get_field("claimed_at")
    at = field.get_db_prep_save(now, connection)
    stale = field.get_db_prep_save(now - CLAIM_TIMEOUT, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, [sending, at, list(delivery_ids), pending, sending, stale])
        return dict(cursor.fetchall())


def _practised_on_slot_day(deliveries: list[Delivery]) -> set[int]:
    """The practice reminders among `deliveries` whose patient already saved a practice
    session on the reminder's own day (its slot: the patient's local date, as the
    session's local_date is): nothing to remind them of, so it is skipped. One query."""
    days: dict[int, tuple[int, date]] = {}
    for d in deliveries:
        day = slot_day(d.slot)
        if day is not None:
            days[d.pk] = (d.schedule.enrollment_id, day)
    if not days:
        return set()
    done = set(
        PracticeSession.objects.filter(
            reduce(or_, (Q(enrollment_id=e, local_date=day) for e, day in days.values()))
        ).values_list("enrollment_id", "local_date")
    )
    return {pk for pk, key in days.items() if key in done}


def _deliver_group(
    delivery_ids: list[int], now: datetime, transports: dict[str, Transport], claims: _Claims
) -> dict[int, Outcome]:
    """Claim, re-check and send one group (see `deliver_many`).

    What touches only our own database is done together: the skipped deliveries are
    recorded by one UPDATE, and the in-app ones (notification rows and their "sent")
    in one transaction — all of it or none, so there is nothing to send twice. Email
    and SMS leave the building one at a time, each recorded as soon as it is sent.
    """
    claimed = _claim(delivery_ids, now)
    claims.hold(claimed)
    rows = {
        d.pk: d
        for d in Delivery.objects.select_related(
            "schedule__enrollment__patient", "schedule__enrollment__reminder_preferences"
        )
        .only(*_SEND_COLUMNS)
        .filter(pk__in=delivery_ids)
    }
    outcomes = {pk: Outcome(d.status, d.attempts) for pk, d in rows.items() if pk not in claimed}
    # Each claimed row once, even if the list names it twice.
    mine = [rows[pk] for pk in dict.fromkeys(delivery_ids) if pk in claimed and pk in rows]
    # Still due, with what names them (a follow-up after the program, a mid-program
    # check-in, are worded as such) and their instruments' current versions (how long
    # they take): one query, and the versions' content once for the whole group.
    wanted = {c for c in map(_checkin_id, mine) if c is not None}
    due: dict[int | None, OpenCheckIn] = {pk: c for pk, c in due_checkins(wanted).items()}
    registry.instruments_by_id(sorted({pk for d in due.values() for pk in d.instrument_ids}))
    practised = _practised_on_slot_day(mine)
    skipped, local, remote = [], [], []
    for delivery in mine:
        enrollment = delivery.schedule.enrollment
        prefs = getattr(enrollment, "reminder_preferences", None)
        checkin = _checkin_id(delivery)
        if not (
            prefs is not None
            and _eligible(enrollment, prefs, delivery.schedule.kind)
            and _channel_still_on(delivery, prefs)
            and (checkin is None or checkin in due)
            and delivery.pk not in practised
        ):
            skipped.append(delivery)
        elif _transport(delivery, transports).transactional:
            local.append(delivery)
        else:
            remote.append(delivery)
    if skipped:
        Delivery.objects.filter(pk__in=[d.pk for d in skipped]).update(
            status=Delivery.Status.SKIPPED, error="", sent_at=None
        )
        outcomes.update((d.pk, Outcome(Delivery.Status.SKIPPED, d.attempts)) for d in skipped)
    local = [d for d in local if claims.keep(d, outcomes)]
    if local:
        try:
            with transaction.atomic():
                for channel in {d.channel for d in local}:
                    cast(TransactionalTransport, transports[channel]).send_many(
                        [
                            (build_message(d, due.get(_checkin_id(d))), d)
                            for d in local
                            if d.channel == channel
                        ]
                    )
                Delivery.objects.filter(pk__in=[d.pk for d in local]).update(
                    status=Delivery.Status.SENT, error="", sent_at=timezone.now()
                )
            outcomes.update((d.pk, Outcome(Delivery.Status.SENT, d.attempts)) for d in local)
        except (TransientError, PermanentError):
            remote = local + remote  # nothing was written: one at a time, each its outcome
    for delivery in remote:
        if claims.keep(delivery, outcomes):
            outcomes[delivery.pk] = _send(delivery, transports, due.get(_checkin_id(delivery)))
    claims.release(delivery_ids)
    return outcomes


class _Claims:
    """The claims this worker holds, kept alive by a heartbeat while it lives.

    A claim's token is its `attempts` number (each claim adds one), so a renewal —
    by the heartbeat, or here before a send — touches only a row still claimed by
    this worker, never one another worker took over.

    The heartbeat is a thread with its own database connection, started with the
    first claim and stopped when `deliver_many` returns. Every HEARTBEAT_EVERY it
    sets `claimed_at` to now on every claim held, so a send that hangs on a slow SMTP
    server keeps its claim, and a worker that is killed stops renewing at once: its
    claims expire CLAIM_TIMEOUT later and the minute sweep requeues them.
    """

    def __init__(self) -> None:
        self._held: dict[int, int] = {}  # delivery id -> attempts (the claim's token)
        self._renewed: dict[int, float] = {}  # delivery id -> _clock() of last renewal
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def hold(self, claimed: dict[int, int]) -> None:
        if not claimed:
            return
        at = _clock()
        with self._lock:
            self._held.update(claimed)
            self._renewed.update(dict.fromkeys(claimed, at))
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._beat, daemon=True, name="delivery-heartbeat"
            )
            self._thread.start()

    def release(self, delivery_ids: list[int]) -> None:
        """Done with these (their outcomes are recorded): renew them no more."""
        with self._lock:
            for pk in delivery_ids:
                self._held.pop(pk, None)
                self._renewed.pop(pk, None)

    def keep(self, delivery: Delivery, outcomes: dict[int, Outcome]) -> bool:
        """Whether `delivery` is still ours to send (renewing its claim if the
        heartbeat has not lately)."""
        with self._lock:
            fresh = _clock() - self._renewed.get(delivery.pk, float("-inf")) < FRESH_FOR
        if fresh:
            return True
        at = timezone.now()
        if Delivery.objects.filter(
            pk=delivery.pk, status=Delivery.Status.SENDING, attempts=delivery.attempts
        ).update(claimed_at=at):
            delivery.claimed_at = at
            with self._lock:
                self._renewed[delivery.pk] = _clock()
            return True
        outcomes[delivery.pk] = Outcome(Delivery.Status.SENDING, delivery.attempts)
        return False  # another worker took it over

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=HEARTBEAT_EVERY)

    def _beat(self) -> None:
        try:
            while not self._stopping.wait(HEARTBEAT_EVERY):
                with self._lock:
                    held = dict(self._held)
                if not held:
                    continue
                started = _clock()
                try:
                    _renew(held, timezone.now())
                except DatabaseError:
                    # The next beat reconnects; meanwhile `keep` renews before a send.
                    connection.close()
                    continue
                with self._lock:
                    for pk in held.keys() & self._renewed.keys():
                        self._renewed[pk] = started
        finally:
            connection.close()  # this thread's own connection


def _renew(held: dict[int, int], now: datetime) -> int:
    """Renew the claims in `held` ({id: attempts}) that are still this worker's."""
    ours = reduce(or_, (Q(pk=pk, attempts=attempts) for pk, attempts in held.items()))
    return Delivery.objects.filter(ours, status=Delivery.Status.SENDING).update(claimed_at=now)


def _transport(delivery: Delivery, transports: dict[str, Transport]) -> Transport:
    if delivery.channel not in transports:
        transports[delivery.channel] = transport_for(delivery.channel)
    return transports[delivery.channel]


def _send(
    delivery: Delivery, transports: dict[str, Transport], checkin: OpenCheckIn | None = None
) -> Outcome:
    """Send one claimed delivery and record the outcome (retry, fail, sent)."""
    transport = _transport(delivery, transports)
    try:
        if transport.transactional:  # writes only our own rows: with its outcome
            with transaction.atomic():
                transport.send(build_message(delivery, checkin), delivery)
                _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
        else:
            transport.send(build_message(delivery, checkin), delivery)
    except TransientError as error:
        if delivery.attempts >= MAX_ATTEMPTS:
            _finish(delivery, Delivery.Status.FAILED, error=f"gave up: {error}")
            return Outcome(Delivery.Status.FAILED, delivery.attempts)
        # The retry is queued with a countdown; the sweep steps in only if that
        # message is lost (or the broker refuses it: requeue_soon).
        requeue_at = timezone.now() + timedelta(seconds=retry_delay(delivery.attempts))
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            error=str(error)[:300],
            requeue_at=requeue_at + REQUEUE_AFTER,
        )
        return Outcome(Delivery.Status.PENDING, delivery.attempts, retry=error)
    except PermanentError as error:
        _finish(delivery, Delivery.Status.FAILED, error=str(error))
        return Outcome(Delivery.Status.FAILED, delivery.attempts)
    if not transport.transactional:
        _finish(delivery, Delivery.Status.SENT, sent_at=timezone.now())
    return Outcome(Delivery.Status.SENT, delivery.attempts)


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: 30 s, 1, 2, 4 min … (never a far-future ETA)."""
    return min(30 * 2 ** max(attempts - 1, 0), 900)


def _finish(
    delivery: Delivery, status: str, *, error: str = "", sent_at: datetime | None = None
) -> None:
    Delivery.objects.filter(pk=delivery.pk).update(
        status=status, error=error[:300], sent_at=sent_at
    )
    delivery.status = status


def _channel_still_on(delivery: Delivery, prefs: ReminderPreferences) -> bool:
    return delivery.channel in prefs.channels and _still_wanted(delivery.schedule, prefs)


def _checkin_id(delivery: Delivery) -> int | None:
    """The check-in a "checkin:<id>:<stage>" slot is for (None for other slots)."""
    if not delivery.slot.startswith("checkin:"):
        return None
    return int(delivery.slot.split(":")[1])


def unsubscribe_token(enrollment_id: int) -> str:
    return signing.dumps(enrollment_id, salt=_UNSUBSCRIBE_SALT, compress=True)


def enrollment_from_unsubscribe_token(token: str) -> int | None:
    try:
        return int(signing.loads(token, salt=_UNSUBSCRIBE_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def build_message(delivery: Delivery, due: OpenCheckIn | None = None) -> Message:
    """The reminder's words. No health data: a reminder may be read over a shoulder.

    `due`: the check-in a check-in reminder is for (its kind, week and slot) with its
    instruments' current versions. A follow-up months after the program is not called
    "weekly", nor are the end-of-program check-in and a mid-program one (an
    end-of-program one a program switch kept, still open when its reminder goes), named
    as their pages name them (checkin_title). Its length is Today's for the same
    check-in (services.checkin_length: the questions asked in the patient's language)."""
    checkin = due.checkin if due is not None else None
    checkin_kind = checkin.kind if checkin is not None else None
    # The name an end or mid-program check-in goes by in the sentences ("" for weekly).
    named = ""
    enrollment = delivery.schedule.enrollment
    patient = enrollment.patient
    length = (
        checkin_length(due, enrollment.practice_id, language=patient.language)
        if due is not None
        else None
    )
    unsubscribe = settings.SITE_URL + reverse(
        "unsubscribe", args=[unsubscribe_token(enrollment.pk)]
    )
    # Words in the patient's own language, whatever the worker's.
    with translation.override(patient.language):
        if delivery.schedule.kind == ReminderSchedule.Kind.PRACTICE:
            name, path = "reminder_practice", reverse("practice")
            title = gettext("Time for a few minutes of practice")
            sms = gettext("painapp: a gentle reminder for today's few minutes of practice.")
        elif checkin_kind == CheckIn.Kind.FOLLOWUP:
            # Months after the program (1, 3, 6, 12): not "weekly" (issue 19).
            still_open = delivery.slot.endswith(":followup")
            name, path = "reminder_followup_checkin", reverse("checkin_current")
            if still_open:
                title = gettext("Your follow-up check-in is still open")
                sms = gettext("painapp: your follow-up check-in is still open.")
            else:
                title = gettext("Your follow-up check-in is ready")
                sms = gettext(
                    "painapp: a short follow-up check-in is ready, to see how you are doing "
                    "since the program."
                )
        elif checkin is not None and checkin_kind in (CheckIn.Kind.END, CheckIn.Kind.INTERIM):
            named = checkin_title(checkin).lower()
            if delivery.slot.endswith(":followup"):
                name, path = "reminder_checkin_followup", reverse("checkin_current")
                title = gettext("Your %(title)s is still open") % {"title": named}
                sms = gettext("painapp: your %(title)s is still open.") % {"title": named}
            else:
                name, path = "reminder_checkin", reverse("checkin_current")
                title = gettext("Your %(title)s is ready") % {"title": named}
                sms = gettext("painapp: your %(title)s is ready.") % {"title": named}
        elif delivery.slot.endswith(":followup"):
            name, path = "reminder_checkin_followup", reverse("checkin_current")
            title = gettext("Your check-in is still open")
            sms = gettext("painapp: your weekly check-in is still open.")
        else:
            name, path = "reminder_checkin", reverse("checkin_current")
            title = gettext("Your weekly check-in is ready")
            sms = gettext("painapp: your weekly check-in is ready.")
        if length is not None:
            # The same words as Today's card and the email (tracking/patient/checkin/
            # _length.html's second sentence).
            sms += " " + ngettext(
                "It takes about %(n)s minute.", "It takes about %(n)s minutes.", length.minutes
            ) % {"n": length.minutes}
    return Message(
        to_user_id=patient.pk,
        practice_id=enrollment.practice_id,
        email=patient.email,
        phone=getattr(enrollment.reminder_preferences, "phone", ""),
        subject=title,
        template_dir=f"emails/{name}",
        context={
            "name": patient.display_name,
            "url": settings.SITE_URL + path,
            "unsubscribe_url": unsubscribe,
            "settings_url": settings.SITE_URL + reverse("reminder_settings"),
            "still_open": delivery.slot.endswith(":followup"),
            "checkin_title": named,
            "length": length,
        },
        sms_text=sms,
        in_app_title=title,
        in_app_url=path,
        language=patient.language,
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
