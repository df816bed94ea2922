"""A diary entry left half-written comes back whole, in real Chromium: the numbers
chosen (radio buttons) as well as the words.

Before: on /diary/new/ a patient chose pain 6, wrote a few words and left; on coming
back "We kept what you wrote." gave the words back but no pain number (a draft gave
choices back only after a save that did not go through). A choice that came empty has
nothing saved to replace, so it comes back like the words do; a saved choice is still
never replaced by one left unsaved (the edit form below).
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.diary.models import DiaryEntry

pytestmark = pytest.mark.browser

WORDS = "I noticed the fear first, then the pain. I am safe."
KEPT = "We kept what you wrote."


def pain(page: Page, number: int):
    group = page.get_by_role("group", name="How strong was the pain?")
    return group.get_by_role("radio", name=str(number), exact=True)


def test_a_diary_draft_keeps_the_pain_number_chosen(live_server, cast, enrollment, page):
    helpers.login(page, live_server, cast.patient)
    new_url = live_server.url + reverse("diary_new")
    page.goto(new_url)
    pain(page, 6).check()
    page.get_by_label("What I told myself").fill(WORDS)
    page.goto(live_server.url + reverse("today"))  # left without saving

    page.goto(new_url)
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    expect(page.get_by_label("What I told myself")).to_have_value(WORDS)
    expect(pain(page, 6)).to_be_checked()
    # Nothing made up: the fear scale, never touched, is still unchosen.
    fear = page.get_by_role("group", name="How afraid or worried did you feel?")
    expect(fear.locator("input[type=radio]:checked")).to_have_count(0)
    helpers.screenshot(page, "diary-draft-pain-kept")

    fear.get_by_role("radio", name="3", exact=True).check()
    page.get_by_role("button", name="Save to my diary").click()
    page.wait_for_load_state()
    entry = DiaryEntry.objects.get()
    assert (entry.pain, entry.fear, entry.self_talk) == (6, 3, WORDS)

    # Editing it: a number changed and left unsaved does not replace the saved one.
    edit_url = live_server.url + reverse("diary_edit", args=[entry.pk])
    page.goto(edit_url)
    pain(page, 2).check()
    page.goto(live_server.url + reverse("today"))
    page.goto(edit_url)
    expect(pain(page, 6)).to_be_checked()
    expect(page.get_by_text(KEPT)).to_have_count(0)
