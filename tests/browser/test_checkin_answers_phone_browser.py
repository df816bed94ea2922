"""The clinician's check-in answers page (/patients/<id>/checkins/) on a 390 px phone,
for a patient who answered in Spanish: each answer row's "Answered in Spanish" badge
wraps with its row instead of pushing the page sideways (it was 429 px wide).

The every-page sweep (test_every_page_axe.py) did not catch this: there everyone
reads the same language as the patient, so no answer carries the badge. This is the
page with such answers, once, at phone width."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser import helpers
from tests.checkin_data import record_at_open, schedule_from_start

pytestmark = pytest.mark.browser


def test_answers_in_another_language_fit_a_phone(new_context, live_server, cast, enrollment):
    cast.patient.language = "es"  # answers in Spanish; the clinician reads English
    cast.patient.save(update_fields=["language"])
    record_at_open(schedule_from_start(enrollment)["baseline"])
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.clinician)

    page.goto(f"{live_server.url}{reverse('patient_checkins', args=[enrollment.pk])}")
    badges = page.locator(".checkin-answers__response summary .badge")
    expect(badges.first).to_have_text("Answered in Spanish")
    assert badges.count() >= 5  # one on each questionnaire's row
    helpers.assert_fits_width(page)
    helpers.check_axe(page, "clinic-checkin-answers-answered-in-spanish-390")
    helpers.screenshot(page, "clinic-checkin-answers-answered-in-spanish-390")
