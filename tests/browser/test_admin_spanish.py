"""A Spanish-speaking practice admin's outcomes report and safety settings in Chromium
at 1280px (issue 18): in Spanish, axe-clean, and saved as screenshots to look at."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.browser import helpers
from tests.test_i18n import english_in
from tests.test_outcomes_report import finished

pytestmark = pytest.mark.browser


def test_the_outcomes_report_and_safety_settings_in_spanish(
    new_context, live_server, cast, program_version
):
    for n, (base, end, fu1) in enumerate([(8, 1, 2), (8, 6, None), (5, 4, 3), (7, 2, 1)], 1):
        e = finished(cast, n, program_version, base=base, end=end, fu1=fu1, fear=(7, 3))
        if n % 2:
            e.patient.language = "es"
            e.patient.save(update_fields=["language"])
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    context = new_context(bypass_csp=True, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    helpers.login(page, live_server, cast.admin)

    page.goto(f"{live_server.url}{reverse('admin_outcomes')}?language=es")
    assert page.locator("h1").inner_text() == "Informe de resultados"
    titles = (program_version.title, program_version.program.title)  # data
    assert english_in(page.content(), allowed=(cast.practice.name, *titles)) == []
    helpers.check_axe(page, "admin-es-outcomes")
    helpers.screenshot(page, "admin-es-outcomes-1280")

    page.goto(f"{live_server.url}{reverse('admin_safety_settings')}")
    assert page.locator("h1").inner_text() == "Configuración de seguridad"
    helpers.check_axe(page, "admin-es-safety")
    helpers.screenshot(page, "admin-es-safety-1280")
