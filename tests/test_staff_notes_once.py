"""Staff notes are kept as written, so a second copy could never be removed: the same
form sent again (Back with the page kept, a double tap, a retry) stores one note, and
says so plainly (painapp.submit_once). A fresh form is a new note."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from tracking.models import ClinicianNote
from tracking.session_notes.models import SessionNote


def token_in(html: str) -> str:
    tokens = re.findall(r'name="client_token" value="([0-9a-f-]{36})"', html)
    assert len(tokens) == 1, tokens
    return tokens[0]


def session(token: str) -> dict:
    return {
        "client_token": token,
        "session_date": (timezone.localdate() - timedelta(days=1)).isoformat(),
        "minutes": "50",
        "mode": "video",
        "components": ["education"],
        "risk_identified": "no",
        "notes": "Engaged.",
    }


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def test_a_session_note_sent_twice_is_saved_once_and_says_so(clin, enrollment):
    url = reverse("session_note_add", args=[enrollment.pk])
    form_page = clin.get(url).content.decode()
    assert 'autocomplete="off"' in form_page  # Back does not fill the fetched form again
    sent = session(token_in(form_page))
    first = clin.post(url, sent)
    assert first.status_code == 302
    note = SessionNote.objects.get()
    assert first["Location"].endswith(f"#session-note-{note.pk}")
    again = clin.post(url, sent, follow=True)
    assert SessionNote.objects.count() == 1
    assert again.redirect_chain[-1][0] == first["Location"]
    page = again.content.decode()
    assert "This note was already saved." in page
    assert f'id="session-note-{note.pk}"' in page
    assert AuditEvent.objects.filter(action="session_note.created").count() == 1
    # A fresh form is a new session, even with the same words.
    assert clin.post(url, session(token_in(clin.get(url).content.decode()))).status_code == 302
    assert SessionNote.objects.count() == 2


def test_a_private_note_sent_twice_is_saved_once(clin, enrollment):
    page = clin.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    sent = {"body": "Called today.", "client_token": token_in(page)}
    url = reverse("patient_note_add", args=[enrollment.pk])
    assert clin.post(url, sent).status_code == 302
    assert clin.post(url, sent).status_code == 302
    assert ClinicianNote.objects.count() == 1
    assert AuditEvent.objects.filter(action="note.created").count() == 1
