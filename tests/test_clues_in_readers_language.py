"""A patient reading their program in Spanish ticks clues (fixed checklist items the
program has in English too): their English clinician reads those clues in English,
marked "Answered in Spanish", on the reflections page and the diary, as check-in
answers are (tracking.clinic.sections.ClueWords). What the patient typed stays as
typed. Where the clinician writes for the patient (a message, a tailoring reason) the
page says plainly that the patient reads the app in Spanish."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from programs.models import Activity, ActivityKind, Program
from programs.services import reflection_save
from tests.factories import make_enrollment
from tracking.diary.services import Episode, diary_entry_save


@pytest.fixture
def spanish(cast, db):
    """cast.patient reading the app and their program in Spanish; their clues for week
    1 ticked (the first two), with a few words of their own."""
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program.current_version("es")
    )
    clues = Activity.objects.get(
        week__version=enrollment.program_version, week__number=1, kind=ActivityKind.EVIDENCE
    )
    english = Activity.objects.get(
        week__version=program.current_version("en"), slug=clues.slug, kind=ActivityKind.EVIDENCE
    )
    keys = [i["key"] for i in clues.data["items"][:2]]
    reflection = reflection_save(
        enrollment=enrollment, activity=clues, checked=keys, text="Mi propio texto"
    )
    words = {
        lang: [{i["key"]: i["text"] for i in a.data["items"]}[k] for k in keys]
        for lang, a in (("es", clues), ("en", english))
    }
    assert words["es"] != words["en"]
    return enrollment, reflection, words


def get(client, user, url: str) -> str:
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_english_clinician_reads_the_clues_in_english_marked(client, cast, spanish):
    enrollment, _, words = spanish
    html = get(client, cast.clinician, reverse("patient_reflections", args=[enrollment.pk]))
    for text in words["en"]:
        assert f"<li>{escape(text)}</li>" in html
    for text in words["es"]:
        assert escape(text) not in html
    assert '<span class="badge">Answered in Spanish</span>' in html
    assert "Mi propio texto" in html  # what they typed stays as typed


def test_a_spanish_clinician_reads_them_as_ticked_unmarked(client, cast, spanish):
    enrollment, _, words = spanish
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    html = get(client, cast.clinician, reverse("patient_reflections", args=[enrollment.pk]))
    for text in words["es"]:
        assert f"<li>{escape(text)}</li>" in html
    assert "Respondió en" not in html


def test_the_diary_shows_the_clue_in_the_clinicians_language_marked(client, cast, spanish):
    enrollment, reflection, words = spanish
    from datetime import timedelta

    from django.utils import timezone

    diary_entry_save(
        enrollment=enrollment,
        episode=Episode(
            occurred_at=timezone.now() - timedelta(hours=2),
            pain=5,
            fear=4,
            clue_reflection=reflection,
            clue_key=reflection.checked[1],
        ),
    )
    html = get(client, cast.clinician, reverse("patient_diary", args=[enrollment.pk]))
    assert (
        f"<strong>Clue:</strong> <span>{escape(words['en'][1])}</span>"
        ' <span class="badge">Answered in Spanish</span>'
    ) in html
    assert escape(words["es"][1]) not in html


def test_the_message_box_and_the_tailoring_reason_say_the_patient_reads_spanish(
    client, cast, spanish
):
    enrollment, _, _ = spanish
    note = "The patient reads the app in Spanish."
    html = get(client, cast.clinician, reverse("patient_messages", args=[enrollment.pk]))
    form = html[html.index('<div class="hint" id="id_body_helptext">') :]
    assert note in form[: form.index("</div>")]
    html = get(client, cast.clinician, reverse("patient_program", args=[enrollment.pk]))
    # Beside the reason of each change the page offers.
    assert html.count(note) == html.count('name="reason"') >= 3
    # Said in the clinician's own language.
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    html = get(client, cast.clinician, reverse("patient_program", args=[enrollment.pk]))
    assert "El paciente usa la aplicación en" not in html  # the same language: nothing


def test_a_spanish_clinician_is_told_an_english_reader_reads_english(client, cast, enrollment):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    html = get(client, cast.clinician, reverse("patient_messages", args=[enrollment.pk]))
    assert "El paciente usa la aplicación en inglés." in html
    cast.clinician.language = "en"
    cast.clinician.save(update_fields=["language"])
    html = get(client, cast.clinician, reverse("patient_messages", args=[enrollment.pk]))
    assert "reads the app in" not in html
