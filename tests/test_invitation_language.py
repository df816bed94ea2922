"""An invitation accepted in another language than the one the patient was invited in
follows the same rule as the language page (painapp.accounts.views.language.
language_follow → programs.language.lessons_follow_language): the language the patient
chooses for the app is the language of their lessons, when their program has them in
it. The switch happens before they have started (still invited, no completions, no
check-ins yet), is audited as a switch by language, and the clinician sees it in
"Changes for this patient". With no edition in that language the program stays, and
the patient is told so in the words the language page uses."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent, User
from programs.models import ActivityCompletion, Enrollment, EnrollmentStatus, Program, Week
from programs.tailoring.models import ProgramSwitch, SwitchCause
from tests.edit_versions import with_version
from tests.tailoring_data import make_trial_version
from tests.test_invitations import NEW_PASSWORD, link_from_last_email, path_of
from tests.test_onboarding import ABOUT
from tracking.models import CheckIn, ReminderSchedule


@pytest.fixture
def versions(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    return {lang: program.current_version(lang) for lang in ("en", "es")}


def _invite(cast, client, *, version, language: str) -> str:
    """The admin invites a new patient in `language` to `version`'s program; the
    invitation's address, with the client logged out."""
    client.force_login(cast.admin)
    response = client.post(
        reverse("patient_invite"),
        {
            "full_name": "Rosa Martínez",
            "email": "rosa@example.org",
            "timezone": "America/Mexico_City",
            "clinician": cast.clinician.pk,
            "program_version": version.pk,
            "start_date": timezone.localdate().isoformat(),
            "language": language,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    return path_of(link_from_last_email())


def _accept_reading(client, url: str, language: str):
    """The invitee chooses `language` on the invitation page (its language choice sets
    the cookie), then sets up their account; the page they land on."""
    client.cookies["django_language"] = language
    page = client.get(url)
    assert page.status_code == 200
    return client.post(
        url,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "timezone": "America/Chicago"},
        follow=True,
    )


def _onboard(client) -> None:
    """Onboarding's steps (in whichever language), with no red flags."""
    assert client.get(reverse("onboarding_about")).status_code == 200
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "US"}),
    )
    response = client.post(reverse("onboarding_safety"), {**ABOUT, "none_apply": "on"})
    assert response.url == reverse("today")


def _week_title(version, number: int) -> str:
    return Week.objects.get(version=version, number=number).title


@pytest.mark.parametrize(("invited", "reads"), [("en", "es"), ("es", "en")])
def test_an_invitation_accepted_in_the_other_language_moves_the_program_to_it(
    client, cast, versions, invited, reads
):
    url = _invite(cast, client, version=versions["en"], language=invited)
    enrollment = Enrollment.objects.get(patient__email="rosa@example.org")
    assert enrollment.program_version == versions[invited]  # chosen in the invitation's
    start, unlocked = enrollment.start_date, enrollment.unlocked_through_week

    page = _accept_reading(client, url, reads).content.decode()
    patient = User.objects.get(email="rosa@example.org")
    assert patient.language == reads
    assert f'<html lang="{reads}">' in page
    told = {
        "es": "Sus lecciones también están en español.",
        "en": "Your lessons are in English too.",
    }[reads]
    assert told in page

    # Switched before the patient started: still invited, nothing done, the calendar
    # as the clinician set it, and no check-ins or reminders made early (onboarding
    # makes them).
    enrollment.refresh_from_db()
    assert enrollment.program_version == versions[reads]
    assert enrollment.status == EnrollmentStatus.INVITED
    assert (enrollment.start_date, enrollment.unlocked_through_week) == (start, unlocked)
    assert not ActivityCompletion.objects.filter(enrollment=enrollment).exists()
    assert not CheckIn.objects.filter(enrollment=enrollment).exists()
    assert not ReminderSchedule.objects.filter(enrollment=enrollment).exists()

    # Audited like the language page's switch: by the patient, as a switch by language.
    switch = ProgramSwitch.objects.get(enrollment=enrollment)
    assert switch.cause == SwitchCause.LANGUAGE and switch.created_by == patient
    assert (switch.from_version, switch.to_version) == (versions[invited], versions[reads])
    event = AuditEvent.objects.get(action="tailoring.program_switched")
    assert event.actor_id == patient.pk and event.subject_id == patient.pk
    assert event.practice_id == cast.practice.pk
    assert event.changes["cause"] == [None, "language"]
    assert event.changes["language"] == [invited, reads]
    assert event.changes["completions_carried"] == [0, 0]

    # Onboarding then starts the program in the new language, check-ins and all.
    _onboard(client)
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.ACTIVE
    assert enrollment.program_version == versions[reads]
    assert CheckIn.objects.filter(enrollment=enrollment, slot="baseline").exists()
    overview = client.get(reverse("program_overview")).content.decode()
    assert _week_title(versions[reads], 1) in overview
    assert _week_title(versions[invited], 1) not in overview
    lesson = client.get(reverse("activity", args=["how-pain-works"])).content.decode()
    assert f'lang="{invited}"' not in lesson

    # The clinician sees it with the other changes.
    client.force_login(cast.clinician)
    clinic = client.get(reverse("patient_program", args=[enrollment.pk])).content.decode()
    changes = clinic.split("Changes for this patient", 1)[1].split("</section>", 1)[0]
    assert "Program switch" in changes
    language = {"es": "Spanish", "en": "English"}[reads]
    assert (
        "The patient changed their language in the app, and their lessons moved with it "
        f"to {language}." in changes
    )


def test_with_no_edition_in_that_language_the_program_stays_and_the_patient_is_told(
    client, cast, versions
):
    english_only = make_trial_version(slug="english-only")
    url = _invite(cast, client, version=english_only, language="en")
    page = _accept_reading(client, url, "es").content.decode()
    # The language page's words for the same case (lesson_language_notes).
    assert (
        "Su programa todavía no tiene lecciones en español, así que sus lecciones siguen "
        "en inglés." in page
    )
    assert "Pueden hablarlo con usted." in page
    enrollment = Enrollment.objects.get(patient__email="rosa@example.org")
    assert enrollment.program_version == english_only
    assert not ProgramSwitch.objects.exists()
    assert not AuditEvent.objects.filter(action="tailoring.program_switched").exists()
