"""Next on a phone check-in (one question per screen) stays on a required question
left blank and says so beside it, in the patient's language; an optional question
(PHQ-9's difficulty item) lets Next pass. axe-clean with the note showing.

Screenshots: test-artifacts/screenshots/checkin-next-blank-*.png.
"""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tests.checkin_data import started_two_weeks_ago

pytestmark = pytest.mark.browser

WORDS = {
    "en": {
        "count": "Question {n} of 10",
        "next": "Next",
        "note": "Please choose an answer to go on.",
    },
    "es": {
        "count": "Pregunta {n} de 10",
        "next": "Siguiente",
        "note": "Elija una respuesta para seguir.",
    },
}


def visible_question(page: Page):
    return page.locator("[data-ci-question]:visible")


@pytest.fixture
def slots(enrollment):
    return started_two_weeks_ago(enrollment)


@pytest.mark.parametrize("language", ["en", "es"])
def test_next_stays_on_a_blank_required_question_and_says_why(
    new_context, live_server, cast, slots, language
):
    words = WORDS[language]
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[slots["week-3"].pk]))
    count = page.locator("[data-ci-count]")
    expect(count).to_have_text(words["count"].format(n=1))

    page.get_by_role("button", name=words["next"], exact=True).click()

    # Still on question 1, told why beside it, and the keyboard is on its answers.
    expect(count).to_have_text(words["count"].format(n=1))
    question = visible_question(page)
    note = question.locator("[data-ci-missing]")
    expect(note).to_have_text(words["note"])
    expect(note).to_be_visible()
    expect(note).to_have_attribute("aria-live", "polite")
    group = question.locator("fieldset")
    described_by = group.get_attribute("aria-describedby").split()
    assert note.get_attribute("id") in described_by
    expect(question.locator("input[type=radio]").first).to_be_focused()
    helpers.check_axe(page, f"checkin-next-blank-{language}")
    helpers.screenshot(page, f"checkin-next-blank-{language}-390")
    assert not slots["week-3"].__class__.objects.get(pk=slots["week-3"].pk).draft

    # Answering clears the note, and Next goes on.
    question.locator("label.ci-opt").nth(4).click()
    expect(note).to_have_text("")
    assert note.get_attribute("id") not in (group.get_attribute("aria-describedby") or "")
    page.get_by_role("button", name=words["next"], exact=True).click()
    expect(count).to_have_text(words["count"].format(n=2))
    expect(visible_question(page).locator("[data-ci-missing]")).to_have_text("")


def test_next_passes_an_optional_question_but_not_a_blank_cause(
    new_context, live_server, cast, enrollment
):
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_current"))
    count = page.locator("[data-ci-count]")
    next_button = page.get_by_role("button", name="Next", exact=True)
    # Answer each question with its first choice up to PHQ-9's difficulty question.
    for _ in range(30):
        question = visible_question(page)
        if "how difficult have these problems made it" in question.inner_text():
            break
        question.locator("label.ci-opt").first.click()
        next_button.click()
    else:
        raise AssertionError("never reached the PHQ-9 difficulty question")
    at = count.inner_text()

    next_button.click()  # optional: left blank, and Next goes on
    expect(count).not_to_have_text(at)
    expect(page.locator("[data-ci-missing]:visible")).to_have_count(0)


def test_next_asks_for_a_causes_words_and_category(new_context, live_server, cast, slots):
    week3 = slots["week-3"]
    week3.instrument_keys = ["causes", "pain_avg"]
    week3.save()
    page = new_context(bypass_csp=True, **helpers.PHONE).new_page()
    helpers.login(page, live_server, cast.patient)
    page.goto(live_server.url + reverse("checkin_detail", args=[week3.pk]))
    count = page.locator("[data-ci-count]")
    expect(count).to_have_text("Question 1 of 4")
    question = visible_question(page)
    question.get_by_label("In a few words").fill("Stress at work")
    page.get_by_role("button", name="Next", exact=True).click()  # words, no category
    expect(count).to_have_text("Question 1 of 4")
    note = question.locator("[data-ci-missing]")
    expect(note).to_have_text("Please write a few words and choose a category to go on.")
    expect(question.locator("select")).to_be_focused()
    question.locator("select").select_option("stress")
    expect(note).to_have_text("")
    page.get_by_role("button", name="Next", exact=True).click()
    expect(count).to_have_text("Question 2 of 4")
