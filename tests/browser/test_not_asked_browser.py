"""A Spanish-speaking patient's record, read by a Spanish-speaking clinician in Chromium
(issue 18): the FABQ was not asked (no Spanish version), and the record says so above
the measures, in Spanish, axe-clean, at 1280 and 390 px."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers
from tests.checkin_data import record_at_open, schedule_from_start

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [1280, 390])
def test_the_clinician_reads_why_the_fabq_is_missing(
    new_context, live_server, cast, enrollment, width
):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    record_at_open(schedule_from_start(enrollment)["baseline"])
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    context = new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    helpers.login(page, live_server, cast.clinician)

    page.goto(f"{live_server.url}{reverse('patient_detail', args=[enrollment.pk])}")
    note = page.get_by_role("note")
    expect(note).to_contain_text("No se pregunta: Creencias de miedo y evitación")
    expect(note).to_contain_text("no cuentan como cero")
    note.scroll_into_view_if_needed()
    helpers.check_axe(page, f"clinic-es-not-asked-{width}")
    helpers.screenshot(page, f"clinic-es-not-asked-{width}")
