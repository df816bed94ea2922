"""Someone added to a step of the escalation chain that an alert not yet resolved has
already reached or passed is told of it at once (the escalation email, no health data)
and may open it; the alert does not move, and nobody told already is told again
(tracking.alerts.chain_edits, run by the chain's save). Through the service and through
the safety settings page's own forms."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.factories import Role, make_member
from tests.test_alerts_factories import CONTACTED, run_outbox
from tests.test_escalation import NEEDS_ATTENTION, make_chain, raise_urgent, told
from tracking.access import EnrollmentScope, alerts_in_scope
from tracking.alerts.services import alert_acknowledge, alert_resolve
from tracking.models import Alert, EscalationStep
from tracking.safety import services
from tracking.tasks import escalate_alerts

# Tuesday 8 December 2026, 10:00 UTC: the cast's practice works 09:00–17:00 UTC.
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
URL = reverse("admin_safety_settings")
SHARED = "alert.shared_with_newcomers"


@pytest.fixture
def chain(cast):
    """test_escalation's chain (clinician → a named on-call clinician → every admin; a
    separate safety contact), and `late`, a clinician on no step yet."""
    late = make_member(cast.practice, Role.CLINICIAN, "late@riverside.test", name="Late Comer")
    return {**make_chain(cast), "late": late}


@pytest.fixture
def admin_request(rf, cast):
    request = rf.post(URL)
    request.user = cast.admin
    return request


def escalate_until(hours: int) -> None:
    """Run the minute sweep at each hour after T0 up to `hours`, and the outbox."""
    for h in range(1, hours + 1):
        with time_machine.travel(T0 + timedelta(hours=h), tick=False):
            escalate_alerts()
            run_outbox()


def sees(person, alert: Alert, practice) -> bool:
    scope = EnrollmentScope(practice.pk, person.pk)
    return alerts_in_scope(scope).filter(pk=alert.pk).exists()


def late_step(cast, chain) -> EscalationStep:
    return EscalationStep.objects.get(practice=cast.practice, user=chain["late"])


def test_a_newcomer_on_a_passed_step_is_told_at_once_and_may_open_it(
    cast, enrollment, chain, admin_request, client, mailoutbox
):
    late = chain["late"]
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
        run_outbox()
    escalate_until(1)  # with the on-call clinician (step 2) now, due at T0 + 2 h
    alert.refresh_from_db()
    assert (alert.escalation_tier, alert.escalation_position) == (1, 2)
    assert told(alert) == ["oncall@riverside.test"]
    mailoutbox.clear()

    with time_machine.travel(T0 + timedelta(hours=1, minutes=10), tick=False):
        # Added at the end (step 4): not reached yet, so nothing now.
        services.escalation_step_add(
            request=admin_request, practice=cast.practice, target="staff", user=late
        )
        # One up (step 3): still ahead of the alert.
        services.escalation_step_move(request=admin_request, step=late_step(cast, chain), up=True)
        run_outbox()
        assert not mailoutbox and told(alert) == ["oncall@riverside.test"]
        assert not sees(late, alert, cast.practice)
        assert not AuditEvent.objects.filter(action=SHARED).exists()

        # One more (step 2, where the alert is): behind it now, so told at once.
        services.escalation_step_move(request=admin_request, step=late_step(cast, chain), up=True)
        run_outbox()
    assert list(
        EscalationStep.objects.filter(practice=cast.practice).values_list("target", "user")
    ) == [("clinician", None), ("staff", late.pk), ("staff", chain["on_call"].pk), ("admins", None)]
    before_due = alert.due_at
    alert.refresh_from_db()
    assert alert.escalated_to == [chain["on_call"].pk, late.pk]
    # The alert does not move: same step, tier and due time.
    assert (alert.escalation_tier, alert.escalation_position, alert.due_at) == (1, 2, before_due)
    assert told(alert) == ["oncall@riverside.test", "late@riverside.test"]
    assert [(m.to, m.subject) for m in mailoutbox] == [(["late@riverside.test"], NEEDS_ATTENTION)]
    body = mailoutbox[0].body
    assert f"/alerts/{alert.pk}/" in body and "has not been acknowledged in time" in body
    for secret in (cast.patient.full_name, cast.patient.email, "harm", "PHQ", "self"):
        assert secret.lower() not in body.lower(), secret
    event = AuditEvent.objects.get(action=SHARED)
    assert (event.actor, event.object_id, event.subject_id) == (
        cast.admin,
        str(alert.pk),
        cast.patient.pk,
    )

    # In their inbox and on the alert's page; the record stays the clinician's.
    assert sees(late, alert, cast.practice)
    client.force_login(late)
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 200
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert reverse("alert_detail", args=[alert.pk]) in inbox
    assert client.get(reverse("patient_detail", args=[enrollment.pk])).status_code == 404

    # On its clock it goes on from step 2: the on-call clinician (step 3 now) and the
    # newcomer have it, so the admins are next. Nobody is emailed twice.
    mailoutbox.clear()
    escalate_until(2)
    alert.refresh_from_db()
    assert alert.escalation_position == 4
    assert sorted(told(alert)[2:]) == ["admin@riverside.test", "safety@riverside.test"]
    assert len(told(alert)) == 4
    assert sorted(m.to[0] for m in mailoutbox) == ["admin@riverside.test", "safety@riverside.test"]


def test_only_unresolved_alerts_past_the_step_are_shared(
    cast, enrollment, other_enrollment, chain, admin_request, client, mailoutbox
):
    """An on-call person added at the end, then moved up to step 2, learns at once of
    the alert that went through the whole chain (at the end) and of none other: not of
    one resolved after it reached step 2, nor of one still with the clinician."""
    late = chain["late"]
    with time_machine.travel(T0, tick=False):
        through = raise_urgent(enrollment, source="checkin:1")
        resolved = raise_urgent(other_enrollment, source="checkin:2")
    escalate_until(1)  # both at step 2
    with time_machine.travel(T0 + timedelta(hours=1, minutes=30), tick=False):
        assert alert_resolve(
            alert=resolved,
            by=cast.other_clinician,
            outcome=replace(CONTACTED, contacted_at=T0 + timedelta(minutes=30)),
        )
    escalate_until(3)  # `through` on to the end: the safety contact told
    with time_machine.travel(T0 + timedelta(hours=3), tick=False):
        waiting = raise_urgent(enrollment, source="checkin:3")
        run_outbox()
    for alert in (through, resolved, waiting):
        alert.refresh_from_db()
    assert through.chain_exhausted_at is not None
    assert (resolved.status, resolved.escalation_position) == (Alert.Status.RESOLVED, 2)
    assert waiting.escalation_position is None
    told_before = {a.pk: list(a.escalated_to) for a in (through, resolved, waiting)}
    mailoutbox.clear()

    with time_machine.travel(T0 + timedelta(hours=3, minutes=5), tick=False):
        services.escalation_step_add(
            request=admin_request, practice=cast.practice, target="staff", user=late
        )
        run_outbox()
        assert [m.to for m in mailoutbox] == [["late@riverside.test"]]  # `through` only
        for _ in range(3):  # to step 1: behind every alert that reached a step
            services.escalation_step_move(
                request=admin_request, step=late_step(cast, chain), up=True
            )
        run_outbox()
    for alert in (through, resolved, waiting):
        alert.refresh_from_db()
    assert through.escalated_to == [*told_before[through.pk], late.pk]
    assert resolved.escalated_to == told_before[resolved.pk]
    assert waiting.escalated_to == told_before[waiting.pk] == []
    assert [m.to for m in mailoutbox] == [["late@riverside.test"]]
    assert list(AuditEvent.objects.filter(action=SHARED).values_list("object_id", flat=True)) == [
        str(through.pk)
    ]
    client.force_login(late)
    assert client.get(reverse("alert_detail", args=[through.pk])).status_code == 200
    for alert in (resolved, waiting):
        assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 404


def test_taking_someone_off_keeps_what_they_were_told(
    cast, enrollment, chain, admin_request, client, mailoutbox
):
    """The on-call clinician's step removed: they keep the alert they were told of, and
    the admins' step, now in its place behind the alert, is told at once (else nobody
    would tell them: the alert's clock goes on from the place it is at)."""
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    escalate_until(1)
    mailoutbox.clear()
    step = EscalationStep.objects.get(practice=cast.practice, user=chain["on_call"])
    with time_machine.travel(T0 + timedelta(hours=1, minutes=5), tick=False):
        services.escalation_step_remove(request=admin_request, step=step)
        run_outbox()
    alert.refresh_from_db()
    assert alert.escalated_to[0] == chain["on_call"].pk
    assert sees(chain["on_call"], alert, cast.practice)
    assert told(alert)[0] == "oncall@riverside.test"
    assert sorted(told(alert)[1:]) == ["admin@riverside.test", "safety@riverside.test"]
    assert "oncall@riverside.test" not in [m.to[0] for m in mailoutbox]


def test_an_acknowledged_alert_is_shared_with_the_email_that_fits(
    cast, enrollment, chain, admin_request, client, mailoutbox
):
    """Acknowledged and still within its resolve time: it shows to the newcomer, with
    no email (someone is on it; neither email would be true). Past its resolve time
    (the chain was told it is not resolved): the "no contact recorded" email."""
    late = chain["late"]
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    escalate_until(1)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=5), tick=False):
        assert alert_acknowledge(alert=alert, by=chain["on_call"])
        mailoutbox.clear()
        services.escalation_step_add(
            request=admin_request, practice=cast.practice, target="staff", user=late
        )
        services.escalation_step_move(request=admin_request, step=late_step(cast, chain), up=True)
        services.escalation_step_move(request=admin_request, step=late_step(cast, chain), up=True)
        run_outbox()
    alert.refresh_from_db()
    assert late.pk in alert.escalated_to and sees(late, alert, cast.practice)
    assert not mailoutbox
    assert AuditEvent.objects.filter(action=SHARED, object_id=str(alert.pk)).count() == 1

    # Past its resolve time, the chain is told; then another newcomer on a passed step
    # gets the email that says so.
    with time_machine.travel(T0 + timedelta(days=3), tick=False):
        escalate_alerts()
        run_outbox()
        alert.refresh_from_db()
        assert alert.resolve_escalated_at is not None
        mailoutbox.clear()
        services.escalation_step_add(
            request=admin_request, practice=cast.practice, target="staff", user=cast.other_clinician
        )
        for _ in range(3):
            step = EscalationStep.objects.get(practice=cast.practice, user=cast.other_clinician)
            services.escalation_step_move(request=admin_request, step=step, up=True)
        run_outbox()
    assert [m.to for m in mailoutbox] == [[cast.other_clinician.email]]
    assert "no contact with the patient was recorded" in mailoutbox[0].body


def test_the_settings_page_shares_through_its_own_forms_and_says_so(
    cast, enrollment, chain, client, mailoutbox
):
    late = chain["late"]
    with time_machine.travel(T0, tick=False):
        alert = raise_urgent(enrollment)
    escalate_until(1)
    mailoutbox.clear()
    # Signed in and posting now (before T0): the alert's clock does not move meanwhile.
    client.force_login(cast.admin)
    page = client.get(URL).content.decode()
    assert "Someone you add to a step that an alert not yet resolved has already" in page
    response = client.post(URL, {"section": "step_add", "target": "staff", "user": late.pk})
    assert response.status_code == 302
    run_outbox()
    assert not mailoutbox  # step 4: the alert, at step 2, will get there on its clock
    for _ in range(2):
        step = late_step(cast, chain)
        assert client.post(URL, {"section": "step_up", "step": step.pk}).status_code == 302
    run_outbox()
    assert [m.to for m in mailoutbox] == [["late@riverside.test"]]
    client.force_login(late)
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 200

    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    page = client.get(URL).content.decode()
    assert "esa persona recibe aviso de esa alerta en el momento y puede abrirla" in page
    audit_page = client.get(reverse("admin_audit")).content.decode()
    assert "Alerta compartida con personas añadidas a un paso" in audit_page
