"""A patient moves: from their reminder settings they reach their time-zone page,
choose the new zone with the keyboard and save; the reminders follow at once.
Checked with axe-core (WCAG 2.2 A/AA) and, in a second run, under the real CSP."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tracking.models import ReminderSchedule
from tracking.reminders.schedules import schedules_sync

pytestmark = pytest.mark.browser


def move_to_new_york(page: Page, live_server) -> None:
    page.goto(f"{live_server.url}/reminders/")
    page.get_by_role("link", name="change your time zone").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your time zone")
    zone = page.get_by_label("Your time zone")
    expect(zone).to_have_value("UTC")
    zone.focus()
    zone.fill("America/New_York")
    page.get_by_role("button", name="Save my time zone").press("Enter")
    page.wait_for_load_state()
    expect(page.get_by_text("Your time zone is saved.")).to_be_visible()
    expect(zone).to_have_value("America / New York")


def test_a_patient_changes_their_time_zone_and_the_reminders_follow(
    live_server, context, login_as, axe, cast, enrollment
):
    schedules_sync(enrollment=enrollment)
    page = context.new_page()
    login_as(page, cast.patient)
    page.goto(f"{live_server.url}/account/time-zone/")
    axe(page, "time-zone")
    move_to_new_york(page, live_server)
    axe(page, "time-zone-saved")
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "America/New_York"
    schedule = ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")
    assert re.fullmatch(r"practice:\d{4}-\d\d-\d\d:America/New_York", schedule.next_slot)


def test_the_time_zone_page_works_under_the_real_csp(
    live_server, strict, login_as, cast, enrollment
):
    login_as(strict.page, cast.patient)
    move_to_new_york(strict.page, live_server)
    strict.assert_no_csp_violations("time zone page")
