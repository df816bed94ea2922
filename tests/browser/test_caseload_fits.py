"""The caseload fits (issue 19, point 7): at 1,280 px the table needs no sideways
scroll and its alerts column is in view; on a 390 px phone each patient is a card;
filters, saved filters and rows work from the keyboard with a visible focus; axe is
clean. Screenshots: test-artifacts/caseload-1280.png and caseload-390.png."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tests.clinical_data import add_alert, build_history
from tests.factories import Role, make_enrollment, make_member
from tracking.models import Alert, SavedCaseloadFilter

pytestmark = pytest.mark.browser

NAMES = ["Ana Ruiz-Fernández", "Benedict Okonkwo-Adeyemi", "Cleo Ng", "Dev Shah", "Eli Moss"]
# The longest name the app takes (User.full_name), with no space to wrap at: it must
# wrap inside its cell, not widen the table or the page.
LONG_NAME = ("Wolfeschlegelsteinhausenbergerdorff" * 5)[:150]


@pytest.fixture
def caseload(cast, enrollment, program_version):
    build_history(enrollment, weeks=6, pain_start=7, pain_end=4, missed_weeks=(3,))
    add_alert(enrollment, Alert.Kind.SELF_HARM, Alert.Severity.URGENT, details={"item9": 1})
    add_alert(enrollment, status=Alert.Status.ACKNOWLEDGED)
    for n, name in enumerate(NAMES):
        user = make_member(cast.practice, Role.PATIENT, f"p{n}@riverside.test", name=name)
        other = make_enrollment(user, cast.clinician, cast.practice, version=program_version)
        build_history(other, weeks=n + 2, pain_start=7, pain_end=7 - n, practice_per_week=n % 4)
        if n == 1:
            add_alert(other)
    long = make_member(cast.practice, Role.PATIENT, "long@riverside.test", name=LONG_NAME)
    make_enrollment(long, cast.clinician, cast.practice, version=program_version)
    SavedCaseloadFilter.objects.create(
        user=cast.clinician, practice=cast.practice, name="Not improving", not_improving=True
    )


def no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert widths[0] <= widths[1], f"scrolls sideways: {widths}"


def test_it_fits_1280_with_alerts_and_change_first(new_context, live_server, cast, caseload):
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    headers = page.locator("#caseload-results thead th")
    expect(headers.nth(0)).to_contain_text("Alerts")
    expect(headers.nth(1)).to_contain_text("Pain change from baseline")
    expect(headers.nth(2)).to_contain_text("Patient")
    expect(page.locator("#caseload-results thead")).to_contain_text("Pain-free or nearly (0–1)")
    no_sideways_scroll(page)
    # The table itself fits too (no scrolling box inside the page).
    wrap = page.evaluate(
        "() => { const w = document.querySelector('.caseload.table-wrap');"
        " return [w.scrollWidth, w.clientWidth]; }"
    )
    assert wrap[0] <= wrap[1], wrap
    alerts = headers.nth(0)
    alerts.scroll_into_view_if_needed()
    expect(alerts).to_be_in_viewport()
    box = alerts.bounding_box()
    assert box and box["x"] >= 0 and box["x"] + box["width"] <= 1280
    expect(page.locator("tbody td.caseload__alerts").first).to_contain_text("1 urgent")
    last = headers.last.bounding_box()
    assert last and last["x"] + last["width"] <= 1280
    # A real table on a wide screen.
    expect(page.get_by_role("table")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Pat One")).to_be_visible()
    expect(page.locator(".caseload__label").first).to_be_hidden()
    helpers.check_axe(page, "caseload-1280")
    page.screenshot(path=str(helpers.ARTIFACTS / "caseload-1280.png"), full_page=True)


def test_on_a_wide_screen_the_first_patients_show_on_the_first_screen(
    new_context, live_server, cast, caseload
):
    """At 1,280 × 800 the filters and the saved filters sit side by side, so the
    clinician sees the list begin without scrolling, with every filter in view."""
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    for label in ("Search by name", "Status", "have open alerts", "missed a check-in"):
        expect(page.get_by_label(label, exact=False).first).to_be_in_viewport()
    expect(page.get_by_role("link", name="Not improving")).to_be_in_viewport()
    expect(page.get_by_role("button", name="Save these filters")).to_be_visible()
    page.screenshot(path=str(helpers.ARTIFACTS / "caseload-1280-first-screen.png"))
    # The list starts on the first screen (it started some 350 px below it when each
    # block took a full row).
    expect(page.locator("#caseload-results thead")).to_be_in_viewport(ratio=1)
    expect(page.locator("tr.caseload__row").first).to_be_in_viewport()


def test_it_shows_cards_on_a_phone(new_context, live_server, cast, caseload):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    no_sideways_scroll(page)
    expect(page.locator("#caseload-results thead")).to_be_hidden()
    first = page.locator("tr.caseload__row").first
    assert first.evaluate("el => getComputedStyle(el).display") == "grid"
    # Each value says what it is, in words.
    expect(first.locator(".caseload__label").first).to_be_visible()
    expect(first).to_contain_text("Alerts")
    expect(first).to_contain_text("Pain change from baseline")
    # Sorting is still there, as links above the cards.
    expect(page.get_by_role("navigation", name="Sort patients")).to_be_visible()
    helpers.check_axe(page, "caseload-390")
    page.screenshot(path=str(helpers.ARTIFACTS / "caseload-390.png"), full_page=True)
    first.screenshot(path=str(helpers.ARTIFACTS / "caseload-390-card.png"))


def test_on_a_phone_the_patients_come_before_the_filters(new_context, live_server, cast, caseload):
    """The search stays; the other filters and the saved ones fold away on a phone, so
    the first patient shows without scrolling. A filter that is on keeps its fold open,
    and a wide screen (or no JavaScript) shows everything as before."""
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_label("Search by name")).to_be_visible()
    expect(page.get_by_label("have open alerts")).to_be_hidden()
    expect(page.locator(".saved-filters__save")).to_be_hidden()
    page.screenshot(path=str(helpers.ARTIFACTS / "caseload-390-first-screen.png"))
    expect(page.locator("tr.caseload__row").first).to_be_in_viewport()
    # Tap "Filters": they open, and one ticked filters the list.
    page.locator("details.caseload-filters__more > summary").click()
    page.get_by_label("have open alerts").check()
    expect(page.locator("tr.caseload__row")).to_have_count(2)  # the two with alerts
    helpers.check_axe(page, "caseload-390-filters-open")
    # Opened with a filter on, the fold shows it.
    page.goto(f"{live_server.url}/caseload/?has_alerts=on")
    expect(page.get_by_label("have open alerts")).to_be_checked()
    expect(page.locator("details.caseload-filters__more > summary")).to_have_text("Filters 1 on")
    # A wide screen: nothing folded.
    page.set_viewport_size(helpers.DESKTOP["viewport"])
    page.goto(f"{live_server.url}/caseload/")
    expect(page.get_by_label("have open alerts")).to_be_visible()
    expect(page.locator(".saved-filters__save")).to_be_visible()
    # A phone without JavaScript: nothing folded either (the folds are sent open).
    plain = new_context(java_script_enabled=False, **helpers.PHONE).new_page()
    # (Another clinician: a 2-step code is good for one login only.)
    helpers.login(plain, live_server, cast.other_clinician)
    plain.goto(f"{live_server.url}/caseload/")
    expect(plain.get_by_label("have open alerts")).to_be_visible()


def test_it_works_from_the_keyboard(new_context, live_server, cast, caseload):
    page = new_context(bypass_csp=True, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")

    def tab_to(selector: str, limit: int = 80) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate("s => document.activeElement.matches(s)", selector):
                outline = page.evaluate(
                    "() => getComputedStyle(document.activeElement).outlineStyle"
                )
                assert outline != "none", f"no visible focus on {selector}"
                return
        raise AssertionError(f"Tab never reached {selector}")

    # A filter, ticked with the keyboard (Space), applied with Enter.
    tab_to("#id_has_alerts")
    page.keyboard.press("Space")
    expect(page.locator("#caseload-results tbody tr")).to_have_count(2)
    # A saved filter, opened with Enter.
    page.goto(f"{live_server.url}/caseload/")
    tab_to(".saved-filters__apply")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/caseload/?not_improving=on")
    # Save the current filters by name, from the keyboard; a bad name first.
    tab_to("#id_name")
    page.keyboard.press("Enter")  # empty: a plain message, focus back on the name
    expect(page.locator(".saved-filters")).to_contain_text("Give these filters a name")
    page.locator("#id_name").focus()
    page.keyboard.type("Stuck patients")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Saved your filters as “Stuck patients”.")
    assert SavedCaseloadFilter.objects.filter(name="Stuck patients", not_improving=True).exists()
    # A patient's row: Tab to their name and open it with Enter.
    page.goto(f"{live_server.url}/caseload/")
    tab_to("a.caseload__name")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server.url}/patients/{cast_enrollment_pk(cast)}/")


def cast_enrollment_pk(cast) -> int:
    from programs.models import Enrollment

    return Enrollment.objects.get(patient=cast.patient).pk


@pytest.mark.parametrize("screen", ["DESKTOP", "PHONE"])
def test_a_long_name_wraps_in_the_invitations_list(new_context, live_server, cast, screen):
    """A 150-character name (and a long address) without spaces wraps in its cell: the
    invitations list's columns stay on the screen at 1,280 px and on a 390 px phone."""
    from painapp.accounts import services

    services.invitation_create(
        practice=cast.practice,
        invited_by=cast.admin,
        request=services.InvitationRequest(
            email=f"{LONG_NAME[:60].lower()}@riverside.test",
            full_name=LONG_NAME,
            role=Role.CLINICIAN,
        ),
        send=False,
    )
    viewport = getattr(helpers, screen)
    page = new_context(bypass_csp=True, **viewport).new_page()
    helpers.login(page, live_server, cast.admin)
    page.goto(f"{live_server.url}/practice/invitations/")
    expect(page.get_by_role("cell", name=LONG_NAME)).to_be_visible()
    helpers.assert_fits_width(page)
    width = page.viewport_size["width"]
    # Every column's header starts on the screen, the table no wider than its box.
    table = page.evaluate(
        "() => { const w = document.querySelector('.table-wrap');"
        " return [w.scrollWidth, w.clientWidth,"
        " [...w.querySelectorAll('thead th')].map(th => th.getBoundingClientRect().left)]; }"
    )
    if screen == "DESKTOP":
        assert table[0] <= table[1], table
        assert all(0 <= left < width for left in table[2]), table
    cell = page.get_by_role("cell", name=LONG_NAME).bounding_box()
    assert cell and cell["width"] < width / 2, cell
    helpers.screenshot(page, f"invitations-long-name-{width}")
