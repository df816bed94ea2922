"""Issue 18, the refusals: when a service says no (or says done) to a Spanish-speaking
admin, clinician or patient, it says so in Spanish, on the real page, and what they
typed or chose is still there.

Most of these refusals are a second check behind the form's own: the service re-reads
the row it changes under a lock, and refuses when another admin (or another tab) changed
it meanwhile. tests.races.meanwhile makes that other request land at the moment it
would in real life, just before the locked read, so the service's own sentence is
the one on the page.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from painapp.accounts.models import Membership
from programs.models import (
    ActivityKind,
    Enrollment,
    EnrollmentStatus,
    Reflection,
)
from programs.services import attribution_record
from tests.factories import make_enrollment
from tests.races import locking, meanwhile
from tests.test_diary import evidence_clue, form_data
from tracking.diary.models import DiaryEntry
from tracking.models import Alert, PracticeSettings


def spanish(client, user):
    user.language = "es"
    user.save(update_fields=["language"])
    client.force_login(user)
    return client


def page_of(response) -> str:
    body = response.content.decode()
    assert '<html lang="es">' in body
    return body


# ---------------------------------------------------------------- practice admins
def test_switching_off_a_clinician_who_was_just_given_a_patient_says_so_in_spanish(
    client, cast, program_version
):
    """The page counted no patients, so it asked nobody to take them over; another
    admin enrolled one with this clinician before the switch-off locked their row."""
    admin = spanish(client, cast.admin)
    membership = Membership.objects.get(user=cast.other_clinician, practice=cast.practice)
    assert not Enrollment.objects.filter(clinician=cast.other_clinician).exists()

    def another_admin_enrolls():
        make_enrollment(cast.other_patient, cast.other_clinician, cast.practice)

    with meanwhile(locking("accounts_membership"), another_admin_enrolls) as fired:
        response = admin.post(reverse("admin_clinician_deactivate", args=[membership.pk]))
    assert fired
    body = page_of(response)
    assert response.status_code == 200
    name = cast.other_clinician.display_name
    assert f"{name} todavía atiende a 1 paciente. Elija quién se hace cargo." in body
    assert "still looks after" not in body
    membership.refresh_from_db()
    assert membership.is_active


def test_moving_a_patient_to_the_clinician_they_already_have_says_so_in_spanish(
    client, cast, enrollment
):
    """Two admins move the same patient to the same clinician at once: the second finds
    the patient already there, and keeps their choice on the page."""
    admin = spanish(client, cast.admin)

    def the_other_admin_moves_them_first():
        Enrollment.objects.filter(pk=enrollment.pk).update(clinician=cast.other_clinician)

    with meanwhile(locking("programs_enrollment"), the_other_admin_moves_them_first) as fired:
        response = admin.post(
            reverse("admin_enrollment_transfer", args=[enrollment.pk]),
            {"to_clinician": cast.other_clinician.pk},
        )
    assert fired
    body = page_of(response)
    assert "A este paciente ya lo atiende ese profesional." in body
    assert "already with that clinician" not in body
    assert re.search(rf'value="{cast.other_clinician.pk}"[^>]*selected', body)


def test_pausing_a_program_someone_just_paused_says_so_in_spanish(client, cast, enrollment):
    admin = spanish(client, cast.admin)

    def paused_in_another_tab():
        Enrollment.objects.filter(pk=enrollment.pk).update(
            status=EnrollmentStatus.PAUSED, paused_on=enrollment.local_date()
        )

    with meanwhile(locking("programs_enrollment"), paused_in_another_tab) as fired:
        response = admin.post(reverse("admin_enrollment_pause", args=[enrollment.pk]))
    assert fired
    assert response.status_code == 400
    assert "Solo se puede pausar una inscripción activa." in page_of(response)


def test_the_enrollment_gate_explains_itself_in_spanish(client, cast, program_version):
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=None)
    body = page_of(spanish(client, cast.admin).get(reverse("patient_invite")))
    assert (
        "Antes de inscribir pacientes, configure un contacto de seguridad para "
        f"{cast.practice.name}, para que una alerta urgente siempre llegue a alguien."
    ) in body
    assert "Abrir la configuración de seguridad" in body
    assert "Before you can enroll" not in body


# ---------------------------------------------------------------- clinicians
@pytest.mark.parametrize(
    ("decision", "expected"),
    [
        ({"decision": "clear"}, "Se levantó la pausa de seguridad. {name} ya puede empezar"),
        (
            {"decision": "refer", "refer_to": "gp", "after_referral": "hold"},
            "Se registró la derivación. El programa de {name} sigue en pausa.",
        ),
        (
            {"decision": "refer", "refer_to": "gp", "after_referral": "withdraw"},
            "Se registró la derivación y se retiró a {name} del programa.",
        ),
        ({"decision": "withdraw"}, "Se retiró a {name} del programa."),
    ],
)
def test_a_safety_hold_decision_is_confirmed_in_spanish(client, cast, on_hold, decision, expected):
    clinician = spanish(client, cast.clinician)
    response = clinician.post(
        reverse("patient_clear_hold", args=[on_hold.pk]),
        {**decision, "reason": "Hablé con su médico."},
        follow=True,
    )
    body = page_of(response)
    assert expected.format(name=cast.patient.display_name) in body, decision


def test_refusals_the_form_makes_first_are_spanish_and_keep_what_was_typed(client, cast, on_hold):
    """An empty note and a referral to nobody: the form refuses before the service
    would (the services' own sentences, the same words, are translated too)."""
    clinician = spanish(client, cast.clinician)
    note = clinician.post(reverse("patient_note_add", args=[on_hold.pk]), {"body": "   "})
    assert "Escriba la nota antes de guardarla." in page_of(note)
    referral = clinician.post(
        reverse("patient_clear_hold", args=[on_hold.pk]),
        {"decision": "refer", "reason": "Necesita una resonancia."},
    )
    body = page_of(referral)
    assert referral.status_code == 400
    assert "Elija a quién deriva al paciente." in body
    assert "Necesita una resonancia." in body
    assert not on_hold.hold_decisions.exists()


def test_a_category_from_outside_the_list_is_refused_in_spanish_in_the_coding_queue(
    client, cast, enrollment
):
    activity = enrollment.program_version.weeks.get(number=1).activities.get(
        kind=ActivityKind.ATTRIBUTION
    )
    attribution = attribution_record(
        enrollment=enrollment,
        activity=activity,
        causes=[("Lifting", "activity"), ("A disc", "spinal"), ("Money", "stress")],
    )
    first, second, _third = attribution.causes.order_by("pk")
    clinician = spanish(client, cast.clinician)
    response = clinician.post(
        reverse("coding_queue"), {f"cause_{first.pk}": "stress", f"cause_{second.pk}": "aliens"}
    )
    body = page_of(response)
    assert response.status_code == 400
    assert "Elija una categoría de la lista." in body
    # The form marks the field and the service refuses the whole save: both in Spanish.
    assert "Choose a category from the list." not in body
    # The category chosen for the other cause is still chosen.
    assert re.search(rf'name="cause_{first.pk}"[\s\S]*?value="stress"[^>]*selected', body)
    assert not attribution.causes.exclude(clinician_category="").exists()


# ---------------------------------------------------------------- patients
def test_a_clue_unticked_meanwhile_is_refused_in_spanish_and_the_entry_stays_typed(
    client, cast, enrollment
):
    """The diary offered the clue; the patient unticked it in their lesson in another
    tab before saving. The diary says so in Spanish (not an error page) and keeps what
    they wrote."""
    reflection, key, _text = evidence_clue(enrollment)
    cast.patient.timezone = "Europe/London"
    cast.patient.save(update_fields=["timezone"])
    patient = spanish(client, cast.patient)
    reads = []

    def the_second_read_of_the_clue(sql: str) -> bool:
        if 'FROM "programs_reflection"' in sql and sql.lstrip().startswith("SELECT"):
            reads.append(sql)
        return len(reads) == 2  # the form offered the clues; now the view fetches it

    def unticked_in_another_tab():
        Reflection.objects.filter(pk=reflection.pk).update(checked=[])

    typed = form_data(self_talk="Mi espalda es frágil.", clue=f"{reflection.pk}:{key}")
    with meanwhile(the_second_read_of_the_clue, unticked_in_another_tab) as fired:
        response = patient.post(reverse("diary_new"), typed)
    assert fired
    body = page_of(response)
    assert response.status_code == 422
    assert "Elija una de sus pistas de la lista." in body
    assert "Mi espalda es frágil." in body
    assert not DiaryEntry.objects.exists()


def test_saving_the_safety_plan_is_confirmed_in_spanish(client, cast, enrollment):
    patient = spanish(client, cast.patient)
    response = patient.post(reverse("safety_plan"), {"coping": "Caminar un rato."}, follow=True)
    assert "Su plan de seguridad está guardado." in page_of(response)


@pytest.mark.parametrize(
    ("decision", "note"),
    [
        ("clear", "Se revisaron las señales de alarma y se levantó la pausa de seguridad."),
        ("withdraw", "Se revisaron las señales de alarma y se retiró al paciente del programa."),
    ],
)
def test_the_red_flag_alert_closed_by_a_hold_decision_says_so_in_the_deciders_language(
    client, cast, on_hold, decision, note
):
    spanish(client, cast.clinician).post(
        reverse("patient_clear_hold", args=[on_hold.pk]),
        {"decision": decision, "reason": "Hablé con su médico."},
    )
    alert = Alert.objects.get(enrollment=on_hold, kind=Alert.Kind.RED_FLAG)
    assert alert.resolution.note == f"{note}\nMotivo: Hablé con su médico."
    body = page_of(client.get(reverse("alert_detail", args=[alert.pk])))
    assert note in body
    assert "Red flags reviewed" not in body
