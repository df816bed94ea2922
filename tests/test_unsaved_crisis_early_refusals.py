"""Crisis words in a post refused before any form could scan it (review finding): the
program ended (the gate sends every closed page to /ended/), a check-in posted after
the program ended, an exposure already logged in another tab, a custom exercise taken
off the program while the patient wrote, an activity locked while they typed. Each
still scans what was typed (programs.safety.scan_posted / PatientTextForm.scan_unsaved):
the page they land on shows the crisis panel saying the words were not saved, the
care team gets one urgent alert, marked unsaved, that the clinician sees, and nothing
is saved. Ordinary words raise nothing. Real Postgres."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from programs.exposure import views as exposure_views
from programs.exposure.services import exposure_complete, exposure_create
from programs.models import Activity, Enrollment, EnrollmentStatus, Exposure, Reflection
from programs.tailoring.models import CustomExercise
from programs.tailoring.services import custom_exercise_withdraw
from tests.tailoring_data import make_custom_exercise
from tests.test_unsaved_crisis_words import (
    HELP,
    NOT_SAVED,
    NOT_SAVED_ES,
    PHRASES,
    diary_edit,
    diary_new,
    exposure_done,
    exposure_plan,
    new_rung,
    practice_note,
    reflection_edit,
    rung_edit,
    self_harm,
)
from tests.test_unsaved_crisis_words import custom_exercise as custom_exercise_case
from tracking.access import EnrollmentScope, alerts_in_scope
from tracking.models import Response

ENDED = reverse("program_ended")
ORDINARY = "my back felt stiff after the walk"


@pytest.fixture
def patient(us_patient):
    return us_patient


def withdraw(enrollment: Enrollment) -> None:
    Enrollment.objects.filter(pk=enrollment.pk).update(status=EnrollmentStatus.WITHDRAWN)


def speak(cast, language: str) -> None:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])


def assert_help_and_one_unsaved_alert(
    cast, enrollment, page: str, language: str = "en", *, words: bool = True
):
    assert "988" in page  # the US crisis line: the panel, with its numbers
    assert (NOT_SAVED_ES if language == "es" else NOT_SAVED) in page
    [alert] = self_harm(enrollment)
    assert alert.details["unsaved"] is True
    assert alert.details.get("crisis_words", False) is words  # item 9: an answer, no words
    # Their clinician has it, withdrawn or not (the inbox's one rule).
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    assert list(alerts_in_scope(scope).filter(pk=alert.pk)) == [alert]
    return alert


# --- The program ended: every closed page leads to /ended/, what was typed scanned first.

CLOSED_FORMS = [
    diary_new,
    diary_edit,
    reflection_edit,
    practice_note,
    new_rung,
    rung_edit,
    exposure_plan,
    exposure_done,
    custom_exercise_case,
]


@pytest.mark.parametrize(
    ("form", "language"),
    [(f, "en") for f in CLOSED_FORMS] + [(diary_new, "es")],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_crisis_words_posted_after_the_program_ended_bring_help_on_the_ended_page(
    patient, cast, enrollment, form, language
):
    speak(cast, language)
    case = form(cast, enrollment, PHRASES[language])
    before = case.saved()
    withdraw(enrollment)

    response = patient.post(case.url, case.good, follow=True)

    assert response.redirect_chain[-1][0] == ENDED
    assert_help_and_one_unsaved_alert(cast, enrollment, response.content.decode(), language)
    assert case.saved() == before  # nothing was saved
    # The panel showed once: the next page is plain.
    assert "988" not in patient.get(ENDED).content.decode()


@pytest.mark.parametrize("form", CLOSED_FORMS, ids=lambda f: f.__name__)
def test_ordinary_words_posted_after_the_program_ended_raise_nothing(
    patient, cast, enrollment, form
):
    case = form(cast, enrollment, ORDINARY)
    withdraw(enrollment)
    response = patient.post(case.url, case.good, follow=True)
    assert response.redirect_chain[-1][0] == ENDED
    assert HELP not in response.content.decode()
    assert self_harm(enrollment) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_check_in_sent_after_the_program_ended_still_acts_on_item_9(
    patient, cast, week3, language
):
    from tests.checkin_data import post_for

    speak(cast, language)
    enrollment = week3.enrollment
    withdraw(enrollment)
    data = post_for(week3.instrument_keys, phq9_item9={"phq9": 2})
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == ENDED
    page = response.content.decode()
    assert_help_and_one_unsaved_alert(cast, enrollment, page, language, words=False)
    assert not Response.objects.filter(checkin=week3).exists()


def test_a_check_in_cause_with_crisis_words_after_the_program_ended(patient, cast, week3):
    from tests.checkin_data import post_for

    week3.instrument_keys = ["causes"]
    week3.save()
    withdraw(week3.enrollment)
    data = post_for(["causes"])
    data["causes__cause1__text"] = PHRASES["en"]
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == ENDED
    assert "988" in response.content.decode()
    [alert] = self_harm(week3.enrollment)
    assert alert.details.get("unsaved") is True
    assert not Response.objects.filter(checkin=week3).exists()


def test_an_ordinary_check_in_sent_after_the_program_ended_raises_nothing(patient, week3):
    from tests.checkin_data import post_for

    withdraw(week3.enrollment)
    data = post_for(week3.instrument_keys)
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data, follow=True)
    assert response.redirect_chain[-1][0] == ENDED
    assert HELP not in response.content.decode()
    assert self_harm(week3.enrollment) == []


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_ended_check_in_list_promises_no_next_one(cast, patient, week3, language):
    speak(cast, language)
    promise = {"en": "the next one still counts", "es": "el siguiente también cuenta"}[language]
    assert promise in patient.get(reverse("checkin_list")).content.decode()
    withdraw(week3.enrollment)
    html = patient.get(reverse("checkin_list")).content.decode()
    assert promise not in html
    assert f'href="{reverse("checkin_current")}"' not in html
    assert f'href="{reverse("progress")}"' in html


# --- Refused in the view before its form was built.


def _plan(enrollment) -> Exposure:
    return exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Carry the shopping",
        predicted_pain=5,
        predicted_harm=40,
    )


def _done(words: str) -> dict:
    return {"actual_pain": "3", "actual_harm": "0", "fear_after": "20", "note": words}


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_exposure_already_logged_in_another_tab_still_scans_the_note(
    patient, cast, enrollment, language
):
    speak(cast, language)
    plan = _plan(enrollment)
    exposure_complete(exposure=plan, actual_pain=2, actual_harm=0, fear_after=10, note="Went fine")
    url = reverse("exposure_done", args=[plan.pk])
    response = patient.post(url, _done(PHRASES[language]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exposure_detail", args=[plan.pk])
    assert_help_and_one_unsaved_alert(cast, enrollment, response.content.decode(), language)
    plan.refresh_from_db()
    assert plan.note == "Went fine"


def test_an_exposure_logged_in_another_tab_during_the_save_still_scans_the_note(
    patient, cast, enrollment, monkeypatch
):
    """The other tab logs it between this view's check and its save (exposure_complete
    then returns False): the real service, run twice, the other tab's first."""
    plan = _plan(enrollment)

    def other_tab_first(*, exposure, **fields):
        exposure_complete(
            exposure=Exposure.objects.get(pk=exposure.pk),
            actual_pain=2,
            actual_harm=0,
            fear_after=10,
            note="Went fine",
        )
        return exposure_complete(exposure=exposure, **fields)

    monkeypatch.setattr(exposure_views, "exposure_complete", other_tab_first)
    url = reverse("exposure_done", args=[plan.pk])
    response = patient.post(url, _done(PHRASES["en"]), follow=True)
    assert_help_and_one_unsaved_alert(cast, enrollment, response.content.decode())
    plan.refresh_from_db()
    assert plan.note == "Went fine"


def test_ordinary_words_on_an_exposure_already_logged_raise_nothing(patient, enrollment):
    plan = _plan(enrollment)
    exposure_complete(exposure=plan, actual_pain=2, actual_harm=0, fear_after=10, note="")
    response = patient.post(reverse("exposure_done", args=[plan.pk]), _done(ORDINARY), follow=True)
    assert HELP not in response.content.decode()
    assert self_harm(enrollment) == []


def _withdrawn_exercise(cast, enrollment) -> CustomExercise:
    exercise = make_custom_exercise(enrollment)
    custom_exercise_withdraw(exercise=exercise, by=cast.clinician)
    return exercise


@pytest.mark.parametrize("language", ["en", "es"])
def test_a_note_on_an_exercise_withdrawn_while_typing_brings_help(
    patient, cast, enrollment, language
):
    speak(cast, language)
    exercise = _withdrawn_exercise(cast, enrollment)
    url = reverse("custom_exercise", args=[exercise.pk])
    response = patient.post(url, {"note": PHRASES[language]}, follow=True)
    # Not a dead end: their program, with the panel.
    assert response.redirect_chain[-1][0] == reverse("program_overview")
    assert response.status_code == 200
    assert_help_and_one_unsaved_alert(cast, enrollment, response.content.decode(), language)
    exercise.refresh_from_db()
    assert exercise.patient_note == "" and exercise.completed_at is None


def test_the_exercise_form_sent_by_htmx_goes_to_the_program_with_help(patient, cast, enrollment):
    exercise = _withdrawn_exercise(cast, enrollment)
    url = reverse("custom_exercise", args=[exercise.pk])
    response = patient.post(url, {"note": PHRASES["en"]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response.headers["HX-Redirect"] == reverse("program_overview")
    page = patient.get(reverse("program_overview")).content.decode()
    assert_help_and_one_unsaved_alert(cast, enrollment, page)


def test_ordinary_words_on_a_withdrawn_exercise_are_a_plain_404(patient, cast, enrollment):
    exercise = _withdrawn_exercise(cast, enrollment)
    url = reverse("custom_exercise", args=[exercise.pk])
    assert patient.post(url, {"note": ORDINARY}).status_code == 404
    assert patient.get(url).status_code == 404
    assert self_harm(enrollment) == []


def test_crisis_words_to_an_exercise_that_is_not_theirs_are_scanned_as_their_own(
    patient, cast, enrollment
):
    """Another number (another patient's, or none): the same as a withdrawn one, so the
    answer says nothing about whether it exists; the words are this patient's."""
    response = patient.post(reverse("custom_exercise", args=[999999]), {"note": PHRASES["en"]})
    assert response.status_code == 302
    [alert] = self_harm(enrollment)
    assert alert.source == "custom_exercise:new"


def _locked_reflection(enrollment) -> Activity:
    """A reflection in a week the patient has not reached (week 2 now)."""
    return (
        Activity.objects.filter(
            week__version=enrollment.program_version, kind="reflection", week__number__gte=5
        )
        .order_by("week__number")
        .first()
    )


@pytest.mark.parametrize("language", ["en", "es"])
def test_an_answer_to_an_activity_locked_while_typing_brings_help(
    patient, cast, enrollment, language
):
    speak(cast, language)
    activity = _locked_reflection(enrollment)
    response = patient.post(reverse("activity", args=[activity.slug]), {"text": PHRASES[language]})
    assert response.status_code == 200
    assert_help_and_one_unsaved_alert(cast, enrollment, response.content.decode(), language)
    assert not Reflection.objects.filter(enrollment=enrollment).exists()


def test_ordinary_words_to_a_locked_activity_raise_nothing(patient, enrollment):
    activity = _locked_reflection(enrollment)
    response = patient.post(reverse("activity", args=[activity.slug]), {"text": ORDINARY})
    assert HELP not in response.content.decode()
    assert self_harm(enrollment) == []


def test_a_client_token_alone_is_not_scanned_as_words(patient, enrollment):
    withdraw(enrollment)
    patient.post(reverse("diary_new"), {"client_token": str(uuid.uuid4())})
    assert self_harm(enrollment) == []
