"""Dates that cannot be right are refused where they are typed, in plain words that keep
what was typed (English and Spanish): a contact before its alert was raised, a session
note years before the enrollment, a start date years ahead, a date of birth outside the
practice's age range; and the outcomes report never shows unfiltered figures or rows for
filters with a mistake. Each rule has its table here; the pages use the real database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, User
from programs import weeks
from programs.models import Enrollment
from tests.factories import load_shipped_program, make_enrollment
from tests.test_bulk_import import csv_file, good, problems_by_line, upload
from tests.test_onboarding import walk_to_screening
from tracking import rules
from tracking.alerts.services import alert_raise
from tracking.models import Alert, PracticeSettings
from tracking.session_notes.models import SessionNote

NOW = datetime(2026, 6, 10, 12, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)


# ================================================================ the rules, as tables
@pytest.mark.parametrize(
    ("contacted_at", "problem"),
    [
        (NOW - timedelta(days=1), ""),  # raised two days ago
        (NOW, ""),  # now is fine
        (NOW + timedelta(minutes=1), "future"),
        (NOW - timedelta(days=2), ""),  # the minute it was raised
        (NOW - timedelta(days=2, seconds=59), ""),  # same minute, typed without seconds
        (NOW - timedelta(days=2, minutes=1), ""),  # the slack's edge
        (NOW - timedelta(days=2, minutes=1, seconds=1), "before_raised"),
        (NOW - timedelta(days=3), "before_raised"),  # the day before
        (datetime(2001, 1, 1, tzinfo=UTC), "before_raised"),
    ],
)
def test_contact_time_rule(contacted_at, problem):
    raised = NOW - timedelta(days=2)
    assert rules.contact_time_problem(contacted_at, raised_at=raised, now=NOW) == problem


ENROLLED = date(2026, 5, 1)
STARTED_BEFORE = date(2026, 3, 1)  # an invitation back-dated the program's start


@pytest.mark.parametrize(
    ("started_on", "anchor"),
    [
        (ENROLLED, ENROLLED),
        (ENROLLED + timedelta(days=60), ENROLLED),  # starts later: the enrollment day
        (STARTED_BEFORE, STARTED_BEFORE),  # back-dated: the start the page shows
    ],
)
def test_session_dates_count_back_from_the_earlier_of_start_and_enrollment(started_on, anchor):
    assert rules.session_anchor_date(started_on=started_on, enrolled_on=ENROLLED) == anchor
    earliest = anchor - timedelta(days=90)
    kw = {"started_on": started_on, "enrolled_on": ENROLLED, "today": TODAY}
    assert rules.session_date_problem(earliest, **kw) == ""
    assert rules.session_date_problem(earliest - timedelta(days=1), **kw) == "before_enrollment"


@pytest.mark.parametrize(
    ("session_date", "problem"),
    [
        (TODAY, ""),
        (TODAY + timedelta(days=1), "future"),
        (ENROLLED, ""),
        (ENROLLED - timedelta(days=30), ""),  # an intake visit a month before
        (ENROLLED - timedelta(days=90), ""),  # the earliest date
        (ENROLLED - timedelta(days=91), "before_enrollment"),
        (date(1990, 1, 1), "before_enrollment"),
    ],
)
def test_session_date_rule(session_date, problem):
    kw = {"started_on": ENROLLED, "enrolled_on": ENROLLED}
    assert rules.session_date_problem(session_date, today=TODAY, **kw) == problem
    assert rules.session_earliest_date(**kw) == date(2026, 1, 31)


@pytest.mark.parametrize(
    ("start", "problem"),
    [
        (TODAY, ""),
        (TODAY - timedelta(days=365), ""),
        (TODAY - timedelta(days=366), "too_old"),
        (TODAY + timedelta(days=183), ""),  # about six months ahead: the limit
        (TODAY + timedelta(days=184), "too_far_ahead"),
        (date(2035, 1, 1), "too_far_ahead"),
    ],
)
def test_start_date_rule(start, problem):
    assert rules.start_date_problem(start, today=TODAY) == problem
    assert weeks.start_date_problem is rules.start_date_problem  # one rule, two names


@pytest.mark.parametrize(
    ("day", "today", "needs_year"),
    [
        (date(2026, 6, 15), TODAY, False),
        (date(2026, 12, 7), TODAY, False),  # this year, under six months
        (date(2027, 1, 1), date(2026, 12, 20), True),  # next year, days away
        (date(2026, 12, 31), date(2026, 1, 2), True),  # this year, but a year away
        (date(2025, 12, 31), date(2026, 1, 1), True),  # last year
    ],
)
def test_a_date_shows_its_year_when_it_needs_it(day, today, needs_year):
    assert rules.date_needs_year(day, today=today) is needs_year


# ================================================================ 1. resolving an alert
@pytest.fixture
def alert(enrollment):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )
    raised = timezone.now().replace(second=30, microsecond=0) - timedelta(days=2)
    Alert.objects.filter(pk=alert.pk).update(created_at=raised)
    alert.refresh_from_db()
    return alert


def contact(when: str) -> dict:
    return {
        "contacted": "yes",
        "contacted_at": when,
        "method": "phone",
        "risk_after": "low",
        "plan": ["continue"],
        "note": "Spoke by phone.",
    }


def local(at: datetime, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return f"{at.astimezone(ZoneInfo(zone)):%Y-%m-%dT%H:%M}"


@pytest.mark.parametrize("typed", ["2001-01-01T10:00", "day before"])
def test_a_contact_before_the_alert_was_raised_is_refused(cast, client, alert, typed):
    if typed == "day before":
        typed = local(alert.created_at - timedelta(days=1), "UTC")
    client.force_login(cast.clinician)
    response = client.post(reverse("alert_resolve", args=[alert.pk]), contact(typed))
    assert response.status_code == 400
    page = response.content.decode()
    assert "This alert was raised on " in page
    assert "The contact time is before that. Enter when you made contact about this alert." in (
        page
    )
    assert f'value="{typed}"' in page and "Spoke by phone." in page  # what was typed stays
    alert.refresh_from_db()
    assert alert.status != Alert.Status.RESOLVED


def test_a_contact_in_the_minute_it_was_raised_is_taken_in_the_clinicians_own_time(
    cast, client, alert
):
    # The clinician types their own wall time (the label says so): in New York, the
    # minute the alert was raised is 5 hours before the same figures read as UTC.
    User.objects.filter(pk=cast.clinician.pk).update(timezone="America/New_York")
    client.force_login(cast.clinician)
    typed = local(alert.created_at, "America/New_York")
    response = client.post(reverse("alert_resolve", args=[alert.pk]), contact(typed))
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED
    assert alert.resolution.contacted_at == alert.created_at.replace(second=0)


def test_the_refusal_is_in_spanish(cast, client, alert):
    User.objects.filter(pk=cast.clinician.pk).update(language="es")
    client.force_login(cast.clinician)
    response = client.post(reverse("alert_resolve", args=[alert.pk]), contact("2001-01-01T10:00"))
    page = response.content.decode()
    assert "Esta alerta se creó el " in page
    assert "La hora del contacto es anterior. Escriba cuándo hizo el contacto" in page


# ================================================================ 2. session notes
def note(day: date | str) -> dict:
    return {
        "session_date": str(day),
        "minutes": "50",
        "mode": "video",
        "components": ["education"],
        "risk_identified": "no",
        "homework": "Somatic tracking once a day",
    }


def test_a_session_years_before_the_enrollment_is_refused(cast, client, enrollment):
    # The program started before the enrollment was made (a back-dated invitation): the
    # refusal names the start the patient's page shows, and counts back from it.
    client.force_login(cast.clinician)
    url = reverse("session_note_add", args=[enrollment.pk])
    started = enrollment.start_date
    assert started < timezone.localdate(enrollment.created_at)
    response = client.post(url, note("1990-01-01"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "That date is too long before this patient&#x27;s program started, on " in page
    assert f"started, on {started.day} {started:%b %Y}" in page
    assert "A session up to 90 days before, such as a first visit, is fine" in page
    earliest = started - timedelta(days=90)
    assert f"the earliest date is {earliest.day} {earliest:%b %Y}" in page
    assert 'value="1990-01-01"' in page and "Somatic tracking once a day" in page
    assert client.post(url, note(earliest - timedelta(days=1))).status_code == 400
    assert not SessionNote.objects.exists()
    # An intake visit up to 90 days before the enrollment is real.
    assert client.post(url, note(earliest)).status_code == 302
    assert SessionNote.objects.get().session_date == earliest


def test_the_session_refusal_is_in_spanish(cast, client, enrollment):
    User.objects.filter(pk=cast.clinician.pk).update(language="es")
    client.force_login(cast.clinician)
    page = client.post(
        reverse("session_note_add", args=[enrollment.pk]), note("1990-01-01")
    ).content.decode()
    assert "Esa fecha es demasiado anterior al inicio del programa de este paciente" in page
    assert "Revise el año." in page


# ================================================================ 3. start dates
def invite_fields(email: str, **more) -> dict:
    return {
        "full_name": "Ivy Invited",
        "email": email,
        "timezone": "Europe/London",
        "program_version": load_shipped_program().pk,
        **more,
    }


def test_a_start_date_years_ahead_is_refused_at_invitation(cast, client):
    client.force_login(cast.admin)
    fields = invite_fields("ivy@example.org", clinician=cast.clinician.pk)
    response = client.post(reverse("patient_invite"), {**fields, "start_date": "2035-01-01"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The start date 2035-01-01 is more than 6 months ahead." in page
    assert "or invite the patient nearer the time" in page
    assert 'value="2035-01-01"' in page and "ivy@example.org" in page
    assert not Enrollment.objects.filter(patient__email="ivy@example.org").exists()
    too_far = timezone.localdate() + timedelta(days=184)
    response = client.post(reverse("patient_invite"), {**fields, "start_date": str(too_far)})
    assert "more than 6 months ahead" in response.content.decode()
    limit = timezone.localdate() + timedelta(days=183)
    response = client.post(reverse("patient_invite"), {**fields, "start_date": str(limit)})
    assert response.status_code == 302
    assert Enrollment.objects.get(patient__email="ivy@example.org").start_date == limit


def test_a_start_so_far_back_the_program_would_be_over_is_refused(cast, client):
    # The shipped program is 8 weeks: started 10 weeks ago, it ended 2 weeks ago.
    client.force_login(cast.admin)
    assert load_shipped_program().week_count == 8
    fields = invite_fields("ivy@example.org", clinician=cast.clinician.pk)
    today = timezone.localdate(timezone=ZoneInfo(cast.practice.timezone))
    ten_weeks_ago = today - timedelta(weeks=10)
    response = client.post(reverse("patient_invite"), {**fields, "start_date": str(ten_weeks_ago)})
    page = response.content.decode()
    earliest = today - timedelta(days=55)
    assert "this 8-week program would already be over" in page
    assert f"Choose a start on or after {earliest.day} {earliest:%b %Y}" in page
    assert f'value="{ten_weeks_ago}"' in page and "ivy@example.org" in page
    assert not Enrollment.objects.filter(patient__email="ivy@example.org").exists()
    too_old = {**fields, "start_date": str(earliest - timedelta(days=1))}
    assert "would already be over" in client.post(reverse("patient_invite"), too_old).text
    response = client.post(reverse("patient_invite"), {**fields, "start_date": str(earliest)})
    assert response.status_code == 302  # today is its last day


def test_a_start_date_years_ahead_is_refused_by_the_bulk_import(cast, client, program_version):
    client.force_login(cast.admin)
    record = upload(client, csv_file(good(1, start="2035-01-01"), good(2)))
    problems = problems_by_line(record)
    assert any("The start date 2035-01-01 is more than 6 months ahead." in p for p in problems[2])
    assert problems[3] == []


def test_the_start_refusal_is_in_spanish(cast, client):
    User.objects.filter(pk=cast.admin.pk).update(language="es")
    client.force_login(cast.admin)
    fields = invite_fields("ivy@example.org", clinician=cast.clinician.pk)
    page = client.post(
        reverse("patient_invite"), {**fields, "start_date": "2035-01-01"}
    ).content.decode()
    assert "La fecha de inicio 2035-01-01 es más de 6 meses en el futuro." in page


@pytest.mark.parametrize(
    ("now", "days_ahead", "english", "spanish"),
    [
        # Next year, a few weeks away: the year is said.
        (
            "2026-12-10 12:00Z",
            30,
            "Your program starts on Saturday 9 January 2027.",
            "Su programa empieza el sábado 9 de enero de 2027.",
        ),
        # This year and soon: no year needed.
        (
            "2026-03-02 12:00Z",
            5,
            "Your program starts on Saturday 7 March.",
            "Su programa empieza el sábado 7 de marzo.",
        ),
    ],
)
def test_today_says_the_start_year_when_it_is_needed(
    cast, client, now, days_ahead, english, spanish
):
    with time_machine.travel(now, tick=False):
        make_enrollment(cast.patient, cast.clinician, cast.practice, days_ago=-days_ahead)
        client.force_login(cast.patient)
        page = " ".join(client.get(reverse("today")).content.decode().split())
        assert english in page
        User.objects.filter(pk=cast.patient.pk).update(language="es")
        page = " ".join(client.get(reverse("today")).content.decode().split())
        assert spanish in page


# ================================================================ 4. date of birth
def years_ago(n: int) -> date:
    today = timezone.localdate()
    return today.replace(year=today.year - n)


@pytest.mark.parametrize(
    ("born", "accepted"),
    [
        (years_ago(11), False),
        (years_ago(176), False),
        (years_ago(21) + timedelta(days=1), False),  # 21 tomorrow: 20 today
        (years_ago(21), True),  # 21 today
        (years_ago(70), True),
        (years_ago(71), False),
    ],
)
def test_a_date_of_birth_outside_the_practices_age_range_is_refused_at_invitation(
    cast, client, born, accepted
):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.age_min, settings.age_max = 21, 70
    settings.save()
    client.force_login(cast.admin)
    fields = invite_fields(
        "ivy@example.org",
        clinician=cast.clinician.pk,
        start_date=str(timezone.localdate()),
        date_of_birth=str(born),
    )
    response = client.post(reverse("patient_invite"), fields)
    created = Enrollment.objects.filter(patient__email="ivy@example.org").exists()
    assert created is accepted
    if not accepted:
        page = response.content.decode()
        age = rules.age_on(born, timezone.localdate())
        assert f"With this date of birth the patient is {age} years old." in page
        assert "The program at this practice is for people aged 21 to 70." in page
        assert f'value="{born}"' in page and "ivy@example.org" in page


def test_the_age_refusal_is_in_spanish(cast, client):
    User.objects.filter(pk=cast.admin.pk).update(language="es")
    client.force_login(cast.admin)
    fields = invite_fields(
        "ivy@example.org",
        clinician=cast.clinician.pk,
        start_date=str(timezone.localdate()),
        date_of_birth=str(years_ago(11)),
    )
    page = client.post(reverse("patient_invite"), fields).content.decode()
    assert "Con esta fecha de nacimiento, el paciente tiene 11 años." in page
    assert "es para personas de 18 a 120 años" in page


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_onboarding_asks_to_check_a_date_of_birth_the_practice_gave(
    cast, client, new_enrollment, language
):
    # Stored before onboarding (as an invitation did before the check above existed).
    Enrollment.objects.filter(pk=new_enrollment.pk).update(date_of_birth=date(1850, 5, 5))
    client.force_login(cast.patient)
    walk_to_screening(client)
    User.objects.filter(pk=cast.patient.pk).update(language=language)
    page = client.get(reverse("onboarding_safety")).content.decode()
    if language == "en":
        assert "Please check your date of birth. Your practice has it as 5 May 1850." in page
        assert "Thank you for telling us your date of birth" not in page
    else:
        assert "Por favor, revise su fecha de nacimiento." in page
        assert "5 de mayo de 1850" in page
        assert "Gracias por decirnos su fecha de nacimiento" not in page


def test_onboarding_thanks_a_patient_who_typed_it(cast, client, new_enrollment):
    client.force_login(cast.patient)
    walk_to_screening(client)
    typed = {"date_of_birth": str(years_ago(12)), "onset_year": "2024", "none_apply": "on"}
    client.post(reverse("onboarding_safety"), typed)  # asked once whether it is right
    response = client.post(
        reverse("onboarding_safety"),
        {**typed, "date_of_birth_asked": typed["date_of_birth"], "date_of_birth_confirmed": "on"},
    )
    page = response.content.decode()
    assert "Thank you for telling us your date of birth." in page
    assert "Please check your date of birth" not in page


# ================================================================ 5. outcomes report
@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"date_from": "garbage"}, "Ended or withdrew from: Enter a date like 2026-01-31."),
        ({"clinician": "99999"}, "Clinician: Choose a clinician from the list."),
        (
            {"date_from": "2030-01-01", "date_to": "2029-01-01"},
            "Ended or withdrew by: The end date is before the start date.",
        ),
    ],
)
def test_the_csv_refuses_filters_with_a_mistake(cast, client, enrollment, query, message):
    client.force_login(cast.admin)
    response = client.get(reverse("admin_outcomes_csv"), query)
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert body.startswith("The CSV was not made: a filter has a mistake.")
    assert message in body
    assert not AuditEvent.objects.filter(action="report.exported").exists()
    # Good filters still export.
    assert client.get(reverse("admin_outcomes_csv")).status_code == 200


def test_the_report_shows_no_figures_for_filters_with_a_mistake(cast, client, enrollment):
    client.force_login(cast.admin)
    response = client.get(
        reverse("admin_outcomes"), {"date_from": "2030-01-01", "date_to": "2029-01-01"}
    )
    page = response.content.decode()
    assert "The end date is before the start date" in page
    assert "No figures are shown while a filter has a mistake" in page
    assert "on or after" not in page and "in the cohort" not in page
    assert 'value="2030-01-01"' in page  # what was typed stays
    assert "Download the rows as CSV" not in page
    page = client.get(reverse("admin_outcomes"), {"date_from": "2029-01-01"}).content.decode()
    assert "No figures are shown" not in page and "in the cohort" in page


def test_the_report_refusals_are_in_spanish(cast, client, enrollment):
    User.objects.filter(pk=cast.admin.pk).update(language="es")
    client.force_login(cast.admin)
    page = client.get(reverse("admin_outcomes"), {"clinician": "99999"}).content.decode()
    assert "No se muestran cifras mientras un filtro tenga un error" in page
    body = client.get(reverse("admin_outcomes_csv"), {"clinician": "99999"}).content.decode()
    assert body.startswith("No se creó el CSV: un filtro tiene un error.")
