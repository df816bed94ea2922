"""The clinician walk-through in real Chromium, by keyboard: on an urgent PHQ-9 item 9
alert, "No, we could not reach them", risk "High", plan "Continue the program", note
"Tried calling, no answer" records a contact attempt and leaves the alert open; the
resolve form says which plans resolve it without contact; axe-core (WCAG 2.2 AA) checks
the form and the alert page with its attempt."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import helpers
from tracking.alerts.services import alert_raise
from tracking.models import Alert, AlertContactAttempt

pytestmark = pytest.mark.browser


def test_a_call_that_did_not_get_through_keeps_the_alert_open(
    live_server, new_context, cast, enrollment
):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )
    assert alert is not None
    page = new_context(**helpers.DESKTOP, bypass_csp=True).new_page()  # axe-core is injected
    helpers.login(page, live_server, cast.clinician)
    page.goto(live_server.url + reverse("alert_resolve", args=[alert.pk]))
    main = page.locator("main")
    expect(main).to_contain_text("If you could not reach them, the alert stays open.")
    expect(main).to_contain_text("Emergency services called")
    helpers.check_axe(page, "alert-resolve-prompt-contact")

    page.get_by_label("No, we could not reach them").check()
    tried = timezone.localtime(timezone.now(), cast.clinician.tzinfo)
    page.get_by_label("When (your local time)").fill(f"{tried:%Y-%m-%dT%H:%M}")
    page.locator("#field-method").get_by_label("Phone").check()
    page.locator("#field-risk_after").get_by_label("High").check()
    page.get_by_label("Continue the program").check()
    page.get_by_label("Short note").fill("Tried calling, no answer")
    page.get_by_role("button", name="Resolve the alert").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(live_server.url + reverse("alert_detail", args=[alert.pk]))
    expect(main).to_contain_text("The alert is not resolved")
    expect(main).to_contain_text("needs the patient reached first")
    expect(main).to_contain_text("1 attempt to reach them")
    expect(main).to_contain_text("Tried calling, no answer")
    expect(main).not_to_contain_text("Contact outcome")
    helpers.check_axe(page, "alert-with-an-attempt")
    alert.refresh_from_db()
    assert alert.status == "acknowledged"
    assert AlertContactAttempt.objects.filter(alert=alert).count() == 1
