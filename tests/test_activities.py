"""Lessons, reflections, evidence checklists and the three-causes question."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from programs.models import ActivityCompletion, Attribution, Reflection
from tests.edit_versions import with_version


def activity_of(enrollment, week, kind):
    return enrollment.program_version.weeks.get(number=week).activities.filter(kind=kind).first()


@pytest.fixture
def patient_client(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def test_a_lesson_renders_markdown_and_can_be_marked_done_once(patient_client, enrollment):
    lesson = activity_of(enrollment, 1, "lesson")
    page = patient_client.get(reverse("activity", args=[lesson.slug])).content.decode()
    assert "<h2>" in page and escape(lesson.title) in page
    patient_client.post(reverse("activity_complete", args=[lesson.slug]))
    patient_client.post(reverse("activity_complete", args=[lesson.slug]))
    assert ActivityCompletion.objects.filter(enrollment=enrollment, activity=lesson).count() == 1


def test_marking_done_with_htmx_returns_just_the_marker(patient_client, enrollment):
    lesson = activity_of(enrollment, 1, "lesson")
    response = patient_client.post(
        reverse("activity_complete", args=[lesson.slug]), headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert 'id="done-marker"' in body and "<html" not in body


def test_a_reflection_is_saved_and_can_be_edited(patient_client, enrollment):
    reflection = activity_of(enrollment, 2, "reflection")
    url = reverse("activity", args=[reflection.slug])
    empty = patient_client.post(url, {"text": ""})
    assert "Write a few words before you save" in empty.content.decode()
    assert not Reflection.objects.exists()
    patient_client.post(url, {"text": "Stress at work."})
    patient_client.post(
        url, with_version(patient_client, url, {"text": "Stress at work, and a move."})
    )
    saved = Reflection.objects.get()
    assert saved.text == "Stress at work, and a move."
    assert ActivityCompletion.objects.filter(activity=reflection).count() == 1


def test_the_evidence_checklist_keeps_ticks(patient_client, enrollment):
    evidence = activity_of(enrollment, 1, "evidence")
    keys = [i["key"] for i in evidence.data["items"]]
    url = reverse("activity", args=[evidence.slug])
    bad = patient_client.post(url, {"checked": [keys[0], "made-up"]})
    assert "choose only from the list" in bad.content.decode()
    patient_client.post(url, {"checked": keys[:2], "text": "Worse on Mondays"})
    assert Reflection.objects.get().checked == keys[:2]
    page = patient_client.get(url).content.decode()
    assert page.count("checked") >= 2


def test_three_causes_give_a_mind_brain_score(patient_client, enrollment):
    causes = activity_of(enrollment, 1, "attribution")
    url = reverse("activity", args=[causes.slug])
    response = patient_client.post(
        url,
        {
            "cause_1": "Stress at work",
            "category_1": "stress",
            "cause_2": "A bulging disc",
            "category_2": "spinal",
            "cause_3": "My brain learned it",
            "category_3": "brain",
        },
    )
    assert response.status_code == 302
    attribution = Attribution.objects.get()
    assert attribution.mind_brain_score == 2
    assert [c.category for c in attribution.causes.all()] == ["stress", "spinal", "brain"]


def test_causes_with_gaps_explain_and_keep_what_was_typed(patient_client, enrollment):
    causes = activity_of(enrollment, 1, "attribution")
    response = patient_client.post(
        reverse("activity", args=[causes.slug]),
        {
            "cause_1": "Lifting boxes",
            "category_1": "activity",
            "cause_2": "",
            "category_2": "injury",
            "cause_3": "Sitting",
            "category_3": "wizardry",
        },
    )
    body = response.content.decode()
    assert "Write cause 2 in a few words" in body
    assert "Choose a category for cause 3 from the list" in body
    assert 'value="Lifting boxes"' in body and 'value="Sitting"' in body
    assert not Attribution.objects.exists()


def test_another_patients_answers_never_show(client, cast, enrollment, other_enrollment):
    reflection = activity_of(enrollment, 2, "reflection")
    client.force_login(cast.other_patient)
    client.post(reverse("activity", args=[reflection.slug]), {"text": "Mine, not theirs"})
    client.force_login(cast.patient)
    page = client.get(reverse("activity", args=[reflection.slug])).content.decode()
    assert "Mine, not theirs" not in page
    assert Reflection.objects.get().enrollment == other_enrollment


def test_an_unknown_activity_is_404(patient_client):
    assert patient_client.get("/program/no-such-thing/").status_code == 404


def test_staff_cannot_open_patient_pages(client, cast, enrollment):
    lesson = activity_of(enrollment, 1, "lesson")
    for user in (cast.clinician, cast.admin, cast.outsider_admin):
        client.force_login(user)
        assert client.get(reverse("activity", args=[lesson.slug])).status_code == 404
        assert client.get(reverse("today")).status_code == 404


def _lesson_with_a_prompt(enrollment):
    return (
        enrollment.program_version.weeks.get(number=1)
        .activities.filter(kind="lesson")
        .exclude(prompt="")
        .first()
    )


NOTHING_TO_SAVE = {
    "en": "There was nothing to save. Write a few words, or tap “Mark as done” when you "
    "have read the lesson.",
    "es": "No había nada que guardar. Escriba unas palabras, o toque «Marcar como hecho» "
    "cuando haya leído la lección.",
}


@pytest.mark.parametrize(
    ("language", "typed"), [("en", ""), ("en", "   \n\t "), ("es", ""), ("es", "  ")]
)
def test_saving_a_lessons_empty_box_saves_and_completes_nothing(
    client, cast, enrollment, language, typed
):
    """The box under a lesson is optional: "Save" with nothing in it keeps no empty
    answer, does not mark the lesson done, and says so; "Mark as done" still does."""
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    lesson = _lesson_with_a_prompt(enrollment)
    url = reverse("activity", args=[lesson.slug])
    page = client.post(url, {"text": typed}, follow=True).content.decode()
    assert escape(NOTHING_TO_SAVE[language]) in page
    assert not Reflection.objects.filter(activity=lesson).exists()
    assert not ActivityCompletion.objects.filter(enrollment=enrollment, activity=lesson).exists()

    client.post(reverse("activity_complete", args=[lesson.slug]))
    assert ActivityCompletion.objects.filter(enrollment=enrollment, activity=lesson).count() == 1


def test_a_lessons_answer_is_saved_and_not_wiped_by_an_empty_save(patient_client, enrollment):
    lesson = _lesson_with_a_prompt(enrollment)
    url = reverse("activity", args=[lesson.slug])
    patient_client.post(url, {"text": "Anger, I think."})
    assert Reflection.objects.get(activity=lesson).text == "Anger, I think."
    assert ActivityCompletion.objects.filter(activity=lesson).count() == 1
    page = patient_client.post(url, {"text": "  "}, follow=True).content.decode()
    assert escape(NOTHING_TO_SAVE["en"]) in page
    assert Reflection.objects.get(activity=lesson).text == "Anger, I think."
