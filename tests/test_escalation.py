"""The escalation chain with a clock (issue 15): every open alert has a due time in the
practice's working time; unacknowledged by then, the minute sweep moves it one step up
the practice's chain (in-app and email, no health data), exactly once per step; with
nobody left, the safety contact is told and every member of staff sees a banner until
someone acknowledges. Time moves with time-machine."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse

from painapp.accounts.models import AuditEvent, User
from tests.factories import Role, make_member
from tests.test_alerts_factories import run_outbox
from tracking.alerts.escalation import escalate_unacknowledged_alerts
from tracking.alerts.services import alert_acknowledge, alert_raise
from tracking.models import Alert, EscalationStep, OutboxTask, PracticeSettings
from tracking.tasks import escalate_alerts

# Tuesday 8 December 2026, 10:00 UTC (the cast's practice works in UTC, 09:00–17:00,
# Monday to Friday, by default).
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
NEEDS_ATTENTION = "An alert needs attention"


@pytest.fixture
def chain(cast):
    return make_chain(cast)


def make_chain(cast) -> dict:
    """clinician → a named on-call clinician → every admin; a separate safety contact."""
    on_call = make_member(cast.practice, Role.CLINICIAN, "oncall@riverside.test", name="On Call")
    safety = make_member(cast.practice, Role.ADMIN, "safety@riverside.test", name="Safe Ty")
    # This test's own chain, in place of the one every test practice starts with.
    EscalationStep.objects.filter(practice=cast.practice).delete()
    EscalationStep.objects.create(practice=cast.practice, position=1, target="clinician")
    EscalationStep.objects.create(practice=cast.practice, position=2, target="staff", user=on_call)
    EscalationStep.objects.create(practice=cast.practice, position=3, target="admins")
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=safety)
    return {"on_call": on_call, "safety": safety}


def raise_urgent(enrollment, source="checkin:1") -> Alert:
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source=source,
    )
    assert alert is not None
    return alert


def told(alert: Alert) -> list[str]:
    """Who escalation emailed about `alert` (the outbox, whether sent yet or not), in
    order."""
    rows = OutboxTask.objects.filter(
        task="tracking.tasks_alerts.send_escalation_email", kwargs__alert_id=alert.pk
    ).order_by("pk")
    ids = [row.kwargs["user_id"] for row in rows]
    emails = dict(User.objects.filter(pk__in=ids).values_list("pk", "email"))
    return [emails[pk] for pk in ids]


def test_it_climbs_the_chain_one_step_per_due_time(cast, enrollment, chain, client, mailoutbox):
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
        run_outbox()
    assert alert.due_at == T0 + timedelta(hours=1)
    mailoutbox.clear()

    # Not yet due.
    with time_machine.travel(T0 + timedelta(minutes=59), tick=False):
        assert escalate_alerts() == 0
    # Due: the clinician step is passed over (told at once when it was raised), so the
    # named on-call clinician is next, with a fresh hour.
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0  # a second sweep moves nothing
        run_outbox()
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (1, 2)
    assert alert.due_at == T0 + timedelta(hours=2)
    assert told(alert) == ["oncall@riverside.test"]
    assert [(m.to, m.subject) for m in mailoutbox] == [(["oncall@riverside.test"], NEEDS_ATTENTION)]
    body = mailoutbox[0].body
    assert f"/alerts/{alert.pk}/" in body
    for secret in (cast.patient.full_name, cast.patient.email, "harm", "PHQ", "self"):
        assert secret.lower() not in body.lower(), secret

    # The on-call clinician may now open it; a clinician not on the chain still may not.
    client.force_login(chain["on_call"])
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 200
    client.force_login(cast.other_clinician)
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 404

    # Then every admin (the safety contact is an admin too).
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert escalate_alerts() == 1
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (2, 3)
    assert sorted(told(alert)[1:]) == ["admin@riverside.test", "safety@riverside.test"]

    # Nobody left: the safety contact, and a banner for every member of staff.
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0
        run_outbox()
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert escalate_alerts() == 0  # the end of the chain: told once
    alert.refresh_from_db()
    assert alert.chain_exhausted_at == T0 + timedelta(hours=3)
    assert told(alert)[-1] == "safety@riverside.test" and len(told(alert)) == 4
    assert (mailoutbox[-1].to, mailoutbox[-1].subject) == (
        ["safety@riverside.test"],
        NEEDS_ATTENTION,
    )
    for person in (cast.other_clinician, cast.clinician, cast.admin):
        client.force_login(person)
        page = client.get(reverse("caseload" if person != cast.admin else "alert_inbox"))
        assert "went through the whole escalation chain" in page.content.decode(), person
    # … and any of them may open it and act.
    client.force_login(cast.other_clinician)
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 200
    assert client.post(reverse("alert_acknowledge", args=[alert.pk])).status_code == 302
    page = client.get(reverse("caseload")).content.decode()
    assert "went through the whole escalation chain" not in page
    # Outsiders never see it.
    client.force_login(cast.outsider_clinician)
    assert "whole escalation chain" not in client.get(reverse("home"), follow=True).content.decode()

    assert list(
        AuditEvent.objects.filter(object_type="tracking.alert", object_id=str(alert.pk))
        .filter(action__startswith="alert.")
        .exclude(action__in=["alert.viewed", "alert.contact_details_viewed", "alert.inbox_viewed"])
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "alert.raised",
        "alert.escalated",
        "alert.escalated",
        "alert.escalated_to_safety_contact",
        "alert.acknowledged",
    ]


def test_it_counts_working_hours_over_a_weekend_and_a_dst_change(cast, enrollment, chain):
    cast.practice.timezone = "America/New_York"
    cast.practice.save()
    # Friday 6 March 2026, 16:30 EST: 30 working minutes left on Friday; the clocks go
    # forward on Sunday 8 March; the other 30 run from 09:00 EDT on Monday (13:00 UTC).
    friday = datetime(2026, 3, 6, 21, 30, tzinfo=UTC)
    with time_machine.travel(friday, tick=False):
        alert = raise_urgent(enrollment)
    assert alert.due_at == datetime(2026, 3, 9, 13, 30, tzinfo=UTC)
    for moment in (
        datetime(2026, 3, 6, 22, 45, tzinfo=UTC),  # Friday evening, an hour and a quarter on
        datetime(2026, 3, 7, 15, 0, tzinfo=UTC),  # Saturday
        datetime(2026, 3, 8, 15, 0, tzinfo=UTC),  # Sunday, after the change
        datetime(2026, 3, 9, 13, 29, tzinfo=UTC),  # Monday 09:29 EDT
    ):
        with time_machine.travel(moment, tick=False):
            assert escalate_alerts() == 0, moment
    with time_machine.travel(datetime(2026, 3, 9, 13, 30, tzinfo=UTC), tick=False):
        assert escalate_alerts() == 1
    alert.refresh_from_db()
    # The next step gets the same working hour, from now.
    assert alert.due_at == datetime(2026, 3, 9, 14, 30, tzinfo=UTC)


def test_it_escalates_high_and_routine_alerts_too(cast, enrollment, chain):
    with time_machine.travel(T0, tick=False):
        flag = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.RED_FLAG,
            severity=Alert.Severity.HIGH,
            source="screening",
            details={"red_flags": ["fever"]},
        )
        fear = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.FEAR_HIGH,
            severity=Alert.Severity.ROUTINE,
            source="checkin:9",
        )
    # HIGH: one working day; ROUTINE: three.
    assert flag.due_at == T0 + timedelta(days=1)
    assert fear.due_at == T0 + timedelta(days=3)
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert escalate_alerts() == 1
    flag.refresh_from_db()
    assert flag.escalation_position == 2  # the clinician was told of red flags at once
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        assert escalate_alerts() >= 1
    fear.refresh_from_db()
    # A routine alert waits for the digest, so the chain's clinician step tells them now.
    assert fear.escalation_position == 1
    assert told(fear) == [cast.clinician.email]


def test_a_step_that_tells_nobody_new_is_passed_over_and_the_pages_say_who_was_told(
    cast, enrollment, chain, client
):
    """Walk-through: a chain starting with "the patient's clinician" showed "escalated 1
    step" for an alert the clinician was emailed about when it was raised, with nobody
    new told, and spent a whole step's time on it before anyone else heard. Now the
    first due time takes it straight to the on-call clinician, and the pages name who
    was told."""
    with time_machine.travel(T0, tick=False):
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.PAIN_UP,
            severity=Alert.Severity.URGENT,
            source="checkin:5",
        )
    assert alert is not None
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert escalate_alerts() == 1
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (1, 2)
    assert alert.escalated_to == [chain["on_call"].pk]
    assert told(alert) == ["oncall@riverside.test"]  # the clinician is not emailed again
    with time_machine.travel(T0 + timedelta(days=1, minutes=5), tick=False):
        for person in (cast.clinician, chain["on_call"]):
            client.force_login(person)
            inbox = client.get(reverse("alert_inbox")).content.decode()
            assert "escalated to On Call" in inbox, person
            assert "step up the chain" not in inbox
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Escalated to On Call, first escalated Wed 9 Dec 2026, 10:00." in page
        chain["on_call"].language = "es"
        chain["on_call"].save(update_fields=["language"])
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Escalada a On Call, escalada por primera vez el mié 9 dic 2026, 10:00." in page
    # Next, the admins: the names of everyone told, in the order they were told.
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        assert escalate_alerts() == 1
        client.force_login(cast.admin)
        inbox = client.get(reverse("alert_inbox")).content.decode()
    assert "escalated to On Call, Admin, Safe Ty" in inbox


def test_it_stops_when_someone_acknowledges(cast, enrollment, chain):
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        assert alert_acknowledge(alert=alert, by=cast.clinician)
    # Its due time passes with nothing sent: only its resolve time (an hour from the
    # acknowledgement) would tell the chain (tests/test_alert_resolve_clock.py).
    with time_machine.travel(T0 + timedelta(minutes=89), tick=False):
        assert escalate_alerts() == 0
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalated_at) == (0, None)
    assert alert.resolve_by == T0 + timedelta(minutes=90)


def test_it_tells_the_admins_when_there_is_no_chain_and_no_safety_contact(
    cast, enrollment, mailoutbox
):
    # (Enrolled first: a practice with no chain could not have enrolled anyone.)
    EscalationStep.objects.filter(practice=cast.practice).delete()
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=None)
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 1
        run_outbox()
    alert.refresh_from_db()
    assert alert.chain_exhausted_at is not None
    assert told(alert) == [cast.admin.email]


# ---------------------------------------------------------------- someone switched off
def switch_off(cast, person) -> None:
    """The practice admin switches a clinician off on their screen (no caseload)."""
    admin = Client()
    admin.force_login(cast.admin)
    membership = person.memberships.get(practice=cast.practice)
    response = admin.post(reverse("admin_clinician_deactivate", args=[membership.pk]))
    assert response.status_code == 302


def test_a_switched_off_step_is_passed_over_and_an_active_person_is_told(
    cast, enrollment, chain, mailoutbox
):
    """The on-call clinician of step 2 is switched off, and the safety contact's
    account too: a risk alert still reaches active people on the clock, at step 3 and
    then at the end of the chain, and never them."""
    switch_off(cast, chain["on_call"])
    chain["safety"].is_active = False
    chain["safety"].save(update_fields=["is_active"])
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 1
        run_outbox()
    alert.refresh_from_db()
    # Straight to every (active) admin, step 3, on a fresh hour.
    assert (alert.escalation_tier, alert.escalation_position) == (1, 3)
    assert alert.due_at == T0 + timedelta(hours=2)
    assert told(alert) == [cast.admin.email]
    assert [m.to for m in mailoutbox if m.subject == NEEDS_ATTENTION] == [[cast.admin.email]]
    # The end of the chain: the contact is switched off, so every active admin.
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        assert escalate_alerts() == 1
    alert.refresh_from_db()
    assert alert.chain_exhausted_at == T0 + timedelta(hours=2)
    assert told(alert) == [cast.admin.email, cast.admin.email]
    assert not {chain["on_call"].email, chain["safety"].email} & set(told(alert))


def test_an_alert_held_by_someone_switched_off_moves_on_without_waiting(
    cast, enrollment, chain, mailoutbox
):
    """The alert reached the on-call clinician, who is then switched off before anyone
    acknowledged it: its clock would run for nobody, so the next sweep moves it on."""
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 1
    assert told(alert) == ["oncall@riverside.test"]
    with time_machine.travel(T0 + timedelta(minutes=70), tick=False):
        assert escalate_alerts() == 0  # still held by someone active: it waits
        switch_off(cast, chain["on_call"])
    with time_machine.travel(T0 + timedelta(minutes=71), tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0  # once
        run_outbox()
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (2, 3)
    assert alert.due_at == T0 + timedelta(minutes=131)
    assert sorted(told(alert)[1:]) == [cast.admin.email, "safety@riverside.test"]
    assert sorted(m.to[0] for m in mailoutbox if m.subject == NEEDS_ATTENTION) == [
        cast.admin.email,
        "safety@riverside.test",
    ]


def test_an_alert_whose_clinician_is_switched_off_goes_up_the_chain_at_once(
    cast, enrollment, chain
):
    """The patient's clinician's account is switched off (Django's admin: their patients
    were not moved): a risk alert for their patient waits for nobody's hour."""
    cast.clinician.is_active = False
    cast.clinician.save(update_fields=["is_active"])
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert escalate_alerts() == 1
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (1, 2)
    assert told(alert) == ["oncall@riverside.test"]


def test_a_clinician_switched_off_here_but_active_elsewhere_is_not_told_of_an_alert(
    cast, enrollment, chain, mailoutbox
):
    """The clinician's membership of this practice is switched off, their account (used
    at another practice) is not: a new risk alert for a patient here tells them nothing
    (their notice names the patient) and goes up the chain at once."""
    cast.clinician.memberships.filter(practice=cast.practice).update(is_active=False)
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
        run_outbox()
    assert cast.clinician.email not in [m.to[0] for m in mailoutbox]
    with time_machine.travel(T0 + timedelta(minutes=1), tick=False):
        assert escalate_alerts() == 1
    assert told(alert) == ["oncall@riverside.test"]


def test_the_sweep_makes_the_same_queries_to_find_and_plan_for_few_or_many_alerts(
    cast, enrollment, chain, django_assert_num_queries
):
    """Alerts already up the chain are looked at on every sweep (their holder may have
    been switched off): finding and planning them stays a constant number of queries."""
    with time_machine.travel(T0, tick=False):
        for n in range(6):
            raise_urgent(enrollment, source=f"checkin:{n}")
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        assert escalate_alerts() == 6
    # Nothing due, six escalated alerts held by someone active: the open alerts, then
    # the chains, the staff, the settings and the zones; nothing moves.
    with (
        time_machine.travel(T0 + timedelta(minutes=90), tick=False),
        django_assert_num_queries(5),
    ):
        assert escalate_unacknowledged_alerts() == 0


@pytest.mark.django_db(transaction=True)
def test_two_workers_move_an_alert_once_per_step(cast, enrollment, chain):
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    now = T0 + timedelta(hours=1)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def sweep() -> None:
        try:
            barrier.wait()
            results.append(escalate_unacknowledged_alerts(now))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1]
    alert.refresh_from_db()
    assert alert.escalation_tier == 1
    assert told(alert) == ["oncall@riverside.test"]
    assert AuditEvent.objects.filter(action="alert.escalated", object_id=str(alert.pk)).count() == 1


@pytest.mark.celery_worker
def test_a_real_worker_runs_the_sweep(cast, enrollment, chain, celery_worker_process):
    alert = raise_urgent(enrollment)
    # Due a minute ago, in real time (the worker's clock is not travelled).
    from django.utils import timezone

    Alert.objects.filter(pk=alert.pk).update(due_at=timezone.now() - timedelta(minutes=1))
    assert escalate_alerts.delay().get(timeout=30) == 1
    alert.refresh_from_db()
    assert alert.escalation_tier == 1
    assert told(alert) == ["oncall@riverside.test"]


def test_the_migration_gives_open_alerts_their_due_time(cast, enrollment):
    import importlib

    from django.apps import apps

    migration = importlib.import_module(
        "tracking.migrations.0016_escalate_due_times_chain_and_resolutions"
    )
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
        done = raise_urgent(enrollment, source="checkin:2")
    Alert.objects.filter(pk__in=[alert.pk, done.pk]).update(due_at=None)
    Alert.objects.filter(pk=done.pk).update(status=Alert.Status.RESOLVED)
    migration.backfill_due_times(apps, None)
    alert.refresh_from_db()
    done.refresh_from_db()
    assert alert.due_at == T0 + timedelta(hours=1)
    assert done.due_at is None  # resolved: nothing to be due


def test_an_escalated_alert_stays_overdue_since_its_first_due_time(cast, enrollment, chain, client):
    """Each step gives the next people a fresh due time, but that is only when it moves
    on: an alert raised weeks ago is shown weeks overdue, with the step's time as "next
    escalation" (an urgent alert raised a minute ago still comes before it)."""
    with time_machine.travel(T0, tick=False):
        flag = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.RED_FLAG,
            severity=Alert.Severity.HIGH,
            source="screening",
            details={"red_flags": ["fever"]},
        )
    first_due = T0 + timedelta(days=1)  # one working day: Wednesday 9 December, 10:00
    assert flag.first_due_at == flag.due_at == first_due
    later = T0 + timedelta(weeks=3)  # nobody looked for three weeks (a Tuesday, 10:00)
    with time_machine.travel(later, tick=False):
        assert escalate_alerts() == 1
        fresh = raise_urgent(enrollment)  # due in an hour: not overdue yet
        flag.refresh_from_db()
        assert flag.first_due_at == first_due  # moving up the chain never moves it
        assert flag.due_at == later + timedelta(days=1)  # the on-call clinician's time
        client.force_login(cast.clinician)
        page = client.get(reverse("alert_inbox")).content.decode()
        detail = client.get(reverse("alert_detail", args=[flag.pk])).content.decode()
        cast.clinician.language = "es"
        cast.clinician.save(update_fields=["language"])
        spanish = client.get(reverse("alert_inbox")).content.decode()
    card = page[page.index("Red flags at screening") :]
    late = "Now — overdue since Wed 9 Dec 2026, 10:00</strong> (2\xa0weeks, 6\xa0days late)"
    assert late in card
    assert "next escalation in 1\xa0day" in card
    assert "Due by Wed 30 Dec 2026" not in page  # the step's time is not its deadline
    # Urgent first, however overdue a high one is: the self-harm alert raised a minute
    # ago before the three-week-old red flags.
    assert page.index("Thoughts of self-harm reported") < page.index("Red flags at screening")
    assert "Due today by 11:00" in page  # the fresh one
    assert reverse("alert_detail", args=[fresh.pk]) in page
    assert late in detail
    assert "Next escalation" in detail and "Wed 30 Dec 2026, 10:00" in detail
    assert "Ahora: está atrasada desde el mié 9 dic 2026, 10:00" in spanish
    assert "próximo escalamiento en 1\xa0día" in spanish


def test_the_migration_gives_alerts_their_first_due_time(cast, enrollment, chain):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("tracking.migrations.0029_alert_first_due_at")
    with time_machine.travel(T0, tick=False):
        waiting = raise_urgent(enrollment)
        climbed = raise_urgent(enrollment, source="checkin:2")
        done = raise_urgent(enrollment, source="checkin:3")
    with time_machine.travel(T0 + timedelta(days=2), tick=False):
        Alert.objects.filter(pk=done.pk).update(status=Alert.Status.RESOLVED)
        Alert.objects.filter(pk=waiting.pk).update(due_at=T0 + timedelta(days=9))
        assert escalate_alerts() >= 1  # `climbed` moves up, its due time with it
    Alert.objects.update(first_due_at=None)  # as before the migration
    migration.backfill_first_due(apps, None)
    waiting.refresh_from_db()
    climbed.refresh_from_db()
    done.refresh_from_db()
    assert waiting.first_due_at == T0 + timedelta(days=9)  # never escalated: its due time
    assert climbed.due_at != T0 + timedelta(hours=1)
    assert climbed.first_due_at == T0 + timedelta(hours=1)  # worked out again
    assert done.first_due_at is None  # resolved: nothing to be late for


def test_the_urgent_escalation_setting_moves_an_alert_up_at_that_time(
    cast, enrollment, chain, client
):
    """The safety screen's "move an urgent alert up the chain after" (PracticeSettings.
    escalation_minutes) decides when an unacknowledged urgent alert escalates, when it is
    sooner than the urgent response time; changed, the new value applies."""
    from tests.test_safety_settings import settings_post

    def set_minutes(minutes: int) -> None:
        client.force_login(cast.admin)
        data = settings_post(
            cast, escalation_minutes=minutes, safety_contact=chain["safety"].pk, timezone="UTC"
        )
        assert client.post(reverse("admin_safety_settings"), data).status_code == 302
        assert PracticeSettings.for_practice(cast.practice.pk).escalation_minutes == minutes

    def tier(alert: Alert) -> int:
        alert.refresh_from_db()
        return alert.escalation_tier

    set_minutes(5)
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    assert alert.due_at == alert.first_due_at == T0 + timedelta(minutes=5)
    with time_machine.travel(T0 + timedelta(minutes=4), tick=False):
        escalate_alerts()
    assert tier(alert) == 0 and told(alert) == []
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0
    assert tier(alert) == 1 and alert.escalation_position == 2
    assert told(alert) == ["oncall@riverside.test"]  # exactly once
    assert AuditEvent.objects.filter(action="alert.escalated", object_id=str(alert.pk)).count() == 1
    # The next step gets the same 5 minutes.
    assert alert.due_at == T0 + timedelta(minutes=10)

    set_minutes(15)
    start = T0 + timedelta(hours=1)
    with time_machine.travel(start, tick=False):
        later = raise_urgent(enrollment, source="checkin:2")
    assert later.due_at == start + timedelta(minutes=15)
    with time_machine.travel(start + timedelta(minutes=14), tick=False):
        escalate_alerts()
    assert tier(later) == 0
    with time_machine.travel(start + timedelta(minutes=15), tick=False):
        escalate_alerts()
    assert tier(later) == 1 and told(later) == ["oncall@riverside.test"]
