"""A Spanish-speaking clinician's caseload and alert inbox in Chromium at 1280px
(issue 18): in Spanish, axe-clean, and saved as screenshots to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import helpers
from tests.clinical_data import add_alert, build_history
from tests.test_i18n import english_in
from tracking.models import Alert

pytestmark = pytest.mark.browser


def test_the_caseload_and_alert_inbox_in_spanish(new_context, live_server, cast, enrollment):
    build_history(enrollment, weeks=6, pain_start=7, pain_end=3, missed_weeks=(3,))
    add_alert(enrollment, Alert.Kind.SELF_HARM, Alert.Severity.URGENT, details={"item9": 2})
    add_alert(enrollment, Alert.Kind.FEAR_HIGH, Alert.Severity.HIGH, source="checkin:x")
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    context = new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    helpers.login(page, live_server, cast.clinician)
    allowed = (cast.practice.name, cast.clinician.display_name, cast.patient.display_name)

    page.goto(f"{live_server.url}{reverse('caseload')}")
    assert page.locator("h1").inner_text() == "Sus pacientes"
    assert english_in(page.content(), allowed=allowed) == []
    helpers.check_axe(page, "clinic-es-caseload")
    helpers.screenshot(page, "clinic-es-caseload-1280")

    page.goto(f"{live_server.url}{reverse('alert_inbox')}")
    assert page.locator("h1").inner_text() == "Alertas"
    assert english_in(page.content(), allowed=allowed) == []
    helpers.check_axe(page, "clinic-es-alerts")
    helpers.screenshot(page, "clinic-es-alerts-1280")


def test_the_printed_summary_in_spanish_fits_one_page(
    new_context, live_server, cast, caseload, program_version
):
    # Spanish runs longer than English: the summary with a course of 9 PRT sessions
    # (the caseload fixture, tests/browser/conftest.py) still prints on one A4 page.
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    page = new_context(bypass_csp=True, viewport={"width": 1280, "height": 900}).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}{reverse('patient_summary', args=[caseload.enrollment_id])}")
    assert page.locator(".summary__sessions tbody tr").count() == 9
    allowed = (
        cast.practice.name,
        cast.clinician.display_name,
        cast.patient.display_name,
        program_version.title,
        "Somatic tracking once a day; notice one moment of safety",  # the homework, data
    )
    assert english_in(page.content(), allowed=allowed) == []
    helpers.check_axe(page, "clinic-es-summary")
    page.emulate_media(media="print")
    helpers.screenshot(page, "clinic-es-summary-print")
    pdf = page.pdf(format="A4", print_background=True)
    (helpers.ARTIFACTS / "clinic-es-summary.pdf").write_bytes(pdf)
    assert helpers.pdf_pages(pdf) == 1
