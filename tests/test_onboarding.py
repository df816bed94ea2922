"""First login: welcome → about → consent → settings → red-flag screening."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.models import EnrollmentStatus, Screening
from tests.db_faults import REFUSED, writes_refused
from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tracking.clinic.services import safety_hold_clear
from tracking.lifecycle import screening_submit
from tracking.models import Alert, CheckIn, ReminderSchedule


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


# The "about you" answers of the safety check: aged 40-something, pain since 2015 (no
# onset-age flag).
ABOUT = {"date_of_birth": "1980-05-05", "onset_year": "2015"}


def walk_to_screening(client):
    assert client.get(reverse("onboarding")).status_code == 200
    assert b"not a diagnosis" in client.get(reverse("onboarding_about")).content
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    # Step 5: the patient's country (for the crisis numbers); the phone numbers are optional.
    assert response.url == reverse("onboarding_contact")
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "US"}),
    )
    assert response.url == reverse("onboarding_safety")


def test_program_pages_lead_to_onboarding_until_it_is_done(client, cast, new_enrollment):
    client.force_login(cast.patient)
    for name in ("today", "program_overview", "my_log", "practice", "exposure"):
        assert client.get(reverse(name)).url == reverse("onboarding"), name


def test_a_patient_with_no_red_flags_starts_the_program(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"), {**ABOUT, "none_apply": "on"})
    assert response.url == reverse("today")
    event = AuditEvent.objects.get(action="screening.recorded")
    assert (event.actor, event.subject, event.object_id) == (
        cast.patient,
        cast.patient,
        str(new_enrollment.pk),
    )
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
    response = client.post(
        reverse("onboarding_settings"),
        {"timezone": "Mars/Olympus", "practice_time": "25:99", "checkin_weekday": "2"},
    )
    body = response.content.decode()
    assert "We do not know the time zone “Mars/Olympus”." in body
    assert 'value="Mars/Olympus"' in body  # what was typed, to correct
    assert "Enter a time like 9:00" in body
    assert 'value="2" selected' in body
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "UTC"


@pytest.mark.parametrize(
    ("language", "too_long", "add_name"),
    [
        (
            "en",
            "Please keep the name under 150 characters.",
            "Add their name, so we know who to ask for.",
        ),
        (
            "es",
            "Por favor, use menos de 150 caracteres para el nombre.",
            "Agregue su nombre, para saber por quién preguntar.",
        ),
    ],
)
def test_an_emergency_contact_name_too_long_gets_one_message(
    client, cast, new_enrollment, language, too_long, add_name
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    name = "Ana " + "x" * 196
    response = client.post(
        reverse("onboarding_contact"),
        with_version(
            client,
            reverse("onboarding_contact"),
            {
                "country": "US",
                "emergency_contact_name": name,
                "emergency_contact_phone": "+1 555 010 0199",
            },
        ),
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert too_long in body
    assert add_name not in body  # the name was given: it is only too long
    assert name in body  # what was typed stays, to shorten
    new_enrollment.refresh_from_db()
    assert new_enrollment.emergency_contact_name == ""


def test_screening_needs_an_answer(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(reverse("onboarding_safety"), {})
    assert "None of these apply to me" in response.content.decode()
    assert "Please tick any that apply" in response.content.decode()
    response = client.post(
        reverse("onboarding_safety"), {**ABOUT, "none_apply": "on", "red_flags": ["weight_loss"]}
    )
    assert "Please check your answers" in response.content.decode()
    new_enrollment.refresh_from_db()
    assert new_enrollment.screening == Screening.PENDING


@pytest.mark.parametrize(
    ("language", "box", "open_quote", "close_quote"),
    [
        ("en", "None of these apply to me", "“", "”"),
        ("es", "No me pasa ninguna de estas cosas", "«", "»"),
    ],
)
def test_the_screening_errors_quote_the_none_box_as_it_reads(
    client, cast, new_enrollment, language, box, open_quote, close_quote
):
    client.force_login(cast.patient)
    walk_to_screening(client)
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    quoted = f"{open_quote}{box}{close_quote}"
    page = client.get(reverse("onboarding_safety")).content.decode()
    assert f"{box}</label>" in page  # the box reads so
    nothing = client.post(reverse("onboarding_safety"), ABOUT).content.decode()
    both = client.post(
        reverse("onboarding_safety"), {**ABOUT, "none_apply": "on", "red_flags": ["weight_loss"]}
    ).content.decode()
    for page in (nothing, both):
        assert quoted in page
        assert "Ninguna de estas»" not in page and "“None of these”" not in page


def test_a_red_flag_holds_the_program_and_alerts_the_clinician(client, cast, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    response = client.post(
        reverse("onboarding_safety"),
        {**ABOUT, "urgent_flags": ["bladder_bowel"], "red_flags": ["weight_loss"]},
    )
    assert response.url == reverse("safety_hold")
    page = client.get(response.url).content.decode()
    assert "Please check with a doctor first" in page
    assert "Losing weight without trying" in page
    alert = Alert.objects.get()
    assert alert.kind == "red_flag" and alert.enrollment == new_enrollment
    assert alert.details == {"red_flags": ["bladder_bowel", "weight_loss"]}
    assert AuditEvent.objects.filter(action="screening.recorded", actor=cast.patient).exists()
    # every program page leads back to the hold page
    assert client.get(reverse("today")).url == reverse("safety_hold")
    # a repeat post changes nothing and raises nothing new
    client.post(reverse("onboarding_safety"), {**ABOUT, "red_flags": ["cancer_history"]})
    assert Alert.objects.count() == 1
    assert AuditEvent.objects.filter(action="screening.recorded").count() == 1


def test_the_patient_continues_once_the_clinician_clears_the_hold(client, cast, new_enrollment):
    assert screening_submit(enrollment=new_enrollment, red_flags=["recent_trauma"]) is True
    safety_hold_clear(enrollment=new_enrollment, by=cast.clinician, reason="Checked with GP")
    new_enrollment.refresh_from_db()
    assert new_enrollment.status == "active"
    assert Alert.objects.get(kind=Alert.Kind.RED_FLAG).status == Alert.Status.RESOLVED
    assert CheckIn.objects.filter(enrollment=new_enrollment, slot="baseline").exists()
    assert AuditEvent.objects.filter(action="screening.cleared", actor=cast.clinician).exists()
    client.force_login(cast.patient)
    assert client.get(reverse("today")).status_code == 200


def test_finishing_onboarding_schedules_checkins_and_reminders(client, cast, new_enrollment):
    from tracking.models import CheckIn, ReminderSchedule

    client.force_login(cast.patient)
    walk_to_screening(client)
    client.post(reverse("onboarding_safety"), {**ABOUT, "none_apply": "on"})
    assert CheckIn.objects.filter(enrollment=new_enrollment, slot="baseline").exists()
    assert set(
        ReminderSchedule.objects.filter(enrollment=new_enrollment).values_list("kind", flat=True)
    ) == {"practice", "checkin"}


# ---------------------------------------------------------------- all or nothing
# Screening and clearing a hold are one service each: the enrollment's change, the
# alert or the program's start, and the audit event commit together. A real database
# failure part-way (tests/db_faults) leaves nothing half-done.
def _onboarding_state(enrollment) -> tuple:
    enrollment.refresh_from_db()
    return (
        enrollment.status,
        enrollment.screening,
        enrollment.red_flags,
        enrollment.onboarded_at,
        enrollment.screening_cleared_by_id,
    )


def test_a_red_flag_that_cannot_alert_the_clinician_records_no_screening(cast, new_enrollment):
    before = _onboarding_state(new_enrollment)
    with writes_refused(Alert), pytest.raises(DatabaseError, match=REFUSED):
        screening_submit(enrollment=new_enrollment, red_flags=["leg_weakness"])
    # Not held without an alert: the patient is asked again and the clinician told then.
    assert _onboarding_state(new_enrollment) == before
    assert not AuditEvent.objects.exists()


def test_a_program_whose_checkins_cannot_be_scheduled_does_not_start(cast, new_enrollment):
    before = _onboarding_state(new_enrollment)
    with writes_refused(CheckIn), pytest.raises(DatabaseError, match=REFUSED):
        screening_submit(enrollment=new_enrollment, red_flags=[])
    assert _onboarding_state(new_enrollment) == before
    assert new_enrollment.needs_onboarding
    assert not ReminderSchedule.objects.exists() and not AuditEvent.objects.exists()
    # Once it can, the same answer starts the program with its check-ins and reminders.
    assert screening_submit(enrollment=new_enrollment, red_flags=[]) is False
    assert _onboarding_state(new_enrollment)[:2] == (EnrollmentStatus.ACTIVE, Screening.CLEAR)
    assert CheckIn.objects.filter(enrollment=new_enrollment).exists()
    assert ReminderSchedule.objects.filter(enrollment=new_enrollment).count() == 2


def test_a_hold_is_cleared_with_its_followup_or_not_at_all(cast, new_enrollment):
    screening_submit(enrollment=new_enrollment, red_flags=["fever_unwell"])
    held = _onboarding_state(new_enrollment)
    assert held[1] == Screening.HOLD
    with writes_refused(ReminderSchedule), pytest.raises(DatabaseError, match=REFUSED):
        safety_hold_clear(enrollment=new_enrollment, by=cast.clinician, reason="Checked with GP")
    assert _onboarding_state(new_enrollment) == held
    assert Alert.objects.get(kind=Alert.Kind.RED_FLAG).status == Alert.Status.OPEN
    assert not CheckIn.objects.exists()
    assert set(AuditEvent.objects.values_list("action", flat=True)) == {
        "alert.raised",
        "screening.recorded",
    }
    assert not new_enrollment.hold_decisions.exists()


def test_a_hold_cleared_from_a_stale_page_is_cleared_once(cast, new_enrollment):
    screening_submit(enrollment=new_enrollment, red_flags=["fever_unwell"])
    stale = type(new_enrollment).objects.get(pk=new_enrollment.pk)  # still on hold here
    safety_hold_clear(enrollment=new_enrollment, by=cast.clinician, reason="Checked with GP")
    with pytest.raises(ValidationError, match="no safety hold"):
        safety_hold_clear(enrollment=stale, by=cast.other_clinician, reason="Checked")
    assert _onboarding_state(new_enrollment)[4] == cast.clinician.pk
    assert AuditEvent.objects.filter(action="screening.cleared").count() == 1


def test_a_second_screening_from_another_tab_changes_nothing(cast, new_enrollment):
    stale = type(new_enrollment).objects.get(pk=new_enrollment.pk)  # not screened here
    assert screening_submit(enrollment=new_enrollment, red_flags=[]) is False
    assert screening_submit(enrollment=stale, red_flags=["weight_loss"]) is False
    assert _onboarding_state(new_enrollment)[:3] == (EnrollmentStatus.ACTIVE, Screening.CLEAR, [])
    assert not Alert.objects.exists()
    assert AuditEvent.objects.filter(action="screening.recorded").count() == 1


# The zone the patient (or their clinician) already chose → whether the settings step
# lets the browser's zone fill the box, and what the box shows.
ZONE_ON_SETTINGS = [
    ("America/New_York", False, 'value="America / New York"'),
    ("Australia/Sydney", False, 'value="Australia / Sydney"'),
    ("UTC", True, ""),  # never chosen: the browser's zone is the likelier default
]


@pytest.mark.parametrize(("zone", "browser_fills", "shown"), ZONE_ON_SETTINGS)
def test_the_settings_step_keeps_the_zone_chosen_before(
    client, cast, new_enrollment, zone, browser_fills, shown
):
    cast.patient.timezone = zone
    cast.patient.save(update_fields=["timezone"])
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    page = client.get(reverse("onboarding_settings")).content.decode()
    assert ('data-tz-browser="fill"' in page) is browser_fills
    assert shown in page
    # Kept as it is when the patient just continues.
    client.post(
        reverse("onboarding_settings"),
        {"timezone": zone, "practice_time": "19:30", "checkin_weekday": "3"},
    )
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == zone
