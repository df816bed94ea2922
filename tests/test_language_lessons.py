"""A patient who changes the app's language mid-program is told, on the language page
and in the language they chose, that their lessons stay in the language their program
started in and that their care team can help (no self-service switch exists: the only
switch between versions, programs.tailoring.switching, keeps to one language)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import EnrollmentStatus, Program
from tests.factories import make_enrollment

STAY = {
    ("en", "en"): "Your lessons stay in English, the language your program started in.",
    ("en", "es"): "Sus lecciones siguen en inglés, el idioma en que empezó su programa.",
    ("es", "en"): "Your lessons stay in Spanish, the language your program started in.",
    ("es", "es"): "Sus lecciones siguen en español, el idioma en que empezó su programa.",
}
ASK = {
    ("en", "es"): "Si quiere sus lecciones en español, dígaselo a su equipo de atención. "
    "Pueden hablarlo con usted.",
    ("es", "en"): "If you would like your lessons in English, tell your care team. "
    "They can talk it through with you.",
}


@pytest.fixture
def versions(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    return {lang: program.current_version(lang) for lang in ("en", "es")}


@pytest.mark.parametrize(
    ("lessons", "chosen"), [("en", "en"), ("en", "es"), ("es", "en"), ("es", "es")]
)
def test_the_language_page_says_which_language_the_lessons_stay_in(
    client, cast, versions, lessons, chosen
):
    cast.patient.language = lessons  # invited in it: the program's version follows
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=versions["en"], days_ago=20
    )
    assert enrollment.program_version.language == lessons
    client.force_login(cast.patient)
    response = client.post(reverse("account_language"), {"language": chosen}, follow=True)
    page = response.content.decode()
    assert f'<html lang="{chosen}">' in page
    assert STAY[(lessons, chosen)] in page
    if (lessons, chosen) in ASK:
        assert ASK[(lessons, chosen)] in page
        # No promise of a move the app cannot make (tailoring/switching.py refuses a
        # change of language).
        assert "move to that version" not in page and "pasar a esa versión" not in page
    else:
        assert "care team" not in page and "equipo de atención" not in page
    # The lessons did stay as they were: Today still lists them in that language.
    enrollment.refresh_from_db()
    assert enrollment.program_version.language == lessons


@pytest.mark.parametrize("status", [EnrollmentStatus.WITHDRAWN, EnrollmentStatus.INVITED])
def test_no_note_without_lessons(client, cast, versions, status):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=versions["en"]
    )
    enrollment.status = status
    enrollment.save(update_fields=["status"])
    client.force_login(cast.patient)
    assert "Your lessons stay" not in client.get(reverse("account_language")).content.decode()


def test_staff_get_no_note(client, cast, versions):
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=versions["en"])
    client.force_login(cast.clinician)
    assert "Your lessons stay" not in client.get(reverse("account_language")).content.decode()
