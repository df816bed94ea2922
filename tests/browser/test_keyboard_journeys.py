"""Keyboard only, as a clinician and as a patient, on a desktop (1280 px).

After logging in, nothing but page.keyboard: Tab, Shift+Tab, Enter, Space, arrows.
At every Tab stop the focused element must show a focus indicator; after every htmx
swap focus must land somewhere sensible (never <body>), with its indicator showing.
The skip link is the first Tab stop and moves focus to the main content.

They found: focus lost to <body> after acknowledging an alert on the patient's page
(htmx swapped the section with the pressed button in it: static/js/app.js now moves
focus to the swapped part's news); no focus ring on the calendar button inside a date
field (static/css/base.css); error-summary links that led nowhere for a group of radios
or checkboxes (templates/partials/form_errors.html, the alert resolve form); an empty
private note did nothing with JavaScript on (its section came back as a 400, which htmx
2 does not swap: tracking/clinic/views/patient.py).

What other tests already do by keyboard is not repeated here: the caseload's filters
(test_caseload_fits), a whole somatic-tracking session (test_practice_player) and a
whole check-in (test_checkin_journey). Here the practice and the check-in are reached
from Today by keyboard and finished, then the diary and Get help now.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from programs.models import PracticeSession
from tests.browser import helpers
from tests.checkin_data import started_two_weeks_ago
from tracking.models import Alert, CheckIn, DiaryEntry

pytestmark = pytest.mark.browser

# What has focus, and whether it (or the label or option box wrapped round it, which is
# what static/css/ outlines for radios and checkboxes) shows a focus indicator.
FOCUS = """() => {
  const el = document.activeElement;
  const shows = node => {
    const style = getComputedStyle(node);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2)
      || style.boxShadow !== 'none';
  };
  let ring = shows(el);
  for (let up = el.parentElement, n = 0; !ring && up && n < 2; up = up.parentElement, n++) {
    ring = up.matches('label, .check, .rating__option, .ci-opt') && shows(up);
  }
  return {
    tag: el.tagName.toLowerCase(), id: el.id, ring,
    text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60),
    html: el.outerHTML.slice(0, 160),
  };
}"""


def focus(page: Page) -> dict:
    return page.evaluate(FOCUS)


def assert_focus_shows(page: Page, where: str) -> dict:
    now = focus(page)
    assert now["tag"] != "body", f"{where}: focus was lost to <body>"
    assert now["ring"], f"{where}: no visible focus indicator on {now['html']}"
    return now


def tab_to(
    page: Page, selector: str, text: str | None = None, *, back: bool = False, limit: int = 120
) -> None:
    """Press Tab (or Shift+Tab) until `selector` (with `text`) has focus, checking that
    each stop on the way shows its focus."""
    key = "Shift+Tab" if back else "Tab"
    for _ in range(limit):
        page.keyboard.press(key)
        now = focus(page)
        if now["tag"] in ("main", "body"):  # after the skip link; past the page's end
            continue
        assert now["ring"], f"no visible focus indicator on {now['html']} ({page.url})"
        if page.evaluate("s => document.activeElement.matches(s)", selector) and (
            text is None or now["text"] == text
        ):
            return
    raise AssertionError(f"{key} never reached {selector} on {page.url}; last: {now['html']}")


def after_swap(page: Page, where: str, expected: str) -> None:
    """After an htmx swap: focus lands on `expected` (a selector) and shows."""
    expect(page.locator(expected), f"{where}: focus is not on {expected}").to_be_focused()
    assert_focus_shows(page, where)


def skip_link_works(page: Page) -> None:
    """The first Tab stop is the skip link; Enter on it puts focus on the main content.

    (A page reached by a redirect after the skip link was used keeps its #main, so focus
    starts in main there: back up to the skip link instead.)"""
    if page.url.endswith("#main"):
        tab_to(page, ".skip-link", back=True)
    else:
        page.keyboard.press("Tab")
        first = assert_focus_shows(page, f"skip link on {page.url}")
        assert "skip-link" in first["html"], f"first Tab stop on {page.url}: {first}"
    assert focus(page)["text"] == "Skip to main content"
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()


# ---------------------------------------------------------------- clinician
def test_a_clinician_works_by_keyboard(live_server, cast, caseload, new_context):
    page = new_context(**helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/caseload/")
    skip_link_works(page)

    # The patient with the alert comes first; open them.
    tab_to(page, "a.caseload__name")
    assert focus(page)["text"] == "Pat One"
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat One")
    skip_link_works(page)

    # Acknowledge the alert (htmx swaps the alerts section).
    tab_to(page, "#alerts button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#alerts")).to_contain_text("Alert acknowledged")
    after_swap(page, "after acknowledging", "#alerts [role=status]")  # the news
    caseload.refresh_from_db()
    assert caseload.status == Alert.Status.ACKNOWLEDGED
    # The same for a private note (htmx swaps the notes section); sent empty first, it
    # says why, and focus goes to the box.
    tab_to(page, "#notes button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#notes .error")).to_be_visible()
    after_swap(page, "after an empty note", "#notes textarea[aria-invalid=true]")
    page.keyboard.type("Called Pat: safe, has support tonight.")
    tab_to(page, "#notes button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#notes .note")).to_contain_text("has support tonight")
    after_swap(page, "after saving a note", "#notes [role=status]")
    tab_to(page, "#alerts a[href*='/resolve/']", back=True)

    # Record the contact: the alert's contact form, by keyboard.
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Record the contact and resolve")
    skip_link_works(page)
    # Sent empty first: the error summary takes focus; its first link leads to the answer.
    tab_to(page, "form.resolve-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_focus_shows(page, "error summary")
    tab_to(page, ".error-summary a")
    page.keyboard.press("Enter")
    expect(page.get_by_label("Yes, we spoke or met")).to_be_focused()
    assert_focus_shows(page, "after the error summary's link")
    page.keyboard.press("Space")
    tab_to(page, "#id_contacted_at")
    # The alert was raised two days ago, so yesterday's contact, typed below, followed
    # it (a contact time before the alert was raised is refused).
    Alert.objects.filter(pk=caseload.pk).update(created_at=timezone.now() - timedelta(days=2))
    yesterday = timezone.localdate() - timedelta(days=1)
    page.keyboard.type(yesterday.strftime("%m%d%Y"))  # en-US: month, day, year
    page.keyboard.press("ArrowRight")  # the year takes six digits: on to the hour
    page.keyboard.type("1030A")
    expect(page.locator("#id_contacted_at")).to_have_value(f"{yesterday:%Y-%m-%d}T10:30")
    tab_to(page, "input[name=method]")
    page.keyboard.press("Space")  # Phone
    tab_to(page, "input[name=risk_after]")
    page.keyboard.press("ArrowRight")  # None → Low
    expect(page.get_by_label("Low", exact=True)).to_be_checked()
    tab_to(page, "input[name=plan][value=safety_plan]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=plan][value=continue]")
    page.keyboard.press("Space")
    tab_to(page, "#id_note")
    page.keyboard.type("Called Pat: safe tonight, safety plan agreed.")
    tab_to(page, "form.resolve-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Alert resolved.")
    caseload.refresh_from_db()
    assert caseload.status == Alert.Status.RESOLVED
    assert caseload.resolution.method == "phone"

    # Resolving leads back to where it started: the patient's record, at its alerts.
    expect(page).to_have_url(re.compile(r"/patients/\d+/#alerts$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Pat One")

    # Its sections, one after another, by their menu (first back up from the alerts,
    # where the page opened).
    for i, (label, heading) in enumerate(
        [
            ("Check-in answers", "Check-in answers"),
            ("Practice log", "Practice log"),
            ("Messages", "Messages"),
        ]
    ):
        if i:
            skip_link_works(page)
        tab_to(page, "nav.patient-tabs a", label, back=i == 0)
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=2).first).to_have_text(heading)
        expect(page.locator("nav.patient-tabs [aria-current=page]")).to_have_text(label)

    # A message to the patient, sent with htmx: focus back in the empty box.
    skip_link_works(page)
    tab_to(page, "#conversation textarea")
    page.keyboard.type("Thank you for talking today, Pat. Here if you need us.")
    tab_to(page, "#conversation button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator("#conversation .chat")).to_have_count(1)
    expect(page.get_by_role("status").filter(has_text="Message sent.")).to_be_visible()
    after_swap(page, "after sending a message", "#conversation textarea")
    expect(page.locator("#conversation textarea")).to_have_value("")

    # A PRT session note.
    tab_to(page, "nav.patient-tabs a", "PRT sessions", back=True)
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/sessions/$"))
    skip_link_works(page)
    tab_to(page, "#sessions a[href$='/sessions/new/'], #sessions a.button")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2)).to_have_text("Record a PRT session")
    skip_link_works(page)
    # Sent empty first: each link in the error summary leads to its answer, a group of
    # choices included (its link went nowhere: "#").
    tab_to(page, "form.session-note-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".error-summary")).to_be_focused()
    assert_focus_shows(page, "error summary")
    tab_to(page, ".error-summary a", "How you met: Choose how you met.")
    page.keyboard.press("Enter")
    expect(page.get_by_label("In person")).to_be_focused()
    tab_to(page, "input[name=minutes]", back=True)
    page.keyboard.type("45")
    tab_to(page, "input[name=mode]")
    page.keyboard.press("Space")  # the first way: in person
    tab_to(page, "input[name=components][value=somatic_tracking]")
    page.keyboard.press("Space")
    tab_to(page, "input[name=risk_identified]")
    page.keyboard.press("ArrowRight")  # Yes → No
    expect(page.locator("input[name=risk_identified][value=no]")).to_be_checked()
    tab_to(page, "textarea[name=homework]")
    page.keyboard.type("Somatic tracking once a day.")
    tab_to(page, "form.session-note-form button[type=submit]")
    page.keyboard.press("Enter")
    expect(page.locator(".messages")).to_contain_text("Session note saved.")
    expect(page.locator("#sessions .session-note")).to_have_count(10)


# ---------------------------------------------------------------- patient
# Week 3 asks: average pain, worst pain, fear of movement, PHQ-2 (2), PHQ-9 item 9,
# GAD-2 (2), new symptoms as two questions (emergency signs, others).
CHECKIN_ANSWERS = [4, 6, 5, 1, 0, 0, 1, 0, 0, 0]


@pytest.fixture
def week3(enrollment) -> CheckIn:
    """Baseline done two weeks ago (pain 7, fear 8); week 3 opens today."""
    baseline = {"pain_avg": {"pain_avg": 7}, "fear_movement": {"fear_movement": 8}}
    return started_two_weeks_ago(enrollment, **baseline)["week-3"]


def rate(page: Page, name: str, value: int) -> None:
    """A group of numbered choices (0, 1, 2, …): Tab into it, Space on 0, arrow up to
    `value`. The checked choice's value is what is compared, so a failure says which
    answer was chosen instead."""
    tab_to(page, f"input[name='{name}']")
    page.keyboard.press("Space")
    for _ in range(value):
        page.keyboard.press("ArrowRight")
    expect(page.locator(f"input[name='{name}']:checked"), name).to_have_value(str(value))


def test_a_patient_works_by_keyboard(live_server, cast, week3, new_context):
    page = new_context(reduced_motion="reduce", **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    skip_link_works(page)

    # Somatic tracking, from Today to the end.
    tab_to(page, "main a", "Start somatic tracking")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Somatic tracking")
    skip_link_works(page)
    rate(page, "pain_before", 6)
    rate(page, "threat_before", 5)
    for n in range(1, 8):
        tab_to(page, "button[data-next]")
        page.keyboard.press("Enter")
        expect(page.locator("[data-player-count]")).to_have_text(f"Step {n} of 7")
        assert_focus_shows(page, f"practice step {n}")
    rate(page, "pain_after", 4)
    rate(page, "threat_after", 3)
    tab_to(page, "button[data-save]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Saved to your log")).to_be_focused()
    assert_focus_shows(page, "practice saved")
    assert PracticeSession.objects.get().pain_after == 4
    tab_to(page, "a", "Back to Today")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/today/$"))

    # The weekly check-in, from Today's card.
    skip_link_works(page)
    tab_to(page, "main a", "Start my check-in")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Week 3 check-in")
    skip_link_works(page)
    # On a wide screen every question shows at once (test_checkin_journey steps through
    # them one at a time on a phone): one radio group after another.
    names = page.evaluate(
        "() => [...new Set([...document.querySelectorAll('[data-ci-question] input[type=radio]')]"
        ".map(r => r.name))]"
    )
    assert len(names) == len(CHECKIN_ANSWERS), names
    for name, value in zip(names, CHECKIN_ANSWERS, strict=True):
        rate(page, name, value)
    tab_to(page, "button[data-ci-submit]")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you")
    week3.refresh_from_db()
    assert week3.status == CheckIn.Status.COMPLETED

    # A diary entry, from the menu.
    skip_link_works(page)
    tab_to(page, "header a", "My diary", back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    skip_link_works(page)
    tab_to(page, "main a", "Add an episode")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Add an episode")
    skip_link_works(page)
    rate(page, "pain", 7)
    rate(page, "fear", 6)
    tab_to(page, "button[type=submit]", "Save to my diary")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My pain diary")
    expect(page.locator(".messages")).to_contain_text("Saved to your diary.")
    assert DiaryEntry.objects.get().pain == 7

    # Get help now, from the header; every stop on it shows its focus.
    skip_link_works(page)
    tab_to(page, "header a[data-get-help]", back=True)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Get help now")
    skip_link_works(page)
    stops = 0
    while True:
        page.keyboard.press("Tab")
        if focus(page)["tag"] == "body":  # past the page's end
            break
        assert_focus_shows(page, "Get help now")
        stops += 1
    assert stops >= 3, stops  # its numbers, the details and the safety plan
