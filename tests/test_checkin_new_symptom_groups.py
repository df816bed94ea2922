"""The weekly "any new symptoms?" asks its emergency signs apart (PRT_NOTES.md, Safety):
a yes to the cauda equina signs raises an URGENT alert (as the onboarding screen's
emergency signs do) and tells the patient at once to go to the emergency department
today, with their country's number and the clinic's numbers for help; a yes to the other
signs raises the HIGH alert and says "see your doctor soon"; both raise both; neither
raises nothing. A response to version 1 (one question over both groups) is still read
as it was: HIGH, both kinds of guidance, the clinician told the answer cannot say which."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from django.urls import reverse

from programs.models import Enrollment, EnrollmentStatus
from tests.checkin_data import post_for, record_at_open
from tracking import rules
from tracking.alerts.evaluate import evaluate_checkin
from tracking.instruments.registry import instrument_save, sync_shipped
from tracking.instruments.shipped import definition_for
from tracking.models import Alert, CheckIn, Instrument, Response

pytestmark = pytest.mark.patient_country("US")  # the crisis and emergency numbers follow it

E, D = rules.NEW_SYMPTOMS_EMERGENCY_ITEM, rules.NEW_SYMPTOMS_DOCTOR_ITEM
GO_TODAY = 'Please go to the emergency department today, or call <a href="tel:911">911</a>.'
DOCTOR_SOON = "Please contact your doctor soon, today or in the next day or two."
ALSO = "You also said yes to other new symptoms"
OLD_GUIDANCE = "Other new symptoms also need a doctor."


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def alerts(enrollment) -> list[tuple[str, str]]:
    return sorted(Alert.objects.filter(enrollment=enrollment).values_list("kind", "severity"))


def text(html: str) -> str:
    return " ".join(html.split())


def submit(client, cast, week3, **answers: int) -> str:
    """Send the whole check-in with these new-symptoms answers; the results page."""
    client.force_login(cast.patient)
    data = post_for(week3.instrument_keys, new_symptoms={E: 0, D: 0, **answers})
    response = client.post(url(week3), data, follow=True)
    assert response.redirect_chain[-1][0].endswith("?done=1")
    return text(response.content.decode())


def alert_page(client, cast, alert: Alert) -> str:
    client.force_login(cast.clinician)
    return text(client.get(reverse("alert_detail", args=[alert.pk])).content.decode())


# ------------------------------------------------------------------ the four paths
def test_a_yes_to_emergency_signs_is_urgent_and_says_go_to_the_emergency_department_today(
    client, cast, week3
):
    page = submit(client, cast, week3, **{E: 1})

    assert alerts(week3.enrollment) == [("emergency_symptoms", "urgent")]
    # At once, on the results page: the emergency department today, the number to call,
    # the clinic's numbers for help now, and the clinic's urgent response time.
    assert 'data-symptoms="emergency"' in page
    assert GO_TODAY in page
    assert "a nerve in your lower back is being squeezed" in page
    assert "988" in page  # the US numbers for help now
    assert "Keep taking any treatment your doctor gave you." in page
    assert "within 1 hour" in page  # the urgent promise, not the high one
    assert DOCTOR_SOON not in page and ALSO not in page
    # The clinician is told at once (as for onboarding's emergency signs), and the alert
    # page says which question it was.
    alert = Alert.objects.get(enrollment=week3.enrollment)
    assert rules.needs_prompt_contact(kind=alert.kind, severity=alert.severity)
    assert alert.details == {"emergency_signs": True}
    shown = alert_page(client, cast, alert)
    assert "said yes to the question on emergency signs" in shown
    assert "They were told to go to the emergency department today" in shown


def test_a_yes_to_other_signs_is_high_and_says_see_your_doctor_soon(client, cast, week3):
    page = submit(client, cast, week3, **{D: 1})

    assert alerts(week3.enrollment) == [("new_symptoms", "high")]
    assert 'data-symptoms="doctor_soon"' in page
    assert DOCTOR_SOON in page
    # What to watch for: the emergency signs, with the number to call.
    assert "Go to the emergency department today, or call" in page
    assert "Please go to the emergency department today" not in page
    assert "within 8 hours" in page  # the high promise
    alert = Alert.objects.get(enrollment=week3.enrollment)
    assert alert.details == {"new_symptoms": True, "group": "doctor_soon"}
    assert "said yes to the question on signs for a doctor soon" in alert_page(client, cast, alert)


def test_a_yes_to_both_raises_both_and_the_emergency_comes_first(client, cast, week3):
    page = submit(client, cast, week3, **{E: 1, D: 1})

    assert alerts(week3.enrollment) == [("emergency_symptoms", "urgent"), ("new_symptoms", "high")]
    assert GO_TODAY in page
    assert ALSO in page
    assert page.count("data-safety-panel") == 1  # one panel, the emergency's


def test_no_to_both_raises_nothing_and_shows_no_guidance(client, cast, week3):
    page = submit(client, cast, week3)

    assert alerts(week3.enrollment) == []
    assert "data-safety-panel" not in page
    assert "emergency department" not in page


def test_a_doctor_soon_draft_first_never_stands_in_for_a_later_emergency_yes(client, cast, week3):
    """A yes to the other signs saved first, then the emergency signs: the URGENT alert
    is still raised (its own kind, not folded into the HIGH one for the check-in)."""
    client.force_login(cast.patient)
    client.post(url(week3), {"action": "save", f"new_symptoms__{D}": "1"})
    assert alerts(week3.enrollment) == [("new_symptoms", "high")]
    both = {"action": "save", f"new_symptoms__{D}": "1", f"new_symptoms__{E}": "1"}
    client.post(url(week3), both)
    assert alerts(week3.enrollment) == [("emergency_symptoms", "urgent"), ("new_symptoms", "high")]
    page = text(client.get(url(week3)).content.decode())
    assert GO_TODAY in page  # the saved draft's panel, at the top


def test_emergency_signs_sent_after_the_program_ended_say_go_today_on_the_ended_page(
    client, cast, week3
):
    Enrollment.objects.filter(pk=week3.enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)
    client.force_login(cast.patient)
    data = post_for(week3.instrument_keys, new_symptoms={E: 1, D: 0})
    response = client.post(url(week3), data, follow=True)

    assert response.redirect_chain[-1][0] == reverse("program_ended")
    page = text(response.content.decode())
    assert GO_TODAY in page
    assert "We did not save this answer, but we have told your clinic about it." in page
    [alert] = Alert.objects.filter(enrollment=week3.enrollment)
    assert (alert.kind, alert.severity) == ("emergency_symptoms", "urgent")
    assert alert.details == {"emergency_signs": True, "unsaved": True}


def test_the_alert_email_says_emergency_signs_at_a_check_in(cast, week3, mailoutbox):
    from tracking.alerts.emails import alert_email_send

    record_at_open(week3, new_symptoms={E: 1, D: 0})
    alert = Alert.objects.get(enrollment=week3.enrollment)
    assert alert_email_send(alert_id=alert.pk)
    [email] = mailoutbox
    assert "check-in shows emergency signs" in email.subject
    assert "reported emergency signs at a weekly check-in" in email.body
    assert "screening" not in email.body  # not the onboarding screen's words


# ------------------------------------------------------------------ version 1's answers
V1_ITEM = {
    "key": rules.NEW_SYMPTOMS_ITEM,
    "text": "Have you had any of these new symptoms since your last check-in?",
    "min": 0,
    "max": 1,
    "labels": {"0": "No", "1": "Yes"},
}


def version_1() -> Instrument:
    """Store version 1's definition (one question over both groups) as the current one,
    as it was before version 2 shipped."""
    old = copy.deepcopy(definition_for(rules.NEW_SYMPTOMS))
    old["items"] = [V1_ITEM]
    old["translations"]["es"]["items"] = {
        rules.NEW_SYMPTOMS_ITEM: {
            "text": "¿Ha tenido alguno de estos síntomas nuevos desde su último control semanal?",
            "labels": {"0": "No", "1": "Sí"},
        }
    }
    instrument, created = instrument_save(definition=old)
    assert created
    return instrument


def test_an_answer_to_version_1_still_reads_as_it_did_everywhere(client, cast, week3):
    v1 = version_1()
    record_at_open(week3, new_symptoms={rules.NEW_SYMPTOMS_ITEM: 1})
    sync_shipped()  # version 2 ships: the question changes for later check-ins
    v2 = Instrument.objects.get(key=rules.NEW_SYMPTOMS, practice=None, is_current=True)
    assert v2.version > v1.version and [i["key"] for i in v2.items] == [E, D]
    response = Response.objects.get(checkin=week3, instrument_key=rules.NEW_SYMPTOMS)
    assert response.instrument_id == v1.pk

    # Alerts: HIGH, as then; evaluated again, nothing new (nor an URGENT one).
    evaluate_checkin(week3)
    assert alerts(week3.enrollment) == [("new_symptoms", "high")]
    alert = Alert.objects.get(enrollment=week3.enrollment)
    assert alert.details == {"new_symptoms": True}
    assert "Their answer does not say which symptom it was" in alert_page(client, cast, alert)

    # The patient's results: both kinds of guidance, as version 1 gave them.
    client.force_login(cast.patient)
    page = text(client.get(url(week3) + "?done=1").content.decode())
    assert OLD_GUIDANCE in page
    assert "Go to the emergency department today, or call your local emergency number" in page
    assert DOCTOR_SOON not in page and GO_TODAY not in page

    # The clinician's check-in answers: the question as it was asked, answered yes.
    client.force_login(cast.clinician)
    answers = client.get(reverse("patient_checkins", args=[week3.enrollment.pk])).content
    assert V1_ITEM["text"] in answers.decode()

    # The exports: the answer under its own question and version.
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(reverse("patient_csv", args=[week3.enrollment.pk])).content.decode()
            )
        )
    )
    answered = [r for r in rows if r[3:6] == ["week-3", "new_symptoms", "new_symptoms"]]
    assert [(r[6], r[8]) for r in answered] == [("1", str(v1.version))]
    bundle = json.loads(
        client.get(reverse("patient_fhir", args=[week3.enrollment.pk])).content.decode()
    )
    items = [
        item
        for entry in bundle["entry"]
        for item in entry["resource"].get("item", [])
        if item.get("linkId") == rules.NEW_SYMPTOMS_ITEM
    ]
    assert items and items[0]["text"] == V1_ITEM["text"]
