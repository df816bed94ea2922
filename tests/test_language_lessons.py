"""The language page tells a patient, in the language they chose, which language their
lessons are in (programs.language): with the program in both, the lessons follow the
app's language (tests/test_language_switch.py has the whole switch)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import EnrollmentStatus, Program
from tests.factories import make_enrollment

NOTE = {
    ("en", "en"): "Your lessons are in English too.",
    ("en", "es"): "Sus lecciones ahora también están en español.",
    ("es", "en"): "Your lessons are in English now too.",
    ("es", "es"): "Sus lecciones también están en español.",
}


@pytest.fixture
def versions(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    return {lang: program.current_version(lang) for lang in ("en", "es")}


@pytest.mark.parametrize(
    ("lessons", "chosen"), [("en", "en"), ("en", "es"), ("es", "en"), ("es", "es")]
)
def test_the_language_page_says_which_language_the_lessons_are_in(
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
    assert NOTE[(lessons, chosen)] in page
    # The program has both languages: the lessons follow the one chosen.
    enrollment.refresh_from_db()
    assert enrollment.program_version.language == chosen


@pytest.mark.parametrize("status", [EnrollmentStatus.WITHDRAWN, EnrollmentStatus.INVITED])
def test_no_note_without_lessons(client, cast, versions, status):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=versions["en"]
    )
    enrollment.status = status
    enrollment.save(update_fields=["status"])
    client.force_login(cast.patient)
    assert "Your lessons" not in client.get(reverse("account_language")).content.decode()


def test_staff_get_no_note(client, cast, versions):
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=versions["en"])
    client.force_login(cast.clinician)
    assert "Your lessons" not in client.get(reverse("account_language")).content.decode()
