"""A patient whose session ends while they write loses nothing, in real Chromium.

They start a diary entry, then write a message; their session ends (deleted on the
server, as when it expires). Pressing Send shows a calm notice (role=alert) above the
form, which keeps the words; no login page lands in the conversation and nothing is sent.
They log in again in a new tab (which also gives the open page a new CSRF token) and press
Send again in the first tab: the message goes. Back on the diary form, what they wrote is
there again ("We kept what you wrote"). Then a plain (non-htmx) diary save after the
session ended: the login page says why they are there (axe-checked), and after logging in
the form has their words back; once saved, the draft is gone.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.browser import helpers
from tracking.diary.models import DiaryEntry
from tracking.messaging.models import Message

pytestmark = pytest.mark.browser

WORDS = "The stairs were hard today but I told my brain I am safe."
DIARY_WORDS = "I noticed the fear first, then the pain. I am safe."
KEPT = "We kept what you wrote."


def log_in_here(page: Page, user) -> None:
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(helpers.PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    page.wait_for_load_state()


def open_diary(page: Page, url: str) -> None:
    page.goto(url)
    summary = page.get_by_text("What was going on (optional)")
    if page.locator("details.diary-more:not([open])").count():
        summary.click()


def test_a_patient_logged_out_while_writing_keeps_their_words(live_server, cast, enrollment, page):
    diary_url = f"{live_server.url}/diary/new/"
    helpers.login(page, live_server, cast.patient)

    # A diary entry started, left for a message.
    open_diary(page, diary_url)
    page.get_by_label("What I told myself").fill(DIARY_WORDS)
    page.goto(f"{live_server.url}/messages/")
    box = page.get_by_label("Your message")
    box.fill(WORDS)

    # The session ends; Send: a notice, the words still there, no login page swapped in.
    Session.objects.all().delete()
    send = page.get_by_role("button", name="Send message")
    send.click()
    notice = page.get_by_role("alert").filter(has_text="You were logged out, so this wasn't sent.")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("Your words are still here.")
    expect(box).to_have_value(WORDS)
    expect(page.locator("#conversation")).not_to_contain_text("Welcome back")
    expect(page.locator("#conversation input[name=login]")).to_have_count(0)
    assert not Message.objects.exists()
    helpers.screenshot(page, "logged-out-message-notice")
    # Pressing again is never silent either: still one notice, still the words.
    send.click()
    expect(page.locator("[data-htmx-notice]")).to_have_count(1)
    expect(box).to_have_value(WORDS)

    # Log in again in a new tab (a new CSRF token too), come back, Send: it goes.
    with page.context.expect_page() as new_tab:
        notice.get_by_role("link", name="Log in again in a new tab").click()
    login_tab = new_tab.value
    login_tab.wait_for_load_state()
    log_in_here(login_tab, cast.patient)
    expect(login_tab).to_have_url(f"{live_server.url}/messages/")
    login_tab.close()
    send.click()
    expect(page.locator(".chat")).to_have_count(1)
    expect(page.get_by_label("Your message")).to_have_value("")
    expect(page.locator("[data-htmx-notice]")).to_have_count(0)
    assert Message.objects.get().body == WORDS

    # The diary form gives back what was typed there.
    page.goto(diary_url)
    expect(page.get_by_label("What I told myself")).to_have_value(DIARY_WORDS)
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    # The message sent is not brought back.
    page.goto(f"{live_server.url}/messages/")
    expect(page.get_by_label("Your message")).to_have_value("")

    # A plain save after the session ended: the login page says why, then everything
    # the patient filled in returns: the numbers, the day and time, the choices too.
    open_diary(page, diary_url)
    page.get_by_role("group", name="How strong was the pain?").get_by_role(
        "radio", name="6", exact=True
    ).check()
    page.get_by_role("group", name="How afraid or worried did you feel?").get_by_role(
        "radio", name="7", exact=True
    ).check()
    day = (
        timezone.localtime(timezone.now(), cast.patient.tzinfo).date() - timedelta(days=1)
    ).isoformat()
    page.get_by_label("Day").fill(day)
    page.get_by_label("Time").fill("07:15")
    page.get_by_label("What were you doing?").select_option("bending")
    page.get_by_role("group", name="How stressed did you feel?").get_by_role(
        "radio", name="4", exact=True
    ).check()
    assert "csrfmiddlewaretoken" not in str(page.evaluate("JSON.stringify(sessionStorage)"))
    Session.objects.all().delete()
    page.get_by_role("button", name="Save to my diary").click()
    page.wait_for_load_state()
    expect(
        page.get_by_role("status").filter(
            has_text="You were logged out to keep your information private. "
            "Log in to go on where you were."
        )
    ).to_be_visible()
    helpers.check_axe(page, "login-logged-out-notice")
    helpers.screenshot(page, "login-logged-out-notice")
    assert not DiaryEntry.objects.exists()
    log_in_here(page, cast.patient)
    expect(page).to_have_url(diary_url)
    expect(page.get_by_label("What I told myself")).to_have_value(DIARY_WORDS)
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    expect(
        page.get_by_role("group", name="How strong was the pain?").get_by_role(
            "radio", name="6", exact=True
        )
    ).to_be_checked()
    expect(
        page.get_by_role("group", name="How afraid or worried did you feel?").get_by_role(
            "radio", name="7", exact=True
        )
    ).to_be_checked()
    expect(page.get_by_label("Day")).to_have_value(day)
    expect(page.get_by_label("Time")).to_have_value("07:15")
    expect(page.get_by_label("What were you doing?")).to_have_value("bending")
    expect(
        page.get_by_role("group", name="How stressed did you feel?").get_by_role(
            "radio", name="4", exact=True
        )
    ).to_be_checked()
    # Never a password, the CSRF token or a one-time token.
    stored = str(page.evaluate("JSON.stringify(sessionStorage)"))
    assert "csrfmiddlewaretoken" not in stored and "client_token" not in stored
    assert helpers.PASSWORD not in stored

    # Saved (nothing needed filling in again): the draft goes.
    page.get_by_role("button", name="Save to my diary").click()
    page.wait_for_load_state()
    entry = DiaryEntry.objects.get()
    assert (entry.self_talk, entry.pain, entry.fear, entry.stress, entry.activity) == (
        DIARY_WORDS,
        6,
        7,
        4,
        "bending",
    )
    assert str(page.evaluate("JSON.stringify(sessionStorage)")).count("painapp:draft:") == 0
    open_diary(page, diary_url)
    expect(page.get_by_label("What I told myself")).to_have_value("")
    expect(page.get_by_text(KEPT)).to_have_count(0)


def test_a_choice_changed_and_left_unsaved_does_not_replace_the_saved_one(
    live_server, cast, enrollment, page
):
    """A draft gives choices back only after a save that did not go through (signed
    out, refused): the patient who changes their country and leaves without saving
    finds the saved country on coming back, and saving again keeps it (their crisis
    numbers stay right). A text box they typed into and left comes back as before."""
    enrollment.country = "GB"
    enrollment.save(update_fields=["country"])
    details_url = f"{live_server.url}/help/details/"
    helpers.login(page, live_server, cast.patient)
    page.goto(details_url)
    country = page.get_by_label("Which country are you in?")
    expect(country).to_have_value("GB")
    country.select_option("US")
    page.get_by_label("Your phone number").fill("0100 200 300")
    page.goto(f"{live_server.url}/diary/")  # left without saving, same tab

    page.goto(details_url)
    expect(page.get_by_label("Which country are you in?")).to_have_value("GB")
    expect(page.get_by_label("Your phone number")).to_have_value("0100 200 300")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    enrollment.refresh_from_db()
    assert (enrollment.country, enrollment.contact_phone) == ("GB", "0100 200 300")

    # Sent while signed out: after logging in again, the choice comes back.
    page.get_by_label("Which country are you in?").select_option("US")
    Session.objects.all().delete()
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    log_in_here(page, cast.patient)
    expect(page).to_have_url(details_url)
    expect(page.get_by_label("Which country are you in?")).to_have_value("US")
    expect(page.get_by_role("status").filter(has_text=KEPT)).to_be_visible()
    enrollment.refresh_from_db()
    assert enrollment.country == "GB"
    # Left again without saving: the next visit shows the saved country.
    page.goto(f"{live_server.url}/diary/")
    page.goto(details_url)
    expect(page.get_by_label("Which country are you in?")).to_have_value("GB")
