"""Making new recovery codes, in Spanish, in real Chromium: our own page (not allauth's
stock one), plain words about what happens to the old codes, axe clean (WCAG 2.2 A/AA)
on a desktop and a phone, and back on the codes page with the new codes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers
from tests.factories import enable_totp

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("form_factor", [helpers.DESKTOP, helpers.PHONE])
def test_a_spanish_patient_makes_new_recovery_codes(
    new_context, live_server, cast, enrollment, form_factor
):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    enable_totp(cast.patient)
    old = RecoveryCodes.activate(cast.patient).get_unused_codes()
    context = new_context(bypass_csp=True, **form_factor)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    width = form_factor["viewport"]["width"]

    page.goto(f"{live_server.url}/accounts/2fa/recovery-codes/")
    # Seeing the codes asks for the password again (allauth's reauthentication).
    page.locator("input[name=password]").fill(helpers.PASSWORD)
    page.get_by_role("button", name="Continuar").click()
    page.get_by_role("link", name="Crear códigos nuevos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Crear códigos de recuperación nuevos"
    )
    expect(page.get_by_text("Todavía tiene 10 códigos sin usar.")).to_be_visible()
    helpers.screenshot(page, f"es-recovery-codes-generate-{width}")
    helpers.check_axe(page, f"es-recovery-codes-generate-{width}")
    helpers.assert_clean_text(page)

    page.get_by_role("button", name="Crear códigos nuevos").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sus códigos de recuperación")
    expect(page.locator(".recovery-codes code")).to_have_count(len(old))
    assert old[0] not in page.locator(".recovery-codes").inner_text()
    helpers.check_axe(page, f"es-recovery-codes-new-{width}")
