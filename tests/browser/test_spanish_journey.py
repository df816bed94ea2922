"""A Spanish-speaking patient's first day, in real Chromium on a phone, with no English.

Invited in Spanish, the patient accepts the invitation, sets a password, goes through
every onboarding step, opens a week-1 lesson, does a somatic-tracking session in the
player, answers the baseline check-in and adds a step to the fear ladder. Every page
reached is checked for English words (tests/test_i18n.py `english_in`), for
`<html lang="es">`, and with axe-core (WCAG 2.2 A/AA).

Screenshots: test-artifacts/screenshots/es-journey-NN-<name>.png.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from programs.models import Enrollment, FearItem, PracticeSession, Program
from programs.services import enrollment_invite
from programs.weeks import local_date
from tests.browser import helpers
from tests.test_i18n import english_in, visible_text
from tests.test_i18n_sweep import REFERENCES
from tracking.models import CheckIn

pytestmark = pytest.mark.browser

NEW_PASSWORD = "paseos-lentos-junto-al-mar-7"
NAME = "Lucía Moreno"


def test_a_spanish_patient_goes_from_invitation_to_the_fear_ladder_without_english(
    live_server, mailoutbox, cast, new_context
):
    call_command("load_program", "prt-back-8wk")
    english = Program.objects.get().current_version("en")
    # City names in the time zone list that we do not translate are data, not our words
    # (painapp.accounts.zone_names: "América / Port of Spain").
    zones = tuple(
        z.rsplit("/", 1)[-1].replace("_", " ")
        for z in zoneinfo.available_timezones()
        if "_of_" in z
    )
    allowed = (NAME, cast.practice.name, cast.clinician.full_name, *zones)
    count = 0

    def checkpoint(page: Page, name: str) -> None:
        nonlocal count
        count += 1
        label = f"es-journey-{count:02d}-{name}"
        page.wait_for_load_state()
        helpers.screenshot(page, label)
        assert page.locator("html").get_attribute("lang") == "es", (name, page.url)
        html = page.content()
        found = english_in(html, allowed=allowed)
        assert found == [], (name, page.url, found, _around(visible_text(html), found))
        helpers.check_axe(page, label)
        helpers.assert_clean_text(page)

    enrollment_invite(
        practice=cast.practice,
        invited_by=cast.admin,
        email="lucia@example.org",
        full_name=NAME,
        clinician=cast.clinician,
        program_version=english,
        # The patient's own today: in UTC's small hours it is still yesterday in Mexico,
        # and a program starting "tomorrow" has no baseline check-in open yet.
        start_date=local_date(timezone.now(), zoneinfo.ZoneInfo("America/Mexico_City")),
        timezone_name="America/Mexico_City",
        send=True,
        language="es",
    )
    enrollment = Enrollment.objects.get(patient__email="lucia@example.org")
    assert enrollment.program_version.language == "es"
    link = helpers.on_live_server(helpers.link_in_email(mailoutbox[0]), live_server)
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    url = live_server.url

    # The invitation: choose a password.
    page.goto(link)
    checkpoint(page, "invitation")
    page.locator("input[type=password]").nth(0).fill(NEW_PASSWORD)
    page.locator("input[type=password]").nth(1).fill(NEW_PASSWORD)
    page.locator("main button[type=submit]").last.click()

    # Onboarding: every step until Today.
    expect(page).to_have_url(f"{url}/welcome/")
    checkpoint(page, "welcome")
    page.locator("main a.button, main .button").first.click()
    checkpoint(page, "about")
    page.locator("main a.button, main .button").first.click()
    checkpoint(page, "consent")
    for box in page.locator("main input[type=checkbox]").all():
        box.check()
    page.locator("main button[type=submit]").first.click()
    checkpoint(page, "settings")
    page.locator("main button[type=submit]").first.click()
    checkpoint(page, "contact")
    page.locator("main select").first.select_option("MX")
    page.locator("main button[type=submit]").first.click()
    page.locator("input[type=date]").first.fill("1980-05-05")
    page.locator("input[name$=year], input[type=number]").first.fill("2015")
    checkpoint(page, "safety-check")
    page.get_by_label("No me pasa ninguna de estas cosas").check()
    page.locator("main button[type=submit]").last.click()

    expect(page).to_have_url(f"{url}/today/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Hoy")
    checkpoint(page, "today")
    enrollment.refresh_from_db()
    assert enrollment.status == "active"

    # A week-1 lesson.
    lesson = (
        enrollment.program_version.weeks.get(number=1)
        .activities.filter(kind="lesson")
        .order_by("order")
        .first()
    )
    page.goto(f"{url}/program/week/1/")
    checkpoint(page, "week-1")
    page.goto(f"{url}/program/{lesson.slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text(lesson.title)
    checkpoint(page, "lesson")

    # Somatic tracking in the player: rate, every step, rate, save.
    page.goto(f"{url}/somatic-tracking/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Seguimiento somático")
    checkpoint(page, "player")
    page.locator("label[for=id_pain_before_6]").click()
    page.locator("label[for=id_threat_before_7]").click()
    while page.get_by_role("button", name="Siguiente").is_visible():
        page.get_by_role("button", name="Siguiente").click()
    page.locator("label[for=id_pain_after_4]").click()
    page.locator("label[for=id_threat_after_3]").click()
    checkpoint(page, "player-last-step")
    page.get_by_role("button", name="Guardar en mi registro").click()
    expect(page.get_by_role("heading", name="Guardado en su registro")).to_be_visible()
    checkpoint(page, "player-saved")
    assert PracticeSession.objects.filter(enrollment=enrollment).count() == 1

    # The baseline check-in: open it and answer every question. No English at all: the
    # FABQ, which has no Spanish version we may reuse, is not asked of a Spanish-speaking
    # patient (registry.asked_of). Only the titles of the articles the citations name
    # are as published, like the authors' names (tests/test_i18n_sweep.REFERENCES).
    allowed = (*allowed, *REFERENCES)
    page.goto(f"{url}/checkin/")
    checkpoint(page, "checkin")
    for _ in range(60):
        question = page.locator("[data-ci-question]:visible")
        names = question.locator("input[type=radio]").evaluate_all("els => els.map(e => e.name)")
        for name in sorted(set(names)):
            question.locator(f"input[type=radio][name='{name}']").first.check(force=True)
        if not page.locator("[data-ci-next]").is_visible():
            break
        page.locator("[data-ci-next]").click()
    checkpoint(page, "checkin-last-question")
    page.locator("[data-ci-submit]").click()
    page.wait_for_load_state()
    expect(page.locator("[data-ci-submit]")).to_have_count(0)
    baseline = CheckIn.objects.get(enrollment=enrollment, kind="baseline")
    assert baseline.completed_at is not None
    # Every question was in Spanish, and the FABQ (no Spanish version) was left out.
    asked = set(baseline.responses.values_list("instrument_key", flat=True))
    assert "fabq_pa" in baseline.instrument_keys and "fabq_pa" not in asked
    assert set(baseline.responses.values_list("language", flat=True)) == {"es"}
    checkpoint(page, "checkin-done")

    # The fear ladder: add one step.
    page.goto(f"{url}/exposure/")
    checkpoint(page, "ladder-empty")
    page.locator("main input[type=text], main textarea").first.fill("Levantar una bolsa de compras")
    page.locator("main input[type=number]").first.fill("60")
    page.locator("main form button[type=submit]").first.click()
    expect(
        page.locator("#ladder .rung__label").filter(has_text="Levantar una bolsa de compras")
    ).to_be_visible()
    checkpoint(page, "ladder")
    assert FearItem.objects.filter(enrollment=enrollment).count() == 1


def _around(text: str, words: list[str]) -> list[str]:
    """Where each English word sits on the page, to find its template."""
    return [
        text[max(m.start() - 60, 0) : m.end() + 60]
        for word in words
        for m in re.finditer(rf"\b{re.escape(word)}\b", text)
    ][:10]


def test_the_invitation_opens_in_the_invitees_language_whatever_the_browser_says(
    client, cast, program_version
):
    from urllib.parse import urlsplit

    from painapp.accounts.services import invitation_url

    links = []
    for email, language in (("lucia@example.org", "es"), ("robin@example.org", "en")):
        _, invitation = enrollment_invite(
            practice=cast.practice,
            invited_by=cast.admin,
            email=email,
            full_name=NAME,
            clinician=cast.clinician,
            program_version=program_version,
            start_date=date.today(),  # noqa: DTZ011 (the server's today, as an admin picks)
            timezone_name="Europe/Dublin",
            send=False,
            language=language,
        )
        links.append(urlsplit(invitation_url(invitation)).path)
    spanish, english = links
    html = client.get(spanish, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="es"' in html
    assert "Elija una contraseña" in html
    html = client.get(english, HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert '<html lang="en"' in html
    assert "Choose a password" in html
