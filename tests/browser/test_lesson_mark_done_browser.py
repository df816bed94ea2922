""" "Mark as done" under a lesson's question, in real Chromium with the draft script
on: the typed answer is saved with it, so another browser has it, and this tab's
draft goes (the next page says it was saved), as it does after "Save"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from programs.models import ActivityCompletion, Reflection
from tests.browser import helpers
from tests.test_activities import _lesson_with_a_prompt

pytestmark = pytest.mark.browser

ANSWER = "When my sister calls, my shoulders go up and my back aches after."


def test_mark_as_done_saves_the_answer_and_lets_the_draft_go(
    live_server, cast, enrollment, new_context
):
    lesson = _lesson_with_a_prompt(enrollment)
    url = live_server.url + reverse("activity", args=[lesson.slug])
    page = new_context(**helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(url)
    page.get_by_label("Your answer").fill(ANSWER)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#done-marker")).to_contain_text("You finished this.")
    expect(page.get_by_text("Saved, and marked as done.")).to_be_visible()
    assert Reflection.objects.get(enrollment=enrollment, activity=lesson).text == ANSWER
    assert ActivityCompletion.objects.filter(enrollment=enrollment, activity=lesson).exists()
    # This tab: the saved answer, and no draft brought back over it.
    page.reload()
    expect(page.get_by_label("Your answer")).to_have_value(ANSWER)
    expect(page.locator("[data-draft-kept]")).to_have_count(0)
    drafts = page.evaluate("() => Object.keys(sessionStorage).filter(k => k.includes('activity-'))")
    assert drafts == []
    # Another browser: the answer is there too.
    other = new_context(**helpers.DESKTOP).new_page()
    helpers.login(other, live_server, cast.patient)
    other.goto(url)
    expect(other.get_by_label("Your answer")).to_have_value(ANSWER)
