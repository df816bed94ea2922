""" "We could not reach them" sent twice from the same resolve form (a double click, or
Back and Save again with the page kept) is one contact attempt, audited once, and says
so plainly (painapp.submit_once). A fresh form is a new attempt."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import time_machine
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.test_alert_not_reached import T0, WALK_THROUGH, raise_self_harm
from tracking.alerts.services import ContactAttempt, alert_contact_attempt
from tracking.models import AlertContactAttempt


def token_in(html: str) -> str:
    tokens = re.findall(r'name="client_token" value="([0-9a-f-]{36})"', html)
    assert len(tokens) == 1, tokens
    return tokens[0]


def test_the_same_attempt_sent_twice_is_recorded_once(cast, client, enrollment):
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    url = reverse("alert_resolve", args=[alert.pk])
    with time_machine.travel(T0 + timedelta(minutes=25), tick=False):
        client.force_login(cast.clinician)
        form_page = client.get(url).content.decode()
        assert 'autocomplete="off"' in form_page  # Back does not fill the fetched form again
        sent = {**WALK_THROUGH, "client_token": token_in(form_page)}
        first = client.post(url, sent, follow=True).content.decode()
        again = client.post(url, sent, follow=True).content.decode()
        assert AlertContactAttempt.objects.filter(alert=alert).count() == 1
        assert AuditEvent.objects.filter(action="alert.contact_attempted").count() == 1
        assert "Your attempt to reach the patient is recorded." in first
        assert "This attempt was already recorded." in again
        assert "1 attempt to reach them" in again
        # A fresh form is a new try, even with the same words.
        fresh = {**WALK_THROUGH, "client_token": token_in(client.get(url).content.decode())}
        client.post(url, fresh)
    assert AlertContactAttempt.objects.filter(alert=alert).count() == 2


def test_the_service_records_a_repeated_token_once(cast, enrollment):
    """Two sends racing past the view's check: the alert's lock and the unique token
    still keep one attempt."""
    with time_machine.travel(T0, tick=False):
        alert = raise_self_harm(enrollment)
    attempt = ContactAttempt(
        attempted_at=T0, method="phone", note="No answer", client_token=uuid.uuid4()
    )
    with time_machine.travel(T0 + timedelta(minutes=5), tick=False):
        assert alert_contact_attempt(alert=alert, by=cast.clinician, attempt=attempt)
        assert alert_contact_attempt(alert=alert, by=cast.clinician, attempt=attempt)
    assert AlertContactAttempt.objects.filter(alert=alert).count() == 1
    assert AuditEvent.objects.filter(action="alert.contact_attempted").count() == 1
