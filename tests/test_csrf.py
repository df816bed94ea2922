"""Every state-changing URL refuses a POST without a CSRF token, for a user who is
otherwise allowed to use it — and nothing changes."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.row_counts import row_counts
from tests.test_access_matrix import (
    EXPECTED,
    OK,
    all_url_names,
    kwargs_for,
    world,  # noqa: F401  (fixture)
)

# Authenticated by a signed token in the link, for mail clients' one-click unsubscribe
# (RFC 8058), which cannot carry a CSRF token.
EXEMPT = {"unsubscribe"}


def test_every_post_without_a_token_is_refused(cast, world):  # noqa: F811
    users = {
        "patient": cast.patient,
        "clinician": cast.clinician,
        "admin": cast.admin,
        "other_patient": cast.other_patient,
        "other_clinician": cast.other_clinician,
        "outsider_admin": cast.outsider_admin,
    }
    before = row_counts("accounts", "programs", "tracking")
    accepted = []
    for name, route in sorted(all_url_names().items()):
        if name in EXEMPT:
            continue
        allowed = [v for v, result in EXPECTED[name].items() if result == OK and v in users]
        client = Client(enforce_csrf_checks=True)
        if allowed:
            client.force_login(users[allowed[0]])
        response = client.post(
            reverse(name, kwargs=kwargs_for(name, route, world)), {"text": "x", "confirm": "on"}
        )
        if response.status_code != 403:
            accepted.append(f"{name}: {response.status_code}")
    assert not accepted, accepted
    after = row_counts("accounts", "programs", "tracking")
    # Only the audit trail may grow (the logins above); nothing else changed.
    assert {k: v for k, v in after.items() if k != "accounts.AuditEvent"} == {
        k: v for k, v in before.items() if k != "accounts.AuditEvent"
    }


def test_the_refusal_is_a_plain_page(cast, client):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.patient)
    response = client.post(reverse("reminder_settings"), {})
    assert response.status_code == 403
    assert "Please try that again" in response.content.decode()
    assert "CSRF" not in response.content.decode()
