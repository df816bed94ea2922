"""Clearing a red-flag safety hold closes the red-flag alert with a true record: the
plan says the hold was cleared after clinical review (not "Continue the program"), the
note keeps the clinician's own reason, the alert page does not claim the patient was
not reached, and the resolve form never offers that plan to anyone else. Audited."""

from __future__ import annotations

from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tracking.models import Alert
from tracking.safety.models import AlertResolution

REASON = "Spoke with her GP: the cancer was 12 years ago, fully treated, no new signs."


def test_clearing_the_hold_records_the_clinicians_reason_and_what_happened(client, cast, on_hold):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("patient_clear_hold", args=[on_hold.pk]), {"decision": "clear", "reason": REASON}
    )
    assert response.status_code == 302
    alert = Alert.objects.get(enrollment=on_hold, kind=Alert.Kind.RED_FLAG)
    assert alert.status == Alert.Status.RESOLVED
    resolution = alert.resolution
    assert resolution.plan == [AlertResolution.Plan.HOLD_CLEARED]
    assert AlertResolution.Plan.CONTINUE not in resolution.plan
    assert REASON in resolution.note
    assert resolution.note.startswith("Red flags reviewed and the safety hold cleared.")
    assert resolution.by_hold_decision and not resolution.contacted
    assert resolution.created_by == cast.clinician

    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "Safety hold cleared after clinical review" in page
    assert "Continue the program" not in page
    assert "Not recorded: the alert was closed by the clinician's decision" in page
    assert "Spoke with her GP" in page

    for action in ("screening.hold_clear", "screening.cleared", "alert.resolved"):
        assert AuditEvent.objects.filter(action=action, actor=cast.clinician).exists(), action
    # The reason is the clinician's free text: kept on the record, never in the audit.
    assert all("GP" not in str(event.changes) for event in AuditEvent.objects.all())


def test_withdrawing_from_the_hold_keeps_the_reason_too(client, cast, on_hold):
    client.force_login(cast.clinician)
    client.post(
        reverse("patient_clear_hold", args=[on_hold.pk]),
        {"decision": "withdraw", "reason": "Needs a surgical opinion first."},
    )
    resolution = Alert.objects.get(enrollment=on_hold, kind=Alert.Kind.RED_FLAG).resolution
    assert resolution.plan == [AlertResolution.Plan.WITHDRAW]
    assert "Needs a surgical opinion first." in resolution.note


def test_the_resolve_form_never_offers_the_hold_decisions_plan(client, cast, enrollment):
    from tests.clinical_data import add_alert

    alert = add_alert(enrollment, kind=Alert.Kind.SELF_HARM, severity=Alert.Severity.URGENT)
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    assert 'value="emergency"' in page
    assert 'value="hold_cleared"' not in page
    assert "Safety hold cleared" not in page
