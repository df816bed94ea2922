"""Nothing a patient wrote is lost without a word when they were logged out or their
page went out of date (painapp.accounts.security.SignedOutMiddleware and htmx_notice,
painapp.views.csrf_failure, painapp.drafts): an htmx request gets a short notice and
never the login page; the login page says why they are there; a plain form refused by
the CSRF check gets a plain page in their language; a saved form lets its draft go."""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from painapp.accounts.security import SESSION_SEEN_AT
from painapp.drafts import SAVED_COOKIE
from tests.test_diary import form_data
from tracking.diary.models import DiaryEntry
from tracking.messaging.models import Message

WORDS = "The walk felt easier today, and I noticed the fear first."
LOGGED_OUT = "You were logged out, so this wasn't sent. Your words are still here."
OUT_OF_DATE = "This page was out of date, so this wasn't sent. Your words are still here."
LOGIN_NOTICE = "You were logged out to keep your information private."


def ended_session(cast) -> Client:
    """A browser that was logged in as the patient, whose session has since ended (the
    session row is gone; the browser still sends its cookie and its CSRF token)."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.patient)
    client.get(reverse("messages"))  # a page, as the patient had open: the CSRF cookie
    client.session.delete()
    return client


def htmx(page: str) -> dict:
    return {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": f"http://testserver{page}"}


def token(client: Client) -> str:
    return client.cookies[settings.CSRF_COOKIE_NAME].value


def assert_notice(response, status: int, words: str) -> str:
    body = response.content.decode()
    assert response.status_code == status
    assert response["HX-Reswap"] == "none"
    assert "Location" not in response
    assert 'role="alert"' in body and words in body
    # A notice, never a page: no login form, no document to swap into the conversation.
    assert "<form" not in body and "<html" not in body and "Welcome back" not in body
    return body


def test_a_message_sent_after_the_session_ended_gets_the_notice_not_the_login_page(
    cast, enrollment
):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": token(client)},
        **htmx("/messages/"),
    )
    body = assert_notice(response, 401, LOGGED_OUT)
    link = urlsplit(body.split('href="')[1].split('"')[0].replace("&amp;", "&"))
    assert link.path == reverse("account_login")
    assert parse_qs(link.query) == {"next": ["/messages/"]}
    assert 'target="_blank"' in body
    assert not Message.objects.exists()


@pytest.mark.parametrize(
    "name, args",
    [("activity_complete", ["understanding-pain"]), ("fear_move", [1]), ("diary_new", [])],
)
def test_every_htmx_form_gets_the_notice_when_logged_out(cast, enrollment, name, args):
    client = ended_session(cast)
    response = client.post(
        reverse(name, args=args), {"csrfmiddlewaretoken": token(client)}, **htmx("/home/")
    )
    assert_notice(response, 401, LOGGED_OUT)


def test_the_notice_links_back_only_to_a_page_of_this_site(cast, enrollment):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": token(client)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL="https://evil.example//evil.example/x",
    )
    body = assert_notice(response, 401, LOGGED_OUT)
    assert "evil" not in body


@pytest.mark.parametrize(
    "current",
    [
        "//evil.example",
        "/\\evil.example",
        "http://testserver/\\evil.example/x",
        "http://testserver//evil.example/x",
        "https://evil.example",
        "javascript:alert(1)",
    ],
)
def test_the_notice_never_links_off_this_site(cast, enrollment, current):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": token(client)},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=current,
    )
    body = assert_notice(response, 401, LOGGED_OUT)
    assert "evil" not in body


def test_the_notice_links_back_to_the_page_it_came_from(cast, enrollment):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": token(client)},
        **htmx("/messages/"),
    )
    body = assert_notice(response, 401, LOGGED_OUT)
    assert "next=%2Fmessages%2F" in body


def test_an_out_of_date_token_gets_the_notice_and_nothing_is_sent(cast, enrollment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.patient)
    client.get(reverse("messages"))
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": "x" * 64},
        HTTP_X_CSRFTOKEN="x" * 64,
        **htmx("/messages/"),
    )
    assert_notice(response, 403, OUT_OF_DATE)
    assert not Message.objects.exists()


def test_an_out_of_date_token_when_logged_out_says_logged_out(cast, enrollment):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"), {"body": WORDS, "csrfmiddlewaretoken": "x" * 64}, **htmx("/")
    )
    assert_notice(response, 403, LOGGED_OUT)


def test_the_notice_is_in_spanish_for_a_spanish_speaker(cast, enrollment):
    client = ended_session(cast)
    response = client.post(
        reverse("messages"),
        {"body": WORDS, "csrfmiddlewaretoken": token(client)},
        HTTP_ACCEPT_LANGUAGE="es",
        **htmx("/messages/"),
    )
    assert_notice(response, 401, "Se cerró su sesión, así que esto no se envió.")


def test_a_plain_form_sent_after_the_session_ended_leads_to_login_that_says_why(cast, enrollment):
    client = ended_session(cast)
    response = client.post(
        reverse("diary_new"), {**form_data(), "csrfmiddlewaretoken": token(client)}
    )
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert location.path == reverse("account_login")
    assert parse_qs(location.query) == {"next": ["/diary/new/"], "signed_out": ["1"]}
    assert SAVED_COOKIE not in response.cookies
    assert not DiaryEntry.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert LOGIN_NOTICE in page
    assert 'role="status"' in page.split(LOGIN_NOTICE)[0].rsplit("<p", 1)[1]
    spanish = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "Se cerró su sesión para proteger su información." in spanish


def test_the_login_page_says_nothing_to_someone_who_was_not_logged_in(client, enrollment):
    response = client.get(reverse("diary_new"))  # no session cookie: never logged in here
    assert "signed_out" not in response["Location"]
    assert LOGIN_NOTICE not in client.get(response["Location"]).content.decode()
    assert LOGIN_NOTICE not in client.get(reverse("account_login")).content.decode()


def test_a_plain_form_refused_by_the_csrf_check_gets_a_plain_page(cast, enrollment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.patient)
    response = client.post(reverse("diary_new"), form_data())
    body = response.content.decode()
    assert response.status_code == 403
    assert "Please try that again" in body and "What you wrote may still be there" in body
    assert "CSRF" not in body and "Forbidden" not in body
    cast.patient.language = "es"
    cast.patient.save()
    body = client.post(reverse("diary_new"), form_data()).content.decode()
    assert "Inténtelo otra vez, por favor" in body
    assert "Puede que lo que escribió siga ahí" in body


def test_a_saved_plain_form_lets_its_draft_go_and_a_refused_one_keeps_it(client, cast, enrollment):
    cast.patient.timezone = "Europe/London"
    cast.patient.save()
    client.force_login(cast.patient)
    refused = client.post(reverse("diary_new"), form_data(day="yesterday", draft_form="diary-new"))
    assert refused.status_code == 422 and SAVED_COOKIE not in refused.cookies
    saved = client.post(reverse("diary_new"), form_data(draft_form="diary-new"))
    assert saved.status_code == 302
    assert saved.cookies[SAVED_COOKIE].value == "diary-new"
    assert not saved.cookies[SAVED_COOKIE]["httponly"]
    odd = client.post(reverse("diary_new"), form_data(draft_form="<b>x</b>"))
    assert odd.status_code == 302 and SAVED_COOKIE not in odd.cookies


def test_pages_with_long_answers_keep_drafts(cast, enrollment, client):
    client.force_login(cast.patient)
    for page in (reverse("messages"), reverse("diary_new")):
        html = client.get(page).content.decode()
        assert "data-draft=" in html and "data-draft-owner=" in html
    assert "data-drafts-clear" in client.get(reverse("home"), follow=True).content.decode()


def test_staff_timed_out_on_an_htmx_form_get_the_notice(cast, enrollment):
    client = Client()
    client.force_login(cast.clinician)
    session = client.session
    session[SESSION_SEEN_AT] = int(time.time()) - settings.STAFF_IDLE_TIMEOUT_SECONDS - 60
    session.save()
    response = client.post(
        reverse("patient_messages", args=[enrollment.pk]),
        {"body": WORDS},
        **htmx(f"/patients/{enrollment.pk}/messages/"),
    )
    assert_notice(response, 401, LOGGED_OUT)
    assert not Message.objects.exists()
