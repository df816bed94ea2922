"""A patient's account is not deleted while their care team is still following up a
safety alert: one the clinician is emailed about at once (self-harm, red flags, new
symptoms, any urgent alert) not yet resolved, open or acknowledged. An
acknowledged alert still needs the clinician to reach the patient and document the
contact (the resolve form); deleting before that would take the alert, its page, its
resolve-deadline escalation and the patient's phone number with it.

One rule (tracking.rules.alert_holds_deletion), asked by the patient's page, by the
deletion service itself when it runs (so a deletion asked for earlier and run later
meets it too) and by the Django admin's delete."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from painapp.accounts import data_rights
from painapp.accounts.models import User
from tests.checkin_data import post_for
from tests.test_account_deletion import delete, login
from tests.test_alerts_factories import CONTACTED
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.models import Alert

K, S = Alert.Kind, Alert.Status


# ---------------------------------------------------------------- the rule
K_PROMPT = (K.SELF_HARM, K.RED_FLAG, K.NEW_SYMPTOMS, K.EMERGENCY_SYMPTOMS)


@pytest.mark.parametrize(
    ("kind", "severity", "status", "held"),
    [
        (K.SELF_HARM, "urgent", S.OPEN, True),
        (K.SELF_HARM, "urgent", S.ACKNOWLEDGED, True),  # seen, nobody has reached them yet
        (K.SELF_HARM, "urgent", S.RESOLVED, False),
        (K.RED_FLAG, "high", S.OPEN, True),
        (K.RED_FLAG, "high", S.ACKNOWLEDGED, True),
        (K.RED_FLAG, "high", S.RESOLVED, False),
        # New symptoms at a weekly check-in (perhaps a sign for the emergency
        # department): the clinician is emailed at once, so deletion waits too.
        (K.NEW_SYMPTOMS, "high", S.OPEN, True),
        (K.NEW_SYMPTOMS, "high", S.ACKNOWLEDGED, True),
        (K.NEW_SYMPTOMS, "high", S.RESOLVED, False),
        # Emergency signs at a weekly check-in (raised URGENT): held by kind too.
        (K.EMERGENCY_SYMPTOMS, "urgent", S.OPEN, True),
        (K.EMERGENCY_SYMPTOMS, "urgent", S.ACKNOWLEDGED, True),
        (K.EMERGENCY_SYMPTOMS, "urgent", S.RESOLVED, False),
        # Any urgent alert (a PHQ-9 of 20 or more), whatever its kind.
        (K.DEPRESSION, "urgent", S.OPEN, True),
        (K.DEPRESSION, "urgent", S.ACKNOWLEDGED, True),
        (K.DEPRESSION, "urgent", S.RESOLVED, False),
        *[
            (kind, severity, status, False)
            for kind in K
            if kind not in K_PROMPT
            for severity in ("high", "routine")
            for status in S
        ],
    ],
)
def test_the_rule_over_every_kind_severity_and_status(kind, severity, status, held):
    assert rules.alert_holds_deletion(kind=kind, severity=severity, status=status) is held


def test_its_words_are_the_alerts():
    assert (
        rules.ALERT_SELF_HARM,
        rules.ALERT_RED_FLAG,
        rules.ALERT_NEW_SYMPTOMS,
        rules.ALERT_EMERGENCY_SYMPTOMS,
        rules.ALERT_URGENT,
        rules.ALERT_RESOLVED,
    ) == (
        K.SELF_HARM,
        K.RED_FLAG,
        K.NEW_SYMPTOMS,
        K.EMERGENCY_SYMPTOMS,
        Alert.Severity.URGENT,
        S.RESOLVED,
    )


def _alert(enrollment, kind, status, source="test"):
    alert = alert_raise(enrollment=enrollment, kind=kind, severity="high", source=source)
    Alert.objects.filter(pk=alert.pk).update(status=status)
    return alert


@pytest.mark.parametrize(
    ("kind", "status", "held"),
    [
        (K.SELF_HARM, S.OPEN, True),
        (K.SELF_HARM, S.ACKNOWLEDGED, True),
        (K.SELF_HARM, S.RESOLVED, False),
        (K.RED_FLAG, S.ACKNOWLEDGED, True),
        (K.RED_FLAG, S.RESOLVED, False),
        (K.NEW_SYMPTOMS, S.ACKNOWLEDGED, True),
        (K.PAIN_UP, S.OPEN, False),
        (K.DEPRESSION, S.ACKNOWLEDGED, False),
    ],
)
def test_the_patients_alerts_hold_their_deletion(cast, enrollment, kind, status, held):
    _alert(enrollment, kind, status)
    assert data_rights.deletion_on_hold(cast.patient) is held


def test_a_resolved_alert_does_not_release_one_still_being_followed_up(cast, enrollment):
    _alert(enrollment, K.SELF_HARM, S.RESOLVED, source="checkin:1")
    _alert(enrollment, K.SELF_HARM, S.ACKNOWLEDGED, source="checkin:2")
    assert data_rights.deletion_on_hold(cast.patient) is True


def test_another_patients_alert_holds_nothing(cast, enrollment, other_enrollment):
    _alert(other_enrollment, K.SELF_HARM, S.ACKNOWLEDGED)
    assert data_rights.deletion_on_hold(cast.patient) is False
    assert data_rights.deletion_on_hold(other_enrollment.patient) is True


# ---------------------------------------------------------------- end to end
HELD = {
    "en": (
        "your care team is following up on it",
        "When their follow-up is done, you can come back here and delete your account.",
    ),
    "es": (
        "su equipo de atención está dando seguimiento a eso",
        "Cuando terminen ese seguimiento, puede volver aquí y borrar su cuenta.",
    ),
}


@pytest.mark.parametrize("language", ["en", "es"])
def test_item_9_acknowledged_holds_the_deletion_until_the_contact_is_documented(
    cast, week3, language
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    patient, clinician = Client(), Client()
    start = week3.opens_at + timedelta(hours=1)

    # The patient answers PHQ-9 item 9 above 0: an urgent self-harm alert.
    with time_machine.travel(start, tick=False):
        login(patient, cast.patient)
        checkin = reverse("checkin_detail", args=[week3.pk])
        patient.post(checkin, post_for(week3.instrument_keys, phq9_item9={"phq9": 1}))
    alert = Alert.objects.get(enrollment__patient=cast.patient, kind=K.SELF_HARM)

    # A clinician clicks Acknowledge in the inbox; they have not called yet.
    with time_machine.travel(start + timedelta(minutes=1), tick=False):
        clinician.force_login(cast.clinician)
        clinician.post(reverse("alert_acknowledge", args=[alert.pk]))
    alert.refresh_from_db()
    assert alert.status == S.ACKNOWLEDGED and alert.resolve_by is not None

    # The patient tries to delete: held, in their language, with the help links.
    with time_machine.travel(start + timedelta(minutes=2), tick=False):
        page = patient.get(reverse("account_delete"))
        body = page.content.decode()
        for words in HELD[language]:
            assert words in body
        assert f'href="{reverse("get_help")}"' in body
        assert 'name="confirm"' not in body  # no delete form
        refused = delete(patient)
    assert refused.status_code == 409
    assert HELD[language][1] in refused.content.decode()
    assert User.objects.get(pk=cast.patient.pk).is_active
    # The alert, its page and the patient's contact details are all still there.
    with time_machine.travel(start + timedelta(minutes=3), tick=False):
        clinician.force_login(cast.clinician)
        detail = clinician.get(reverse("alert_detail", args=[alert.pk]))
    assert detail.status_code == 200

    # The clinician calls and documents the contact on the resolve form.
    called = start + timedelta(minutes=5)
    typed = called.astimezone(ZoneInfo(cast.clinician.timezone)).strftime("%Y-%m-%dT%H:%M")
    with time_machine.travel(start + timedelta(minutes=10), tick=False):
        clinician.force_login(cast.clinician)
        resolved = clinician.post(
            reverse("alert_resolve", args=[alert.pk]),
            {
                "contacted": "yes",
                "contacted_at": typed,
                "method": "phone",
                "risk_after": "low",
                "plan": ["safety_plan"],
                "note": "Spoke by phone; safety plan reviewed.",
            },
        )
    assert resolved.status_code == 302
    alert.refresh_from_db()
    assert alert.status == S.RESOLVED and alert.resolution.contacted

    # Now the patient can delete their account.
    with time_machine.travel(start + timedelta(minutes=11), tick=False):
        patient = Client()  # logs in again: the password counts for five minutes
        login(patient, cast.patient)
        assert 'name="confirm"' in patient.get(reverse("account_delete")).content.decode()
        done = delete(patient)
    assert done.status_code == 302 and done.url == reverse("account_deleted")
    assert not User.objects.get(pk=cast.patient.pk).is_active
    assert not Alert.objects.filter(pk=alert.pk).exists()


# ---------------------------------------------------------------- every way in
def test_the_deletion_service_asks_again_when_it_runs(cast, enrollment):
    """A deletion asked for before the alert (or queued to run later) meets the rule
    when it runs: nothing is deleted."""
    alert = alert_raise(enrollment=enrollment, kind="self_harm", severity="urgent", source="x:1")
    alert_acknowledge(alert=alert, by=cast.clinician)
    with pytest.raises(data_rights.DeletionOnHold):
        data_rights.account_delete(user=cast.patient)
    assert User.objects.get(pk=cast.patient.pk).email == cast.patient.email
    assert Alert.objects.filter(pk=alert.pk).exists()
    alert_resolve(alert=alert, by=cast.clinician, outcome=CONTACTED)
    data_rights.account_delete(user=cast.patient)
    assert not User.objects.get(pk=cast.patient.pk).is_active


def test_an_alert_raised_after_the_page_was_checked_still_holds_it(
    client, cast, enrollment, monkeypatch
):
    """The patient's page asked the hold before the alert was raised; the service asks
    again and the patient sees the hold page, not an error."""
    login(client, cast.patient)
    real = data_rights.deletion_on_hold
    asked = []

    def raised_in_between(user):
        asked.append(user.pk)
        if len(asked) == 1:  # the page's own check, just before the alert came in
            alert_raise(enrollment=enrollment, kind="self_harm", severity="urgent", source="x:2")
            return False
        return real(user)

    monkeypatch.setattr(data_rights, "deletion_on_hold", raised_in_between)
    response = delete(client)
    assert response.status_code == 409
    assert HELD["en"][1] in response.content.decode()
    assert User.objects.get(pk=cast.patient.pk).is_active


def test_the_django_admin_cannot_delete_a_patient_on_hold(cast, enrollment, superuser_client):
    alert = alert_raise(enrollment=enrollment, kind="red_flag", severity="high", source="x:3")
    alert_acknowledge(alert=alert, by=cast.clinician)
    url = reverse("admin:accounts_user_delete", args=[cast.patient.pk])
    assert superuser_client.get(url).status_code == 403
    assert superuser_client.post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=cast.patient.pk).exists()
    assert Alert.objects.filter(pk=alert.pk).exists()
    # No bulk delete that would skip the question.
    listing = superuser_client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "delete_selected" not in listing
