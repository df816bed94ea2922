"""The alert page and its acknowledge / resolve buttons: for the patient's clinician and
the practice's admin; everyone else gets a 404 and changes nothing. Every change and
every look is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from tracking.alerts.services import alert_raise
from tracking.models import Alert


@pytest.fixture
def alert(enrollment):
    return alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )


def test_it_shows_the_alert_to_the_patients_clinician(cast, client, alert):
    client.force_login(cast.clinician)
    response = client.get(reverse("alert_detail", args=[alert.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Pat One" in page and "2 out of 3" in page
    assert f'action="{reverse("alert_acknowledge", args=[alert.pk])}"' in page
    viewed = AuditEvent.objects.get(action="alert.viewed")
    assert (viewed.actor, viewed.subject, viewed.object_id) == (
        cast.clinician,
        cast.patient,
        str(alert.pk),
    )


def test_it_records_who_acknowledged_and_when(cast, client, alert):
    client.force_login(cast.clinician)
    response = client.post(
        reverse("alert_acknowledge", args=[alert.pk]),
        HTTP_X_REQUEST_ID="req-ack-12345",
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 302 and response.url == reverse("caseload")
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", cast.clinician)
    assert alert.acknowledged_at is not None
    event = AuditEvent.objects.get(action="alert.acknowledged")
    assert (event.actor, event.practice, event.subject) == (
        cast.clinician,
        cast.practice,
        cast.patient,
    )
    assert (event.object_type, event.object_id) == ("tracking.alert", str(alert.pk))
    assert (event.ip, event.request_id) == ("203.0.113.9", "req-ack-12345")
    follow = client.get(reverse("alert_detail", args=[alert.pk]))
    assert "Acknowledged" in follow.content.decode()


@pytest.mark.parametrize(
    ("back", "to"),
    [
        ("alert", "alert_detail"),
        ("inbox", "alert_inbox"),
        ("", "caseload"),
        ("//x.test", "caseload"),
    ],
)
def test_acknowledging_goes_back_to_where_the_next_step_is(cast, client, alert, back, to):
    # From the alert's page or the inbox, "Record contact and resolve" comes next: the
    # clinician lands back there, not on the caseload; anything else is not a URL.
    client.force_login(cast.clinician)
    response = client.post(reverse("alert_acknowledge", args=[alert.pk]), {"back": back})
    assert response.status_code == 302
    assert response.url == reverse(to, args=[alert.pk] if to == "alert_detail" else [])


def test_both_acknowledge_buttons_say_where_they_were_pressed(cast, client, alert):
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert 'name="back" value="alert"' in page and 'name="back" value="inbox"' in inbox


def outcome() -> dict:
    """A documented contact, made just now: after the alert was raised (a contact time
    before it is refused: tests/test_impossible_dates.py)."""
    return {**OUTCOME, "contacted_at": f"{timezone.localtime():%Y-%m-%dT%H:%M}"}


OUTCOME = {
    "contacted": "yes",
    "method": "phone",
    "risk_after": "low",
    "plan": ["safety_plan", "continue"],
    "note": "Spoke by phone; safety plan agreed.",
}


def test_it_resolves_an_open_alert_and_acknowledges_it_too(cast, client, alert):
    client.force_login(cast.clinician)
    response = client.post(reverse("alert_resolve", args=[alert.pk]), outcome(), follow=True)
    assert "Alert resolved." in response.content.decode()
    alert.refresh_from_db()
    assert (alert.status, alert.resolved_by, alert.acknowledged_by) == (
        "resolved",
        cast.clinician,
        cast.clinician,
    )
    assert alert.resolved_at == alert.acknowledged_at
    assert AuditEvent.objects.filter(action="alert.resolved", actor=cast.clinician).count() == 1
    # Resolving again changes nothing and audits nothing.
    client.post(reverse("alert_resolve", args=[alert.pk]), outcome())
    assert AuditEvent.objects.filter(action="alert.resolved").count() == 1


def test_it_lets_the_practice_admin_acknowledge_an_escalated_alert(cast, client, alert):
    client.force_login(cast.admin)
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 200
    response = client.post(reverse("alert_acknowledge", args=[alert.pk]))
    assert response.url == reverse("alert_detail", args=[alert.pk])
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == ("acknowledged", cast.admin)


@pytest.mark.parametrize(
    "who", ["other_clinician", "outsider_admin", "outsider_clinician", "patient", "other_patient"]
)
def test_it_hides_the_alert_from_everyone_else(cast, client, alert, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("alert_detail", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alert_acknowledge", args=[alert.pk])).status_code == 404
    assert client.post(reverse("alert_resolve", args=[alert.pk])).status_code == 404
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_at, alert.resolved_at) == ("open", None, None)
    assert not AuditEvent.objects.filter(
        action__in=["alert.viewed", "alert.acknowledged", "alert.resolved"]
    ).exists()
    # Every refusal is recorded: staff who may not see this alert by the alert they
    # asked for; patients, turned away from staff pages by their role, by the page.
    denied = AuditEvent.objects.filter(action="access.denied", actor=getattr(cast, who))
    assert denied.count() == 3
    expected = (
        {("page", "alert_detail"), ("page", "alert_acknowledge"), ("page", "alert_resolve")}
        if who.endswith("patient")
        else {("tracking.alert", str(alert.pk))}
    )
    assert {(e.object_type, e.object_id) for e in denied} <= expected


def test_it_only_changes_alerts_by_post(cast, client, alert):
    client.force_login(cast.clinician)
    assert client.get(reverse("alert_acknowledge", args=[alert.pk])).status_code == 405
    # GET on resolve shows the outcome form and changes nothing.
    assert client.get(reverse("alert_resolve", args=[alert.pk])).status_code == 200
    alert.refresh_from_db()
    assert alert.status == "open"


def test_it_sends_anonymous_visitors_to_log_in(client, alert):
    response = client.post(reverse("alert_acknowledge", args=[alert.pk]))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize(
    ("who", "back", "to"),
    [
        # From the inbox, or with nothing said: back to the inbox, where the next one is.
        ("clinician", "inbox", "inbox"),
        ("clinician", "", "inbox"),
        ("admin", "", "inbox"),
        ("clinician", "https://evil.test/", "inbox"),  # a page named, never a URL
        ("clinician", "//evil.test", "inbox"),
        ("clinician", "alert", "alert"),
        ("clinician", "patient", "patient"),
        ("admin", "patient", "patient"),
    ],
)
def test_resolving_goes_back_to_where_the_clinician_came_from(cast, client, alert, who, back, to):
    client.force_login(getattr(cast, who))
    form = client.get(reverse("alert_resolve", args=[alert.pk]), {"back": back})
    hidden = f'<input type="hidden" name="back" value="{back}">'
    assert (hidden in form.content.decode()) is (back == to)
    data = {**outcome(), "back": back} if back else outcome()
    response = client.post(reverse("alert_resolve", args=[alert.pk]), data)
    expected = {
        "inbox": reverse("alert_inbox"),
        "alert": reverse("alert_detail", args=[alert.pk]),
        "patient": reverse("patient_detail", args=[alert.enrollment_id]) + "#alerts",
    }[to]
    assert response.status_code == 302 and response.url == expected
    page = client.get(response.url).content.decode()
    assert "Alert resolved. The contact outcome is recorded." in page


def test_each_resolve_link_says_where_it_was_pressed(cast, client, alert):
    client.force_login(cast.clinician)
    resolve = reverse("alert_resolve", args=[alert.pk])
    inbox = client.get(reverse("alert_inbox")).content.decode()
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    patient = client.get(reverse("patient_detail", args=[alert.enrollment_id])).content.decode()
    assert f'href="{resolve}?back=inbox"' in inbox
    assert f'href="{resolve}?back=alert"' in page
    assert f'href="{resolve}?back=patient"' in patient


def test_a_clinician_the_chain_brought_it_to_goes_back_to_the_inbox_not_the_record(
    cast, client, alert
):
    """Someone on the escalation chain sees the alert, not the patient's record: a
    `back=patient` does not send them to a page that is not theirs."""
    from tracking.models import EscalationStep

    EscalationStep.objects.filter(practice=cast.practice).delete()
    EscalationStep.objects.create(
        practice=cast.practice, position=1, target="staff", user=cast.other_clinician
    )
    Alert.objects.filter(pk=alert.pk).update(
        escalation_position=1, escalation_tier=1, escalated_to=[cast.other_clinician.pk]
    )
    client.force_login(cast.other_clinician)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]), {**outcome(), "back": "patient"}
    )
    assert response.url == reverse("alert_inbox")
