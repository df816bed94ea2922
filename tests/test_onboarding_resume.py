"""A patient who leaves onboarding part way and comes back picks up at the first step
not done yet (Enrollment.onboarding_step), never at a step already done."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.edit_versions import with_version
from tests.factories import make_enrollment


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


def _consent(client):
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})


def _settings(client):
    response = client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    assert response.url == reverse("onboarding_contact")


def _contact(client):
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "US"}),
    )
    assert response.url == reverse("onboarding_safety")


# The steps done before leaving → where the patient is sent on coming back.
RESUME = [
    ((), "onboarding"),
    ((_consent,), "onboarding_settings"),
    # Left on step 5 (where you are) after saving the settings: step 5, not step 4.
    ((_consent, _settings), "onboarding_contact"),
    ((_consent, _settings, _contact), "onboarding_safety"),
]


@pytest.mark.parametrize(("done", "resume_at"), RESUME)
def test_coming_back_resumes_at_the_first_step_not_done(
    client, cast, new_enrollment, done, resume_at
):
    client.force_login(cast.patient)
    for step in done:
        step(client)
    # They leave, and come back later to the app's home page.
    client.logout()
    client.force_login(cast.patient)
    response = client.get(reverse("today"))
    assert (response.status_code, response.url) == (302, reverse(resume_at))
    assert client.get(response.url).status_code == 200


def test_changing_the_settings_again_keeps_when_they_were_first_saved(client, cast, new_enrollment):
    client.force_login(cast.patient)
    _consent(client)
    _settings(client)
    new_enrollment.refresh_from_db()
    first = new_enrollment.settings_saved_at
    assert first is not None
    _settings(client)
    new_enrollment.refresh_from_db()
    assert new_enrollment.settings_saved_at == first
