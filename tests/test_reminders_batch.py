"""The reminder sweep and the send path work in batches (issue 7: 100,000 schedules in
under a minute). Batching must not change what is sent: a batch with mixed kinds, time
zones and ineligible patients records exactly the deliveries the one-at-a-time rules
give, a repeated sweep records nothing, a batch costs the same queries however large
it is, and a worker sends a chunk on one connection, each delivery at most once."""

from __future__ import annotations

import smtplib
import threading
import time
from datetime import UTC, datetime, timedelta
from datetime import time as wall

import pytest
from django.db import connection
from django.db.models import Min
from django.test.utils import CaptureQueriesContext

from painapp.accounts.models import Role
from programs import services as program_services
from tests.factories import make_enrollment, make_member
from tracking.models import CheckIn, Delivery, Notification, ReminderSchedule
from tracking.reminders import delivery as delivery_module
from tracking.reminders import sweep as sweep_module
from tracking.reminders.delivery import Outcome, _claim, deliver, deliver_many
from tracking.reminders.schedules import (
    _next_checkin,
    _next_practice,
    preferences_for,
    schedules_sync,
)
from tracking.reminders.sweep import CLAIM_TIMEOUT, STALE_AFTER, _eligible, _still_wanted
from tracking.tasks import _send

START = datetime(2026, 3, 27, 12, tzinfo=UTC)  # Europe springs forward on the 29th
ZONES = ["Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata"]


def enroll(cast, version, n: int, *, tz: str = "UTC", at: wall = wall(9, 0), in_app=True):
    patient = make_member(cast.practice, Role.PATIENT, f"batch-{n}@example.org", tz=tz)
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.in_app_enabled = at, in_app
    prefs.save()
    return enrollment


def add_checkins(enrollment, first: datetime, count: int = 5) -> list[CheckIn]:
    """Weekly check-ins from `first` (open three days each); the first one completed,
    so the next reminder is for one of the later ones, and more are scheduled than the
    sweep looks at."""
    rows = []
    for week in range(count):
        opens = first + timedelta(days=7 * week)
        rows.append(
            CheckIn.objects.create(
                enrollment=enrollment,
                slot=f"week-{week + 1}",
                kind="weekly",
                week=week + 1,
                due_date=opens.date(),
                opens_at=opens,
                closes_at=opens + timedelta(days=3),
                status="completed" if week == 0 else "scheduled",
                instrument_keys=["pain_avg"],
            )
        )
    return rows


def make_due(now: datetime) -> None:
    """Every active schedule due a minute before `now`, for its current slot."""
    ReminderSchedule.objects.filter(active=True).update(next_due_at=now - timedelta(minutes=1))


def expected_after(now: datetime) -> tuple[set, dict]:
    """What the sweep at `now` must do, by the one-schedule-at-a-time rules: the
    deliveries it records, and each schedule's (next_due_at, next_slot, active)."""
    deliveries, advanced = set(), {}
    for s in ReminderSchedule.objects.select_related(
        "enrollment__patient", "enrollment__reminder_preferences"
    ).filter(active=True, next_due_at__lte=now):
        prefs = getattr(s.enrollment, "reminder_preferences", None)
        fresh = now - s.next_due_at <= STALE_AFTER
        if fresh and _eligible(s.enrollment, prefs, s.kind) and _still_wanted(s, prefs):
            deliveries |= {(s.pk, s.next_slot, channel) for channel in prefs.channels}
        if prefs is None:
            advanced[s.pk] = (s.next_due_at, s.next_slot, False)
        elif s.kind == "practice":
            advanced[s.pk] = (*_next_practice(s.enrollment, prefs, after=now), True)
        else:  # pending=None: the check-ins queried for this schedule alone
            due, slot = _next_checkin(s.enrollment, prefs, after=now)
            advanced[s.pk] = (due, slot, due is not None)
    return deliveries, advanced


def recorded() -> set:
    return set(Delivery.objects.values_list("schedule_id", "slot", "channel"))


@pytest.fixture
def queued(monkeypatch, django_capture_on_commit_callbacks):
    """The delivery ids each committed sweep batch queues (instead of Redis): the
    sweep's on_commit callbacks run as its batches commit (the test itself runs in
    a transaction that never does)."""
    batches: list[list[int]] = []
    monkeypatch.setattr(sweep_module, "queue_sends", lambda ids: batches.append(list(ids)))
    sweep = sweep_module.sweep_due_reminders

    def committing_sweep(*args, **kwargs) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return sweep(*args, **kwargs)

    monkeypatch.setattr(sweep_module, "sweep_due_reminders", committing_sweep)
    return batches


@pytest.fixture
def population(cast, program_version):
    """Ten patients in four zones, each with a practice and a check-in schedule, and the
    patients the sweep must pass over: paused, withdrawn, deleted, practice reminders
    off, every reminder paused, and one without preferences at all."""
    people = [
        enroll(
            cast,
            program_version,
            n,
            tz=ZONES[n % 4],
            at=wall(7 + n, 30 * (n % 2)),
            in_app=n % 3 != 0,
        )
        for n in range(10)
    ]
    for e in people:
        add_checkins(e, START - timedelta(days=6))
        schedules_sync(enrollment=e, now=START)
    program_services.enrollment_set_status(enrollment=people[1], status="withdrawn")
    people[2].patient.is_active = False
    people[2].patient.save()
    prefs = people[3].reminder_preferences
    prefs.practice_enabled = False
    prefs.save()
    prefs = people[4].reminder_preferences
    prefs.paused = True
    prefs.save()
    program_services.enrollment_pause(enrollment=people[5])
    people[6].reminder_preferences.delete()
    return people


def test_a_mixed_batch_records_exactly_what_one_at_a_time_would(population, queued):
    now = START + timedelta(days=1)
    make_due(now)
    # One schedule's slot is too old to send: it is dropped, and the schedule moves on.
    stale = ReminderSchedule.objects.get(enrollment=population[7], kind="practice")
    ReminderSchedule.objects.filter(pk=stale.pk).update(
        next_due_at=now - STALE_AFTER - timedelta(minutes=1)
    )
    deliveries, advanced = expected_after(now)
    assert len(advanced) == 20 and len(deliveries) > 10

    assert sweep_module.sweep_due_reminders(now, batch=3) == 20
    assert recorded() == deliveries
    assert not Delivery.objects.filter(schedule=stale).exists()
    ineligible = [population[n] for n in (1, 2, 4, 5, 6)]
    assert not Delivery.objects.filter(schedule__enrollment__in=ineligible).exists()
    assert not Delivery.objects.filter(
        schedule__enrollment=population[3], schedule__kind="practice"
    ).exists()
    for s in ReminderSchedule.objects.filter(pk__in=advanced):
        assert (s.next_due_at, s.next_slot, s.active) == advanced[s.pk], s.pk
    # The check-in reminders are for the first pending check-in, not the completed one.
    assert {slot.split(":")[2] for _, slot, _ in deliveries if slot.startswith("checkin:")} <= {
        "open",
        "followup",
    }
    # Each batch queued exactly the deliveries it created.
    assert sorted(pk for batch in queued for pk in batch) == sorted(
        Delivery.objects.values_list("pk", flat=True)
    )

    # Run again at the same moment: nothing is due, nothing is recorded or queued.
    queued.clear()
    assert sweep_module.sweep_due_reminders(now, batch=3) == 0
    assert recorded() == deliveries and queued == []


def test_a_slot_already_recorded_is_claimed_again_but_inserts_and_queues_nothing(
    population, queued
):
    now = START + timedelta(days=1)
    make_due(now)
    sweep_module.sweep_due_reminders(now)
    before = recorded()
    # A resync lands the schedules back on the slots they just fired (as when a
    # patient moves the time later the same day).
    for d in Delivery.objects.select_related("schedule"):
        ReminderSchedule.objects.filter(pk=d.schedule_id).update(
            next_slot=d.slot, next_due_at=now, active=True
        )
    queued.clear()
    assert sweep_module.sweep_due_reminders(now + timedelta(minutes=5)) > 0
    assert recorded() == before
    assert queued == [[]]


def test_check_in_schedules_in_a_batch_read_their_check_ins_in_one_query(population):
    now = START + timedelta(days=1)
    make_due(now)
    with CaptureQueriesContext(connection) as queries:
        sweep_module.sweep_due_reminders(now)
    checkin_reads = [q["sql"] for q in queries if '"tracking_checkin"' in q["sql"]]
    assert len(checkin_reads) == 1


def test_one_sweep_batch_costs_the_same_queries_however_many_schedules(
    cast, program_version, queued
):
    def sweep_all(now: datetime) -> int:
        make_due(now)
        with CaptureQueriesContext(connection) as queries:
            claimed = sweep_module.sweep_due_reminders(now)
        assert claimed == ReminderSchedule.objects.filter(next_due_at__isnull=False).count()
        return len(queries)

    people = []
    counts = []
    for size in (2, 12):
        while len(people) < size:
            e = enroll(cast, program_version, len(people), tz=ZONES[len(people) % 4])
            add_checkins(e, START - timedelta(days=6))
            schedules_sync(enrollment=e, now=START)
            people.append(e)
        counts.append(sweep_all(START + timedelta(days=len(counts) + 1)))
    # 7: six for the batch, and one upsert of the sweep's heartbeat (painapp.health)
    # once per sweep, however many batches.
    assert counts[0] == counts[1] <= 7, counts


def test_the_sweep_keeps_one_reminder_per_local_day_over_a_dst_week(population, queued):
    """The batch path through a week with a DST change: one practice reminder per
    local day for every eligible patient, at their wall-clock time."""
    now, end = START, START + timedelta(days=7)
    while now <= end:
        sweep_module.sweep_due_reminders(now, batch=4)
        upcoming = ReminderSchedule.objects.filter(active=True).aggregate(at=Min("next_due_at"))[
            "at"
        ]
        now = max(now + timedelta(minutes=30), upcoming or end + timedelta(minutes=1))
    for e in (population[n] for n in (0, 7, 8, 9)):
        tz = e.patient.tzinfo
        days = [
            slot.split(":")[1]
            for slot in Delivery.objects.filter(
                schedule__enrollment=e, channel="email", schedule__kind="practice"
            )
            .order_by("due_at")
            .values_list("slot", flat=True)
        ]
        assert len(days) == len(set(days)) >= 6
        for d in Delivery.objects.filter(schedule__enrollment=e, schedule__kind="practice"):
            local = d.due_at.astimezone(tz)
            assert local.date().isoformat() == d.slot.split(":")[1]
            practice_time = e.reminder_preferences.practice_time
            drift = local.replace(tzinfo=None) - datetime.combine(local.date(), practice_time)
            assert timedelta(0) <= drift <= timedelta(hours=1)


# ---------------------------------------------------------------- the send path
class Smtp:
    """Stands in for an SMTP server (the outside world): counts the connections opened
    and can drop the connection on one recipient's message."""

    def __init__(self, drop_for: str = ""):
        self.opened = self.closed = 0
        self.drop_for, self.sent = drop_for, []

    def __call__(self, *args, **kwargs):
        return self

    def open(self):
        self.opened += 1
        return True

    def close(self):
        self.closed += 1

    def send_messages(self, messages):
        for m in messages:
            if self.drop_for and self.drop_for in m.to:
                self.drop_for = ""
                raise smtplib.SMTPServerDisconnected("gone")
            self.sent.append(m)
        return len(messages)


def due_deliveries(population, queued) -> list[int]:
    now = START + timedelta(days=1)
    make_due(now)
    sweep_module.sweep_due_reminders(now)
    return sorted(Delivery.objects.values_list("pk", flat=True))


def test_a_chunk_is_sent_on_one_connection_each_delivery_once(population, queued, monkeypatch):
    smtp = Smtp()
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    ids = due_deliveries(population, queued)
    emails = Delivery.objects.filter(channel="email").count()
    # Since the sweep, one patient paused everything and one check-in was completed.
    prefs = population[8].reminder_preferences
    prefs.paused = True
    prefs.save()
    done = (
        Delivery.objects.filter(slot__startswith="checkin:")
        .exclude(schedule__enrollment=population[8])
        .first()
    )
    CheckIn.objects.filter(pk=int(done.slot.split(":")[1])).update(status="completed")
    # Every reminder of that check-in is skipped: its email and, if on, its in-app one.
    same_checkin = Delivery.objects.filter(
        slot=done.slot, schedule__enrollment=done.schedule.enrollment
    )
    skipped = set(
        Delivery.objects.filter(schedule__enrollment=population[8]).values_list("pk", flat=True)
    ) | set(same_checkin.values_list("pk", flat=True))

    statuses = _send([*ids, 999_999])
    assert statuses[-1] == "missing"
    assert dict(zip(ids, statuses, strict=False)) == {
        pk: "skipped" if pk in skipped else "sent" for pk in ids
    }
    assert smtp.opened == 1 and smtp.closed == 1
    sent_emails = Delivery.objects.filter(channel="email", status="sent")
    assert (
        len(smtp.sent)
        == sent_emails.count()
        == emails - len({pk for pk in skipped if Delivery.objects.get(pk=pk).channel == "email"})
    )
    assert (
        Notification.objects.count()
        == Delivery.objects.filter(channel="in_app", status="sent").count()
    )
    assert set(Notification.objects.values_list("delivery_id", flat=True)) == set(
        Delivery.objects.filter(channel="in_app", status="sent").values_list("pk", flat=True)
    )
    # A second run (a redelivered task message) sends nothing more.
    assert _send(ids) == [Delivery.objects.get(pk=pk).status for pk in ids]
    assert _send([*ids, *ids]) == [Delivery.objects.get(pk=pk).status for pk in ids] * 2
    assert len(smtp.sent) == sent_emails.count()
    assert Delivery.objects.filter(attempts=1).count() == len(ids)


def test_a_delivery_named_twice_in_a_chunk_is_sent_once(population, queued, monkeypatch):
    smtp = Smtp()
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    due_deliveries(population, queued)
    email, in_app = (Delivery.objects.filter(channel=c).first() for c in ("email", "in_app"))
    statuses = _send([email.pk, in_app.pk, email.pk, in_app.pk])
    assert statuses == ["sent", "sent", "sent", "sent"]
    assert len(smtp.sent) == 1 and Notification.objects.count() == 1
    assert Delivery.objects.get(pk=email.pk).attempts == 1


def test_a_dropped_connection_retries_that_delivery_and_reconnects(population, queued, monkeypatch):
    ids = due_deliveries(population, queued)
    first_email = (
        Delivery.objects.filter(channel="email")
        .select_related("schedule__enrollment__patient")
        .order_by("pk")
        .first()
    )
    smtp = Smtp(drop_for=first_email.schedule.enrollment.patient.email)
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    retries = []
    monkeypatch.setattr(
        "tracking.tasks.send_delivery.apply_async",
        lambda args, countdown: retries.append((args, countdown)),
    )
    statuses = _send(ids)
    assert retries == [((first_email.pk,), 30)]
    assert statuses[ids.index(first_email.pk)] == "retrying"
    assert statuses.count("sent") == len(ids) - 1
    assert smtp.opened == 2  # a fresh connection after the broken one
    first_email.refresh_from_db()
    assert first_email.status == "pending" and first_email.error == "SMTPServerDisconnected"


def test_a_send_path_group_costs_a_query_per_email_and_no_more(
    cast, program_version, queued, monkeypatch
):
    monkeypatch.setattr("django.core.mail.get_connection", Smtp())
    for n in range(4):
        schedules_sync(enrollment=enroll(cast, program_version, n), now=START)
    sweep_module.sweep_due_reminders(START + timedelta(days=1))

    def cost(ids: list[int]) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert set(deliver_many(ids)) == {Outcome("sent", 1)}
        return len(queries)

    def ids(channel: str) -> list[int]:
        return list(
            Delivery.objects.filter(channel=channel, slot__startswith="practice:")
            .order_by("pk")
            .values_list("pk", flat=True)
        )

    emails, in_app = ids("email"), ids("in_app")
    assert len(emails) == len(in_app) == 4
    small = cost(emails[:1] + in_app[:1])
    large = cost(emails[1:] + in_app[1:])
    assert large - small == 2  # the two more emails' "sent"; in-app rows go together


class JumpingClock:
    """time.monotonic for `deliver_many`, jumping past the time a claim counts as fresh
    after the claim (as if the heartbeat had not renewed it); `meanwhile` runs at the
    jump (what another worker does in that time)."""

    def __init__(self, meanwhile=None):
        self.calls, self.meanwhile = 0, meanwhile

    def __call__(self) -> float:
        self.calls += 1
        if self.calls == 2 and self.meanwhile:
            self.meanwhile()
        return 0.0 if self.calls == 1 else CLAIM_TIMEOUT.total_seconds()


def test_a_claim_the_heartbeat_has_not_renewed_is_renewed_before_sending(
    population, queued, monkeypatch
):
    smtp = Smtp()
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    due_deliveries(population, queued)
    email = Delivery.objects.filter(channel="email").first()
    monkeypatch.setattr(delivery_module, "_clock", JumpingClock())
    now = START + timedelta(days=1)
    assert deliver(email.pk, now=now) == "sent"
    email.refresh_from_db()
    assert email.claimed_at > now and len(smtp.sent) == 1


def test_a_claim_taken_over_meanwhile_is_not_sent(population, queued, monkeypatch):
    smtp = Smtp()
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    due_deliveries(population, queued)
    email = Delivery.objects.filter(channel="email").first()
    later = START + timedelta(days=2)

    def rescue():  # requeue_stale_deliveries handed it to another worker, who claimed it
        Delivery.objects.filter(pk=email.pk).update(claimed_at=later, attempts=2)

    monkeypatch.setattr(delivery_module, "_clock", JumpingClock(rescue))
    assert deliver(email.pk, now=START + timedelta(days=1)) == "sending"
    assert smtp.sent == []
    email.refresh_from_db()
    assert email.status == "sending" and email.claimed_at == later


@pytest.mark.django_db(transaction=True)
def test_a_claim_waits_for_a_concurrent_one_and_leaves_it_that_row(population, queued):
    """Two workers claiming overlapping deliveries: the second waits for the row the
    first holds, re-checks it once the first commits, and takes only the others."""
    ids = due_deliveries(population, queued)[:3]
    held, release, result = threading.Event(), threading.Event(), {}

    def first_worker():
        from django.db import transaction

        try:
            with transaction.atomic():
                list(Delivery.objects.select_for_update().filter(pk=ids[1]))
                held.set()
                release.wait(10)
                Delivery.objects.filter(pk=ids[1]).update(status="sent", attempts=1)
        finally:
            connection.close()

    def second_worker():
        try:
            result.update(_claim(ids, START + timedelta(days=1)))
        finally:
            connection.close()

    first = threading.Thread(target=first_worker)
    first.start()
    assert held.wait(10)
    second = threading.Thread(target=second_worker)
    second.start()
    time.sleep(0.5)
    assert second.is_alive() and not result  # waiting on the row the first one holds
    release.set()
    first.join(10)
    second.join(10)
    assert result == {ids[0]: 1, ids[2]: 1}
    assert dict(Delivery.objects.filter(pk__in=ids).values_list("pk", "status")) == {
        ids[0]: "sending",
        ids[1]: "sent",
        ids[2]: "sending",
    }
