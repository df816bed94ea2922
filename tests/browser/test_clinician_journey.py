"""A clinician in real Chromium triages their caseload: filters it to patients with
open alerts (htmx swaps the table, the URL follows), opens the patient, acknowledges
the alert, writes a private note; then reads the other sections and the printable
summary.

Every screen is checked with axe-core (WCAG 2.2 A/AA), saved as a screenshot under
test-artifacts/screenshots/clinician-*, checked for leaked template syntax and
sideways scrolling, and on a phone for 44px tap targets. The same journey runs under
the real CSP without a violation, and the caseload's filters, sorting and pages work
with JavaScript turned off.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.models import Alert, ClinicianNote

pytestmark = pytest.mark.browser

FORM_FACTORS = {"desktop": helpers.DESKTOP, "phone": helpers.PHONE}
Checkpoint = Callable[[Page, str], None]


def results(page: Page):
    """The patients' names in the caseload's rows (beside each, a second identifier)."""
    return page.locator("#caseload-results tbody th[scope=row] .caseload__name")


def run_journey(live_server, cast, page: Page, checkpoint: Checkpoint, alert: Alert) -> None:
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your caseload")
    expect(results(page)).to_have_count(6)
    checkpoint(page, "01-caseload")

    # Filter to patients with open alerts: htmx swaps the table and the URL follows.
    # (On a phone the filters are folded under "Filters", so the patients come first.)
    filters = page.locator("details.caseload-filters__more")
    if not filters.evaluate("fold => fold.open"):
        filters.locator("summary").click()
    page.get_by_label("have open alerts").check()
    expect(results(page)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"/caseload/\?has_alerts=on$"))
    expect(
        page.get_by_role("status").filter(has_text="1 patient matching your filters, sorted by")
    ).to_be_attached()
    expect(page.locator("#caseload-results")).to_contain_text("1 urgent")
    expect(filters.locator("summary")).to_have_text("Filters 1 on")  # swapped in with the list
    checkpoint(page, "02-caseload-has-alerts")

    # Open the patient.
    page.get_by_role("link", name="Pat One").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat One")
    expect(page.locator("#alerts")).to_contain_text("Thoughts of self-harm reported")
    expect(page.locator("svg.chart")).to_have_count(8)
    checkpoint(page, "03-patient-overview")

    # Acknowledge the alert (the section is swapped in place).
    page.get_by_role("button", name=re.compile("^Acknowledge")).click()
    expect(page.locator("#alerts")).to_contain_text("Alert acknowledged")
    expect(page.get_by_role("button", name=re.compile("^Acknowledge"))).to_have_count(0)
    alert.refresh_from_db()
    assert (alert.status, alert.acknowledged_by) == (Alert.Status.ACKNOWLEDGED, cast.clinician)

    # Write a private note.
    page.get_by_label("New note").fill("Called Pat: safe, has support tonight. Review Friday.")
    page.get_by_role("button", name="Save note").click()
    expect(page.locator("#notes")).to_contain_text("Note saved.")
    expect(page.locator("#notes .note")).to_contain_text("Review Friday.")
    assert ClinicianNote.objects.get().body.endswith("Review Friday.")
    checkpoint(page, "04-patient-acknowledged-noted")

    # The other sections and the printable summary.
    for label, heading, name in [
        ("Check-in answers", "Check-in answers", "05-checkins"),
        ("Practice log", "Practice log", "06-practice"),
        ("Fear ladder", "Fear ladder and exposures", "07-exposures"),
        ("Causes of pain", "Causes of pain", "08-causes"),
    ]:
        page.get_by_role("navigation", name="Patient record").get_by_role(
            "link", name=label
        ).click()
        expect(page.get_by_role("heading", level=2).first).to_have_text(heading)
        checkpoint(page, name)
    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat One: progress summary")
    expect(page.locator(".summary__sessions tbody tr")).to_have_count(9)
    expect(page.locator("main")).not_to_contain_text("Working note")
    checkpoint(page, "09-summary")


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_a_clinician_triages_the_caseload(live_server, cast, caseload, new_context, form_factor):
    page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()

    def checkpoint(page: Page, name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"clinician-{form_factor}-{name}")
        helpers.check_axe(page, f"clinician-{form_factor}-{name}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)

    run_journey(live_server, cast, page, checkpoint, caseload)
    if form_factor == "desktop":
        # The summary prints on one A4 page, with the print stylesheet, a course of 9 PRT
        # sessions included.
        page.emulate_media(media="print")
        helpers.screenshot(page, "clinician-desktop-10-summary-print")
        pdf = page.pdf(format="A4", print_background=True)
        (helpers.ARTIFACTS / "clinician-summary.pdf").write_bytes(pdf)
        assert helpers.pdf_pages(pdf) == 1
        expect(page.get_by_role("navigation", name="Main")).to_be_hidden()


def test_the_clinician_journey_has_no_csp_violation(live_server, cast, caseload, strict):
    def checkpoint(page: Page, name: str) -> None:
        strict.assert_no_csp_violations(name)

    strict.page.set_viewport_size(helpers.DESKTOP["viewport"])
    run_journey(live_server, cast, strict.page, checkpoint, caseload)


def test_the_caseload_works_without_javascript(live_server, cast, caseload, new_context):
    page = new_context(java_script_enabled=False, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    page.get_by_label("Search by name").fill("ben")
    page.get_by_role("button", name="Apply filters").click()
    # The search is posted and kept by the server: the name is in no URL.
    expect(page).to_have_url(f"{live_server.url}/caseload/?search=on")
    expect(results(page)).to_have_text(["Ben Ode"])
    expect(page.get_by_text("Showing results for your search.")).to_be_visible()
    page.get_by_role("link", name=re.compile("^Patient")).click()
    expect(page).to_have_url(re.compile(r"search=on&sort=name$"))
    expect(results(page)).to_have_text(["Ben Ode"])
    expect(page.get_by_label("Search by name")).to_have_value("ben")
    # Sorting kept the search; the sort then stays with the next filter change.
    page.get_by_label("Search by name").fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(f"{live_server.url}/caseload/?sort=name")
    expect(results(page)).to_have_text(
        ["Ana Ruiz", "Ben Ode", "Cleo Ng", "Dev Shah", "Eli Moss", "Pat One"]
    )
    page.get_by_label("are not improving").check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"not_improving=on.*sort=name"))
    expect(results(page)).to_have_text(["Ben Ode", "Dev Shah"])
    # The patient's page and its actions are plain forms too.
    page.get_by_role("link", name="Ben Ode").click()
    page.get_by_label("New note").fill("Not improving: book a call.")
    page.get_by_role("button", name="Save note").click()
    expect(page.get_by_role("status").first).to_contain_text("Note saved.")
    expect(page.locator("#notes")).to_contain_text("Not improving: book a call.")


def test_a_name_searched_with_javascript_is_in_no_url(live_server, cast, caseload, new_context):
    """htmx posts the search as it is typed: the address bar, the history, the page's
    links and every request the browser makes stay free of the name, while sorting
    and reloading keep the search."""
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()  # for axe
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    search = page.get_by_label("Search by name")

    def posted(response) -> bool:
        return response.request.method == "POST" and response.url.endswith("/caseload/")

    with page.expect_response(posted):  # as typed, after the pause (keyup delay)
        search.press_sequentially("ben")
    with page.expect_response(posted):  # and once more as the box loses focus (change)
        page.get_by_role("heading", level=1).click()
    expect(results(page)).to_have_text(["Ben Ode"])
    expect(page).to_have_url(f"{live_server.url}/caseload/?search=on")
    page.locator("#sort-name").click()
    expect(page).to_have_url(re.compile(r"search=on&sort=name$"))
    expect(results(page)).to_have_text(["Ben Ode"])
    page.reload()
    expect(results(page)).to_have_text(["Ben Ode"])
    expect(page.get_by_label("Search by name")).to_have_value("ben")
    links = page.eval_on_selector_all(
        "[href], [action], [data-hx-get], [data-hx-post]",
        "els => els.flatMap(e => ['href', 'action', 'data-hx-get', 'data-hx-post']"
        ".map(a => e.getAttribute(a) || ''))",
    )
    history = page.evaluate("() => location.href")
    assert requested and not [u for u in [*requested, *links, history] if "ben" in u.lower()]
    helpers.check_axe(page, "caseload-searched")
