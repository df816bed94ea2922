"""The patient's side of safety: their country at onboarding (and later), "Get help
now" by country, and their personal safety plan, which their care team can read
(audited)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from tests.edit_versions import with_version
from tests.factories import make_enrollment
from tracking.models import CrisisResource, PracticeSettings, SafetyPlan
from tracking.safety.resources import DEFAULTS, GENERIC, crisis_resources_for, suggested_country

HELP = reverse("get_help")


@pytest.fixture
def new_enrollment(cast, program_version):
    return make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )


ZONES_ASKED = {"America/New_York", "Australia/Sydney", "Asia/Tokyo", "Europe/London"}


# ---------------------------------------------------------------- onboarding, step 5
def test_onboarding_asks_for_the_country_after_the_settings(client, cast, new_enrollment):
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country="NZ")
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(
        reverse("onboarding_settings"),
        {"timezone": "Pacific/Auckland", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    assert response.url == reverse("onboarding_contact")
    page = client.get(response.url).content.decode()
    assert "Step 5 of 6" in page
    assert '<option value="NZ" selected>' in page  # their time zone's country, to confirm
    response = client.post(
        reverse("onboarding_contact"),
        with_version(
            client,
            reverse("onboarding_contact"),
            {
                "country": "AU",
                "contact_phone": "+61 400 000 000",
                "emergency_contact_name": "Kim",
                "emergency_contact_phone": "0400 111 222",
            },
        ),
    )
    assert response.url == reverse("onboarding_safety")
    new_enrollment.refresh_from_db()
    assert new_enrollment.country == "AU"
    assert new_enrollment.contact_phone == "+61 400 000 000"
    assert (new_enrollment.emergency_contact_name, new_enrollment.emergency_contact_phone) == (
        "Kim",
        "0400 111 222",
    )


def test_the_phone_numbers_are_optional(client, cast, new_enrollment):
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": "GB"}),
    )
    assert response.url == reverse("onboarding_safety")


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"country": ""}, "country", "Choose your country"),
        ({"country": "XX"}, "country", "Choose your country"),
        ({"country": "GB", "contact_phone": "call me maybe"}, "contact_phone", "phone number"),
        (
            {"country": "GB", "emergency_contact_phone": "0100 200"},
            "emergency_contact_name",
            "Add their name",
        ),
        (
            {"country": "GB", "emergency_contact_name": "Kim"},
            "emergency_contact_phone",
            "leave both empty",
        ),
        ({"country": "GB", "contact_phone": "1" * 40}, "contact_phone", "too long"),
    ],
)
def test_bad_details_are_explained_and_kept(client, cast, new_enrollment, data, field, message):
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"contact_phone": "", **data}),
    )
    assert response.status_code == 422
    assert message in " ".join(response.context["form"].errors[field])
    for value in data.values():
        if value and value != "XX":
            assert str(value) in response.content.decode()
    new_enrollment.refresh_from_db()
    assert new_enrollment.country == ""


def test_the_patient_can_change_their_details_later(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(HELP).content.decode()
    assert reverse("safety_details") in page
    response = client.post(
        reverse("safety_details"),
        with_version(
            client, reverse("safety_details"), {"country": "IE", "contact_phone": "087 000 0000"}
        ),
    )
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert (enrollment.country, enrollment.contact_phone) == ("IE", "087 000 0000")
    assert "116 123" in client.get(HELP).content.decode()


# ---------------------------------------------------------------- get help, by country
@pytest.mark.parametrize(
    "country, expected",
    [
        ("US", "988"),
        ("GB", "116 123"),
        ("IE", "50808"),
        ("CA", "9-8-8"),
        ("AU", "13 11 14"),
        ("NZ", "1737"),
    ],
)
def test_a_patient_sees_their_countrys_numbers(client, cast, enrollment, country, expected):
    enrollment.country = country
    enrollment.save(update_fields=["country"])
    client.force_login(cast.patient)
    body = client.get(HELP).content.decode()
    assert expected in body
    assert f"These numbers are for {DEFAULTS[country].name}" in body


def test_onboarding_offers_the_country_of_the_patients_time_zone(client, cast, new_enrollment):
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country="GB")
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    client.post(
        reverse("onboarding_settings"),
        {"timezone": "America/Mexico_City", "practice_time": "19:30", "checkin_weekday": "3"},
    )
    page = client.get(reverse("onboarding_contact")).content.decode()
    assert '<option value="MX" selected>' in page
    assert '<option value="GB" selected>' not in page


# Where the patient's time zone puts them → the country offered at onboarding ("" means
# none: they choose, never the practice's country unasked).
ZONE_COUNTRIES = [
    ("America/New_York", "US"),
    ("America/Los_Angeles", "US"),
    ("Pacific/Honolulu", "US"),
    ("US/Eastern", "US"),  # an old name (a link in the tz database)
    ("Europe/London", "GB"),
    ("Europe/Belfast", "GB"),
    ("Europe/Dublin", "IE"),
    ("America/Toronto", "CA"),
    ("America/Montreal", "CA"),
    ("Australia/Sydney", "AU"),
    ("Australia/Perth", "AU"),
    ("Pacific/Auckland", "NZ"),
    ("America/Mexico_City", "MX"),
    ("America/Tijuana", "MX"),
    ("Europe/Madrid", "ES"),
    ("Atlantic/Canary", "ES"),
    ("Asia/Tokyo", "ZZ"),  # a country we have no numbers for: "another country"
    ("Europe/Berlin", "ZZ"),
    ("UTC", ""),  # no country: ask
    ("Etc/GMT+5", ""),
    ("Mars/Base", ""),
    ("", ""),
]


@pytest.mark.parametrize(("zone", "country"), ZONE_COUNTRIES)
def test_the_country_suggested_for_a_time_zone(zone, country):
    assert suggested_country(zone) == country


def _onboard_to_contact(client, cast, zone):
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country="GB")
    client.force_login(cast.patient)
    client.post(reverse("onboarding_consent"), {"understand": "on", "consent": "on"})
    client.post(
        reverse("onboarding_settings"),
        {"timezone": zone, "practice_time": "19:30", "checkin_weekday": "3"},
    )
    return client.get(reverse("onboarding_contact")).content.decode()


@pytest.mark.parametrize(("zone", "country"), [z for z in ZONE_COUNTRIES if z[0] in ZONES_ASKED])
def test_onboarding_offers_the_zones_country_never_the_practices_unasked(
    client, cast, new_enrollment, zone, country
):
    page = _onboard_to_contact(client, cast, zone)
    assert f'<option value="{country}" selected>' in page
    if country != "GB":
        assert '<option value="GB" selected>' not in page


def test_with_no_zone_to_go_by_the_patient_must_choose(client, cast, new_enrollment):
    page = _onboard_to_contact(client, cast, "UTC")
    assert '<option value="" selected>Choose your country</option>' in page
    response = client.post(
        reverse("onboarding_contact"),
        with_version(client, reverse("onboarding_contact"), {"country": ""}),
    )
    assert response.status_code == 422
    assert "Choose your country, or “Another country”." in response.content.decode()
    new_enrollment.refresh_from_db()
    assert new_enrollment.country == ""


def test_no_country_yet_means_the_practices_default(client, cast, enrollment):
    PracticeSettings.objects.filter(practice=cast.practice).update(default_country="AU")
    client.force_login(cast.patient)
    assert "13 11 14" in client.get(HELP).content.decode()


def test_another_country_gets_the_local_emergency_number(client, cast, enrollment):
    enrollment.country = "ZZ"
    enrollment.save(update_fields=["country"])
    client.force_login(cast.patient)
    body = client.get(HELP).content.decode()
    assert "call your local emergency number" in body
    assert "988" not in body


def test_the_practices_own_text_wins_and_stays_in_its_practice(client, cast, enrollment):
    enrollment.country = "GB"
    enrollment.save(update_fields=["country"])
    CrisisResource.objects.create(
        practice=cast.practice, country="GB", body_md="Call **Riverside Crisis Team** on 0800 123"
    )
    CrisisResource.objects.create(
        practice=cast.other_practice, country="GB", body_md="Call Elsewhere Line on 0800 999"
    )
    client.force_login(cast.patient)
    body = client.get(HELP).content.decode()
    assert "<strong>Riverside Crisis Team</strong> on 0800 123" in body
    assert "Elsewhere Line" not in body


def test_the_lookup_falls_back_in_order(cast):
    p = cast.practice.pk
    assert crisis_resources_for(practice_id=p, country="CA") == DEFAULTS["CA"].body_md
    assert crisis_resources_for(practice_id=p, country="") == DEFAULTS["US"].body_md
    assert crisis_resources_for(practice_id=p, country="ZZ") == GENERIC
    assert crisis_resources_for(practice_id=None, country="") == GENERIC
    CrisisResource.objects.create(practice_id=p, country="ZZ", body_md="Our line: 0100")
    assert crisis_resources_for(practice_id=p, country="ZZ") == "Our line: 0100"


def test_someone_logged_out_sees_every_country(client, db):
    body = client.get(HELP).content.decode()
    for d in DEFAULTS.values():
        assert str(d.name) in body
    assert "Anywhere else" in body


# ---------------------------------------------------------------- the safety plan
PLAN = {
    "warning_signs": "I stop answering messages",
    "coping": "Walk the dog",
    "people_places": "",
    "people_to_call": "Sam 0100 200 300",
    "professionals": "Dr Kim",
}


def test_a_patient_writes_and_changes_their_plan(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(reverse("safety_plan")).content.decode()
    assert "Save my plan" in page  # no plan yet: the form
    assert reverse("safety_plan") in client.get(HELP).content.decode()
    response = client.post(reverse("safety_plan"), PLAN)
    assert response.status_code == 302
    plan = SafetyPlan.objects.get(enrollment=enrollment)
    assert plan.coping == "Walk the dog" and plan.people_places == ""
    page = client.get(reverse("safety_plan")).content.decode()
    assert "I stop answering messages" in page and "Change my plan" in page
    assert "Save my plan" in client.get(reverse("safety_plan") + "?edit=1").content.decode()
    client.post(
        reverse("safety_plan"),
        with_version(
            client, reverse("safety_plan"), {**PLAN, "coping": "Music"}, "/help/plan/?edit=1"
        ),
    )
    plan.refresh_from_db()
    assert plan.coping == "Music"


def test_an_overlong_part_is_explained_and_kept(client, cast, enrollment):
    client.force_login(cast.patient)
    response = client.post(reverse("safety_plan"), {**PLAN, "coping": "x" * 3001})
    assert response.status_code == 422
    assert "under 3,000 characters" in response.content.decode()
    assert "I stop answering messages" in response.content.decode()
    assert not SafetyPlan.objects.exists()


def test_the_patient_menu_links_to_the_plan(client, cast, enrollment):
    client.force_login(cast.patient)
    assert f'href="{reverse("safety_plan")}"' in client.get(reverse("today")).content.decode()


def test_their_clinician_reads_it_and_the_read_is_audited(client, cast, enrollment):
    client.force_login(cast.patient)
    client.post(reverse("safety_plan"), PLAN)
    enrollment.contact_phone = "0100 999"
    enrollment.save(update_fields=["contact_phone"])
    client.force_login(cast.clinician)
    url = reverse("patient_safety_plan", args=[enrollment.pk])
    assert url in client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    body = client.get(url).content.decode()
    assert "I stop answering messages" in body and "0100 999" in body
    event = AuditEvent.objects.get(action="patient.safety_plan_viewed")
    assert (event.actor, event.subject) == (cast.clinician, cast.patient)


@pytest.mark.parametrize(
    "who", ["other_clinician", "outsider_admin", "outsider_clinician", "patient"]
)
def test_anyone_else_gets_a_404(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    url = reverse("patient_safety_plan", args=[enrollment.pk])
    assert client.get(url).status_code == 404
    assert not AuditEvent.objects.filter(action="patient.safety_plan_viewed").exists()


def test_the_reminder_settings_page_links_to_the_details(client, cast, enrollment):
    client.force_login(cast.patient)
    body = client.get(reverse("reminder_settings")).content.decode()
    assert f'href="{reverse("safety_details")}"' in body
