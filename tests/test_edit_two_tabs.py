"""A diary entry, a fear-ladder step and the note on a custom exercise, each open in
two tabs (painapp.edit_version, as the safety plan and reflections): a save from the
tab opened before the other tab's save is refused, calmly (409), nothing saved is
overwritten, what was typed stays in the boxes with what is saved now under each part
that differs, and saving again from that page works. A save from a fresh page works as
before; a form without the version is refused the same way. Crisis words typed into a refused save
still bring the help at once and the urgent alert, marked unsaved. No JavaScript (the
test client); the exercise's note by htmx too."""

from __future__ import annotations

import re
from datetime import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils.html import escape

from programs.exposure.services import (
    exposure_complete,
    exposure_create,
    fear_item_create,
    fear_item_delete,
    fear_item_move,
)
from programs.models import Exposure, FearItem
from programs.tailoring.models import CustomExercise
from tests.races import locking, meanwhile
from tests.tailoring_data import make_custom_exercise
from tests.test_diary import add as diary_add
from tests.test_diary import form_data as diary_data
from tracking.diary.models import DiaryEntry
from tracking.models import Alert
from tracking.reminders.schedules import preferences_for

CHANGED = "This was changed in another tab or window"
NOTHING_LOST = "We have not saved this yet, so nothing is lost."
CHANGED_ES = "Esto se cambió en otra pestaña o ventana"
SAVED_NOW_ES = "Lo que está guardado ahora:"
CRISIS = "Some days I want to die."
HELP = "You do not have to face this alone"


def version_in(page: str) -> str:
    [tag] = re.findall(r'<input type="hidden" name="edited_from"[^>]*>', page)
    value = re.search(r'value="([^"]*)"', tag)
    return value.group(1) if value else ""


def open_tab(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return version_in(response.content.decode())


def checked(page: str, name: str) -> list[str]:
    """The values of the radio buttons `name` the page has ticked."""
    tags = re.findall(rf'<input type="radio" name="{name}"[^>]*>', page)
    return [
        value for tag in tags if " checked" in tag for value in re.findall(r'value="([^"]*)"', tag)
    ]


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def self_harm(enrollment) -> list[Alert]:
    return list(Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM))


# ---------------------------------------------------------------- the diary


@pytest.fixture
def entry(enrollment) -> DiaryEntry:
    return diary_add(enrollment, pain=7, fear=6, activity_note="Carrying the shopping")


def diary_form(entry: DiaryEntry, **changes) -> dict:
    """The edit form as sent: the entry's numbers and note, with `changes`."""
    saved = {"pain": str(entry.pain), "fear": str(entry.fear), "activity_note": entry.activity_note}
    return diary_data(**{**saved, **changes})


def test_the_second_diary_tab_cannot_undo_the_first_tabs_pain(patient, entry):
    """The walk-through: A sets pain 5 and saves; B changes fear and the note."""
    url = reverse("diary_edit", args=[entry.pk])
    tab_a, tab_b = open_tab(patient, url), open_tab(patient, url)
    assert tab_a == tab_b != ""

    response = patient.post(url, {**diary_form(entry, pain="5"), "edited_from": tab_a}, follow=True)
    assert "Saved to your diary." in response.content.decode()  # tab A
    tab_b_typed = diary_form(entry, fear="3", activity_note="Carrying two heavy bags")
    response = patient.post(url, {**tab_b_typed, "edited_from": tab_b})
    page = response.content.decode()

    assert response.status_code == 409
    assert CHANGED in page and NOTHING_LOST in page
    assert "Saved to your diary." not in page
    entry.refresh_from_db()
    assert (entry.pain, entry.fear, entry.activity_note) == (5, 6, "Carrying the shopping")
    # What tab B typed is still in the boxes …
    assert checked(page, "pain") == ["7"] and checked(page, "fear") == ["3"]
    assert 'value="Carrying two heavy bags"' in page
    # … with what is saved now under the parts that differ, and only those.
    assert "Saved now: How strong was the pain?" in page
    assert "Saved now: Anything to add about what you were doing" in page
    assert "Carrying the shopping" in page
    assert "Saved now: How afraid or worried did you feel?" in page
    assert "Saved now: What were you doing?" not in page
    assert "Saved now: Day" not in page

    # They put the two together and save again from that page: saved.
    merged = {**tab_b_typed, "pain": "5", "edited_from": version_in(page)}
    response = patient.post(url, merged, follow=True)
    assert "Saved to your diary." in response.content.decode()
    entry.refresh_from_db()
    assert (entry.pain, entry.fear, entry.activity_note) == (5, 3, "Carrying two heavy bags")


def test_a_diary_edit_from_a_fresh_page_saves_as_before_and_one_without_a_version_not(
    patient, entry
):
    url = reverse("diary_edit", args=[entry.pk])
    response = patient.post(
        url, {**diary_form(entry, pain="4"), "edited_from": open_tab(patient, url)}
    )
    assert response.status_code == 302
    response = patient.post(
        url, {**diary_form(entry, pain="3"), "edited_from": open_tab(patient, url)}
    )
    assert response.status_code == 302
    response = patient.post(url, diary_form(entry, pain="2"))  # a page from before the field
    assert response.status_code == 409  # refused as a conflict (test_edit_version_missing)
    entry.refresh_from_db()
    assert entry.pain == 3
    # A new episode has no version to carry, and saves as before.
    page = patient.get(reverse("diary_new")).content.decode()
    assert 'name="edited_from"' not in page and "Saved now" not in page


def test_crisis_words_in_a_refused_diary_edit_bring_help_and_the_alert(patient, entry):
    url = reverse("diary_edit", args=[entry.pk])
    stale = open_tab(patient, url)
    patient.post(url, {**diary_form(entry, pain="5"), "edited_from": open_tab(patient, url)})
    response = patient.post(url, {**diary_form(entry, self_talk=CRISIS), "edited_from": stale})
    page = response.content.decode()
    assert response.status_code == 409
    assert HELP in page  # the crisis panel, at once
    assert escape(CRISIS) in page  # still in the box
    entry.refresh_from_db()
    assert "die" not in entry.self_talk  # not saved
    [alert] = self_harm(entry.enrollment)
    assert alert.source == f"diary:{entry.pk}" and alert.details["unsaved"] is True


def test_the_diary_refusal_speaks_spanish(patient, cast, entry):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    url = reverse("diary_edit", args=[entry.pk])
    stale = open_tab(patient, url)
    patient.post(url, {**diary_form(entry, pain="5"), "edited_from": open_tab(patient, url)})
    page = patient.post(url, {**diary_form(entry, fear="2"), "edited_from": stale}).content.decode()
    assert CHANGED_ES in page
    assert f"{SAVED_NOW_ES} ¿Qué tan fuerte era el dolor?" in page


# ---------------------------------------------------------------- a fear-ladder step


@pytest.fixture
def step(enrollment) -> FearItem:
    return fear_item_create(enrollment=enrollment, label="Bending down", harm_rating=30)


def test_the_second_tab_cannot_undo_the_first_tabs_harm_rating(patient, step):
    """The walk-through: tab 1 sets harm 40; tab 2 changes only the name."""
    url = reverse("fear_edit", args=[step.pk])
    tab_1, tab_2 = open_tab(patient, url), open_tab(patient, url)

    response = patient.post(
        url, {"label": "Bending down", "harm_rating": "40", "edited_from": tab_1}
    )
    assert response.status_code == 302
    response = patient.post(
        url, {"label": "Bending down to the floor", "harm_rating": "30", "edited_from": tab_2}
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page and NOTHING_LOST in page
    step.refresh_from_db()
    assert (step.label, step.harm_rating) == ("Bending down", 40)
    assert 'value="Bending down to the floor"' in page and 'value="30"' in page
    assert "Saved now: How harmful does it feel, from 0 to 100?" in page
    assert "Saved now: Activity you avoid or fear" in page

    response = patient.post(
        url,
        {
            "label": "Bending down to the floor",
            "harm_rating": "40",
            "edited_from": version_in(page),
        },
        follow=True,
    )
    assert "Saved “Bending down to the floor”." in response.content.decode()
    step.refresh_from_db()
    assert (step.label, step.harm_rating, step.first_rating) == (
        "Bending down to the floor",
        40,
        30,
    )


def test_moving_the_step_meanwhile_does_not_refuse_the_edit(patient, enrollment, step):
    fear_item_create(enrollment=enrollment, label="Lifting a box", harm_rating=60)
    url = reverse("fear_edit", args=[step.pk])
    opened = open_tab(patient, url)
    assert fear_item_move(fear_item=step, direction="down")  # in another tab
    response = patient.post(url, {"label": "Bending", "harm_rating": "30", "edited_from": opened})
    assert response.status_code == 302
    step.refresh_from_db()  # renamed, and still where the other tab moved it
    assert (step.label, step.harm_rating, step.position) == ("Bending", 30, 1)
    # Without a version (a page from before the field): refused, not saved blind.
    assert patient.post(url, {"label": "Bend", "harm_rating": "33"}).status_code == 409


def test_an_exposure_logged_meanwhile_refuses_the_old_rating(patient, enrollment, step):
    url = reverse("fear_edit", args=[step.pk])
    opened = open_tab(patient, url)
    done = exposure_create(
        enrollment=enrollment, fear_item=step, activity="", predicted_pain=5, predicted_harm=30
    )
    exposure_complete(exposure=done, actual_pain=2, actual_harm=0, fear_after=10)
    response = patient.post(
        url, {"label": "Bending down", "harm_rating": "30", "edited_from": opened}
    )
    assert response.status_code == 409
    step.refresh_from_db()
    assert step.harm_rating == 10  # the new rating after the exposure stays


def test_crisis_words_in_a_refused_step_edit_bring_help_and_the_alert(patient, enrollment, step):
    url = reverse("fear_edit", args=[step.pk])
    stale = open_tab(patient, url)
    patient.post(
        url, {"label": "Bending down", "harm_rating": "40", "edited_from": open_tab(patient, url)}
    )
    response = patient.post(url, {"label": CRISIS, "harm_rating": "30", "edited_from": stale})
    page = response.content.decode()
    assert response.status_code == 409 and HELP in page and escape(CRISIS) in page
    step.refresh_from_db()
    assert step.label == "Bending down"
    [alert] = self_harm(enrollment)
    assert alert.source == f"fear_item:{step.pk}" and alert.details["unsaved"] is True


def test_the_step_refusal_speaks_spanish(patient, cast, step):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    url = reverse("fear_edit", args=[step.pk])
    stale = open_tab(patient, url)
    patient.post(
        url, {"label": "Bending down", "harm_rating": "40", "edited_from": open_tab(patient, url)}
    )
    page = patient.post(url, {"label": "Agacharme", "harm_rating": "30", "edited_from": stale})
    assert CHANGED_ES in page.content.decode() and SAVED_NOW_ES in page.content.decode()


def delete_in_another_tab(step: FearItem):
    return lambda: fear_item_delete(fear_item=FearItem.objects.get(pk=step.pk))


def test_a_step_deleted_in_another_tab_meanwhile_keeps_what_was_typed(patient, enrollment, step):
    """Tab A takes the step off the ladder while tab B's edit of it is on its way: no
    500; nothing saved, the patient is told plainly, what they typed waits in the
    "add" form, and crisis words in it still bring the help and the alert."""
    url = reverse("fear_edit", args=[step.pk])
    opened = open_tab(patient, url)
    with meanwhile(locking("programs_enrollment"), delete_in_another_tab(step)) as fired:
        response = patient.post(url, {"label": CRISIS, "harm_rating": "45", "edited_from": opened})
    assert fired
    page = response.content.decode()
    assert response.status_code == 409
    assert "This step was taken off your ladder in another tab" in page
    assert escape(CRISIS) in page and 'value="45"' in page  # in the "add" form
    assert f'action="{reverse("fear_create")}"' in page
    assert HELP in page
    # Nothing saved. (The delete ran on this request's connection, inside the refused
    # save's transaction, so the test's rollback brings the step back: not asserted.)
    assert not FearItem.objects.filter(label=CRISIS).exists()
    [alert] = self_harm(enrollment)
    assert alert.source == f"fear_item:{step.pk}" and alert.details["unsaved"] is True


def test_the_deleted_step_message_speaks_spanish(patient, cast, step):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    url = reverse("fear_edit", args=[step.pk])
    opened = open_tab(patient, url)
    with meanwhile(locking("programs_enrollment"), delete_in_another_tab(step)):
        response = patient.post(
            url, {"label": "Agacharme", "harm_rating": "30", "edited_from": opened}
        )
    assert "Este paso se quitó de su escalera en otra pestaña" in response.content.decode()


@pytest.fixture
def planned(enrollment, step) -> Exposure:
    return exposure_create(
        enrollment=enrollment, fear_item=step, activity="", predicted_pain=5, predicted_harm=30
    )


def after_form(note: str) -> dict:
    return {"actual_pain": "2", "actual_harm": "10", "fear_after": "15", "note": note}


def test_after_ratings_for_a_step_deleted_meanwhile_are_kept(patient, enrollment, step, planned):
    """Tab A deletes the step while tab B logs how its exposure went: no 500; the
    ratings and the note are saved, and crisis words in the note raise the alert."""
    url = reverse("exposure_done", args=[planned.pk])
    with meanwhile(locking("programs_enrollment"), delete_in_another_tab(step)) as fired:
        response = patient.post(url, after_form(CRISIS), follow=True)
    assert fired
    assert response.status_code == 200
    assert "Logged. Well done for facing it." in response.content.decode()
    planned.refresh_from_db()
    assert planned.completed_at is not None and planned.fear_item_id is None
    assert (planned.actual_pain, planned.actual_harm, planned.fear_after) == (2, 10, 15)
    assert planned.note == CRISIS
    [alert] = self_harm(enrollment)
    assert alert.source == f"exposure-after:{planned.pk}"


def test_logging_after_ratings_locks_the_ladder_before_the_exposure(enrollment, planned):
    """One lock order everywhere, as deleting a step takes it (the ladder, then the
    step's exposures): else the two can deadlock, and the after-ratings are lost."""
    with CaptureQueriesContext(connection) as queries:
        assert exposure_complete(exposure=planned, actual_pain=2, actual_harm=10, fear_after=15)
    sqls = [q["sql"] for q in queries.captured_queries]
    ladder = next(i for i, sql in enumerate(sqls) if locking("programs_enrollment")(sql))
    claim = next(i for i, sql in enumerate(sqls) if sql.startswith('UPDATE "programs_exposure"'))
    assert ladder < claim


# ---------------------------------------------------------------- a custom exercise's note


@pytest.fixture
def exercise(enrollment) -> CustomExercise:
    return make_custom_exercise(enrollment)


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_second_tab_cannot_wipe_the_first_tabs_note(patient, exercise, htmx):
    url = reverse("custom_exercise", args=[exercise.pk])
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    tab_a, tab_b = open_tab(patient, url), open_tab(patient, url)

    response = patient.post(url, {"note": "It went well.", "edited_from": tab_a}, **extra)
    assert response.status_code == (200 if htmx else 302)
    response = patient.post(url, {"note": "Hard today.", "edited_from": tab_b}, **extra)
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page and NOTHING_LOST in page
    exercise.refresh_from_db()
    assert exercise.patient_note == "It went well."
    assert "Hard today." in page  # what they typed, in the box
    assert "Saved now: How did it go? A note for you and your care team" in page
    assert "It went well." in page

    response = patient.post(
        url, {"note": "It went well. Hard today.", "edited_from": version_in(page)}, **extra
    )
    assert response.status_code == (200 if htmx else 302)
    exercise.refresh_from_db()
    assert exercise.patient_note == "It went well. Hard today."


def test_an_htmx_save_gives_the_page_the_new_version(patient, exercise):
    """The form swapped in after a save carries the note's new version: saving again
    from the same page is not taken for another tab."""
    url = reverse("custom_exercise", args=[exercise.pk])
    response = patient.post(
        url, {"note": "First.", "edited_from": open_tab(patient, url)}, HTTP_HX_REQUEST="true"
    )
    again = {"note": "Second.", "edited_from": version_in(response.content.decode())}
    assert patient.post(url, again, HTTP_HX_REQUEST="true").status_code == 200
    exercise.refresh_from_db()
    assert exercise.patient_note == "Second."
    # Without a version: refused, not saved blind.
    assert patient.post(url, {"note": "Third."}).status_code == 409
    exercise.refresh_from_db()
    assert exercise.patient_note == "Second."


def test_crisis_words_in_a_refused_note_bring_help_and_the_alert(patient, enrollment, exercise):
    url = reverse("custom_exercise", args=[exercise.pk])
    stale = open_tab(patient, url)
    patient.post(url, {"note": "It went well.", "edited_from": open_tab(patient, url)})
    response = patient.post(url, {"note": CRISIS, "edited_from": stale})
    page = response.content.decode()
    assert response.status_code == 409 and HELP in page and escape(CRISIS) in page
    exercise.refresh_from_db()
    assert exercise.patient_note == "It went well."
    [alert] = self_harm(enrollment)
    assert alert.source == f"custom_exercise:{exercise.pk}" and alert.details["unsaved"] is True


def test_the_note_refusal_speaks_spanish(patient, cast, exercise):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    url = reverse("custom_exercise", args=[exercise.pk])
    stale = open_tab(patient, url)
    patient.post(url, {"note": "Bien.", "edited_from": open_tab(patient, url)})
    page = patient.post(url, {"note": "Mal.", "edited_from": stale}).content.decode()
    assert CHANGED_ES in page and SAVED_NOW_ES in page


# ---------------------------------------------------------------- the reminder settings

REMINDERS = reverse("reminder_settings")


def reminders_form(**changes) -> dict:
    data = {
        "practice_enabled": "on",
        "practice_time": "09:00",
        "checkin_enabled": "on",
        "email_enabled": "on",
        "in_app_enabled": "on",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_the_second_reminders_tab_cannot_undo_the_first_tabs_time(patient, enrollment):
    tab_a, tab_b = open_tab(patient, REMINDERS), open_tab(patient, REMINDERS)
    assert tab_a == tab_b != ""
    response = patient.post(
        REMINDERS, {**reminders_form(practice_time="18:30"), "edited_from": tab_a}
    )
    assert response.status_code == 302
    tab_b_chose = reminders_form(checkin_enabled=None, practice_days=["0", "2"])
    response = patient.post(REMINDERS, {**tab_b_chose, "edited_from": tab_b})
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page and NOTHING_LOST in page
    prefs = preferences_for(enrollment)
    assert (
        prefs.practice_time == time(18, 30) and prefs.checkin_enabled and prefs.practice_days == []
    )
    # What tab B chose is still chosen, with what is saved now under what differs.
    assert 'name="practice_days" value="0"' in page and 'value="09:00"' in page
    assert re.search(r'<input type="checkbox" name="checkin_enabled"(?![^>]*checked)[^>]*>', page)
    assert "Saved now: At this time" in page and "18:30" in page
    assert "Saved now: On these days" in page and "None ticked" in page
    assert "Saved now: Remind me when my weekly check-in opens" in page and "Ticked" in page
    assert "Saved now: By email" not in page

    merged = {**tab_b_chose, "practice_time": "18:30", "edited_from": version_in(page)}
    assert patient.post(REMINDERS, merged).status_code == 302
    prefs = preferences_for(enrollment)
    assert (prefs.practice_time, prefs.checkin_enabled, prefs.practice_days) == (
        time(18, 30),
        False,
        [0, 2],
    )
    # From a fresh page: as before; from a page from before the field: refused.
    fresh = {**reminders_form(practice_time="07:00"), "edited_from": open_tab(patient, REMINDERS)}
    assert patient.post(REMINDERS, fresh).status_code == 302
    assert patient.post(REMINDERS, reminders_form(practice_time="07:15")).status_code == 409
    assert preferences_for(enrollment).practice_time == time(7, 0)


def test_a_clinicians_pause_meanwhile_is_not_undone(patient, cast, enrollment):
    from tracking.clinic.services import reminders_set_paused

    opened = open_tab(patient, REMINDERS)
    reminders_set_paused(enrollment=enrollment, paused=True, by=cast.clinician)
    response = patient.post(REMINDERS, {**reminders_form(), "edited_from": opened})
    assert response.status_code == 409
    assert preferences_for(enrollment).paused
    assert "Saved now: Pause all reminders for now" in response.content.decode()


def test_the_reminders_refusal_speaks_spanish(patient, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    stale = open_tab(patient, REMINDERS)
    unticked = {**reminders_form(checkin_enabled=None), "edited_from": open_tab(patient, REMINDERS)}
    assert patient.post(REMINDERS, unticked).status_code == 302
    page = patient.post(REMINDERS, {**reminders_form(), "edited_from": stale}).content.decode()
    assert CHANGED_ES in page and SAVED_NOW_ES in page and "Sin marcar" in page


def test_moving_a_step_deleted_in_another_tab_changes_nothing(patient, enrollment, step):
    other = fear_item_create(enrollment=enrollment, label="Lifting a box", harm_rating=60)
    fear_item_delete(fear_item=FearItem.objects.get(pk=step.pk))  # in another tab
    assert fear_item_move(fear_item=step, direction="down") is False
    response = patient.post(reverse("fear_move", args=[step.pk]), {"direction": "down"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.position == 0
