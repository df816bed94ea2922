"""Red flags the patient is told mean the emergency department today raise an URGENT
alert (the clock and escalation of a self-harm alert); the other red flags stay HIGH.
The clinician's alert page, the patient overview and the alert email say which signs
were emergency signs (the email only that there were some)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.factories import make_enrollment
from tests.test_alerts_factories import run_outbox
from tests.test_i18n import english_in
from tests.test_onboarding import ABOUT, walk_to_screening
from tests.test_self_harm import assert_no_health_data
from tracking import rules
from tracking.alerts.due import due_time
from tracking.alerts.services import alert_raise
from tracking.models import Alert, OutboxTask, PracticeSettings
from tracking.tasks import escalate_alerts, send_alert_email

# Tuesday 8 December 2026, 10:00 at the practice (Europe/London, UTC in winter):
# inside working hours, so an urgent alert is due in one working hour and a high one
# at the end of the working day.
T0 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)
ER_ADVICE = "Please go to the emergency department today"


# ---------------------------------------------------------------- the rule, as a table
# Every red flag and the alert it raises on its own. The emergency ones are those the
# safety-hold page tells the patient are the emergency department today.
SEVERITY_OF_EACH_FLAG = {
    "bladder_bowel": "urgent",
    "saddle_numbness": "urgent",
    "sexual_changes": "urgent",
    "both_legs": "urgent",
    "leg_weakness": "urgent",
    "fever_unwell": "high",
    "immunosuppression": "high",
    "iv_drug_use": "high",
    "spinal_procedure_or_infection": "high",
    "weight_loss": "high",
    "cancer_history": "high",
    "recent_trauma": "high",
    "minor_trauma_fragile_bones": "high",
    "thoracic_pain": "high",
    "constant_night_pain": "high",
    "onset_after_50": "high",
    "onset_before_20": "high",
}


def test_the_table_names_every_red_flag():
    assert set(SEVERITY_OF_EACH_FLAG) == set(rules.RED_FLAGS_BY_KEY)


@pytest.mark.parametrize(("key", "severity"), sorted(SEVERITY_OF_EACH_FLAG.items()))
def test_each_red_flag_raises_its_severity(key, severity):
    assert rules.red_flags_alert_severity([key]) == severity
    # The alert is URGENT exactly when the patient is told the emergency department.
    assert (severity == "urgent") is rules.red_flags_urgent([key])
    assert (severity == "urgent") is (rules.RED_FLAGS_BY_KEY[key].action == rules.RED_FLAG_URGENT)


@pytest.mark.parametrize(
    ("keys", "severity", "emergency"),
    [
        ([], None, []),
        (["weight_loss", "cancer_history"], "high", []),
        (["leg_weakness", "weight_loss", "cancer_history"], "urgent", ["leg_weakness"]),
        (
            ["cancer_history", "both_legs", "bladder_bowel"],
            "urgent",
            ["both_legs", "bladder_bowel"],
        ),
        (["onset_after_50"], "high", []),
        (["retired_key"], "high", []),  # a flag retired since still holds and alerts
    ],
)
def test_a_screening_is_as_urgent_as_its_most_urgent_flag(keys, severity, emergency):
    assert rules.red_flags_alert_severity(keys) == severity
    assert rules.emergency_red_flags(keys) == emergency


def test_the_alert_severities_are_the_alert_model_s():
    assert rules.red_flags_alert_severity(["leg_weakness"]) == Alert.Severity.URGENT
    assert rules.red_flags_alert_severity(["weight_loss"]) == Alert.Severity.HIGH


# ---------------------------------------------------------------- end to end
@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


def _screen(client, patient, flags: dict) -> str:
    """The patient walks onboarding and sends the screening; the page they land on."""
    client.force_login(patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"), {**ABOUT, **flags})
    assert response.url == reverse("safety_hold")
    return client.get(response.url).content.decode()


def _due(cast, severity: str) -> datetime:
    return due_time(
        practice_settings=PracticeSettings.for_practice(cast.practice.pk),
        timezone_name=cast.practice.timezone,
        severity=severity,
        start=T0,
    )


def test_worsening_leg_weakness_sends_the_patient_to_the_er_and_the_alert_is_urgent(
    cast, client, new_enrollment, mailoutbox
):
    with time_machine.travel(T0, tick=False):
        page = _screen(
            client,
            cast.patient,
            {"urgent_flags": ["leg_weakness"], "red_flags": ["weight_loss", "cancer_history"]},
        )
        assert ER_ADVICE in page

        alert = Alert.objects.get(enrollment=new_enrollment)
        assert alert.kind == Alert.Kind.RED_FLAG
        assert alert.severity == Alert.Severity.URGENT
        # The self-harm alert's clock: the practice's urgent response time, one working
        # hour, not the end of the working day.
        assert alert.due_at == _due(cast, Alert.Severity.URGENT) == T0 + timedelta(hours=1)
        assert alert.due_at < _due(cast, Alert.Severity.HIGH)
        self_harm = alert_raise(
            enrollment=make_enrollment(
                cast.other_patient,
                cast.clinician,
                cast.practice,
                version=new_enrollment.program_version,
            ),
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="test",
        )
        assert self_harm is not None and self_harm.due_at == alert.due_at

        # The clinician is told at once, by email, that it is urgent.
        [row] = [
            r
            for r in OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email")
            if r.kwargs == {"alert_id": alert.pk}
        ]
        send_alert_email(alert_id=alert.pk, outbox_id=row.pk)
        email = mailoutbox[0]
        assert email.subject == "Urgent: a patient's screening shows emergency signs"
        assert "reported emergency signs at screening" in email.body
        assert "told to go to the emergency department today" in email.body
        assert "emergency signs at screening" in email.alternatives[0][0]
        assert_no_health_data(email, cast.patient)
        for answer in ("leg", "weight", "cancer", "foot"):
            assert answer not in email.body.lower() and answer not in email.subject.lower()

        # The alert page marks the emergency sign, and only it.
        client.force_login(cast.clinician)
        body = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Urgent" in body
        items = body.split("<li>")
        # (In the staff's clinical words: tracking.rules.RED_FLAG_STAFF_LABELS.)
        leg = next(i for i in items if "Progressive leg weakness or foot drop" in i)
        weight = next(i for i in items if "Unexplained weight loss" in i)
        assert "Emergency sign" in leg.split("</li>")[0]
        assert "Emergency sign" not in weight.split("</li>")[0]
        assert "The patient was told to go to the emergency department today" in body

        # The patient overview's alert list says so too.
        overview = client.get(reverse("patient_detail", args=[new_enrollment.pk]))
        alerts = overview.content.decode().split('id="alerts"')[1]
        assert "Emergency signs" in alerts
        assert "They were told to go to the emergency department today." in alerts

    # Unacknowledged at its urgent due time, it climbs the escalation chain, as a
    # self-harm alert does.
    with time_machine.travel(alert.due_at - timedelta(minutes=1), tick=False):
        assert escalate_alerts() == 0
    with time_machine.travel(alert.due_at + timedelta(minutes=1), tick=False):
        assert escalate_alerts() == 2  # this alert and the self-harm one
    alert.refresh_from_db()
    assert alert.escalation_tier == 1


def test_a_red_flag_that_is_not_an_emergency_stays_high(cast, client, new_enrollment, mailoutbox):
    with time_machine.travel(T0, tick=False):
        page = _screen(client, cast.patient, {"red_flags": ["weight_loss", "cancer_history"]})
        assert ER_ADVICE not in page
        alert = Alert.objects.get(enrollment=new_enrollment)
        assert alert.severity == Alert.Severity.HIGH
        assert alert.due_at == _due(cast, Alert.Severity.HIGH)
        [row] = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email")
        send_alert_email(alert_id=alert.pk, outbox_id=row.pk)
        assert [(m.to, m.subject) for m in mailoutbox] == [
            ([cast.clinician.email], "A patient's screening needs your review")
        ]

        client.force_login(cast.clinician)
        body = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
        assert "Unexplained weight loss" in body
        assert "Emergency sign" not in body
        overview = client.get(reverse("patient_detail", args=[new_enrollment.pk]))
        assert "Emergency signs" not in overview.content.decode().split('id="alerts"')[1]


def test_an_open_alert_raised_before_the_rule_keeps_its_level_but_shows_the_mark(
    cast, client, enrollment
):
    # Raised HIGH by the old rule; not rewritten, but its page marks the emergency sign.
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.RED_FLAG,
        severity=Alert.Severity.HIGH,
        source="screening",
        details={"red_flags": ["leg_weakness", "cancer_history"]},
    )
    client.force_login(cast.clinician)
    body = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Emergency sign" in body


def test_the_marks_and_the_email_are_in_spanish(cast, client, enrollment, mailoutbox):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.RED_FLAG,
        severity=Alert.Severity.URGENT,
        source="screening",
        details={"red_flags": ["both_legs"]},
    )
    client.force_login(cast.clinician)
    body = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Señal de emergencia" in body and "Se le dijo al paciente que vaya hoy" in body
    overview = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    assert "Señales de emergencia" in overview.split('id="alerts"')[1]
    run_outbox()
    [message] = [m for m in mailoutbox if cast.clinician.email in m.to]
    assert (
        message.subject
        == "Urgente: la evaluación inicial de un paciente muestra señales de emergencia"
    )
    names = (cast.clinician.display_name, cast.practice.name)
    assert english_in(message.alternatives[0][0], allowed=names) == []
    assert english_in(message.body, allowed=names) == []
