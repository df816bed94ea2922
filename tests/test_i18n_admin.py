"""Issue 18, the practice admin's side: a Spanish-speaking admin sees every admin page
in Spanish (no English string of our catalogue, no English function word), a form
error in Spanish; and the admin chooses each invitee's language (the staff and patient
invitation forms, the bulk-import CSV), which their invitation email and their program
version follow."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import Invitation, Membership, User
from programs.models import Enrollment
from tests.factories import PASSWORD, totp_code
from tests.test_i18n import english_in
from tracking.models import BulkImport, OutboxTask
from tracking.practice_admin import jinja2_strings
from tracking.tasks import send_import_invitations


@pytest.fixture
def both_languages(db):
    """The shipped program in English and in Spanish (two versions)."""
    call_command("load_program", "prt-back-8wk")
    from programs.models import ProgramVersion

    return ProgramVersion.objects.get(language="en"), ProgramVersion.objects.get(language="es")


@pytest.fixture
def spanish_admin(client, cast, both_languages):
    """cast.admin, whose language is Spanish, logged in with password and code (MFA)."""
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    response = client.post(
        reverse("account_login"), {"login": cast.admin.email, "password": PASSWORD}
    )
    assert response.url == reverse("mfa_authenticate")
    assert client.post(reverse("mfa_authenticate"), {"code": totp_code()}).status_code == 302
    return client


def names(cast, *more: str) -> tuple[str, ...]:
    """Data, not our words: people, practices, programs, addresses, time zones."""
    people = [cast.admin, cast.clinician, cast.other_clinician, cast.patient, cast.other_patient]
    return (
        *more,
        *(p.email for p in people),
        *(p.full_name for p in people if p.full_name),
        cast.practice.name,
        cast.practice.timezone,
        # Time zones' names (Europe/Isle_of_Man …), in the time zone lists.
        "Isle of Man",
        "Port of Spain",
    )


def spanish_page(client, url: str, allowed: tuple[str, ...], status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    page = response.content.decode()
    assert '<html lang="es">' in page, url
    assert english_in(page, allowed=allowed) == [], url
    return page


def test_every_admin_page_is_in_spanish_for_a_spanish_admin(spanish_admin, cast, both_languages):
    en, _es = both_languages
    client = spanish_admin
    enrollment = Enrollment.objects.create(
        patient=cast.patient,
        practice=cast.practice,
        clinician=cast.clinician,
        program_version=en,
        start_date=timezone.localdate(),
        status="active",
        checkin_weekday=0,
    )
    # Something in the audit trail and the enrollment's history.
    client.post(reverse("admin_enrollment_pause", args=[enrollment.pk]))
    client.post(reverse("admin_enrollment_resume", args=[enrollment.pk]))
    clinician = Membership.objects.get(user=cast.clinician, practice=cast.practice)
    allowed = names(cast, en.title, enrollment.program_version.title)
    pages = [
        reverse("practice_overview"),
        reverse("invitation_list"),
        reverse("invitation_create"),
        reverse("admin_clinicians"),
        reverse("admin_clinician_deactivate", args=[clinician.pk]),
        reverse("admin_clinician_reassign", args=[clinician.pk]),
        reverse("admin_enrollments"),
        reverse("admin_enrollment", args=[enrollment.pk]),
        reverse("admin_enrollment_transfer", args=[enrollment.pk]),
        reverse("admin_enrollment_pause", args=[enrollment.pk]),
        reverse("admin_enrollment_withdraw", args=[enrollment.pk]),
        reverse("admin_import"),
        reverse("admin_instruments"),
        reverse("admin_instrument_import"),
        reverse("admin_outcomes"),
        reverse("admin_outcomes") + "?language=es",
        reverse("admin_audit"),
        reverse("admin_failed_deliveries"),
        reverse("account_time_zone"),
    ]
    from tracking.models import Instrument

    client.get(reverse("admin_instruments"))  # the shipped questionnaires, synced on view
    instrument_titles = tuple(Instrument.objects.values_list("title", flat=True).distinct())
    licences = tuple(
        n for n in Instrument.objects.values_list("licence_note", flat=True).distinct() if n
    )
    for url in pages:
        spanish_page(client, url, allowed + instrument_titles + licences)
    # The crisis resources are the practice's own texts (data, in the textareas), seeded
    # from the reviewed English defaults: the words around them are ours.
    page = client.get(reverse("admin_safety_settings")).content.decode()
    page = re.sub(r"(?s)<textarea([^>]*)>.*?</textarea>", r"<textarea\1></textarea>", page)
    # The built-in English crisis phrases are listed as they are matched: in English.
    page = re.sub(r'(?s)<ul lang="en">.*?</ul>', "<ul></ul>", page)
    assert english_in(page, allowed=allowed) == []

    overview = client.get(reverse("practice_overview")).content.decode()
    assert "Invitar a un paciente" in overview
    report = client.get(reverse("admin_outcomes")).content.decode()
    assert "Informe de resultados" in report and "Idioma del paciente" in report
    assert "Mostrar las cifras" in report  # the Jinja2 charts, through gettext
    safety = client.get(reverse("admin_safety_settings")).content.decode()
    assert "Cadena de escalamiento" in safety and "Configuración de seguridad" in safety


def test_the_import_review_is_in_spanish(spanish_admin, cast):
    today = timezone.localdate().isoformat()
    csv = (
        "full_name,email,clinician_email,start_date,timezone,program,language\n"
        f"Ana López,ana@example.org,{cast.clinician.email},{today},America/Mexico_City,,es\n"
        f"Bad,bad-email,{cast.clinician.email},{today},UTC,,fr\n"
    )
    response = spanish_admin.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("pacientes.csv", csv.encode(), content_type="text/csv")},
    )
    assert response.status_code == 302
    page = spanish_page(
        spanish_admin,
        response.url,
        names(cast, "Ana López", "ana@example.org", "bad-email", "pacientes.csv"),
    )
    assert "«bad-email» no es un correo electrónico válido." in page
    assert "Idioma desconocido «fr»." in page
    assert '<span class="stat">1</span> fila lista para importar' in page


def test_a_form_error_is_in_spanish(spanish_admin, cast):
    response = spanish_admin.post(
        reverse("invitation_create"),
        {"full_name": "Rosa Díaz", "email": "not-an-address", "role": "clinician"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "Escriba un correo electrónico como nombre@ejemplo.com." in page
    assert 'value="Rosa Díaz"' in page  # what was typed is kept
    assert english_in(page, allowed=names(cast, "Rosa Díaz", "not-an-address")) == []
    response = spanish_admin.get(reverse("admin_outcomes"), {"date_from": "2026-02-30"})
    assert "Escriba una fecha como 2026-01-31." in response.content.decode()


def test_every_jinja2_string_of_the_charts_is_in_the_catalogue_list():
    """makemessages does not read Jinja2: jinja2_strings.py lists each msgid."""
    import re
    from pathlib import Path

    template = Path(__file__).resolve().parent.parent / (
        "templates/jinja2/tracking/practice_admin/outcome_charts.html"
    )
    used = set(re.findall(r'_\("((?:[^"\\]|\\.)*)"', template.read_text()))
    assert used and used <= set(jinja2_strings.OUTCOME_CHARTS)


# ---------------------------------------------------------------- language at invitation
def test_a_colleague_invited_in_spanish_gets_a_spanish_invitation(client, cast, mailoutbox):
    client.force_login(cast.admin)
    response = client.post(
        reverse("invitation_create"),
        {
            "full_name": "Rosa Díaz",
            "email": "rosa@example.org",
            "role": "clinician",
            "timezone": "America/Mexico_City",
            "language": "es",
        },
    )
    assert response.status_code == 302
    invitee = User.objects.get(email="rosa@example.org")
    assert (invitee.is_invitee, invitee.language) == (True, "es")
    (message,) = mailoutbox
    assert message.subject == f"Le invitan a unirse a {cast.practice.name} en painapp"
    assert "profesional" in message.body  # the role, in the invitee's language
    # Left out, the language is English, as before.
    client.post(
        reverse("invitation_create"),
        {"full_name": "Sam", "email": "sam@example.org", "role": "clinician", "timezone": "UTC"},
    )
    assert User.objects.get(email="sam@example.org").language == "en"


def test_a_patient_invited_in_spanish_gets_the_spanish_program(
    client, cast, both_languages, mailoutbox
):
    en, es = both_languages
    client.force_login(cast.admin)
    response = client.post(
        reverse("patient_invite"),
        {
            "full_name": "Ana López",
            "email": "ana@example.org",
            "clinician": cast.clinician.pk,
            "program_version": en.pk,
            "start_date": timezone.localdate().isoformat(),
            "timezone": "America/Mexico_City",
            "language": "es",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    ana = User.objects.get(email="ana@example.org")
    assert ana.language == "es"
    assert Enrollment.objects.get(patient=ana).program_version == es
    (message,) = mailoutbox
    assert message.subject == "Su invitación para empezar su programa para el dolor de espalda"
    # An English patient gets the English version.
    client.post(
        reverse("patient_invite"),
        {
            "full_name": "Sam Lee",
            "email": "sam@example.org",
            "clinician": cast.clinician.pk,
            "program_version": en.pk,
            "start_date": timezone.localdate().isoformat(),
            "timezone": "Europe/London",
        },
    )
    sam = User.objects.get(email="sam@example.org")
    assert sam.language == "en" and Enrollment.objects.get(patient=sam).program_version == en


def test_the_bulk_import_language_column_sets_each_patients_language(client, cast, both_languages):
    en, es = both_languages
    client.force_login(cast.admin)
    today = timezone.localdate().isoformat()
    clin = cast.clinician.email
    csv = (
        "full_name,email,clinician_email,start_date,timezone,program,language\n"
        f"Ana López,ana@example.org,{clin},{today},America/Mexico_City,,es\n"
        f"Luis Ruiz,luis@example.org,{clin},{today},America/Bogota,,ES\n"
        f"Sam Lee,sam@example.org,{clin},{today},Europe/London,,\n"
        f"Kim Park,kim@example.org,{clin},{today},Europe/London,,en\n"
    )
    response = client.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("p.csv", csv.encode(), content_type="text/csv")},
    )
    record = BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    assert all(not row["problems"] for row in record.rows)
    client.post(reverse("admin_import_confirm", args=[record.pk]))
    languages = dict(
        User.objects.filter(email__endswith="@example.org").values_list("email", "language")
    )
    assert languages == {
        "ana@example.org": "es",
        "luis@example.org": "es",
        "sam@example.org": "en",
        "kim@example.org": "en",
    }
    versions = dict(
        Enrollment.objects.filter(patient__email__endswith="@example.org").values_list(
            "patient__email", "program_version"
        )
    )
    assert versions == {
        "ana@example.org": es.pk,
        "luis@example.org": es.pk,
        "sam@example.org": en.pk,
        "kim@example.org": en.pk,
    }
    # The invitation emails, sent later by the outbox task, follow each language.
    mail.outbox.clear()
    task = OutboxTask.objects.get(task="tracking.tasks_admin.send_import_invitations")
    send_import_invitations(**task.kwargs, outbox_id=task.pk)
    subjects = {m.to[0]: m.subject for m in mail.outbox}
    spanish = "Su invitación para empezar su programa para el dolor de espalda"
    assert subjects["ana@example.org"] == subjects["luis@example.org"] == spanish
    assert subjects["sam@example.org"] != spanish


def test_a_file_without_the_language_column_still_imports_in_english(client, cast, both_languages):
    en, _es = both_languages
    client.force_login(cast.admin)
    today = timezone.localdate().isoformat()
    csv = (
        "full_name,email,clinician_email,start_date,timezone,program\n"
        f"Sam Lee,sam@example.org,{cast.clinician.email},{today},Europe/London,\n"
    )
    response = client.post(
        reverse("admin_import"),
        {"file": SimpleUploadedFile("p.csv", csv.encode(), content_type="text/csv")},
    )
    record = BulkImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))
    client.post(reverse("admin_import_confirm", args=[record.pk]))
    sam = User.objects.get(email="sam@example.org")
    assert sam.language == "en" and Enrollment.objects.get(patient=sam).program_version == en
    assert Invitation.objects.filter(membership__user=sam).count() == 1


# ---------------------------------------------------------------- the account pages
def test_the_account_pages_of_a_spanish_patient_are_in_spanish(client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    allowed = names(cast, cast.patient.timezone)
    page = spanish_page(client, reverse("my_data"), allowed)
    assert "Descargar mis datos" in page
    page = spanish_page(client, reverse("account_time_zone"), allowed)
    assert "Guardar mi zona horaria" in page


def test_an_unusable_invitation_link_speaks_the_browsers_language(client):
    response = client.get(
        reverse("invitation_accept", args=["not-a-token"]), HTTP_ACCEPT_LANGUAGE="es"
    )
    assert response.status_code == 404
    page = response.content.decode()
    assert "Este enlace no funciona" in page
    assert english_in(page) == []
