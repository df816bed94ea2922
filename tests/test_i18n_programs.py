"""The patient's program pages in Spanish: a Spanish patient on the Spanish program
version meets no English on Today, the weeks, the activities, the somatic-tracking
player, the fear ladder, onboarding and the log (issue 18)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from programs.models import Activity, ActivityKind, Exposure, FearItem, Program
from tests.factories import make_enrollment
from tests.test_i18n import english_in

# Names and proper nouns on these pages (time zones are chosen by their IANA names).
NAMES = ("Pat One", "Dr Kim", "Riverside", "JAMA Psychiatry", "PRT", "Isle of Man", "Port of Spain")


@pytest.fixture
def spanish(cast):
    """cast.patient reads Spanish, enrolled (on the English choice, as an admin would
    enroll them) in week 8 of 8 so every week is open: they get the Spanish version."""
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=english, days_ago=7 * 7 + 2
    )
    assert enrollment.program_version.language == "es"
    return enrollment


@pytest.fixture
def patient(client, cast, spanish):
    client.force_login(cast.patient)
    return client


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    assert '<html lang="es">' in html
    return html


def spanish_only(html: str) -> None:
    assert english_in(html, allowed=NAMES) == []


def test_today_overview_and_every_week_are_spanish(patient, spanish):
    now = timezone.now()
    Exposure.objects.create(
        enrollment=spanish,
        activity="Cargar las compras",
        predicted_pain=6,
        predicted_harm=50,
        planned_at=now - timedelta(days=1),
    )
    today = page(patient.get(reverse("today")))
    spanish_only(today)
    assert "Hola, Pat." in today  # the first name (issue 19)
    assert "Está en la semana 8 de 8" in today
    assert "Empezar el seguimiento somático" in today
    spanish_only(page(patient.get(reverse("program_overview"))))
    for number in range(1, 9):
        week = page(patient.get(reverse("program_week", args=[number])))
        spanish_only(week)
        assert f"Semana {number}:" in week


def test_today_counts_minutes_and_sessions_in_spanish(patient, spanish):
    from programs.models import PracticeSession

    day = spanish.local_date()
    for minutes in (2, 4):  # each at least the practice's minimum length, so both count
        PracticeSession.objects.create(
            enrollment=spanish,
            local_date=day,
            duration_seconds=60 * minutes,
            practiced_at=timezone.now(),
            pain_before=6,
            threat_before=5,
            pain_after=4,
            threat_after=3,
        )
    today = page(patient.get(reverse("today")))
    spanish_only(today)
    assert "<strong>2</strong> sesiones, 6 minutos" in today
    assert "Hecho hoy" in today


def test_every_activity_of_every_kind_is_spanish(patient, spanish):
    activities = Activity.objects.filter(week__version=spanish.program_version)
    kinds = set()
    for activity in activities:
        html = page(patient.get(reverse("activity", args=[activity.slug])))
        spanish_only(html)
        kinds.add(activity.kind)
    assert kinds == set(ActivityKind.values)


def test_a_saved_reflection_and_the_three_causes_stay_spanish(patient, spanish):
    version = spanish.program_version
    reflection = Activity.objects.filter(
        week__version=version, kind=ActivityKind.REFLECTION
    ).first()
    causes = Activity.objects.filter(week__version=version, kind=ActivityKind.ATTRIBUTION).last()
    assert causes is not None
    # A form error, in Spanish, with what was typed kept.
    response = patient.post(reverse("activity", args=[causes.slug]), {"cause_1": "Mi trabajo"})
    html = page(response)
    spanish_only(html)
    assert "Escriba la causa 2 en pocas palabras." in html
    assert "Mi trabajo" in html
    data = {}
    for n, category in ((1, "injury"), (2, "stress"), (3, "brain")):
        data |= {f"cause_{n}": f"Causa número {n}", f"category_{n}": category}
    response = patient.post(reverse("activity", args=[causes.slug]), data, follow=True)
    html = page(response)
    spanish_only(html)
    assert "Una lesión o un accidente" in html
    assert reflection is not None
    if reflection.data.get("fields"):
        answer = {f"answer_{f['key']}": "Algo que noté" for f in reflection.data["fields"]}
    else:
        answer = {"text": "Algo que noté"}
    html = page(patient.post(reverse("activity", args=[reflection.slug]), answer, follow=True))
    spanish_only(html)
    spanish_only(page(patient.get(reverse("my_log"))))


def test_a_locked_activity_is_spanish(client, cast):
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice, version=english)
    later = Activity.objects.filter(
        week__version=enrollment.program_version, week__number=8
    ).first()
    client.force_login(cast.patient)
    html = page(client.get(reverse("activity", args=[later.slug])))
    spanish_only(html)
    assert "Esto es parte de la semana 8" in html
    # "lunes 5 de enero": Spanish day and month names, with "de".
    assert re.search(r"se abre el <strong>[a-záéíóúñ]+ \d+ de [a-z]+</strong>", html), html
    spanish_only(page(client.get(reverse("program_week", args=[8]))))


def test_the_practice_player_its_errors_and_the_saved_page_are_spanish(patient, spanish):
    html = page(patient.get(reverse("practice")))
    spanish_only(html)
    assert "Paso 1 de" in html
    assert 'data-msg-step="Paso %(step)s de %(steps)s"' in html
    assert 'data-msg-timer-idle="Iniciar temporizador"' in html
    # Nothing rated: the error summary and each message in Spanish.
    response = patient.post(reverse("practice_save"), {"note": "Hoy"})
    html = page(response) if response.status_code == 200 else response.content.decode()
    spanish_only(html)
    assert "Por favor, revise" in html
    assert "Elija un número del 0 al 10 para la fuerza del dolor antes de empezar." in html
    answers = {
        "pain_before": "6",
        "threat_before": "5",
        "pain_after": "4",
        "threat_after": "5",
        "duration_seconds": "300",
    }
    html = page(patient.post(reverse("practice_save"), answers, follow=True))
    spanish_only(html)
    assert "Guardado en su registro" in html and "bajó 2" in html and "sin cambio" in html
    log = page(patient.get(reverse("my_log")))
    spanish_only(log)
    assert "Seguimiento somático · 5 minutos" in log


def test_the_fear_ladder_plan_detail_and_edit_pages_are_spanish(patient, spanish):
    spanish_only(page(patient.get(reverse("exposure"))))
    # A form error in Spanish, with the ladder still shown.
    html = page(patient.post(reverse("fear_create"), {"label": "", "harm_rating": "300"}))
    spanish_only(html)
    assert "Escriba la actividad en pocas palabras." in html
    assert "Elija un número del 0 al 100 según qué tan dañino lo siente." in html
    for label, harm in (("Agacharme", "30"), ("Cargar la ropa", "60")):
        patient.post(reverse("fear_create"), {"label": label, "harm_rating": harm})
    low = FearItem.objects.get(label="Agacharme")
    spanish_only(page(patient.get(reverse("exposure"))))
    plan = page(patient.get(reverse("exposure_plan") + f"?fear={low.pk}"))
    spanish_only(plan)
    html = page(patient.post(reverse("exposure_plan"), {"fear_item": "", "activity": ""}))
    spanish_only(html)
    assert "Elija un paso de su escalera o escriba lo que va a hacer." in html
    patient.post(
        reverse("exposure_plan"),
        {"fear_item": low.pk, "predicted_pain": "7", "predicted_harm": "60"},
    )
    exposure = Exposure.objects.get()
    waiting = page(patient.get(reverse("exposure")))
    spanish_only(waiting)
    assert "Falta anotar cómo le fue" in waiting
    spanish_only(page(patient.get(reverse("exposure_detail", args=[exposure.pk]))))
    spanish_only(page(patient.get(reverse("my_log"))))
    html = page(
        patient.post(
            reverse("exposure_done", args=[exposure.pk]),
            {"actual_pain": "3", "actual_harm": "10", "fear_after": "20"},
            follow=True,
        )
    )
    spanish_only(html)
    assert "Esperaba un dolor de 7 y fue de 3: 4 puntos mejor de lo que temía." in html
    assert "10 puntos menos que el 30 que le dio al agregarlo a su escalera" in html
    ladder = page(patient.get(reverse("exposure")))
    spanish_only(ladder)
    assert "Ha registrado 1 exposición y practicado 1 de 2 pasos." in ladder
    spanish_only(page(patient.get(reverse("fear_edit", args=[low.pk]))))
    response = patient.post(
        reverse("fear_move", args=[low.pk]), {"direction": "down"}, HTTP_HX_REQUEST="true"
    )
    assert "“Agacharme” bajó. Ahora es el paso 2." in response.content.decode()
    log = page(patient.get(reverse("my_log")))
    spanish_only(log)
    assert "4 puntos menos de dolor de lo que esperaba." in log


def test_a_much_harder_exposure_and_the_clinicians_flag_are_spanish(client, cast, patient, spanish):
    patient.post(reverse("fear_create"), {"label": "Trotar 10 minutos", "harm_rating": "20"})
    jog = FearItem.objects.get()
    patient.post(
        reverse("exposure_plan"),
        {"fear_item": jog.pk, "predicted_pain": "3", "predicted_harm": "20"},
    )
    exposure = Exposure.objects.get()
    html = page(
        patient.post(
            reverse("exposure_done", args=[exposure.pk]),
            {"actual_pain": "9", "actual_harm": "70", "fear_after": "95"},
            follow=True,
        )
    )
    spanish_only(html)
    assert "Esto fue mucho más difícil de lo que esperaba." in html
    assert "La próxima vez, vuelva a un paso más pequeño de su escalera." in html
    assert f'<a href="{reverse("get_help")}#body-changes">Vea cuándo buscar ayuda' in html
    assert "Elegir un paso más pequeño" in html and "Hacerlo otra vez" not in html
    ladder = page(patient.get(reverse("exposure")))
    spanish_only(ladder)
    assert "Cada paso se ubica según lo dañino que se siente" in ladder
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    staff = client.get(reverse("patient_exposures", args=[spanish.pk])).content.decode()
    assert "mucho más difícil de lo previsto" in staff
    assert "Pasos en el orden de la escalera del paciente" in staff


def test_onboarding_is_spanish_with_its_errors(client, cast):
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=english, onboarded=False)
    client.force_login(cast.patient)
    for name in ("onboarding", "onboarding_about", "onboarding_consent"):
        spanish_only(page(client.get(reverse(name))))
    html = page(client.post(reverse("onboarding_consent"), {"understand": "on"}))
    spanish_only(html)
    assert "Por favor, marque esta casilla para seguir. Su profesional de salud" in html
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    spanish_only(page(client.get(reverse("onboarding_settings"))))
    html = page(client.post(reverse("onboarding_settings"), {"practice_time": "tarde"}))
    spanish_only(html)
    assert "Escriba una hora como 9:00 o 19:30, con horas y minutos." in html
    assert "Paso 4 de 6" in html


def test_no_program_yet_is_spanish(client, cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    html = page(client.get(reverse("today")))
    spanish_only(html)
    assert "Su programa todavía no está listo" in html


def test_the_invitation_form_is_spanish_for_a_spanish_admin(client, cast, program_version):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    # The program is chosen by its (English) title: data, not interface words.
    names = (*NAMES, program_version.title)
    html = page(client.get(reverse("patient_invite")))
    assert english_in(html, allowed=names) == []
    html = page(client.post(reverse("patient_invite"), {"email": "no es un correo"}))
    assert english_in(html, allowed=names) == []
    assert "Escriba un correo electrónico como nombre@ejemplo.com." in html


def test_after_week_8_the_boosters_are_spanish(client, cast):
    """Issue 19: a Spanish patient a year after the end meets no English on Today's
    booster card, the list or any booster."""
    import time_machine

    call_command("load_program", "prt-back-8wk")
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    english = Program.objects.get().current_version("en")
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=english, days_ago=8 * 7 + 370
    )
    assert enrollment.program_version.language == "es"
    client.force_login(cast.patient)
    today = page(client.get(reverse("today")))
    spanish_only(today)
    assert "Su repaso de este mes" in today and "Un año después" in today
    assert "Usted terminó el programa de 8 semanas." in today
    listing = page(client.get(reverse("boosters")))
    spanish_only(listing)
    assert "Repasos anteriores" in listing
    for booster in enrollment.program_version.boosters.all():
        html = page(client.get(reverse("booster", args=[booster.slug])))
        spanish_only(html)
        assert f"Mes {booster.month} después del programa" in html
    # Before the end: the list says when they start, in Spanish too.
    with time_machine.travel(timezone.now() - timedelta(days=420)):
        spanish_only(page(client.get(reverse("boosters"))))
