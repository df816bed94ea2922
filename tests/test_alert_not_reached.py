""" "We could not reach them" on an alert that needs prompt contact (clinician
walk-through: an urgent PHQ-9 item 9 alert was resolved with "No, we could not reach
them", risk "High", plan "Continue the program": it left the inbox and stopped
climbing). It is a contact attempt now: recorded (who, when, how, note; audited; on the
alert page and the patient's page), the alert stays open (acknowledged) and its resolve
clock keeps running. It is resolved without contact only with a plan that hands the risk
to someone who acts (tracking.rules.PLANS_HANDING_RISK_ON). Routine alerts keep
resolving without contact as before. Risk after contact is asked only after contact."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.test_escalation import make_chain, told
from tracking import rules
from tracking.alerts.services import (
    ResolutionOutcome,
    alert_acknowledge,
    alert_raise,
    alert_resolve,
)
from tracking.models import Alert, AlertContactAttempt, AlertResolution
from tracking.tasks import escalate_alerts

# Tuesday 8 December 2026, 10:00 UTC: the cast's practice works in UTC, 09:00–17:00,
# Monday to Friday; an urgent alert acknowledged now must be resolved by 11:00.
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
WALK_THROUGH = {
    "contacted": "no",
    "contacted_at": "2026-12-08T10:20",
    "method": "phone",
    "risk_after": "high",
    "plan": ["continue"],
    "note": "Tried calling, no answer",
}


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("plan", "hands_on"),
    [
        (["emergency"], True),
        (["crisis_team"], False),  # a referral: nobody known to act now
        (["gp_referral"], False),  # a letter or a queue: nobody acts now
        (["gp_referral", "crisis_team"], False),
        (["safety_plan"], False),
        (["continue"], False),
        (["pause"], False),
        (["withdraw"], False),
        (["hold_cleared"], False),  # a safety-hold decision only, never on the form
        (["continue", "emergency"], True),  # any one that hands it on
        (["safety_plan", "pause"], False),
        ([], False),
    ],
)
def test_which_plans_hand_the_risk_on(plan, hands_on):
    assert rules.plan_hands_risk_on(plan) is hands_on


def test_every_plan_is_decided_in_the_table():
    assert set(rules.PLANS_HANDING_RISK_ON) == set(AlertResolution.Plan.values)


@pytest.mark.parametrize(
    ("kind", "severity", "plan", "expected"),
    [
        ("self_harm", "urgent", ["continue"], rules.Unreached.ATTEMPT),
        ("self_harm", "urgent", [], rules.Unreached.ATTEMPT),
        ("self_harm", "urgent", ["emergency"], rules.Unreached.RESOLVE),
        ("red_flag", "high", ["safety_plan"], rules.Unreached.ATTEMPT),
        ("red_flag", "high", ["gp_referral"], rules.Unreached.ATTEMPT),
        ("self_harm", "urgent", ["crisis_team"], rules.Unreached.ATTEMPT),
        ("red_flag", "high", ["gp_referral", "emergency"], rules.Unreached.RESOLVE),
        ("new_symptoms", "high", ["pause"], rules.Unreached.ATTEMPT),
        ("phq9_high", "urgent", ["withdraw"], rules.Unreached.ATTEMPT),  # any urgent one
        ("phq9_high", "high", ["continue"], rules.Unreached.RESOLVE),  # not prompt
        ("missed_checkins", "routine", ["continue"], rules.Unreached.RESOLVE),
        ("pain_up", "high", [], rules.Unreached.RESOLVE),
    ],
)
def test_what_not_reaching_them_does(kind, severity, plan, expected):
    assert rules.unreached_outcome(kind=kind, severity=severity, plan=plan) == expected


# ------------------------------------------------------------------ end to end
def raise_self_harm(enrollment) -> Alert:
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )
    assert alert is not None
    return alert


def test_the_walk_through_records_an_attempt_and_the_alert_stays_open(cast, client, enrollment):
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
        alert_acknowledge(alert=alert, by=cast.clinician)
    alert.refresh_from_db()
    resolve_by = alert.resolve_by
    assert resolve_by == T0 + timedelta(hours=1)

    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        client.force_login(cast.clinician)
        response = client.post(reverse("alert_resolve", args=[alert.pk]), WALK_THROUGH, follow=True)
        page = response.content.decode()
        inbox = client.get(reverse("alert_inbox")).content.decode()
        patient = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()

    alert.refresh_from_db()
    assert (alert.status, alert.resolved_at) == ("acknowledged", None)
    assert alert.resolve_by == resolve_by  # its resolve clock keeps running
    assert not AlertResolution.objects.filter(alert=alert).exists()
    attempt = AlertContactAttempt.objects.get(alert=alert)
    assert (attempt.created_by, attempt.method, attempt.note) == (
        cast.clinician,
        "phone",
        "Tried calling, no answer",
    )
    assert attempt.attempted_at == datetime(2026, 12, 8, 10, 20, tzinfo=UTC)
    event = AuditEvent.objects.get(action="alert.contact_attempted")
    assert (event.actor, event.subject, event.object_id) == (
        cast.clinician,
        cast.patient,
        str(alert.pk),
    )
    assert not AuditEvent.objects.filter(action="alert.resolved").exists()

    # Back on the alert's page: what happened, plainly, and the attempt.
    assert response.redirect_chain[-1][0] == reverse("alert_detail", args=[alert.pk])
    assert "Alert resolved" not in page
    assert "Your attempt to reach the patient is recorded. The alert is not resolved" in page
    assert "Please keep trying. It must be resolved today by 11:00." in page
    assert "The plan you chose (Continue the program) needs the patient reached first." in page
    assert "1 attempt to reach them" in page
    assert "Tue 8 Dec 2026, 10:20, by phone: not reached." in page
    assert "Recorded by Dr Kim." in page and "Tried calling, no answer" in page
    assert "Contact outcome" not in page  # no resolution
    # Still in the inbox, and on the patient's page with the attempt.
    assert reverse("alert_detail", args=[alert.pk]) in inbox
    assert "1 attempt to reach them, not reached (last Tue 8 Dec 2026, 10:20)." in inbox
    assert "1 attempt to reach them, not reached (last Tue 8 Dec 2026, 10:20)." in patient
    assert "No open alerts." not in patient


def test_an_attempt_on_an_open_alert_acknowledges_it_and_the_chain_is_told_if_unresolved(
    cast, client, enrollment, mailoutbox
):
    chain = make_chain(cast)
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=10), tick=False):
        client.force_login(cast.clinician)
        client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**WALK_THROUGH, "contacted_at": "2026-12-08T10:05", "plan": []},
        )
    alert.refresh_from_db()
    # Someone is on it: acknowledged by who tried, its resolve clock started then.
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", cast.clinician)
    assert alert.resolve_by == T0 + timedelta(minutes=70)
    events = AuditEvent.objects.filter(object_type="tracking.alert", object_id=str(alert.pk))
    assert [e.action for e in events.order_by("pk")] == [
        "alert.raised",
        "alert.acknowledged",
        "alert.contact_attempted",
    ]
    # A failed attempt never resolves it: not resolved by its resolve time, the chain
    # is told, through the real minute task.
    with time_machine.travel(T0 + timedelta(minutes=69), tick=False):
        escalate_alerts()
    assert told(alert) == []
    with time_machine.travel(T0 + timedelta(minutes=70), tick=False):
        escalate_alerts()
    alert.refresh_from_db()
    assert alert.resolve_escalated_at == T0 + timedelta(minutes=70)
    assert told(alert) == [chain["on_call"].email]


def test_not_reached_with_a_plan_that_hands_the_risk_on_resolves_it(cast, client, enrollment):
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=30), tick=False):
        client.force_login(cast.clinician)
        response = client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {
                **WALK_THROUGH,
                "plan": ["emergency", "pause"],
                "note": "No answer twice; police welfare check requested.",
            },
            follow=True,
        )
        assert "Alert resolved." in response.content.decode()
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    alert.refresh_from_db()
    assert alert.status == "resolved"
    resolution = AlertResolution.objects.get(alert=alert)
    assert (resolution.contacted, resolution.risk_after, resolution.plan) == (
        False,
        "",  # no contact: no risk after contact, whatever was ticked
        ["emergency", "pause"],
    )
    # The try is kept too, with who, when and how.
    attempt = AlertContactAttempt.objects.get(alert=alert)
    assert (attempt.method, attempt.created_by) == ("phone", cast.clinician)
    assert "Contact made</dt>\n    <dd>No</dd>" in page
    assert "Risk after contact" not in page
    assert "Emergency services called; Pause the program" in page
    assert "1 attempt to reach them" in page


@pytest.mark.parametrize("plan", [["gp_referral"], ["crisis_team"], ["gp_referral", "crisis_team"]])
def test_a_referral_does_not_close_it_with_nobody_reached(cast, client, enrollment, plan):
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        client.force_login(cast.clinician)
        page = client.post(
            reverse("alert_resolve", args=[alert.pk]),
            {**WALK_THROUGH, "plan": plan, "note": "No answer; referral letter sent."},
            follow=True,
        ).content.decode()
    assert "Your attempt to reach the patient is recorded. The alert is not resolved" in page
    assert "Alert resolved." not in page
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert not AlertResolution.objects.filter(alert=alert).exists()
    assert AlertContactAttempt.objects.filter(alert=alert).count() == 1


def test_the_resolve_form_says_which_plans_resolve_it_without_contact(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    client.force_login(cast.clinician)
    form = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    assert "If you could not reach them, the alert stays open." in form
    assert (
        "Without reaching them, this alert can be resolved only with a plan that hands the "
        "risk to someone who acts now: “Emergency services called”. The other plans need "
        "the patient reached first, so on their own they do not resolve it: “Safety plan "
        "made”, “Referred to their GP / primary care”, “Referred to a crisis team”, "
        "“Continue the program”, “Pause the program” and “Withdraw from the program”. A "
        "referral is a letter or a queue, not someone who acts now."
    ) in form
    # Built from the rules table: every plan the form offers, each named once.
    for value, label in AlertResolution.form_plan_choices():
        assert form.count(f"“{label}”") == 1, value
    assert "Safety hold cleared" not in form


def test_a_refused_attempt_keeps_what_was_typed_and_stores_nothing(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    client.force_login(cast.clinician)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {"contacted": "no", "plan": ["continue"], "note": "Rang twice, voicemail."},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The alert is not resolved yet" in page
    assert "Enter when you tried to reach them." in page
    assert "Choose how you tried to reach them." in page
    # Not reached: the risk after contact is not asked for.
    assert "Choose the risk level you judged after contact." not in page
    assert "Rang twice, voicemail.</textarea>" in page
    assert 'value="continue" id="id_plan_4" checked>' in page
    assert 'value="no" id="id_contacted_1" required checked>' in page
    alert.refresh_from_db()
    assert alert.status == "open"
    assert not AlertContactAttempt.objects.exists()
    assert not AlertResolution.objects.exists()


def test_contact_made_still_needs_the_risk_after_it(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    client.force_login(cast.clinician)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {**WALK_THROUGH, "contacted": "yes", "risk_after": "", "plan": ["safety_plan"]},
    )
    assert response.status_code == 400
    assert "Choose the risk level you judged after contact." in response.content.decode()


def test_a_routine_alert_is_still_resolved_without_contact(cast, client, enrollment):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.MISSED,
        severity=Alert.Severity.ROUTINE,
        source="missed:1",
        details={"missed_in_a_row": 2},
    )
    assert alert is not None
    client.force_login(cast.clinician)
    form = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    assert "If you could not reach them, the alert stays open." not in form
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {"contacted": "no", "plan": ["continue"], "note": "Busy weeks; will pick up."},
        follow=True,
    )
    assert "Alert resolved." in response.content.decode()
    alert.refresh_from_db()
    assert alert.status == "resolved"
    assert not AlertContactAttempt.objects.exists()
    resolution = AlertResolution.objects.get(alert=alert)
    assert (resolution.contacted, resolution.risk_after) == (False, "")


def test_the_service_never_resolves_an_unreached_prompt_alert_without_a_hand_over(cast, enrollment):
    alert = raise_self_harm(enrollment)
    unreached = ResolutionOutcome(contacted=False, risk_after="", plan=["continue"], note="x")
    with pytest.raises(ValueError):
        alert_resolve(alert=alert, by=cast.clinician, outcome=unreached)
    alert.refresh_from_db()
    assert alert.status == "open"


def test_an_attempt_on_a_resolved_alert_stores_nothing(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    handed_on = ResolutionOutcome(contacted=False, risk_after="", plan=["emergency"], note="x")
    alert_resolve(alert=alert, by=cast.admin, outcome=handed_on)
    client.force_login(cast.clinician)
    response = client.post(reverse("alert_resolve", args=[alert.pk]), WALK_THROUGH, follow=True)
    assert "This alert was already resolved." in response.content.decode()
    assert not AlertContactAttempt.objects.exists()


def test_outsiders_cannot_record_an_attempt(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    client.force_login(cast.outsider_clinician)
    assert client.post(reverse("alert_resolve", args=[alert.pk]), WALK_THROUGH).status_code == 404
    assert not AlertContactAttempt.objects.exists()


def test_the_attempt_is_said_in_spanish(cast, client, enrollment):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        client.force_login(cast.clinician)
        page = client.post(
            reverse("alert_resolve", args=[alert.pk]), WALK_THROUGH, follow=True
        ).content.decode()
    assert "Su intento de contactar al paciente quedó registrado." in page
    assert "Hay que resolverla hoy a más tardar a las 11:25" in page
    assert "El plan que eligió (Continuar el programa)" in page
    assert "1 intento de contactarlo" in page
    assert "mar 8 dic 2026, 10:20, por teléfono: sin éxito." in page


def test_the_resolve_forms_rule_reads_as_sentences_in_spanish(cast, client, enrollment):
    alert = raise_self_harm(enrollment)
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    form = " ".join(client.get(reverse("alert_resolve", args=[alert.pk])).content.decode().split())
    assert (
        "alguien que actúe ahora: “Se llamó a los servicios de emergencia”. Los demás planes "
        "necesitan primero contactar al paciente, así que por sí solos no la resuelven: "
    ) in form
    assert "“Pausar el programa” y “Retirarse del programa”." in form


def test_a_resolved_alerts_page_no_longer_asks_for_contact(cast, client, enrollment):
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
        client.force_login(cast.clinician)
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Please contact them today by 11:00." in page
        alert_resolve(
            alert=alert,
            by=cast.clinician,
            outcome=ResolutionOutcome(
                contacted=True,
                contacted_at=T0,
                method="phone",
                risk_after="low",
                plan=["safety_plan"],
                note="Spoke; safety plan made together.",
            ),
        )
        page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Please contact them" not in page
    assert "Resolved</dt>" in page and "Contact outcome" in page
