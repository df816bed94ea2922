""" "Your answers so far are saved" is true for the last answer too.

A patient on a phone answered the last question (there is no Next there, only Submit)
and left; the page had said the answers so far were saved, but the draft was saved
only on Next, so the last answer was gone on return. Now an answer is saved when it
is picked (typed words when the typing pauses), and the note shows only once the
answer has reached the server.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tests.checkin_data import started_two_weeks_ago
from tracking.models import CheckIn

pytestmark = pytest.mark.browser

SAVED = {
    "en": "Your answers so far are saved.",
    "es": "Sus respuestas hasta ahora están guardadas.",
}


def visible_question(page: Page):
    return page.locator("[data-ci-question]:visible")


def draft_of(checkin: CheckIn) -> dict:
    return CheckIn.objects.get(pk=checkin.pk).draft


@pytest.fixture
def week3(enrollment):
    checkin = started_two_weeks_ago(enrollment)["week-3"]
    checkin.instrument_keys = ["pain_avg", "causes"]
    checkin.save()
    return checkin


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_last_answer_is_saved_when_picked_and_is_there_on_return(
    new_context, live_server, cast, week3, language
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    url = live_server.url + reverse("checkin_detail", args=[week3.pk])
    page.goto(url)
    saved = page.locator("[data-ci-saved]")
    next_button = page.locator("[data-ci-next]")
    # Question 1 (average pain): picked, saved at once, before any Next.
    visible_question(page).locator("label.ci-opt").nth(5).click()
    expect(saved).to_have_text(SAVED[language])
    assert draft_of(week3) == {"pain_avg": {"pain_avg": 5}}
    next_button.click()
    # The three causes: words typed and a category chosen; the last one has no Next.
    for n, category in enumerate(["stress", "injury", "psychological"]):
        question = visible_question(page)
        question.locator("input[type=text]").fill(f"Cause {n + 1}")
        question.locator("select").select_option(category)
        if n < 2:
            next_button.click()
    expect(page.locator("[data-ci-submit]")).to_be_visible()
    expect(next_button).to_be_hidden()
    expect(saved).to_have_text(SAVED[language])
    assert draft_of(week3)["causes"]["cause3"] == {"text": "Cause 3", "category": "psychological"}
    helpers.screenshot(page, f"checkin-last-answer-saved-{language}-390")

    # Leaving and coming back: the last answer is still there, and Submit records.
    page.goto(live_server.url + reverse("today"))
    page.goto(url)
    question = visible_question(page)
    expect(question.locator("input[type=text]")).to_have_value("Cause 3")
    expect(question.locator("select")).to_have_value("psychological")
    page.locator("[data-ci-submit]").click()
    expect(page.locator("[data-ci-errors]")).to_have_count(0)
    assert CheckIn.objects.get(pk=week3.pk).status == CheckIn.Status.COMPLETED


def test_words_typed_and_left_at_once_are_sent_as_the_page_goes(
    new_context, live_server, cast, week3
):
    """Typed words are saved after a pause, or when the page is left before it."""
    week3.instrument_keys = ["causes"]
    week3.draft = {}
    week3.save()
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    question = visible_question(page)
    question.locator("select").select_option("stress")
    question.locator("input[type=text]").fill("Stress at work")
    # Leave straight away, before the pause after typing.
    page.goto(live_server.url + reverse("today"))
    for _ in range(50):
        if draft_of(week3).get("causes", {}).get("cause1"):
            break
        page.wait_for_timeout(100)
    assert draft_of(week3) == {
        "causes": {"cause1": {"text": "Stress at work", "category": "stress"}}
    }


def test_a_save_that_fails_says_so_instead_of_saved(new_context, live_server, cast, week3):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    page.goto(live_server.url + url)
    page.route("**" + url, lambda route: route.abort())
    visible_question(page).locator("label.ci-opt").nth(3).click()
    expect(page.locator("[data-ci-saved]")).to_have_text(
        "Your last answer is not saved yet. Please check your connection, then press "
        "Save and finish later."
    )
    assert not draft_of(week3)
