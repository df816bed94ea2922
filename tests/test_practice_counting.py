"""Practice sessions count when they were real (issue 16, point 6): a session shorter
than the practice's minimum (2 minutes by default) is kept and labelled, but not
counted in the clinician's figures, the outcomes report's adherence or the patient's
own figures (Today, progress, the practice calendar: the same rule on both sides); the
patient is told kindly how many are not in their totals, never told off for them."""

from __future__ import annotations

import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Enrollment, PracticeSession
from programs.practice.forms import started_stamp
from programs.practice.minimum import min_practice_seconds
from programs.practice.services import practice_session_record
from programs.services import enrollment_figures_refresh
from tracking.access import EnrollmentScope
from tracking.clinic.caseload import CaseloadQuery, caseload_page
from tracking.clinic.overview import patient_overview
from tracking.clinic.sections import patient_practice
from tracking.models import PracticeSettings


def practise(enrollment, seconds: int) -> PracticeSession:
    session, created = practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=4,
        duration_seconds=seconds,
    )
    assert created
    return session


def logged(enrollment) -> int:
    return Enrollment.objects.get(pk=enrollment.pk).practice_sessions_logged


@pytest.mark.parametrize(("seconds", "counted"), [(119, 0), (120, 1), (121, 1)])
def test_a_session_counts_from_two_minutes(enrollment, seconds, counted):
    practise(enrollment, seconds)
    assert PracticeSession.objects.count() == 1  # kept either way
    assert logged(enrollment) == counted


def test_the_minimum_is_a_practice_setting(cast, enrollment):
    assert min_practice_seconds(cast.practice.pk) == 120  # no settings row yet: default
    PracticeSettings.objects.update_or_create(
        practice=cast.practice, defaults={"min_practice_seconds": 60}
    )
    assert min_practice_seconds(cast.practice.pk) == 60
    practise(enrollment, 59)
    practise(enrollment, 60)
    assert logged(enrollment) == 1


def test_a_refresh_recounts_with_each_practices_own_minimum(
    cast, enrollment, program_version, django_assert_num_queries
):
    from tests.factories import make_enrollment

    elsewhere = make_enrollment(
        cast.outsider_patient, cast.outsider_clinician, cast.other_practice, version=program_version
    )
    for e in (enrollment, elsewhere):
        for seconds in (30, 90, 150, 600):
            practise(e, seconds)
    assert (logged(enrollment), logged(elsewhere)) == (2, 2)
    # The other practice lowers its minimum to one minute; a refresh applies it.
    PracticeSettings.objects.update_or_create(
        practice=cast.other_practice, defaults={"min_practice_seconds": 60}
    )
    Enrollment.objects.update(practice_sessions_logged=99)
    assert enrollment_figures_refresh() == 2
    assert (logged(enrollment), logged(elsewhere)) == (2, 3)


# ------------------------------------------------------------------ what staff see
@pytest.fixture
def mixed(enrollment):
    """Two real sessions (5 and 2 minutes) and two short ones (5 s and 119 s)."""
    for seconds in (300, 5, 119, 120):
        practise(enrollment, seconds)
    return enrollment


def test_the_practice_log_lists_short_sessions_labelled_and_counts_the_rest(client, cast, mixed):
    log = patient_practice(mixed)
    assert (log.total, log.short, log.minutes_total) == (2, 2, 7)  # (300 + 120) s
    assert [n for _, n, _ in log.weeks] == [2]
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_practice", args=[mixed.pk])).content.decode()
    assert "2 somatic tracking sessions in all, 7 minutes." in page
    assert "Not counted: 2 short sessions (under 2 minutes, the practice's minimum)" in page
    assert page.count("Short session, not counted") == 2


def test_the_overview_counts_only_real_sessions(mixed):
    overview = patient_overview(mixed, timezone.now())
    assert overview.practice_sessions_total == 2


def test_the_caseload_counts_only_real_sessions(cast, mixed):
    page = caseload_page(
        EnrollmentScope(cast.practice.pk, cast.clinician.pk), CaseloadQuery(), timezone.now()
    )
    assert [row.practice_7d for row in page.rows] == [2]


def test_the_report_reads_only_real_sessions(mixed):
    assert logged(mixed) == 2


# ------------------------------------------------------------------ the patient
KIND_NOTE = (
    "1 short session (under 2 minutes) is not counted in these totals. "
    "That is fine: there is no wrong way to practise."
)


def test_the_patient_is_told_kindly_and_never_told_off_for_a_short_session(
    client, cast, enrollment
):
    client.force_login(cast.patient)
    token = uuid.uuid4()
    response = client.post(
        reverse("practice_save"),
        {
            "client_token": str(token),
            "duration_seconds": "20",
            "pain_before": "6",
            "threat_before": "5",
            "pain_after": "5",
            "threat_after": "4",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert PracticeSession.objects.get().duration_seconds == 20
    pages = {"saved": response.content.decode()}
    for name in ("my_log", "today", "progress"):
        pages[name] = client.get(reverse(name)).content.decode()
    # Where the patient reads their counts, a kind word on what is not in them.
    assert "Somatic tracking this week: <strong>0</strong> sessions." in pages["today"]
    assert KIND_NOTE in pages["today"] and KIND_NOTE in pages["progress"]
    for page in pages.values():
        main = page.split("<main", 1)[1].lower()
        for scold in ("too short", "doesn't count", "does not count", "you missed"):
            assert scold not in main


def test_the_patient_and_the_clinician_count_the_same_sessions(client, cast, mixed):
    """Two real sessions (5 and 2 minutes) and two short ones, on one day: Today, the
    progress chart and the practice calendar count what the clinician's log counts."""
    log = patient_practice(mixed)
    assert (log.total, log.short) == (2, 2)
    client.force_login(cast.patient)
    today = client.get(reverse("today")).content.decode()
    assert "Somatic tracking this week: <strong>2</strong> sessions, 7 minutes." in today
    assert "2 short sessions (under 2 minutes) are not counted in these totals." in today
    progress = client.get(reverse("progress")).content.decode()
    assert "2 somatic tracking sessions so far" in progress
    assert "You practised on 1 day in the last 4 weeks." in progress
    assert "2 short sessions (under 2 minutes) are not counted in these totals." in progress


def test_a_day_of_only_short_sessions_is_not_marked_practised(client, cast, enrollment):
    practise(enrollment, 5)
    client.force_login(cast.patient)
    today = client.get(reverse("today")).content.decode()
    assert "Done today" not in today and "Start somatic tracking" in today
    progress = client.get(reverse("progress")).content.decode()
    assert "practice-calendar__day--done" not in progress
    assert "0 somatic tracking sessions so far" in progress
    assert KIND_NOTE in progress
    # Once one counts, the day is marked and the short one is still named.
    practise(enrollment, 180)
    progress = client.get(reverse("progress")).content.decode()
    assert progress.count("practice-calendar__day--done") == 1
    assert KIND_NOTE in progress


def test_the_patient_counts_with_the_practices_own_minimum(client, cast, enrollment):
    PracticeSettings.objects.update_or_create(
        practice=cast.practice, defaults={"min_practice_seconds": 90}
    )
    for seconds in (60, 100):
        practise(enrollment, seconds)
    client.force_login(cast.patient)
    today = client.get(reverse("today")).content.decode()
    assert "Somatic tracking this week: <strong>1</strong> session, 2 minutes." in today
    assert "1 short session (under 1 minute 30 seconds) is not counted" in today
    assert patient_practice(enrollment).total == 1  # the clinician's count agrees


def test_no_note_when_every_session_counts(client, cast, enrollment):
    practise(enrollment, 300)
    client.force_login(cast.patient)
    for name in ("today", "progress"):
        assert "not counted" not in client.get(reverse(name)).content.decode()


def test_the_note_is_in_spanish(client, cast, enrollment):
    from painapp.accounts.models import User

    User.objects.filter(pk=cast.patient.pk).update(language="es")
    practise(enrollment, 5)
    client.force_login(cast.patient)
    for name in ("today", "progress"):
        page = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="es").content.decode()
        assert (
            "1 sesión corta (de menos de 2 minutos) no se cuenta en estos totales. "
            "No pasa nada: no hay una forma equivocada de practicar."
        ) in page


# ------------------------------------------------------------------ without JavaScript
def answers(**extra) -> dict:
    return {
        "client_token": str(uuid.uuid4()),
        "duration_seconds": "0",
        "pain_before": "6",
        "threat_before": "5",
        "pain_after": "5",
        "threat_after": "4",
        **extra,
    }


def test_a_session_saved_without_javascript_is_timed_by_the_server(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(reverse("practice")).content.decode()
    assert 'name="started" value="' in page
    client.post(reverse("practice_save"), answers(started=started_stamp(time.time() - 150)))
    session = PracticeSession.objects.get()
    assert 150 <= session.duration_seconds <= 160
    assert logged(enrollment) == 1


@pytest.mark.parametrize(
    "started",
    [
        "",  # none sent
        "1700000000:forged",  # not our signature
        "past-two-hours",  # a page left open
        "future",
    ],
)
def test_an_untrustworthy_start_times_nothing(client, cast, enrollment, started):
    stamps = {
        "past-two-hours": started_stamp(time.time() - 3 * 60 * 60),
        "future": started_stamp(time.time() + 600),
    }
    client.force_login(cast.patient)
    client.post(reverse("practice_save"), answers(started=stamps.get(started, started)))
    assert PracticeSession.objects.get().duration_seconds == 0
    assert logged(enrollment) == 0


def test_the_players_own_time_wins(client, cast, enrollment):
    client.force_login(cast.patient)
    client.post(
        reverse("practice_save"),
        answers(duration_seconds="130", started=started_stamp(time.time() - 1000)),
    )
    assert PracticeSession.objects.get().duration_seconds == 130
