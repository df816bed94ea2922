"""A patient still onboarding (not on a safety hold): their menu holds only what works
before onboarding is done, as a held patient's does (Enrollment.gate): the onboarding
steps, Account and Log out, with Get help now in the header; once they have agreed how
their information is used (consent), Messages when the practice has messaging and the
safety plan too. No link leads back to onboarding."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.services import onboarding_consent
from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tests.test_safety_hold_menu import header_links, menu_links
from tracking.messaging.models import Message
from tracking.models import PracticeSettings, SafetyPlan

ONBOARDING_MENU = ("onboarding", "messages", "safety_plan", "account_change_password")
BEFORE_CONSENT_MENU = ("onboarding", "account_change_password")
STEPS = ("onboarding", "onboarding_about", "onboarding_consent")


@pytest.fixture
def onboarding(cast, program_version, client):
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    client.force_login(cast.patient)
    return enrollment


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_onboarding_menu_lists_only_what_works_and_nothing_bounces_back(
    cast, onboarding, client, language
):
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    html = client.get(reverse("onboarding")).content.decode()
    assert menu_links(html) == {reverse(name) for name in BEFORE_CONSENT_MENU}
    assert header_links(html) == {reverse("get_help")}
    onboarding_consent(enrollment=onboarding)
    html = client.get(reverse("onboarding_settings")).content.decode()
    assert menu_links(html) == {reverse(n) for n in ("onboarding_settings", *ONBOARDING_MENU[1:])}
    assert f'action="{reverse("account_logout")}"' in html
    if language == "es":
        for label in ("Primeros pasos", "Mensajes", "Plan de seguridad"):
            assert label in html
        assert "Getting started" not in html
    else:
        for label in ("Getting started", "Messages", "Safety plan"):
            assert label in html
    assert 'aria-current="page">' in html  # "Getting started" is where they are
    for url in (*menu_links(html), *header_links(html)):
        response = client.get(url)
        assert response.status_code == 200, url  # not a redirect back to onboarding
        # The same short menu on every page they reach.
        assert menu_links(response.content.decode()) == menu_links(html), url


def test_every_onboarding_step_shows_the_short_menu(onboarding, client):
    onboarding_consent(enrollment=onboarding)
    # After consent, "Getting started" leads to the next step (the settings).
    menu = {reverse(n) for n in ("onboarding_settings", *ONBOARDING_MENU[1:])}
    for name in (*STEPS, "onboarding_settings", "onboarding_contact"):
        html = client.get(reverse(name)).content.decode()
        assert menu_links(html) == menu, name


def test_getting_started_leads_to_the_step_the_patient_reached(onboarding, client):
    # Step 3 done (consent): the link and the program pages lead to step 4, not back
    # to the welcome; so from the safety plan, say, they pick up where they were.
    onboarding_consent(enrollment=onboarding)
    for step, number in (("onboarding_settings", 4), ("onboarding_safety", 6)):
        links = menu_links(client.get(reverse("safety_plan")).content.decode())
        assert reverse(step) in links and reverse("onboarding") not in links
        assert client.get(reverse("today")).url == reverse(step)
        assert f"Step {number} " in client.get(reverse(step)).content.decode()
        # Steps 4 and 5 done (settings, then their country saved): on to the safety check.
        client.post(
            reverse("onboarding_settings"),
            {"timezone": "America/Chicago", "practice_time": "19:30", "checkin_weekday": "3"},
        )
        client.post(
            reverse("onboarding_contact"),
            with_version(client, reverse("onboarding_contact"), {"country": "US"}),
        )


def test_with_messaging_off_there_is_no_messages_link(cast, onboarding, client):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.messaging_enabled = False
    settings.save()
    onboarding_consent(enrollment=onboarding)
    html = client.get(reverse("onboarding_settings")).content.decode()
    assert menu_links(html) == {
        reverse(n) for n in ("onboarding_settings", "safety_plan", "account_change_password")
    }


def test_nothing_the_patient_writes_is_kept_before_they_consent(onboarding, client):
    response = client.post(reverse("messages"), {"body": "Is the first week hard?"})
    assert (response.status_code, response.url) == (302, reverse("onboarding"))
    response = client.post(reverse("safety_plan"), {"coping": "Slow breathing."})
    assert (response.status_code, response.url) == (302, reverse("onboarding"))
    assert not Message.objects.exists() and not SafetyPlan.objects.exists()


def test_the_patient_can_message_their_care_team_once_they_consent(onboarding, client):
    onboarding_consent(enrollment=onboarding)
    response = client.post(reverse("messages"), {"body": "Is the first week hard?"})
    assert response.status_code == 302
    assert Message.objects.get(thread__enrollment=onboarding).body == "Is the first week hard?"


def test_the_safety_details_page_is_the_onboarding_contact_step_until_onboarding_ends(
    onboarding, client
):
    # Its country would otherwise pass the settings step (Enrollment.onboarding_step).
    onboarding_consent(enrollment=onboarding)
    response = client.post(
        reverse("safety_details"),
        with_version(client, reverse("safety_details"), {"country": "US"}),
    )
    assert (response.status_code, response.url) == (302, reverse("onboarding_contact"))
    onboarding.refresh_from_db()
    assert onboarding.country == "" and onboarding.gate == "onboarding_settings"


def test_program_pages_still_lead_to_onboarding(onboarding, client):
    for name in ("today", "program_overview", "checkin_current", "progress", "diary_list"):
        response = client.get(reverse(name))
        assert (response.status_code, response.url) == (302, reverse("onboarding")), name


def test_once_onboarded_the_whole_menu_is_back(cast, onboarding, client):
    from django.utils import timezone

    from programs.models import Screening

    onboarding.consented_at = onboarding.onboarded_at = timezone.now()
    onboarding.screening = Screening.CLEAR
    onboarding.save()
    links = menu_links(client.get(reverse("today")).content.decode())
    assert {reverse("today"), reverse("progress"), reverse("my_log")} <= links
    assert reverse("onboarding") not in links
