"""A patient who changes the app's language mid-program gets their program in it too,
when it has an edition in that language (programs.language.lessons_follow_language):
the same week, what they did and wrote kept, the check-ins still to answer asked in
the new language, the change told to them and to their clinician, and audited. With
no edition in that language the page says, honestly, that the lessons stay. A
clinician may switch a patient to their own program in the language the patient
reads, and to no other language."""

from __future__ import annotations

import re
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.models import (
    Activity,
    ActivityCompletion,
    Enrollment,
    EnrollmentStatus,
    PracticeSession,
    Program,
    Reflection,
    Week,
)
from programs.services import activity_complete, reflection_save
from programs.tailoring import switching
from programs.tailoring.models import ProgramSwitch, SwitchCause
from tests.checkin_data import started_two_weeks_ago
from tests.factories import make_enrollment
from tests.tailoring_data import make_trial_version
from tests.test_account_deletion import login
from tests.test_data_export import csv_rows, document, download
from tracking.clinic.tailoring import program_switch
from tracking.models import CheckIn, Response

CLUE = "Mi espalda duele menos cuando estoy de vacaciones."  # what the patient wrote


@pytest.fixture
def versions(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    return {lang: program.current_version(lang) for lang in ("en", "es")}


def _patient_on(cast, versions, language: str):
    """The patient, reading the app in `language`, in week 3 of the program in it,
    with the baseline check-in answered and week 3's open today."""
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=versions[language]
    )
    assert enrollment.program_version == versions[language]
    slots = started_two_weeks_ago(enrollment)
    return enrollment, slots


def _act(enrollment, slug: str) -> Activity:
    return Activity.objects.get(week__version=enrollment.program_version, slug=slug)


def _practised(enrollment, sensations: list[str], note: str = "") -> PracticeSession:
    """A practice session today, with these sensation words picked."""
    return PracticeSession.objects.create(
        enrollment=enrollment,
        local_date=enrollment.local_date(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=3,
        sensations=sensations,
        note=note,
    )


def _week_title(version, number: int) -> str:
    return Week.objects.get(version=version, number=number).title


def test_a_patient_in_week_3_who_chooses_spanish_gets_their_program_in_spanish(
    client, cast, versions
):
    enrollment, slots = _patient_on(cast, versions, "en")
    assert enrollment.current_week() == 3
    for slug in ("how-pain-works", "looking-for-clues"):
        activity_complete(enrollment=enrollment, activity=_act(enrollment, slug))
    reflection_save(enrollment=enrollment, activity=_act(enrollment, "strongest-clue"), text=CLUE)
    # Picked from the English program's words.
    _practised(enrollment, ["heavy", "warmth"], note="Felt calmer after.")
    baseline = slots["baseline"]
    answered = list(
        Response.objects.filter(checkin=baseline).values_list("instrument_key", "answers")
    )
    week3 = slots["week-3"]
    assert answered and week3.opens_at <= timezone.now()  # open today, not answered

    client.force_login(cast.patient)
    page = client.post(reverse("account_language"), {"language": "es"}, follow=True)
    text = page.content.decode()
    assert '<html lang="es">' in text
    # Said once: the page's own note ("Sus lecciones también están en español.") waits
    # for the next visit.
    assert text.count("Sus lecciones ahora también están en español. Sigue en la semana 3.") == 1
    assert "Sus lecciones también están en español." not in text
    again = client.get(reverse("account_language")).content.decode()
    assert "Sus lecciones también están en español." in again
    assert "Sus lecciones ahora" not in again

    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["es"]
    assert enrollment.current_week() == 3

    # Today and the program page: Spanish week titles, the change and why, no English.
    today = client.get(reverse("today")).content.decode()
    assert _week_title(versions["es"], 3) in today
    assert _week_title(versions["en"], 3) not in today
    assert "Cambios en su programa" in today
    assert "Usted cambió su idioma:" in today
    assert "sus lecciones pasaron a español, y su semana sigue siendo la misma." in today
    assert "De su profesional" not in today  # the patient did it, not the clinician
    overview = client.get(reverse("program_overview")).content.decode()
    for number in (1, 2, 3):
        assert _week_title(versions["es"], number) in overview
    assert "Usted cambió su idioma:" in overview
    assert "Cambios de su profesional" not in overview

    # A lesson and the somatic-tracking player: in Spanish, with no lang="en" aside.
    lesson = client.get(reverse("activity", args=["fear-of-movement"])).content.decode()
    assert "El miedo a moverse, y cómo volver a subir" in lesson
    assert 'lang="en"' not in lesson
    player = client.get(reverse("practice")).content.decode()
    assert "Acomódese" in player and "Settle in" not in player
    assert "hormigueo" in player

    # What was done is done, and what was written is there, as written.
    done = set(
        ActivityCompletion.objects.filter(
            enrollment=enrollment, activity__week__version=versions["es"]
        ).values_list("activity__slug", flat=True)
    )
    assert done == {"how-pain-works", "looking-for-clues", "strongest-clue"}
    reflection = Reflection.objects.get(enrollment=enrollment)
    assert reflection.text == CLUE and reflection.activity.week.version == versions["es"]
    assert CLUE in client.get(reverse("activity", args=["strongest-clue"])).content.decode()

    # The log: the words picked in English read as the Spanish program's (as stored),
    # and the note as written.
    log = client.get(reverse("my_log")).content.decode()
    assert "Sintió: pesadez, calor" in log and "heavy" not in log
    assert "Felt calmer after." in log
    assert PracticeSession.objects.get().sensations == ["heavy", "warmth"]

    # The open check-in asks in Spanish; the answered one keeps its answers.
    week3 = CheckIn.objects.get(pk=week3.pk, slot="week-3", responses__isnull=True)
    checkin = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert ">Dolor promedio</h2>" in checkin
    assert (
        list(Response.objects.filter(checkin=baseline).values_list("instrument_key", "answers"))
        == answered
    )
    assert set(Response.objects.filter(checkin=baseline).values_list("language", flat=True)) == {
        "en"
    }

    # Audited, by the patient, as a switch; the clinician sees it on the program page.
    switch = ProgramSwitch.objects.get(enrollment=enrollment)
    assert switch.cause == SwitchCause.LANGUAGE and switch.created_by == cast.patient
    assert (switch.week_before, switch.week_after) == (3, 3)
    event = AuditEvent.objects.get(action="tailoring.program_switched")
    assert event.actor_id == cast.patient.pk and event.subject_id == cast.patient.pk
    assert event.changes["cause"] == [None, "language"]
    assert event.changes["language"] == ["en", "es"]
    assert event.changes["week"] == [3, 3]
    client.force_login(cast.clinician)
    clinic = client.get(reverse("patient_program", args=[enrollment.pk])).content.decode()
    assert (
        "The patient changed their language in the app, and their lessons moved with it "
        "to Spanish." in clinic
    )


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "player"])
def test_a_player_opened_before_the_switch_saves_the_words_picked(client, cast, versions, htmx):
    """The player was open in English; the patient chose Spanish in another tab, then
    saved the session: it is kept, with the words they picked, as the Spanish words in
    the same places of the list (as the log shows words picked before a switch)."""
    enrollment, _ = _patient_on(cast, versions, "en")
    client.force_login(cast.patient)
    player = client.get(reverse("practice")).content.decode()
    assert 'name="sensations" value="heavy"' in player
    client.post(reverse("account_language"), {"language": "es"})
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["es"]

    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    posted = {
        "client_token": str(uuid.uuid4()),
        "duration_seconds": "312",
        "pain_before": "6",
        "threat_before": "7",
        "sensations": ["heavy", "warmth"],  # the English player's words
        "pain_after": "4",
        "threat_after": "3",
        "note": "Se suavizó un poco.",
    }
    response = client.post(reverse("practice_save"), posted, **extra)
    assert response.status_code == (200 if htmx else 302)
    session = PracticeSession.objects.get(enrollment=enrollment)
    assert session.sensations == ["calor", "pesadez"]  # the guide's order
    assert session.note == "Se suavizó un poco."
    assert "Sintió: calor, pesadez" in client.get(reverse("my_log")).content.decode()
    # A word of no edition is still refused, with the picked words kept.
    refused = {**posted, "client_token": str(uuid.uuid4()), "sensations": ["heavy", "agony"]}
    response = client.post(reverse("practice_save"), refused)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Por favor, elija solo palabras de la lista." in page
    assert re.search(r'<input type="checkbox" name="sensations" value="pesadez"[^>]*checked', page)
    assert PracticeSession.objects.filter(enrollment=enrollment).count() == 1


def test_a_patient_who_chooses_english_gets_their_program_in_english(client, cast, versions):
    enrollment, _ = _patient_on(cast, versions, "es")
    client.force_login(cast.patient)
    text = client.post(reverse("account_language"), {"language": "en"}, follow=True)
    page = text.content.decode()
    assert '<html lang="en">' in page
    assert page.count("Your lessons are in English now too. You are still in week 3.") == 1
    assert "Your lessons are in English too." not in page  # the page's note, said once
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["en"]
    today = client.get(reverse("today")).content.decode()
    assert _week_title(versions["en"], 3) in today
    assert "You changed your language:" in today
    assert "your lessons moved to English, and your week stayed the same." in today
    player = client.get(reverse("practice")).content.decode()
    assert "Settle in" in player and "Acomódese" not in player
    week3 = CheckIn.objects.get(enrollment=enrollment, slot="week-3")
    checkin = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert "Dolor promedio" not in checkin


def test_saving_the_same_language_again_switches_nothing(client, cast, versions):
    enrollment, _ = _patient_on(cast, versions, "en")
    client.force_login(cast.patient)
    page = client.post(reverse("account_language"), {"language": "en"}, follow=True)
    assert "now too" not in page.content.decode()
    assert not ProgramSwitch.objects.filter(enrollment=enrollment).exists()


def test_with_no_edition_in_the_new_language_the_lessons_stay_and_the_page_says_so(
    client, cast, versions
):
    english_only = make_trial_version(slug="english-only")
    cast.patient.language = "en"
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=english_only, days_ago=15
    )
    client.force_login(cast.patient)
    page = client.post(reverse("account_language"), {"language": "es"}, follow=True)
    text = page.content.decode()
    assert (
        "Su programa todavía no tiene lecciones en español, así que sus lecciones siguen "
        "en inglés." in text
    )
    assert "Pueden hablarlo con usted." in text
    assert "ahora también" not in text
    enrollment.refresh_from_db()
    assert enrollment.program_version == english_only
    assert not ProgramSwitch.objects.exists()
    assert not AuditEvent.objects.filter(action="tailoring.program_switched").exists()


def test_a_finished_program_stays_in_its_language(client, cast, versions):
    enrollment, _ = _patient_on(cast, versions, "en")
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.save(update_fields=["status"])
    client.force_login(cast.patient)
    page = client.post(reverse("account_language"), {"language": "es"}, follow=True)
    assert "Su programa ya terminó, así que sus lecciones siguen en inglés." in (
        page.content.decode()
    )
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["en"]


def test_lessons_left_behind_by_an_earlier_change_are_offered_again(client, cast, versions):
    # Chose Spanish before the lessons followed the language (on this page, or by
    # accepting the invitation in it): the page no longer asks to save it again (every
    # language set now moves the lessons), it says who can move them.
    enrollment, _ = _patient_on(cast, versions, "en")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    page = client.get(reverse("account_language")).content.decode()
    assert (
        "Sus lecciones siguen en inglés. Su equipo de atención puede pasarlas a español "
        "por usted." in page
    )
    assert "guarde su idioma otra vez" not in page
    client.post(reverse("account_language"), {"language": "es"})
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["es"]


@pytest.mark.parametrize("chosen", ["en", "es"])
def test_the_language_page_costs_the_same_queries_as_before(client, cast, versions, chosen):
    _patient_on(cast, versions, "en")
    english_only = make_trial_version(slug="english-only")
    url = reverse("account_language")
    client.force_login(cast.patient)
    client.get(url)
    with CaptureQueriesContext(connection) as patient:
        client.get(url)
    # The session, the user, the membership, the page's note (one query: the patient's
    # enrollment, its language, and whether their program has the one they read) and
    # the patient's enrollment for the page's menu: as before lessons followed the
    # language, and the same whichever note the page shows.
    assert len(patient) == 5
    notes = [q["sql"] for q in patient.captured_queries if "EXISTS" in q["sql"]]
    assert len(notes) == 1
    cast.patient.language = chosen
    cast.patient.save(update_fields=["language"])
    Enrollment.objects.filter(patient=cast.patient).update(program_version=english_only)
    with CaptureQueriesContext(connection) as other:
        client.get(url)
    assert len(other) == 5


# ---------------------------------------------------------------- the clinician's switch
@pytest.mark.parametrize("reads", ["en", "es"])
def test_the_clinician_may_switch_to_the_program_in_the_language_the_patient_reads(
    cast, versions, reads
):
    enrollment, _ = _patient_on(cast, versions, "en")
    spanish_trial = make_trial_version(slug="trial-es", language="es")
    english_trial = make_trial_version(slug="trial-en", language="en")
    cast.patient.language = reads
    cast.patient.save(update_fields=["language"])
    enrollment.refresh_from_db()
    targets = switching.switch_targets(enrollment)
    expected = [english_trial] + ([versions["es"]] if reads == "es" else [])
    assert sorted(t.pk for t in targets) == sorted(v.pk for v in expected)
    # Another program in Spanish is never offered, nor taken.
    with pytest.raises(ValidationError):
        program_switch(
            enrollment=enrollment, to_version=spanish_trial, reason="Mejor así.", by=cast.clinician
        )
    if reads == "en":
        with pytest.raises(ValidationError):
            program_switch(
                enrollment=enrollment,
                to_version=versions["es"],
                reason="Mejor así.",
                by=cast.clinician,
            )
        return
    switch = program_switch(
        enrollment=enrollment, to_version=versions["es"], reason="Mejor así.", by=cast.clinician
    )
    assert switch.cause == SwitchCause.CLINICIAN and switch.reason == "Mejor así."
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions["es"] and enrollment.current_week() == 3


def test_the_clinicians_form_names_the_other_language(client, cast, versions):
    enrollment, _ = _patient_on(cast, versions, "en")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_program", args=[enrollment.pk])).content.decode()
    assert f"{versions['es'].title} (v{versions['es'].number}, Spanish)" in page


def test_the_data_download_says_the_sensations_as_the_log_does(client, cast, versions):
    """Words picked in the English program, before the patient chose Spanish: their data
    download's spreadsheet says them in Spanish, as their log does; my-data.json keeps
    what was stored."""
    enrollment, _ = _patient_on(cast, versions, "en")
    _practised(enrollment, ["tingling", "buzzing"])
    login(client, cast.patient)
    client.post(reverse("account_language"), {"language": "es"})
    assert "Sintió: hormigueo, vibración" in client.get(reverse("my_log")).content.decode()

    archive = download(client)
    [session] = csv_rows(archive, "programs.practicesession")
    assert session["sensations"] == "hormigueo, vibración"
    [stored] = document(archive)["tables"]["programs.practicesession"]
    assert stored["sensations"] == ["tingling", "buzzing"]
