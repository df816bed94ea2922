"""Issue 15 on a phone (390×844) in real Chromium, under the app's real CSP: the
patient picks "Several days" for PHQ-9 item 9 in a weekly check-in and the crisis
panel opens under the question at once, announced to screen readers, without
submitting; the patient closes the page; the urgent alert is already in the database,
in the clinician's inbox; unacknowledged, it climbs the chain at its due time, and
resolving it without a documented contact is refused. axe-core (WCAG 2.2 AA) checks
the page with the panel.

Screenshots: test-artifacts/safety-*.png.
"""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tests.checkin_data import without_fingerprint
from tests.conftest import ARTIFACTS
from tracking.alerts.escalation import escalate_unacknowledged_alerts
from tracking.models import Alert, CheckIn, OutboxTask

pytestmark = pytest.mark.browser

PHONE = {**helpers.PHONE, "reduced_motion": "reduce"}


def shot(page: Page, name: str, *, full_page: bool = False) -> str:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"safety-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return str(path)


def wait_for_alert(checkin: CheckIn, seconds: float = 10) -> Alert:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        alert = Alert.objects.filter(source=f"checkin:{checkin.pk}").first()
        if alert is not None:
            return alert
        time.sleep(0.1)
    raise AssertionError("no alert was raised")


def go_to_item_9(page: Page) -> None:
    """Next through the questions (answering each) until item 9 shows."""
    count = page.locator("[data-ci-count]")
    for _ in range(12):
        question = page.locator("[data-ci-question]:visible")
        if question.locator("[data-safety=self_harm]").count():
            return
        question.locator("label.ci-opt").first.click()
        before = count.text_content()
        page.get_by_role("button", name="Next").click()
        expect(count).not_to_have_text(before or "")
    raise AssertionError("item 9 never showed")


def test_item_9_opens_the_crisis_panel_inline_and_the_alert_exists_after_closing(
    live_server, new_context, cast, week3
):
    context = new_context(**PHONE)
    watch = helpers.CspWatch.attach(context)
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    go_to_item_9(page)
    question = page.locator("[data-ci-question]:visible")
    panel = question.locator("[data-safety-panel]")
    expect(panel).to_be_hidden()
    assert not Alert.objects.exists()

    question.get_by_text("Several days").click()  # item 9 = 1

    expect(panel).to_be_visible()
    expect(panel.get_by_role("heading", name="You do not have to face this alone")).to_be_visible()
    # (In the patient's time when it differs from London's: tests/test_office_hours_local.py.)
    expect(panel).to_contain_text("within 1 hour during opening hours")
    expect(panel).to_contain_text("Mon–Fri, 9:00–17:00")
    expect(panel).to_contain_text("This app is not watched around the clock.")
    expect(panel.get_by_role("link", name="Get help now")).to_have_attribute("href", "/help/")
    # A screen reader hears it (assertive live region); focus stays on the answer.
    expect(page.locator("[data-safety-live]")).to_contain_text("You do not have to face this alone")
    expect(question.locator("input[value='1']")).to_be_focused()
    # Nothing submitted: the check-in is still open, and the submit button is not even shown.
    expect(page.get_by_role("button", name="Submit my answers")).to_be_hidden()
    expect(panel.locator("[data-safety-saved]")).to_have_text(
        "Your answer is saved and your clinic has been told."
    )
    panel.scroll_into_view_if_needed()
    shot(page, "phone-item9-panel")
    shot(page, "phone-item9-panel-full", full_page=True)
    helpers.assert_fits_width(page)
    helpers.assert_no_csp_violations(watch, page)

    page.close()  # the patient leaves mid-check-in

    alert = wait_for_alert(week3)
    assert (alert.kind, alert.severity, alert.status) == ("self_harm", "urgent", "open")
    assert without_fingerprint(alert.details) == {"draft": True, "item9": 1}
    week3.refresh_from_db()
    assert week3.status != CheckIn.Status.COMPLETED

    # The clinician's inbox shows it, urgent, first; the alert page opens from it.
    staff = new_context(**helpers.DESKTOP).new_page()
    helpers.login(staff, live_server, cast.clinician)
    staff.goto(live_server.url + reverse("alert_inbox"))
    inbox = staff.locator("main")
    expect(inbox).to_contain_text("Thoughts of self-harm reported")
    expect(inbox).to_contain_text("Urgent")
    expect(staff.get_by_role("navigation", name="Main")).to_contain_text("Alerts")
    shot(staff, "desktop-inbox")
    staff.goto(live_server.url + reverse("alert_detail", args=[alert.pk]))
    expect(staff.locator("main")).to_contain_text("Thoughts of self-harm reported")

    # Nobody acknowledges it: at its due time it climbs the chain (the clinician was
    # told at once, so the next step: every admin), once, and not before.
    assert escalate_unacknowledged_alerts(alert.due_at - timedelta(minutes=1)) == 0
    assert escalate_unacknowledged_alerts(alert.due_at + timedelta(minutes=1)) == 1
    assert escalate_unacknowledged_alerts(alert.due_at + timedelta(minutes=2)) == 0
    alert.refresh_from_db()
    assert alert.escalation_tier == 1 and alert.status == "open"
    assert [
        row.kwargs["user_id"]
        for row in OutboxTask.objects.filter(task="tracking.tasks_alerts.send_escalation_email")
    ] == [cast.admin.pk]

    # Resolving without a documented contact is refused, and nothing is resolved.
    staff.goto(live_server.url + reverse("alert_resolve", args=[alert.pk]))
    staff.get_by_role("button", name="Resolve the alert").click()
    expect(staff.locator("main")).to_contain_text("The alert is not resolved yet")
    alert.refresh_from_db()
    assert alert.status == "open"


def test_the_panel_passes_axe(live_server, new_context, cast, week3):
    page = new_context(**PHONE, bypass_csp=True).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    go_to_item_9(page)
    page.locator("[data-ci-question]:visible").get_by_text("Nearly every day").click()
    expect(page.locator("[data-ci-question]:visible [data-safety-panel]")).to_be_visible()
    helpers.check_axe(page, "safety-item9-panel")
    wait_for_alert(week3)


def test_without_javascript_the_panel_shows_after_saving(live_server, new_context, cast, week3):
    page = new_context(**PHONE, java_script_enabled=False).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    item9 = page.locator("[data-safety=self_harm]")
    item9.get_by_text("Several days").click()
    # The inline panel needs JavaScript; without it nothing shows until the save.
    expect(page.locator("[data-safety-panel]:visible")).to_have_count(0)
    page.get_by_role("button", name="Save and finish later").click()
    panel = page.locator("#crisis-now")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("This app is not watched around the clock.")
    shot(page, "phone-nojs-panel")
    assert wait_for_alert(week3).kind == "self_harm"
