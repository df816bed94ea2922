"""An acknowledged alert has a resolve time (review finding: "acknowledging an alert
stops its clock for good"): its severity's response time again, in working time from
the acknowledgement (tracking.rules.resolve_deadline). Not resolved by then, the
escalation chain is told exactly once, through the real minute task, by email with no
health data; the inbox and the alert page show the deadline."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import Role, make_member
from tests.test_alerts_factories import CONTACTED, run_outbox
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.models import Alert, EscalationStep, Notification, OutboxTask, PracticeSettings
from tracking.tasks import escalate_alerts

UTC_ZONE = ZoneInfo("UTC")
WEEKDAYS = [0, 1, 2, 3, 4]
# Friday 11 December 2026 (the cast's practice: UTC, 09:00–17:00, Monday to Friday).
FRIDAY_4PM = datetime(2026, 12, 11, 16, 0, tzinfo=UTC)


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("acknowledged_at", "minutes", "zone", "days", "expected"),
    [
        # Urgent (60 working minutes) acknowledged on a Tuesday morning: an hour later.
        (
            datetime(2026, 12, 8, 10, 0, tzinfo=UTC),
            60,
            "UTC",
            WEEKDAYS,
            datetime(2026, 12, 8, 11, 0, tzinfo=UTC),
        ),
        # Friday 16:10: 50 minutes that day, 10 on Monday.
        (
            datetime(2026, 12, 11, 16, 10, tzinfo=UTC),
            60,
            "UTC",
            WEEKDAYS,
            datetime(2026, 12, 14, 9, 10, tzinfo=UTC),
        ),
        # Acknowledged on a Saturday night: the clock starts on Monday's opening.
        (
            datetime(2026, 12, 12, 22, 0, tzinfo=UTC),
            60,
            "UTC",
            WEEKDAYS,
            datetime(2026, 12, 14, 10, 0, tzinfo=UTC),
        ),
        # High (8 working hours = one working day) acknowledged Tuesday 13:00.
        (
            datetime(2026, 12, 8, 13, 0, tzinfo=UTC),
            8 * 60,
            "UTC",
            WEEKDAYS,
            datetime(2026, 12, 9, 13, 0, tzinfo=UTC),
        ),
        # Routine (3 working days) acknowledged Thursday 09:00: Tuesday 09:00... of
        # working time, so the next Monday 17:00.
        (
            datetime(2026, 12, 10, 9, 0, tzinfo=UTC),
            3 * 8 * 60,
            "UTC",
            WEEKDAYS,
            datetime(2026, 12, 14, 17, 0, tzinfo=UTC),
        ),
        # In the practice's own zone (New York, 09:00–17:00 there = 14:00–22:00 UTC).
        (
            datetime(2026, 12, 8, 21, 30, tzinfo=UTC),
            60,
            "America/New_York",
            WEEKDAYS,
            datetime(2026, 12, 9, 14, 30, tzinfo=UTC),
        ),
        # A practice with no working days: the wall clock.
        (
            datetime(2026, 12, 12, 22, 0, tzinfo=UTC),
            60,
            "UTC",
            [],
            datetime(2026, 12, 12, 23, 0, tzinfo=UTC),
        ),
    ],
)
def test_the_resolve_deadline(acknowledged_at, minutes, zone, days, expected):
    assert (
        rules.resolve_deadline(
            acknowledged_at,
            minutes,
            tz=ZoneInfo(zone),
            day_start=time(9),
            day_end=time(17),
            working_days=days,
        )
        == expected
    )


@pytest.mark.parametrize(
    ("severity", "expected"),
    [
        ("urgent", datetime(2026, 12, 8, 10, 30, tzinfo=UTC)),
        ("high", datetime(2026, 12, 8, 12, 0, tzinfo=UTC)),
        ("routine", datetime(2026, 12, 9, 10, 0, tzinfo=UTC)),
    ],
)
def test_acknowledging_sets_the_practices_own_resolve_time_by_severity(
    cast, enrollment, severity, expected
):
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(
        response_minutes_urgent=30, response_minutes_high=120, response_minutes_routine=8 * 60
    )
    with time_machine.travel(datetime(2026, 12, 8, 10, 0, tzinfo=UTC), tick=False):
        alert = alert_raise(
            enrollment=enrollment, kind=Alert.Kind.PAIN_UP, severity=severity, source="x:1"
        )
        alert_acknowledge(alert=alert, by=cast.clinician)
    alert.refresh_from_db()
    assert alert.resolve_by == expected


# ------------------------------------------------------------------ end to end
@pytest.fixture
def on_call(cast):
    """clinician → a named on-call clinician → every admin."""
    person = make_member(cast.practice, Role.CLINICIAN, "oncall@riverside.test", name="On Call")
    EscalationStep.objects.filter(practice=cast.practice).delete()
    EscalationStep.objects.create(practice=cast.practice, position=1, target="clinician")
    EscalationStep.objects.create(practice=cast.practice, position=2, target="staff", user=person)
    EscalationStep.objects.create(practice=cast.practice, position=3, target="admins")
    return person


def test_an_acknowledged_alert_left_unresolved_goes_up_the_chain_once(
    cast, enrollment, on_call, client, mailoutbox
):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="reflection:1",
        )
        run_outbox()
    mailoutbox.clear()
    # Friday 16:10 the clinician acknowledges it, is told the deadline, and goes on leave.
    with time_machine.travel(FRIDAY_4PM + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)  # in the travelled time: staff sessions idle out
        response = client.post(
            reverse("alert_acknowledge", args=[alert.pk]), {"back": "alert"}, follow=True
        )
        page = response.content.decode()
    assert "resolve it by Mon 14 Dec 2026, 09:10" in page
    assert "Nobody else will be asked" not in page
    assert "Resolve by" in page
    monday_910 = datetime(2026, 12, 14, 9, 10, tzinfo=UTC)
    alert.refresh_from_db()
    assert (alert.status, alert.resolve_by) == ("acknowledged", monday_910)

    # The clinician's inbox shows it acknowledged, with its deadline.
    with time_machine.travel(FRIDAY_4PM + timedelta(minutes=20), tick=False):
        client.force_login(cast.clinician)
        inbox = client.get(reverse("alert_inbox")).content.decode()
    assert "Acknowledged by Dr Kim" in inbox and "Resolve by Mon 14 Dec 2026, 09:10" in inbox

    # Through the weekend, and a minute before the deadline, nobody is told.
    for at in (FRIDAY_4PM + timedelta(days=1), monday_910 - timedelta(minutes=1)):
        with time_machine.travel(at, tick=False):
            assert escalate_alerts() == 0
    # At the deadline: the next step who did not acknowledge it, once, however often
    # the minute task runs.
    with time_machine.travel(monday_910, tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0
        run_outbox()
    with time_machine.travel(monday_910 + timedelta(days=3), tick=False):
        assert escalate_alerts() == 0
    # No in-app row nobody would see: the email is how they are told.
    assert not Notification.objects.filter(user=on_call).exists()
    assert [m.to for m in mailoutbox] == [["oncall@riverside.test"]]
    body = mailoutbox[0].body
    assert "was acknowledged, but no contact with the patient was recorded" in body
    assert f"/alerts/{alert.pk}/" in body
    for secret in (cast.patient.full_name, cast.patient.email, "harm", "self", "reflection"):
        assert secret.lower() not in body.lower(), secret
    alert.refresh_from_db()
    assert alert.status == "acknowledged" and alert.resolve_escalated_at == monday_910
    assert AuditEvent.objects.filter(
        action="alert.escalated_unresolved", object_id=str(alert.pk)
    ).exists()

    # The on-call clinician may open it, sees it in their inbox as overdue and in their
    # menu count, and resolves it; nothing more is sent.
    with time_machine.travel(monday_910 + timedelta(minutes=5), tick=False):
        client.force_login(on_call)
        inbox = client.get(reverse("alert_inbox")).content.decode()
        assert "Not resolved in time: overdue by 5" in inbox
        assert "the escalation chain was told" in inbox
        detail = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Not resolved in time: the escalation chain was told" in detail
        alert_resolve(alert=alert, by=on_call, outcome=CONTACTED)
        assert escalate_alerts() == 0
    assert len(mailoutbox) == 1


def test_the_menu_counts_an_acknowledged_alert_once_its_chain_is_told(cast, enrollment, client):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        alert = alert_raise(
            enrollment=enrollment, kind=Alert.Kind.PAIN_UP, severity="urgent", source="x:1"
        )
        alert_acknowledge(alert=alert, by=cast.clinician)
    from tracking.alerts.selectors import alert_counts

    client.force_login(cast.admin)
    request = client.get(reverse("alert_inbox")).wsgi_request
    assert alert_counts(request).open == 0
    with time_machine.travel(datetime(2026, 12, 14, 9, 0, tzinfo=UTC), tick=False):
        assert escalate_alerts() == 1
    assert alert_counts(request).open == 1
    # Told to the admins (the clinician, who acknowledged it, is passed over).
    told = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_escalation_email")
    assert [t.kwargs["user_id"] for t in told] == [cast.admin.pk]


def test_an_alert_resolved_in_time_tells_nobody(cast, enrollment):
    with time_machine.travel(FRIDAY_4PM, tick=False):
        alert = alert_raise(
            enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity="urgent", source="x:1"
        )
        alert_acknowledge(alert=alert, by=cast.clinician)
        alert_resolve(alert=alert, by=cast.clinician, outcome=CONTACTED)
    with time_machine.travel(FRIDAY_4PM + timedelta(days=7), tick=False):
        assert escalate_alerts() == 0
    assert not OutboxTask.objects.filter(
        task="tracking.tasks_alerts.send_escalation_email"
    ).exists()


# ------------------------------------------------------------------ the migration
@pytest.mark.django_db(transaction=True)
def test_the_migration_counts_an_old_acknowledgement_from_its_run_not_from_long_ago(
    cast, enrollment
):
    """Review finding: the backfill counted from `acknowledged_at`, so every alert
    acknowledged and left unresolved before deploy was past its resolve time at once
    and the first sweep told every chain about them (years-old ones included)."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    before = ("tracking", "0025_alert_once_open_per_source")
    after = ("tracking", "0026_alert_resolve_by")
    alert = alert_raise(
        enrollment=enrollment, kind=Alert.Kind.PAIN_UP, severity="urgent", source="x:1"
    )
    alert_acknowledge(alert=alert, by=cast.clinician)
    a_month_ago = timezone.now() - timedelta(days=30)
    Alert.objects.filter(pk=alert.pk).update(acknowledged_at=a_month_ago)
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        executor = MigrationExecutor(connection)
        executor.migrate([after])
        migrated = executor.loader.project_state([after]).apps.get_model("tracking", "Alert")
        row = migrated.objects.get(pk=alert.pk)
        started = timezone.now()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert row.acknowledged_at == a_month_ago  # its history stays true
    assert row.resolve_by > started  # a full response time from the deploy
    assert escalate_alerts() == 0  # the first sweep after deploy tells nobody


# ------------------------------------------------------------------ the end of the chain
@pytest.fixture
def no_chain_clinician_contact(cast):
    """A small practice: no escalation chain, a clinician (not an admin, not the
    patient's clinician) as its safety contact."""
    EscalationStep.objects.filter(practice=cast.practice).delete()
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(
        safety_contact=cast.other_clinician
    )
    return cast.other_clinician


def test_the_safety_contact_told_at_the_end_of_the_chain_can_open_the_alert(
    cast, enrollment, no_chain_clinician_contact, client, mailoutbox
):
    """Review finding: the resolve clock emailed a clinician safety contact about an
    alert they then could not open (404)."""
    contact = no_chain_clinician_contact
    with time_machine.travel(FRIDAY_4PM, tick=False):
        alert = alert_raise(
            enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity="urgent", source="x:1"
        )
        alert_acknowledge(alert=alert, by=cast.clinician)
        run_outbox()
    mailoutbox.clear()
    monday_910 = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)
    with time_machine.travel(monday_910, tick=False):
        assert escalate_alerts() == 1
        run_outbox()
    assert [m.to for m in mailoutbox] == [[contact.email]]
    link = f"/alerts/{alert.pk}/"
    assert link in mailoutbox[0].body
    with time_machine.travel(monday_910 + timedelta(minutes=5), tick=False):
        client.force_login(contact)
        page = client.get(link)
        assert page.status_code == 200
        assert "Not resolved in time with nobody left on the chain" in page.content.decode()
        assert f'href="{link}"' in client.get(reverse("alert_inbox")).content.decode()


def test_a_safety_contact_who_acknowledged_is_not_told_themselves_the_admins_are(
    cast, enrollment, no_chain_clinician_contact, mailoutbox
):
    contact = no_chain_clinician_contact
    with time_machine.travel(FRIDAY_4PM, tick=False):
        alert = alert_raise(
            enrollment=enrollment, kind=Alert.Kind.PAIN_UP, severity="urgent", source="x:1"
        )
        alert_acknowledge(alert=alert, by=contact)
        run_outbox()
    mailoutbox.clear()
    with time_machine.travel(datetime(2026, 12, 14, 9, 0, tzinfo=UTC), tick=False):
        assert escalate_alerts() == 1
        run_outbox()
    assert [m.to for m in mailoutbox] == [[cast.admin.email]]
