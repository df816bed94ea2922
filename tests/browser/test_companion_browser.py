"""The patient's companion touches in Chromium (issue 19, point 8), on a phone and a
desktop: Today greets by first name and names the ladder's next rung; progress shows
the practice calendar; each screen has one filled primary action; axe is clean and
nothing scrolls sideways. Screenshots: test-artifacts/screenshots/companion-*."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from painapp.accounts.models import User
from programs.models import FearItem
from programs.practice.services import practice_session_record
from tests.browser import helpers

pytestmark = pytest.mark.browser

FILLED = (
    "main button:not(.button--secondary):not(.button--quiet):not(.button--danger):visible,"
    " main a.button:not(.button--secondary):not(.button--quiet):not(.button--danger):visible"
)


@pytest.fixture
def companion(cast, enrollment):
    User.objects.filter(pk=cast.patient.pk).update(full_name="Jordan Lee")
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 3 + 1)
    enrollment.save()
    FearItem.objects.create(
        enrollment=enrollment, label="Carry groceries", harm_rating=20, first_rating=20, position=1
    )
    for days_ago in (0, 2, 3, 9):
        practice_session_record(
            enrollment=enrollment,
            client_token=uuid.uuid4(),
            pain_before=5,
            threat_before=5,
            pain_after=4,
            threat_after=3,
            duration_seconds=300,
            at=timezone.now() - timedelta(days=days_ago),
        )


@pytest.mark.parametrize("name", ["desktop", "phone"])
def test_the_companion_screens(new_context, live_server, cast, companion, name):
    form_factor = helpers.DESKTOP if name == "desktop" else helpers.PHONE
    page = new_context(bypass_csp=True, **form_factor).new_page()
    helpers.login(page, live_server, cast.patient)

    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).to_contain_text("Hello Jordan.")
    expect(page.locator("main")).not_to_contain_text("Jordan Lee")
    expect(page.locator("main")).to_contain_text("Next to try: Carry groceries")
    expect(page.locator(FILLED)).to_have_count(1)
    helpers.check_axe(page, f"companion-today-{name}")
    helpers.screenshot(page, f"companion-today-{name}")

    page.goto(f"{live_server.url}/progress/")
    calendar = page.get_by_role("table").filter(has=page.locator("caption"))
    expect(page.locator(".practice-calendar")).to_contain_text("You practised on 4 days")
    expect(page.locator(".practice-calendar__day--done")).to_have_count(4)
    expect(calendar.first).to_be_visible()
    expect(page.locator(FILLED)).to_have_count(1)
    width = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width[0] <= width[1], width
    helpers.check_axe(page, f"companion-progress-{name}")
    helpers.screenshot(page, f"companion-progress-{name}")

    page.goto(f"{live_server.url}/program/week/1/")
    expect(page.locator(FILLED)).to_have_count(1)
    helpers.check_axe(page, f"companion-week-{name}")
