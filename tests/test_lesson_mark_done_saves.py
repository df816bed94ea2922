""" "Mark as done" under a lesson's question saves what is typed (the walk-through: an
answer typed on /program/emotional-threats/ and "Mark as done" tapped, not "Save", was
shown as done but kept only as a draft on that device). It is a button of the answer's
own form, so it works without JavaScript; a lesson is never marked done while what
was typed is sent back unsaved."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from programs.models import ActivityCompletion, Reflection
from tests.test_activities import _lesson_with_a_prompt


@pytest.fixture
def patient_client(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


@pytest.fixture
def lesson(enrollment):
    return _lesson_with_a_prompt(enrollment)


def done(enrollment, lesson) -> bool:
    return ActivityCompletion.objects.filter(enrollment=enrollment, activity=lesson).exists()


def test_mark_as_done_is_a_button_of_the_answers_form(patient_client, lesson):
    page = patient_client.get(reverse("activity", args=[lesson.slug])).content.decode()
    form = re.search(r'<form method="post" novalidate data-draft=.*?</form>', page, re.S).group(0)
    assert '<button type="submit" name="mark_done" value="1">Mark as done</button>' in form
    assert page.count("Mark as done</button>") == 1


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Saved, and marked as done."), ("es", "Guardado, y marcado como hecho.")],
)
def test_mark_as_done_saves_the_typed_answer(client, cast, enrollment, lesson, language, message):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    url = reverse("activity", args=[lesson.slug])
    answer = "When my boss shouts, my back tightens."
    page = client.post(url, {"text": answer, "mark_done": "1"}, follow=True).content.decode()
    assert message in page
    assert done(enrollment, lesson)
    assert Reflection.objects.get(enrollment=enrollment, activity=lesson).text == answer
    # Another browser (no draft there) and the clinician's Reflections both have it.
    client.force_login(cast.patient)
    assert escape(answer) in client.get(url).content.decode()
    client.force_login(cast.clinician)
    staff = client.get(reverse("patient_reflections", args=[enrollment.pk])).content.decode()
    assert escape(answer) in staff


def test_mark_as_done_with_the_box_empty_marks_it_done(patient_client, enrollment, lesson):
    url = reverse("activity", args=[lesson.slug])
    response = patient_client.post(url, {"text": "  ", "mark_done": "1"})
    assert response.status_code == 302
    assert done(enrollment, lesson)
    assert not Reflection.objects.filter(activity=lesson).exists()


def test_an_answer_sent_back_does_not_mark_the_lesson_done(patient_client, enrollment, lesson):
    url = reverse("activity", args=[lesson.slug])
    too_long = "a" * 5001
    response = patient_client.post(url, {"text": too_long, "mark_done": "1"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Please keep this under 5,000 characters." in page
    assert too_long in page  # what was typed is kept
    assert not done(enrollment, lesson)
    assert not Reflection.objects.filter(activity=lesson).exists()
