"""The time-zone picker in Chromium (issue 19): this device's zone is filled in by
static/js/timezone.js where nothing was chosen yet, under the real CSP; axe is clean."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser import helpers

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("form_factor", [helpers.DESKTOP, helpers.PHONE])
def test_it_defaults_to_the_browsers_zone(new_context, live_server, cast, enrollment, form_factor):
    context = new_context(bypass_csp=True, timezone_id="America/Chicago", **form_factor)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("America / Chicago")
    helpers.check_axe(page, f"time-zone-picker-{form_factor['viewport']['width']}")
    zone.fill("europe/madrid")
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_text("Your time zone is saved.")).to_be_visible()
    expect(zone).to_have_value("Europe / Madrid")  # chosen now: the device's zone stays out
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "Europe/Madrid"


def test_the_script_runs_under_the_real_csp(new_context, live_server, cast, enrollment):
    context = new_context(timezone_id="Asia/Tokyo")
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    expect(page.get_by_label("Your time zone")).to_have_value("Asia / Tokyo")
    helpers.assert_no_csp_violations(watch, page, "time zone picker")


def test_in_spanish_the_picker_and_the_account_page_name_zones_in_spanish(
    new_context, live_server, cast, enrollment
):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    context = new_context(bypass_csp=True, timezone_id="America/Mexico_City")
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    zone = page.get_by_label("Su zona horaria")
    # This device's zone, as a Spanish reader names it.
    expect(zone).to_have_value("América / Ciudad de México")
    helpers.screenshot(page, "es-time-zone-picker")
    helpers.check_axe(page, "es-time-zone-picker")
    suggestions = page.locator("datalist option")
    assert "Europa / Londres" in suggestions.evaluate_all("os => os.map(o => o.value)")
    zone.fill("Londres")
    page.get_by_role("button", name="Guardar mi zona horaria").click()
    expect(page.get_by_text("Su zona horaria quedó guardada.")).to_be_visible()
    expect(zone).to_have_value("Europa / Londres")
    helpers.screenshot(page, "es-time-zone-picker-saved")
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "Europe/London"
    page.goto(f"{live_server.url}/accounts/password/change/")
    expect(page.get_by_text("Su zona horaria es Europa / Londres.")).to_be_visible()
    helpers.screenshot(page, "es-account-time-zone")
    helpers.check_axe(page, "es-account-time-zone")


def test_a_device_on_an_old_zone_name_gets_its_zone_today(
    new_context, live_server, cast, enrollment
):
    # Chromium still names India's zone Asia/Calcutta; the list offers Asia/Kolkata only.
    context = new_context(bypass_csp=True, timezone_id="Asia/Calcutta")
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("Asia / Kolkata")
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_text("Your time zone is saved.")).to_be_visible()
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "Asia/Kolkata"


# ---------------------------------------------------------------- the account page
def stored_in_london(cast) -> None:
    cast.patient.timezone = "Europe/London"
    cast.patient.save(update_fields=["timezone"])


@pytest.mark.parametrize("form_factor", [helpers.DESKTOP, helpers.PHONE])
def test_the_account_page_offers_the_devices_zone_and_saves_it_when_taken(
    new_context, live_server, cast, enrollment, form_factor
):
    stored_in_london(cast)
    context = new_context(bypass_csp=True, timezone_id="America/Chicago", **form_factor)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    zone = page.get_by_label("Your time zone")
    offer = page.get_by_text("Your device is set to America / Chicago. Use it?")
    expect(offer).to_be_visible()
    expect(zone).to_have_value("Europe / London")  # kept until the person says
    helpers.check_axe(page, f"account-zone-offer-{form_factor['viewport']['width']}")
    page.get_by_role("button", name="Use my device's time zone").click()
    expect(zone).to_have_value("America / Chicago")
    expect(offer).to_be_hidden()
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_text("Your time zone is saved.")).to_be_visible()
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "America/Chicago"
    # The device agrees now: nothing more to offer.
    expect(page.get_by_text("Your device is set to")).to_be_hidden()


def test_the_account_pages_offer_runs_under_the_real_csp_and_can_be_left(
    new_context, live_server, cast, enrollment
):
    stored_in_london(cast)
    context = new_context(timezone_id="America/Chicago")
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    expect(page.get_by_text("Your device is set to America / Chicago.")).to_be_visible()
    helpers.assert_no_csp_violations(watch, page, "account time zone offer")
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_text("Your time zone is unchanged.")).to_be_visible()
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "Europe/London"


def test_the_account_page_works_without_javascript(new_context, live_server, cast, enrollment):
    stored_in_london(cast)
    page = new_context(java_script_enabled=False, timezone_id="America/Chicago").new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("Europe / London")
    expect(page.get_by_text("Your device is set to")).to_be_hidden()
    zone.fill("America/Chicago")
    page.get_by_role("button", name="Save my time zone").click()
    expect(page.get_by_text("Your time zone is saved.")).to_be_visible()
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "America/Chicago"


# (the zone chosen before the onboarding settings step, what the box shows on a device in
# London): a zone chosen before is kept (and the device's offered, below); only "never
# chosen" (UTC) takes the device's.
ONBOARDING_ZONES = [("America/New_York", "America / New York"), ("UTC", "Europe / London")]


@pytest.mark.parametrize(("chosen", "shown"), ONBOARDING_ZONES)
def test_onboarding_keeps_the_zone_chosen_before(
    new_context, live_server, cast, program_version, chosen, shown
):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    enrollment.consented_at = enrollment.created_at
    enrollment.save(update_fields=["consented_at"])
    cast.patient.timezone = chosen
    cast.patient.save(update_fields=["timezone"])
    context = new_context(bypass_csp=True, timezone_id="Europe/London")
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/welcome/settings/")
    page.wait_for_load_state("load")
    expect(page.get_by_label("Your time zone")).to_have_value(shown)


def onboarding_at_settings(cast, program_version, stored: str):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    enrollment.consented_at = enrollment.created_at
    enrollment.save(update_fields=["consented_at"])
    cast.patient.timezone = stored  # the practice's zone, from the invitation
    cast.patient.save(update_fields=["timezone"])


@pytest.mark.parametrize("form_factor", [helpers.DESKTOP, helpers.PHONE])
def test_onboarding_offers_the_devices_zone_and_never_fills_it_in(
    new_context, live_server, cast, program_version, form_factor
):
    onboarding_at_settings(cast, program_version, "America/New_York")
    context = new_context(bypass_csp=True, timezone_id="Europe/Madrid", **form_factor)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/welcome/settings/")
    zone = page.get_by_label("Your time zone")
    offer = page.get_by_text("Your device is set to Europe / Madrid. Use it?")
    expect(offer).to_be_visible()
    expect(zone).to_have_value("America / New York")  # kept until the patient says
    helpers.check_axe(page, f"onboarding-zone-offer-{form_factor['viewport']['width']}")
    page.get_by_role("button", name="Use my device's time zone").click()
    expect(zone).to_have_value("Europe / Madrid")
    expect(offer).to_be_hidden()
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"{live_server.url}/welcome/contact/")
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "Europe/Madrid"


def test_onboarding_keeps_the_stored_zone_when_the_offer_is_not_taken(
    new_context, live_server, cast, program_version
):
    onboarding_at_settings(cast, program_version, "America/New_York")
    context = new_context(timezone_id="Europe/Madrid")  # the real CSP
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/welcome/settings/")
    expect(page.get_by_text("Your device is set to Europe / Madrid.")).to_be_visible()
    helpers.assert_no_csp_violations(watch, page, "onboarding time zone offer")
    page.get_by_role("button", name="Save and continue").click()
    page.wait_for_url(f"{live_server.url}/welcome/contact/")
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "America/New_York"


def test_no_offer_when_the_device_agrees_or_without_javascript(
    new_context, live_server, cast, program_version
):
    onboarding_at_settings(cast, program_version, "America/New_York")
    same = new_context(bypass_csp=True, timezone_id="America/New_York").new_page()
    helpers.login(same, live_server, cast.patient)
    same.goto(f"{live_server.url}/welcome/settings/")
    same.wait_for_load_state("load")
    expect(same.get_by_label("Your time zone")).to_have_value("America / New York")
    expect(same.get_by_text("Your device is set to")).to_be_hidden()
    off = new_context(java_script_enabled=False, timezone_id="Europe/Madrid").new_page()
    helpers.login(off, live_server, cast.patient)
    off.goto(f"{live_server.url}/welcome/settings/")
    expect(off.get_by_label("Your time zone")).to_have_value("America / New York")
    expect(off.get_by_text("Your device is set to")).to_be_hidden()


def test_in_spanish_the_offer_is_in_spanish(new_context, live_server, cast, program_version):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    onboarding_at_settings(cast, program_version, "America/New_York")
    context = new_context(bypass_csp=True, timezone_id="Europe/Madrid")
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/welcome/settings/")
    expect(page.get_by_text("Su dispositivo está en Europa / Madrid.")).to_be_visible()
    helpers.check_axe(page, "es-onboarding-zone-offer")
    page.get_by_role("button", name="Usar la zona horaria de mi dispositivo").click()
    expect(page.get_by_label("Su zona horaria")).to_have_value("Europa / Madrid")
