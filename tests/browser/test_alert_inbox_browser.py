"""The alert inbox and the resolve form in a real browser, on a wide screen and a phone:
axe-clean, no sideways scroll, and resolving without an outcome refused with what was
typed kept (no JavaScript needed: plain forms)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser import helpers
from tracking.alerts.services import alert_raise
from tracking.models import Alert

pytestmark = pytest.mark.browser


@pytest.fixture
def alerts(cast, enrollment, other_enrollment):
    enrollment.contact_phone = "+44 7700 900123"
    enrollment.emergency_contact_name = "Sam Next"
    enrollment.emergency_contact_phone = "+44 7700 900456"
    enrollment.save()
    urgent = alert_raise(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity=Alert.Severity.URGENT, source="a"
    )
    # Raised two hours ago, overdue by 95 minutes (the contact below is an hour ago: a
    # contact from before the alert was raised is refused).
    Alert.objects.filter(pk=urgent.pk).update(
        created_at=timezone.now() - timedelta(hours=2),
        first_due_at=timezone.now() - timedelta(minutes=95),
        due_at=timezone.now() + timedelta(hours=8),  # the next step's time, not a new deadline
        escalation_tier=1,
    )
    alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.FEAR_HIGH,
        severity=Alert.Severity.ROUTINE,
        source="b",
    )
    alert_raise(
        enrollment=other_enrollment,
        kind=Alert.Kind.PAIN_UP,
        severity=Alert.Severity.HIGH,
        source="c",
    )
    return urgent


@pytest.mark.parametrize("width", [1280, 390])
def test_the_inbox_and_the_resolve_form(new_context, live_server, cast, alerts, width, axe):
    context = new_context(bypass_csp=True, viewport={"width": width, "height": 900})
    page = context.new_page()
    helpers.login(page, live_server, cast.admin)
    page.goto(f"{live_server.url}/alerts/")
    expect(page.get_by_role("heading", name="Alerts", exact=True)).to_be_visible()
    expect(page.locator(".alert-inbox > li").first).to_contain_text("Now — overdue since")
    expect(page.locator(".alert-inbox > li").first).to_contain_text("next escalation in")
    axe(page, f"alert-inbox-{width}")
    helpers.assert_fits_width(page)
    helpers.screenshot(page, f"alert-inbox-{width}")

    page.goto(f"{live_server.url}/alerts/{alerts.pk}/resolve/")
    expect(page.get_by_text("+44 7700 900123")).to_be_visible()
    page.get_by_label("Yes, we spoke or met").check()
    page.get_by_label("Short note").fill("Rang at 3pm, agreed a plan")
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_role("alert").filter(has_text="not resolved yet")).to_be_visible()
    expect(page.get_by_label("Short note")).to_have_value("Rang at 3pm, agreed a plan")
    axe(page, f"alert-resolve-errors-{width}")
    helpers.assert_fits_width(page)
    helpers.screenshot(page, f"alert-resolve-{width}")

    page.get_by_label("When (your local time)").fill(
        (timezone.localtime() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    )
    page.get_by_label("Phone").check()
    page.get_by_label("Low").check()
    page.get_by_label("Safety plan made").check()
    page.get_by_role("button", name="Resolve the alert").click()
    expect(page.get_by_text("Alert resolved.")).to_be_visible()
    assert page.url == f"{live_server.url}/alerts/"  # back in the inbox, not the caseload
    alerts.refresh_from_db()
    assert alerts.status == "resolved"
