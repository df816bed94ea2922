"""Structured PRT session notes (issue 19, point 3): the clinician records one therapy
session from the patient's page; it shows on the patient's overview, goes into the CSV
export, and is for staff who may see the patient only (404 and `access.denied` for
anyone else). Every write and read is audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from tracking import rules
from tracking.session_notes.forms import SessionNoteForm
from tracking.session_notes.models import SessionNote
from tracking.session_notes.services import SessionRecord, session_note_create

PAT_CSV = "patient_csv"


def url(name: str, enrollment) -> str:
    return reverse(name, args=[enrollment.pk])


def post_data(**overrides) -> dict:
    data = {
        "session_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "minutes": "50",
        "mode": "video",
        "components": ["education", "somatic_tracking", "exposure"],
        "somatic_response": "safer",
        "exposure_set": "Bending to load the dishwasher",
        "exposure_outcome": "better",
        "risk_identified": "no",
        "homework": "Somatic tracking once a day",
        "notes": "Engaged; fear of bending is easing.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def record(**overrides) -> SessionRecord:
    values = {
        "session_date": timezone.localdate(),
        "minutes": 45,
        "mode": "in_person",
        "components": ["education"],
        "risk_identified": False,
    }
    values.update(overrides)
    return SessionRecord(**values)


def grow_session_notes_and_diary(enrollment, author, *, n: int) -> None:
    """`n` session notes and `n` * 4 diary episodes, for the query-count tests."""
    from tracking.diary.models import DiaryEntry

    today = timezone.localdate()
    SessionNote.objects.bulk_create(
        SessionNote(
            enrollment=enrollment,
            author=author,
            session_date=today - timedelta(days=i),
            minutes=50,
            mode="video",
            components=["education"],
            risk_identified=False,
        )
        for i in range(n)
    )
    now = timezone.now()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(enrollment=enrollment, occurred_at=now - timedelta(hours=i), pain=5, fear=4)
        for i in range(n * 4)
    )


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


# ------------------------------------------------------------------ the rules (table)
@pytest.mark.parametrize(
    ("identified", "actions", "problem"),
    [
        (False, [], ""),
        (True, ["crisis_resources"], ""),
        (True, ["safety_plan", "care_team"], ""),
        (True, [], "no_action"),
        (False, ["doctor"], "actions_without_risk"),
    ],
)
def test_the_risk_review_rule(identified, actions, problem):
    assert rules.session_risk_review_problem(identified, actions) == problem


# ------------------------------------------------------------------ the service
def test_it_records_a_session_in_component_order_and_audits_it(cast, enrollment):
    note = session_note_create(
        enrollment=enrollment,
        author=cast.clinician,
        record=record(
            components=["exposure", "education"],
            risk_identified=True,
            risk_actions=["care_team", "crisis_resources"],
            risk_note="Passive thoughts; safety plan reviewed",
        ),
    )
    assert note.components == ["education", "exposure"]
    assert note.risk_actions == ["crisis_resources", "care_team"]
    event = AuditEvent.objects.get(action="session_note.created")
    assert (event.actor, event.subject, event.object_id) == (
        cast.clinician,
        cast.patient,
        str(note.pk),
    )
    assert "Passive" not in str(event.changes)  # no free text in the trail


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"minutes": rules.SESSION_MINUTES_MIN - 1}, "minutes"),
        ({"minutes": rules.SESSION_MINUTES_MAX + 1}, "minutes"),
        ({"mode": "carrier_pigeon"}, "mode"),
        ({"risk_identified": True}, "risk_actions"),
        ({"risk_actions": ["doctor"]}, "risk_actions"),
        ({"somatic_response": "safer"}, "somatic_response"),  # not covered
        ({"exposure_set": "Lifting a bag"}, "exposure_set"),  # not covered
    ],
)
def test_the_service_refuses_what_the_form_refuses(cast, enrollment, overrides, field):
    with pytest.raises(ValidationError) as error:
        session_note_create(
            enrollment=enrollment, author=cast.clinician, record=record(**overrides)
        )
    assert field in error.value.message_dict
    assert not SessionNote.objects.exists()


# ------------------------------------------------------------------ the form page
def test_a_clinician_records_a_session_and_sees_it_in_its_section(clin, cast, enrollment):
    page = clin.get(reverse("session_note_add", args=[enrollment.pk]))
    assert page.status_code == 200
    assert AuditEvent.objects.filter(action="patient.session_note_form_viewed").exists()
    response = clin.post(reverse("session_note_add", args=[enrollment.pk]), post_data())
    assert response.status_code == 302
    assert response["Location"].startswith(url("patient_sessions", enrollment) + "#session-note-")
    note = SessionNote.objects.get()
    assert (note.author, note.minutes, note.mode, note.exposure_outcome) == (
        cast.clinician,
        50,
        "video",
        "better",
    )
    overview = clin.get(url("patient_sessions", enrollment)).content.decode()
    assert 'id="sessions"' in overview and "Record a PRT session" in overview
    assert AuditEvent.objects.filter(action="patient.sessions_viewed").exists()
    assert "Telehealth: video" in overview
    assert "Bending to load the dishwasher: Went better than predicted" in overview
    assert "No risk identified" in overview
    assert "Somatic tracking once a day" in overview


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"minutes": "2"}, "Enter at least 5 minutes."),
        ({"minutes": "an hour"}, "Enter the length as a whole number of minutes."),
        ({"mode": None}, "Choose how you met."),
        (
            {
                "components": None,
                "somatic_response": "",
                "exposure_set": "",
                "exposure_outcome": "",
            },
            "Tick at least one part of PRT the session covered.",
        ),
        ({"risk_identified": None}, "Answer the risk review: was any risk identified?"),
        ({"risk_identified": "yes"}, "A risk was identified: tick what was done."),
        ({"risk_actions": ["doctor"]}, "You ticked actions but answered no risk."),
        ({"session_date": "2099-01-01"}, "The session date cannot be in the future."),
        ({"session_date": "14/03"}, "Enter the date as year-month-day"),
        ({"components": ["education"]}, "Tick somatic tracking above"),
    ],
)
def test_bad_input_gets_a_plain_message_and_keeps_what_was_typed(
    clin, enrollment, overrides, message
):
    response = clin.post(reverse("session_note_add", args=[enrollment.pk]), post_data(**overrides))
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert "Somatic tracking once a day" in page  # what was typed stays
    assert not SessionNote.objects.exists()


def test_the_form_page_marks_the_prt_sessions_tab_as_current(clin, enrollment):
    # The form belongs to the PRT sessions section: its tab, not Overview's, is current.
    html = clin.get(reverse("session_note_add", args=[enrollment.pk])).content.decode()
    sessions = url("patient_sessions", enrollment)
    assert f'<a href="{sessions}" aria-current="page">' in html
    assert f'<a href="{url("patient_detail", enrollment)}" aria-current="page">' not in html


def test_the_form_refuses_dates_after_the_clinicians_today():
    today = timezone.localdate()
    form = SessionNoteForm(
        post_data(session_date=(today + timedelta(days=1)).isoformat()),
        today=today,
        started_on=today,
        enrolled_on=today,
    )
    assert not form.is_valid() and "session_date" in form.errors


def test_an_identified_risk_shows_what_was_done(clin, enrollment):
    clin.post(
        reverse("session_note_add", args=[enrollment.pk]),
        post_data(risk_identified="yes", risk_actions=["safety_plan", "follow_up"]),
    )
    page = clin.get(url("patient_sessions", enrollment)).content.decode()
    assert "Risk identified" in page
    assert "Reviewed or made a safety plan; Booked an earlier follow-up" in page


def test_the_practice_admin_may_record_one_too(client, cast, enrollment):
    client.force_login(cast.admin)
    response = client.post(reverse("session_note_add", args=[enrollment.pk]), post_data())
    assert response.status_code == 302
    assert SessionNote.objects.get().author == cast.admin


# ------------------------------------------------------------------ outsiders
@pytest.mark.parametrize("who", ["other_clinician", "outsider_admin", "outsider_clinician"])
def test_other_staff_get_a_404_and_nothing_is_saved(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    path = reverse("session_note_add", args=[enrollment.pk])
    assert client.get(path).status_code == 404
    assert client.post(path, post_data()).status_code == 404
    assert not SessionNote.objects.exists()
    assert AuditEvent.objects.filter(action="access.denied", actor=getattr(cast, who)).count() == 2


@pytest.mark.parametrize("who", ["patient", "other_patient"])
def test_patients_never_reach_it(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    response = client.post(reverse("session_note_add", args=[enrollment.pk]), post_data())
    assert response.status_code in (302, 403, 404)
    assert not SessionNote.objects.exists()


# ------------------------------------------------------------------ exports
def test_the_csv_has_the_session(clin, cast, enrollment):
    session_note_create(
        enrollment=enrollment,
        author=cast.clinician,
        record=record(minutes=55, components=["education", "positive_affect"], notes="Private"),
    )
    text = clin.get(url(PAT_CSV, enrollment)).content.decode("utf-8-sig")
    rows = [line for line in text.splitlines() if "PRT session" in line]
    assert any("minutes" in r and "55" in r for r in rows)
    assert any("education; positive_affect" in r for r in rows)
    assert "Private" not in text  # the working notes stay out


def test_the_patients_own_download_leaves_the_working_notes_out(cast, enrollment):
    from painapp.accounts.data_rights import person_tables

    session_note_create(
        enrollment=enrollment, author=cast.clinician, record=record(notes="Working", risk_note="")
    )
    table = next(t for t in person_tables() if t.label == "tracking.sessionnote")
    assert "notes" not in table.columns and "risk_note" not in table.columns
    assert "homework" in table.columns and not table.withheld


# ------------------------------------------------------------------ Spanish
def test_the_session_note_form_and_timeline_are_in_spanish(client, cast, enrollment):
    from tests.test_i18n import english_in
    from tests.test_i18n_clinic import names

    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    path = reverse("session_note_add", args=[enrollment.pk])
    allowed = names(cast, enrollment.program_version.title)
    assert english_in(client.get(path).content.decode(), allowed=allowed) == []
    typed = {"exposure_set": "Agacharse", "homework": "Practicar", "notes": "Bien"}
    refused = client.post(path, post_data(risk_identified="yes", **typed)).content.decode()
    assert "Se identificó un riesgo: marque qué se hizo." in refused
    assert english_in(refused, allowed=allowed) == []
    client.post(
        path,
        post_data(risk_identified="yes", risk_actions=["crisis_resources"], **typed),
    )
    page = client.get(url("patient_sessions", enrollment)).content.decode()
    assert "Sesiones de PRT" in page and "Telesalud: video" in page
    assert english_in(page, allowed=allowed) == []


# ------------------------------------------------------------------ cost
# session, user, membership, the enrollment and its audit event (tracking.access), the
# open alerts and the unread messages for the menu
FORM_QUERIES = 5  # the menu badges from the cache after the first page


@pytest.mark.parametrize("n", [1, 30])
def test_the_form_page_costs_the_same_as_notes_grow(
    clin, cast, enrollment, n, django_assert_num_queries
):
    grow_session_notes_and_diary(enrollment, cast.clinician, n=n)
    path = reverse("session_note_add", args=[enrollment.pk])
    clin.get(path)
    with django_assert_num_queries(FORM_QUERIES):
        assert clin.get(path).status_code == 200
