"""First login: welcome → about → consent → settings → red-flag screening."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.models import Screening
from tests.factories import make_enrollment
from tracking.models import Alert


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(cast.patient, cast.clinician, cast.practice,
                           version=program_version, onboarded=False)


def walk_to_screening(client):
    assert client.get(reverse("onboarding")).status_code == 200
    assert b"not a diagnosis" in client.get(reverse("onboarding_about")).content
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(reverse("onboarding_settings"), {
        "timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"})
    assert response.url == reverse("onboarding_safety")


def test_program_pages_lead_to_onboarding_until_it_is_done(client, cast, new_enrollment):
    client.force_login(cast.patient)
    for name in ("today", "program_overview", "my_log", "practice", "exposure"):
        assert client.get(reverse(name)).url == reverse("onboarding"), name


def test_a_patient_with_no_red_flags_starts_the_program(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"), {"none_apply": "on"})
    assert response.url == reverse("today")
    new_enrollment.refresh_from_db()
    cast.patient.refresh_from_db()
    assert new_enrollment.status == "active" and new_enrollment.screening == Screening.CLEAR
    assert new_enrollment.onboarded_at and new_enrollment.consented_at
    assert str(new_enrollment.preferred_practice_time) == "19:30:00"
    assert new_enrollment.checkin_weekday == 3
    assert cast.patient.timezone == "America/Chicago"
    assert client.get(reverse("today")).status_code == 200
    assert not Alert.objects.exists()


def test_consent_must_be_given(client, cast, new_enrollment):
    client.force_login(cast.patient)
    response = client.post(reverse("onboarding_consent"), {"understand": "on"})
    assert response.status_code == 200
    assert "Please tick this box to go on" in response.content.decode()
    assert client.get(reverse("onboarding_settings")).url == reverse("onboarding_consent")


def test_bad_settings_keep_what_was_typed(client, cast, new_enrollment):
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(reverse("onboarding_settings"), {
        "timezone": "Mars/Olympus", "practice_time": "25:99", "checkin_weekday": "2"})
    body = response.content.decode()
    assert "Pick your time zone from the list" in body
    assert "Enter a time like 09:00" in body
    assert 'value="2" selected' in body
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "UTC"


def test_screening_needs_an_answer(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"), {})
    assert "None of these apply to me" in response.content.decode()
    assert "Please tick any that apply" in response.content.decode()
    response = client.post(reverse("onboarding_safety"),
                           {"none_apply": "on", "red_flags": ["weight_loss"]})
    assert "Please check your answers" in response.content.decode()
    new_enrollment.refresh_from_db()
    assert new_enrollment.screening == Screening.PENDING


def test_a_red_flag_holds_the_program_and_alerts_the_clinician(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"),
                           {"red_flags": ["bladder_bowel", "weight_loss"]})
    assert response.url == reverse("safety_hold")
    page = client.get(response.url).content.decode()
    assert "Please check with a doctor first" in page
    assert "Losing weight without trying" in page
    alert = Alert.objects.get()
    assert alert.kind == "red_flag" and alert.enrollment == new_enrollment
    assert alert.details == {"red_flags": ["bladder_bowel", "weight_loss"]}
    # every program page leads back to the hold page
    assert client.get(reverse("today")).url == reverse("safety_hold")
    # a repeat post changes nothing and raises nothing new
    client.post(reverse("onboarding_safety"), {"red_flags": ["cancer_history"]})
    assert Alert.objects.count() == 1


def test_the_patient_continues_once_the_clinician_clears_the_hold(client, cast, new_enrollment):
    from programs.services import screening_clear, screening_record

    screening_record(enrollment=new_enrollment, red_flags=["recent_trauma"])
    screening_clear(enrollment=new_enrollment, cleared_by=cast.clinician)
    new_enrollment.refresh_from_db()
    assert new_enrollment.status == "active"
    client.force_login(cast.patient)
    assert client.get(reverse("today")).status_code == 200


def test_finishing_onboarding_schedules_checkins_and_reminders(client, cast, new_enrollment):
    from tracking.models import CheckIn, ReminderSchedule

    client.force_login(cast.patient)
    walk_to_screening(client)
    client.post(reverse("onboarding_safety"), {"none_apply": "on"})
    assert CheckIn.objects.filter(enrollment=new_enrollment, slot="baseline").exists()
    assert set(ReminderSchedule.objects.filter(enrollment=new_enrollment)
               .values_list("kind", flat=True)) == {"practice", "checkin"}
