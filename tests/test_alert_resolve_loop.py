"""The resolve loop keeps running until a person reaches the patient (review finding:
"the clock stops for a patient nobody reached"). An acknowledged alert that needs prompt
contact, past its resolve time: the chain is told. "We could not reach them" recorded
after that starts a new resolve time from the attempt (tracking.rules.
resolve_clock_after_attempt), and when that passes the chain is told again, choosing
whom as the first time (the next step not told yet, then the end of the chain). The
form and the messages say so from the alert's state; reached and resolved, nothing
more is sent."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.test_escalation import make_chain, told
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_raise
from tracking.models import Alert, AlertContactAttempt, AlertResolution
from tracking.tasks import escalate_alerts

# Tuesday 8 December 2026 (the cast's practice: UTC, 09:00–17:00, Monday to Friday): an
# urgent alert acknowledged at 10:00 must be resolved by 11:00.
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
TOLD = datetime(2026, 12, 8, 11, 0, tzinfo=UTC)
NEXT = datetime(2026, 12, 8, 12, 10, tzinfo=UTC)


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("resolve_by", "chain_told", "expected_by", "rearmed"),
    [
        # Not told yet, still in time: the running clock keeps running.
        (T0 + timedelta(hours=1), False, T0 + timedelta(hours=1), False),
        # Not told yet, already past: kept, so the sweep tells the chain this minute.
        (T0 - timedelta(minutes=5), False, T0 - timedelta(minutes=5), False),
        # Told: a new resolve time from the attempt, and the chain may be told again.
        (TOLD, True, NEXT, True),
        # Told, no time kept (an old row): the same.
        (None, True, NEXT, True),
        # No resolve time at all, not told (an old acknowledged row): one from now.
        (None, False, NEXT, False),
    ],
)
def test_the_resolve_clock_after_an_attempt(resolve_by, chain_told, expected_by, rearmed):
    clock = rules.resolve_clock_after_attempt(
        resolve_by=resolve_by, chain_told=chain_told, next_resolve_by=NEXT
    )
    assert (clock.resolve_by, clock.rearmed) == (expected_by, rearmed)


# ------------------------------------------------------------------ end to end
NOT_REACHED = {
    "contacted": "no",
    "method": "phone",
    "plan": ["continue"],
    "note": "Rang, no answer; voicemail left.",
}
REACHED = {
    "contacted": "yes",
    "method": "phone",
    "risk_after": "low",
    "plan": ["safety_plan"],
    "note": "Spoke by phone; safety plan reviewed together.",
}


def test_the_chain_is_told_again_each_missed_deadline_until_someone_reaches_them(
    cast, client, enrollment
):
    chain = make_chain(cast)  # clinician → On Call → every admin; a safety contact
    with time_machine.travel(T0, tick=False):
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="checkin:1",
            details={"item9": 2},
        )
        assert alert is not None
        alert_acknowledge(alert=alert, by=cast.clinician)

    # The deadline passes: the sweep tells the chain's next step, once.
    with time_machine.travel(TOLD, tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0
    assert told(alert) == [chain["on_call"].email]

    # The clinician is told the truth on the form: the chain was told, and a try starts
    # a new deadline.
    with time_machine.travel(TOLD + timedelta(minutes=5), tick=False):
        client.force_login(cast.clinician)
        form = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    assert (
        "It was not resolved in time: your practice&#x27;s escalation chain was told Tue 8 "
        "Dec 2026, 11:00. Each try you record starts a new deadline; if nobody reaches them "
        "by then, the chain is told again."
    ) in form
    assert "resolve it now" not in form and "It must be resolved" not in form

    # 11:10, not reached: the attempt starts a new resolve time (one working hour).
    with time_machine.travel(TOLD + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)
        page = client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**NOT_REACHED, "contacted_at": "2026-12-08T11:08"},
            follow=True,
        ).content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.resolve_by, alert.resolve_escalated_at) == (
        "acknowledged",
        NEXT,
        None,
    )
    assert alert.resolve_told_at == TOLD
    assert (
        "Your practice&#x27;s escalation chain was told Tue 8 Dec 2026, 11:00 that it was "
        "not resolved in time. If nobody reaches them today by 12:10, the chain is told again."
    ) in page
    assert "A try to reach them since started a new resolve time" in page

    # A minute before the new deadline nobody is told; at it, the next step: the admins.
    with time_machine.travel(NEXT - timedelta(minutes=1), tick=False):
        assert escalate_alerts() == 0
    with time_machine.travel(NEXT, tick=False):
        assert escalate_alerts() == 1
        assert escalate_alerts() == 0
    admins = sorted([cast.admin.email, chain["safety"].email])
    assert told(alert)[0] == chain["on_call"].email
    assert sorted(told(alert)[1:]) == admins
    alert.refresh_from_db()
    assert alert.resolve_escalated_at == NEXT and alert.resolve_told_at == NEXT

    # Not reached again at 12:20: another new deadline, 13:20; missed, the chain has
    # nobody left, so its end is told again: the safety contact.
    with time_machine.travel(NEXT + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)
        client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**NOT_REACHED, "contacted_at": "2026-12-08T12:18"},
        )
    alert.refresh_from_db()
    assert alert.resolve_by == NEXT + timedelta(hours=1, minutes=10)
    with time_machine.travel(NEXT + timedelta(hours=1, minutes=10), tick=False):
        assert escalate_alerts() == 1
    assert told(alert)[-1] == chain["safety"].email
    assert len(told(alert)) == 4
    alert.refresh_from_db()
    assert alert.chain_exhausted_at is not None
    assert (
        AuditEvent.objects.filter(
            action="alert.escalated_unresolved", object_id=str(alert.pk)
        ).count()
        == 3
    )
    assert AlertContactAttempt.objects.filter(alert=alert).count() == 2

    # 13:30 someone reaches them: resolved, and nothing more is ever sent.
    with time_machine.travel(NEXT + timedelta(hours=1, minutes=20), tick=False):
        client.force_login(cast.clinician)
        client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**REACHED, "contacted_at": "2026-12-08T13:25"},
        )
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert AlertResolution.objects.get(alert=alert).contacted is True
    for later in (timedelta(hours=3), timedelta(days=3)):
        with time_machine.travel(NEXT + later, tick=False):
            assert escalate_alerts() == 0
    assert len(told(alert)) == 4


def acknowledged_at_t0(cast, enrollment) -> Alert:
    """An urgent self-harm alert, raised and acknowledged by the clinician at T0."""
    with time_machine.travel(T0, tick=False):
        alert = alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="checkin:1",
        )
        assert alert is not None
        alert_acknowledge(alert=alert, by=cast.clinician)
    return alert


def test_an_attempt_before_the_chain_is_told_does_not_put_the_deadline_off(
    cast, client, enrollment
):
    make_chain(cast)
    alert = acknowledged_at_t0(cast, enrollment)
    with time_machine.travel(T0 + timedelta(minutes=50), tick=False):
        client.force_login(cast.clinician)
        client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**NOT_REACHED, "contacted_at": "2026-12-08T10:45"},
        )
    alert.refresh_from_db()
    assert (alert.resolve_by, alert.resolve_told_at) == (TOLD, None)
    with time_machine.travel(TOLD, tick=False):
        assert escalate_alerts() == 1


def test_the_chain_told_again_is_said_in_spanish(cast, client, enrollment):
    make_chain(cast)
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    alert = acknowledged_at_t0(cast, enrollment)
    with time_machine.travel(TOLD, tick=False):
        escalate_alerts()
    with time_machine.travel(TOLD + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)
        page = client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**NOT_REACHED, "contacted_at": "2026-12-08T11:08"},
            follow=True,
        ).content.decode()
    assert (
        "Se avisó a la cadena de escalamiento de su consultorio el mar 8 dic 2026, 11:00 "
        "de que no se resolvió a tiempo. Si nadie lo contacta hoy a más tardar a las 12:10, "
        "se avisa de nuevo a la cadena."
    ) in page
