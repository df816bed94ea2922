"""The self-harm safety workflow end to end: an answer above 0 on PHQ-9 item 9 →
crisis resources → urgent alert → clinician emailed at once → with no escalation chain
set, to every practice admin exactly once if nobody acknowledges it by its due time
(the practice's urgent response time, in working time: tests/test_escalation.py walks a
chain). Time moves with time-machine, never sleeps; the outbox tasks run as a worker
would run them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import Role, make_member
from tests.test_alerts_factories import make_checkin, pain, phq9, run_outbox
from tracking.alerts.evaluate import crisis_resources, evaluate_checkin
from tracking.alerts.services import alert_raise
from tracking.models import (
    Alert,
    CrisisResource,
    EscalationStep,
    Notification,
    OutboxTask,
    PracticeSettings,
)
from tracking.tasks import escalate_alerts, send_alert_email

ESCALATION = "An alert needs attention"
# Tuesday 8 December 2026, 10:00 at the practice (UTC): inside working hours.
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
# An hour from T0, in office hours: "today by 11:00" (tracking.alerts.wording.due_phrase).
URGENT = "Urgent: a patient needs a call today by 11:00 (UTC time)"  # the clinician's zone


@pytest.fixture
def admins(cast):
    second = make_member(cast.practice, Role.ADMIN, "admin2@riverside.test")
    make_member(cast.practice, Role.ADMIN, "gone@riverside.test", active=False)
    return [cast.admin, second]


def assert_no_health_data(message, patient) -> None:
    bodies = [message.subject, message.body, message.alternatives[0][0]]
    for text in bodies:
        for secret in (
            patient.full_name,
            patient.email,
            "PHQ",
            "item 9",
            "harm",
            "dead",
            "score",
            "answered",
        ):
            assert secret.lower() not in text.lower(), (secret, text)


def test_it_runs_the_safety_workflow_end_to_end(cast, enrollment, admins, mailoutbox):
    # A practice whose chain was emptied after it enrolled (and with no named safety
    # contact): the clock still reaches people, the admins. The chain's own steps are
    # walked in tests/test_escalation.py.
    EscalationStep.objects.filter(practice=cast.practice).delete()
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=None)
    t0 = T0
    with time_machine.travel(t0, tick=False):
        checkin = make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1), **pain(5)})
        result = evaluate_checkin(checkin)

        # The patient is shown the practice's crisis resources at once.
        assert result.safety is True
        # (for the practice's default country, the US, until the patient names theirs)
        assert "988" in crisis_resources(cast.practice.pk)
        assert "116 123" in crisis_resources(cast.practice.pk, country="GB")
        # An urgent, open alert, and the clinician's email waiting in the outbox.
        alert = Alert.objects.get()
        assert (alert.kind, alert.severity, alert.status) == ("self_harm", "urgent", "open")
        assert alert.source == f"checkin:{checkin.pk}"
        row = OutboxTask.objects.get()
        assert (row.task, row.kwargs) == (
            "tracking.tasks_alerts.send_alert_email",
            {"alert_id": alert.pk},
        )

        # The worker sends it: to the clinician, with a link and no health data.
        send_alert_email(alert_id=alert.pk, outbox_id=row.pk)
        assert len(mailoutbox) == 1
        email = mailoutbox[0]
        assert email.to == [cast.clinician.email] and email.subject == URGENT
        assert f"/alerts/{alert.pk}/" in email.body
        assert_no_health_data(email, cast.patient)
        # A redelivered message sends nothing more.
        send_alert_email(alert_id=alert.pk, outbox_id=row.pk)
        assert len(mailoutbox) == 1

    minutes = PracticeSettings.for_practice(cast.practice.pk).response_minutes_urgent
    with time_machine.travel(t0 + timedelta(minutes=minutes - 1), tick=False):
        assert escalate_alerts() == 0
        assert run_outbox() == []
    assert len(mailoutbox) == 1

    with time_machine.travel(t0 + timedelta(minutes=minutes + 1), tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0  # a second beat claims nothing
        run_outbox()
        assert run_outbox() == []

    escalations = [m for m in mailoutbox if m.subject == ESCALATION]
    assert sorted(m.to[0] for m in escalations) == sorted(a.email for a in admins)
    assert len(mailoutbox) == 1 + len(admins)
    for message in escalations:
        assert f"/alerts/{alert.pk}/" in message.body
        assert_no_health_data(message, cast.patient)
    alert.refresh_from_db()
    assert alert.escalated_at == t0 + timedelta(minutes=minutes + 1)
    assert not Notification.objects.exists()  # staff are told by email and their inbox
    assert (
        AuditEvent.objects.filter(
            action="alert.escalated",
            object_id=str(alert.pk),
            subject=cast.patient,
            practice=cast.practice,
        ).count()
        == 0
    )
    # No chain: the end of it at once, so the admins (there is no safety contact).
    assert (
        AuditEvent.objects.filter(
            action="alert.escalated_to_safety_contact", object_id=str(alert.pk)
        ).count()
        == 1
    )

    with time_machine.travel(t0 + timedelta(days=1), tick=False):
        assert escalate_alerts() == 0
        assert run_outbox() == []
    assert len(mailoutbox) == 1 + len(admins)


def test_it_does_not_escalate_an_alert_acknowledged_in_time(
    cast, enrollment, admins, client, mailoutbox
):
    t0 = T0
    with time_machine.travel(t0, tick=False):
        evaluate_checkin(make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=3)}))
        run_outbox()
    alert = Alert.objects.get()
    with time_machine.travel(t0 + timedelta(minutes=59), tick=False):
        client.force_login(cast.clinician)
        response = client.post(reverse("alert_acknowledge", args=[alert.pk]))
        assert response.status_code == 302
    # Past its due time, before its resolve time (an hour from the acknowledgement:
    # tests/test_alert_resolve_clock.py), nothing is sent.
    with time_machine.travel(t0 + timedelta(minutes=118), tick=False):
        assert escalate_alerts() == 0
        assert run_outbox() == []
    assert [m.subject for m in mailoutbox] == [URGENT]
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by, alert.escalated_at) == (
        "acknowledged",
        cast.clinician,
        None,
    )
    assert alert.acknowledged_at == t0 + timedelta(minutes=59)


def test_it_skips_escalation_emails_once_someone_acknowledges(cast, enrollment, admins, mailoutbox):
    t0 = T0
    with time_machine.travel(t0, tick=False):
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="checkin:1",
        )
        run_outbox()
    with time_machine.travel(t0 + timedelta(hours=3), tick=False):
        assert escalate_alerts() == 1
        # The clinician acknowledges before the worker gets to the admins' emails.
        from tracking.alerts.services import alert_acknowledge

        alert_acknowledge(alert=alert, by=cast.clinician)
        run_outbox()
    assert [m.subject for m in mailoutbox] == [URGENT]


def test_it_escalates_after_the_practices_own_delay(cast, enrollment, admins, mailoutbox):
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(response_minutes_urgent=30)
    t0 = T0
    with time_machine.travel(t0, tick=False):
        evaluate_checkin(make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1)}))
    with time_machine.travel(t0 + timedelta(minutes=29), tick=False):
        assert escalate_alerts() == 0
    with time_machine.travel(t0 + timedelta(minutes=30), tick=False):
        assert escalate_alerts() == 1
        run_outbox()
    assert sum(m.subject == ESCALATION for m in mailoutbox) == len(admins)


def test_it_escalates_only_to_admins_of_the_patients_practice(cast, enrollment, mailoutbox):
    t0 = T0
    with time_machine.travel(t0, tick=False):
        evaluate_checkin(make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=2)}))
    with time_machine.travel(t0 + timedelta(hours=3), tick=False):
        escalate_alerts()
        run_outbox()
    assert [m.to for m in mailoutbox if m.subject == ESCALATION] == [[cast.admin.email]]


def test_it_does_not_email_the_clinician_about_an_alert_already_acknowledged(
    cast, enrollment, mailoutbox
):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
    )
    from tracking.alerts.services import alert_acknowledge

    alert_acknowledge(alert=alert, by=cast.clinician)
    run_outbox()
    assert mailoutbox == []
    assert OutboxTask.objects.filter(done_at__isnull=True).count() == 0


def test_it_emails_the_clinician_about_red_flags_at_screening(cast, enrollment, mailoutbox):
    with time_machine.travel(T0, tick=False):
        alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.RED_FLAG,
            severity=Alert.Severity.HIGH,
            source="screening",
            details={"red_flags": ["cancer_history"]},
        )
    run_outbox()
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([cast.clinician.email], "A patient's screening needs your review")
    ]
    assert "cancer" not in mailoutbox[0].body.lower()
    assert cast.patient.full_name not in mailoutbox[0].body
    # Red flags are HIGH: they escalate too, after the practice's HIGH response time
    # (one working day by default).
    with time_machine.travel(T0 + timedelta(hours=23), tick=False):
        assert escalate_alerts() == 0
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert escalate_alerts() == 1


def test_it_shows_the_practices_own_crisis_resources(cast):
    # Per country now (the safety settings screen); the practice's default country is US.
    CrisisResource.objects.create(
        practice=cast.practice,
        country="US",
        body_md="Call **Riverside Crisis Line** on 0800 000 000.<script>x</script>",
    )
    html = crisis_resources(cast.practice.pk)
    assert "<strong>Riverside Crisis Line</strong>" in html
    assert "<script>" not in html


def _urgent_email(enrollment, mailoutbox):
    with time_machine.travel(T0, tick=False):
        evaluate_checkin(make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1)}))
        run_outbox()
    (email,) = mailoutbox
    return email.body, email.alternatives[0][0]


@pytest.mark.parametrize(
    ("steps", "language", "says", "never"),
    [
        # clinician → admins (every test practice's chain): the admins are next.
        ("default", "en", "your practice admins will be asked to follow it up", "goes next"),
        # clinician → a named on-call clinician → admins: the email names them, not admins.
        (
            "on_call",
            "en",
            "it goes next to On Call on your practice's escalation chain",
            "practice admins",
        ),
        (
            "on_call",
            "es",
            "pasa a On Call, el siguiente paso de la cadena de escalamiento",
            "administradores",
        ),
        # No chain: the safety contact is next, named.
        ("none", "en", "it goes next to Safe Ty on your practice's", "practice admins"),
    ],
)
def test_the_urgent_email_names_the_chains_next_step(
    cast, enrollment, mailoutbox, steps, language, says, never
):
    from tests.test_escalation import make_chain

    make_chain(cast)  # clinician → On Call → admins; safety contact Safe Ty
    if steps == "default":
        EscalationStep.objects.filter(practice=cast.practice, position=2).delete()
    elif steps == "none":
        EscalationStep.objects.filter(practice=cast.practice).delete()
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    text, html = _urgent_email(enrollment, mailoutbox)
    assert says in " ".join(text.split())
    assert never not in text
    assert says in " ".join(html.split())
    assert never not in html
