"""A Spanish-speaking patient's check-in questions in Chromium on a phone, and their
answers on an English clinician's page (issue 18, item 4): axe-clean, screenshots."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from tests.browser import helpers
from tests.checkin_data import record_at_open, schedule_from_start

pytestmark = pytest.mark.browser


def test_the_check_in_questions_in_spanish_and_the_clinicians_view(
    new_context, live_server, cast, enrollment
):
    enrollment.start_date = enrollment.local_date() - timedelta(days=14)
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    slots = schedule_from_start(enrollment)
    record_at_open(slots["baseline"])
    week3 = slots["week-3"]
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])

    phone = new_context(bypass_csp=True, viewport={"width": 390, "height": 844})
    page = phone.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}{reverse('checkin_detail', args=[week3.pk])}")
    assert page.get_by_role("heading", name="Dolor promedio").is_visible()
    assert "Poco interés o placer en hacer cosas" in page.content()
    helpers.check_axe(page, "checkin-es-questions")
    helpers.screenshot(page, "checkin-es-questions-390")
    # Answer every question (without JavaScript: every section shown), then submit.
    nojs = new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    form = nojs.new_page()
    helpers.login(form, live_server, cast.patient)
    form.goto(f"{live_server.url}{reverse('checkin_detail', args=[week3.pk])}")
    helpers.screenshot(form, "checkin-es-questions-390-nojs")
    for fieldset in form.locator("fieldset.ci-scale").all():
        fieldset.locator("input[type=radio]").first.check()
    form.locator("button[name=action][value=submit]").click()
    form.wait_for_load_state()

    desk = new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    helpers.login(staff, live_server, cast.clinician)
    staff.goto(f"{live_server.url}{reverse('patient_checkins', args=[enrollment.pk])}")
    assert staff.get_by_text("Answered in Spanish").first.is_visible()
    assert "Little interest or pleasure in doing things" in staff.content()
    assert "Poco interés" not in staff.content()
    helpers.check_axe(staff, "checkin-es-clinician")
    helpers.screenshot(staff, "checkin-es-clinician-1280")
