"""A patient whose practice withdrew them from the program: their pages say plainly that
it has ended, that no check-ins or reminders will come, who to contact and that crisis
help is still there; nothing promises a next check-in or a week of the program. What
they recorded, their data download, account deletion and crisis help stay open
(programs.access.ENDED_PAGES); every other program page leads to the ended page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from programs import services as program_services
from programs.access import ENDED_PAGES
from programs.models import EnrollmentStatus, Screening
from tests.checkin_data import record_at_open, schedule_from_start
from tests.factories import make_enrollment

ENDED = reverse("program_ended")

# The ended menu (Log out is a form; Get help now is the header's own link).
ENDED_MENU = (
    "program_ended",
    "messages",
    "progress",
    "diary_list",
    "my_log",
    "safety_plan",
    "account_change_password",
)

# Pages that lead to the ended page instead.
LOCKED = (
    "today",
    "program_overview",
    "checkin_current",
    "exposure",
    "exposure_plan",
    "practice",
    "reminder_settings",
    "boosters",
    "diary_new",
    "onboarding",
    "onboarding_safety",
    "safety_hold",
)

WORDS = {
    "en": {
        "ended": "Your program has ended",
        "stopped": (
            "Your program with Riverside has been stopped. You will not get any more "
            "check-ins or reminders from this app."
        ),
        "contact": "please contact Dr Kim at Riverside",
        "care": "Keep seeing your doctor and your other care team as usual.",
        "help": "If you feel unsafe or are in crisis, you can still get help",
        "week": "You are in week",
        "next": "Your next check-in",
    },
    "es": {
        "ended": "Su programa ha terminado",
        "stopped": (
            "Su programa con Riverside se ha detenido. Ya no recibirá más controles ni "
            "recordatorios de esta aplicación."
        ),
        "contact": "comuníquese con Dr Kim en Riverside",
        "care": "Siga viendo a su médico y a su equipo de atención como siempre.",
        "help": "Si se siente en peligro o está en crisis, todavía puede pedir ayuda",
        "week": "Está en la semana",
        "next": "Su próximo control",
    },
}


def menu_links(html: str) -> set[str]:
    nav = re.search(r'<nav aria-label="[^"]+">(.*?)</nav>', html, re.S)
    assert nav, "no main menu"
    return set(re.findall(r'<a href="([^"]+)"', nav.group(1)))


@pytest.fixture
def slots(enrollment):
    """In week 2: the baseline sent, the week 3 check-in still to come."""
    slots = schedule_from_start(enrollment)
    record_at_open(slots["baseline"])
    return slots


@pytest.fixture
def withdrawn(cast, client, enrollment, slots):
    """Withdrawn by the practice admin, as the tester did it."""
    client.force_login(cast.admin)
    response = client.post(reverse("admin_enrollment_withdraw", args=[enrollment.pk]))
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == EnrollmentStatus.WITHDRAWN
    client.logout()
    client.force_login(cast.patient)
    return enrollment


def speak(cast, language: str) -> None:
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])


@pytest.mark.parametrize("language", ["en", "es"])
def test_today_and_the_check_in_lead_to_a_plain_warm_ended_page(cast, client, withdrawn, language):
    speak(cast, language)
    words = WORDS[language]
    for name in ("today", "checkin_current"):
        response = client.get(reverse(name))
        assert (response.status_code, response.url) == (302, ENDED), name
    page = client.get(ENDED)
    assert page.status_code == 200
    html = page.content.decode()
    for key in ("ended", "stopped", "contact", "care", "help"):
        assert words[key] in html, key
    assert f'href="{reverse("get_help")}"' in html
    assert f'href="{reverse("my_data")}"' in html
    assert f'href="{reverse("account_delete")}"' in html
    assert words["week"] not in html and words["next"] not in html
    # Never that they should stop their medical care.
    assert "stop seeing" not in html.lower() and "deje de ver" not in html.lower()


@pytest.mark.parametrize("language", ["en", "es"])
def test_their_check_ins_and_progress_promise_nothing_more(
    cast, client, withdrawn, slots, language
):
    speak(cast, language)
    words = WORDS[language]
    week3 = "Week 3 check-in" if language == "en" else "Control de la semana 3"
    # (Before the withdrawal the same pages did promise it.)
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(status=EnrollmentStatus.ACTIVE)
    assert week3 in client.get(reverse("checkin_list")).content.decode()
    assert words["next"] in client.get(reverse("checkin_current")).content.decode()
    type(withdrawn).objects.filter(pk=withdrawn.pk).update(status=EnrollmentStatus.WITHDRAWN)
    baseline = client.get(reverse("checkin_list")).content.decode()
    for url in (reverse("checkin_list"), reverse("progress")):
        html = client.get(url).content.decode()
        assert words["next"] not in html, url
        assert week3 not in html, url
    # The check-in they sent is still listed and its answers still open.
    assert f'href="{reverse("checkin_detail", args=[slots["baseline"].pk])}"' in baseline
    assert client.get(reverse("checkin_detail", args=[slots["baseline"].pk])).status_code == 200
    # One never sent has nothing to answer any more.
    response = client.get(reverse("checkin_detail", args=[slots["week-3"].pk]))
    assert (response.status_code, response.url) == (302, ENDED)


def test_the_ended_menu_lists_what_still_works_and_each_link_works(cast, client, withdrawn):
    html = client.get(ENDED).content.decode()
    assert menu_links(html) == {reverse(name) for name in ENDED_MENU}
    assert set(ENDED_MENU) - {"account_change_password"} <= set(ENDED_PAGES)
    for url in menu_links(html):
        response = client.get(url)
        assert response.status_code == 200, url
        assert menu_links(response.content.decode()) == {reverse(n) for n in ENDED_MENU}, url
    # The account's own pages need no program.
    assert client.get(reverse("my_data")).status_code == 200
    assert client.get(reverse("get_help")).status_code == 200
    assert client.get(reverse("account_delete")).url != ENDED


def test_every_other_program_page_leads_to_the_ended_page(client, withdrawn):
    for name in LOCKED:
        response = client.get(reverse(name))
        assert (response.status_code, response.url) == (302, ENDED), name


def test_the_diary_stays_to_read_and_delete_not_to_add_to(client, withdrawn):
    html = client.get(reverse("diary_list")).content.decode()
    assert f'href="{reverse("diary_new")}"' not in html


def test_withdrawn_while_on_hold_is_ended_not_waiting_for_a_review(cast, client, enrollment):
    enrollment.screening = Screening.HOLD
    enrollment.red_flags = ["cancer_history"]
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    client.force_login(cast.patient)
    response = client.get(reverse("safety_hold"))
    assert (response.status_code, response.url) == (302, ENDED)


@pytest.mark.parametrize("status", [EnrollmentStatus.ACTIVE, EnrollmentStatus.PAUSED])
def test_a_running_or_paused_program_has_no_ended_page(cast, client, enrollment, status):
    if status == EnrollmentStatus.PAUSED:
        program_services.enrollment_pause(enrollment=enrollment)
    client.force_login(cast.patient)
    assert client.get(reverse("today")).status_code == 200
    response = client.get(ENDED)
    assert (response.status_code, response.url) == (302, reverse("today"))


def test_a_completed_program_keeps_its_follow_ups(cast, client, enrollment):
    """Completed is not ended: follow-up check-ins still run (tracking.rules.measures)."""
    enrollment.status = EnrollmentStatus.COMPLETED
    enrollment.save()
    client.force_login(cast.patient)
    assert client.get(reverse("checkin_list")).status_code == 200
    assert client.get(ENDED).url == reverse("today")


def test_a_new_program_after_a_withdrawal_opens_as_usual(cast, client, withdrawn, program_version):
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=program_version)
    assert client.get(reverse("today")).status_code == 200
