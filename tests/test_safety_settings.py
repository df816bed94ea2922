"""The practice safety settings screen: who may open it, what it saves, what it
refuses (plainly, keeping what was typed), and the audit trail's before and after."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from painapp.accounts.models import AuditEvent
from painapp.edit_version import version_of
from tests.edit_versions import with_version
from tracking import rules
from tracking.models import CrisisResource, EscalationStep, PracticeSettings
from tracking.safety.resources import DEFAULTS
from tracking.safety.scanner import holds_crisis_words
from tracking.safety.services import SETTINGS_VERSION

URL = reverse("admin_safety_settings")


def settings_post(cast, **overrides) -> dict:
    data = {
        "section": "settings",
        "safety_contact": cast.admin.pk,
        "response_minutes_urgent": 60,
        "response_minutes_high": 480,
        "response_minutes_routine": 1440,
        "working_hours_start": "09:00",
        "working_hours_end": "17:00",
        "working_days": [0, 1, 2, 3, 4],
        "timezone": "Europe/London",
        "default_country": "US",
        "age_min": 18,
        "age_max": 120,
        # What the page shows: no words of the practice's own (the built-ins are always
        # checked; the practice's list only adds).
        "crisis_words": "",
        "pain_rise_points": 2,
        "pain_rise_checkins": 2,
        "fear_high_threshold": 8,
        "missed_in_a_row": 2,
        "escalation_minutes": 120,
        "checkin_window_days": 3,
        "responder_baseline_floor": 4,
        "min_practice_seconds": 120,
        "messaging_enabled": "on",
    }
    # What the page's form sends: the version of the settings as they are now
    # (painapp.edit_version; a post without it is refused as a conflict).
    data["edited_from"] = version_of(
        PracticeSettings.for_practice(cast.practice.pk), SETTINGS_VERSION
    )
    data.update(overrides)
    return data


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


@pytest.mark.parametrize("who", ["patient", "clinician", "other_clinician", "outsider_clinician"])
def test_it_is_404_for_anyone_but_an_admin(client, cast, who):
    client.force_login(getattr(cast, who))
    assert client.get(URL).status_code == 404
    assert client.post(URL, settings_post(cast)).status_code == 404


def test_it_shows_the_page_and_seeds_every_country(admin_client, cast):
    response = admin_client.get(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Escalation chain" in body and "Crisis resources by country" in body
    assert set(
        CrisisResource.objects.filter(practice=cast.practice).values_list("country", flat=True)
    ) == set(DEFAULTS)


def test_it_saves_settings_and_audits_before_and_after(admin_client, cast):
    response = admin_client.post(
        URL,
        settings_post(
            cast,
            safety_contact=cast.clinician.pk,
            response_minutes_urgent=30,
            working_days=[0, 1, 2],
            timezone="America/New_York",
            default_country="GB",
            crisis_words="End it all\n  want to die \n\nend IT all",
        ),
    )
    assert response.status_code == 302
    s = PracticeSettings.objects.get(practice=cast.practice)
    assert s.safety_contact == cast.clinician
    assert s.response_minutes_urgent == 30
    assert s.working_days == [0, 1, 2]
    assert s.default_country == "GB"
    assert s.crisis_words == ["End it all", "want to die"]
    cast.practice.refresh_from_db()
    assert cast.practice.timezone == "America/New_York"
    event = AuditEvent.objects.get(action="practice_safety.changed")
    assert event.actor == cast.admin and event.practice == cast.practice
    assert event.changes == {
        "safety_contact": [cast.admin.pk, cast.clinician.pk],
        "response_minutes_urgent": [60, 30],
        "working_days": [[0, 1, 2, 3, 4], [0, 1, 2]],
        "default_country": ["US", "GB"],
        "crisis_words": [[], ["End it all", "want to die"]],
        "timezone": ["Europe/London", "America/New_York"],
    }


def test_it_audits_nothing_when_nothing_changed(admin_client, cast):
    admin_client.post(URL, settings_post(cast))
    assert not AuditEvent.objects.filter(action="practice_safety.changed").exists()


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"response_minutes_urgent": "soon"}, "response_minutes_urgent", "Enter a whole number"),
        ({"response_minutes_urgent": "0"}, "response_minutes_urgent", "from 5 to"),
        ({"working_hours_end": "08:00"}, "working_hours_end", "must be after its start"),
        ({"working_hours_start": "9am-ish"}, "working_hours_start", "Enter a time like"),
        ({"age_min": 60, "age_max": 30}, "age_max", "at least the youngest"),
        ({"timezone": "Mars/Base"}, "timezone", "Pick a time zone"),
        ({"default_country": "XX"}, "default_country", "Choose a country"),
        ({"safety_contact": "999999"}, "safety_contact", "member of staff"),
        ({"crisis_words": "x" * 101}, "crisis_words", "under 100 characters"),
        ({"crisis_words": "a\ne\nthe"}, "crisis_words", "too short or too common"),
        ({"working_days": ["9"]}, "working_days", "days of the week"),
    ],
)
def test_it_refuses_bad_input_plainly_and_keeps_what_was_typed(
    admin_client, cast, overrides, field, message
):
    data = settings_post(cast, response_minutes_high="777", **overrides)
    response = admin_client.post(URL, data)
    assert response.status_code == 422
    form = response.context["settings_form"]
    assert message in " ".join(form.errors[field])
    assert 'value="777"' in response.content.decode()  # what was typed elsewhere stays
    assert PracticeSettings.objects.get(practice=cast.practice).response_minutes_high == 480
    assert not AuditEvent.objects.filter(action="practice_safety.changed").exists()


def test_a_staff_member_of_another_practice_cannot_be_the_contact(admin_client, cast):
    response = admin_client.post(URL, settings_post(cast, safety_contact=cast.outsider_admin.pk))
    assert response.status_code == 422
    assert PracticeSettings.objects.get(practice=cast.practice).safety_contact == cast.admin


def test_it_adds_reorders_and_removes_chain_steps_with_audit(admin_client, cast):
    # The cast's chain: clinician, admins.
    response = admin_client.post(
        URL, {"section": "step_add", "target": "staff", "user": cast.other_clinician.pk}
    )
    assert response.status_code == 302
    chain = list(
        EscalationStep.objects.filter(practice=cast.practice).values_list("target", "position")
    )
    assert chain == [("clinician", 1), ("admins", 2), ("staff", 3)]
    staff = EscalationStep.objects.get(practice=cast.practice, target="staff")
    admin_client.post(URL, {"section": "step_up", "step": staff.pk})
    assert list(
        EscalationStep.objects.filter(practice=cast.practice).values_list("target", flat=True)
    ) == ["clinician", "staff", "admins"]
    admins = EscalationStep.objects.get(practice=cast.practice, target="admins")
    admin_client.post(URL, {"section": "step_remove", "step": admins.pk})
    assert list(
        EscalationStep.objects.filter(practice=cast.practice).values_list("target", "position")
    ) == [("clinician", 1), ("staff", 2)]
    events = list(AuditEvent.objects.filter(action="practice_safety.chain_changed").order_by("pk"))
    s = f"staff:{cast.other_clinician.pk}"
    assert [e.changes["escalation_chain"] for e in events] == [
        [["clinician", "admins"], ["clinician", "admins", s]],
        [["clinician", "admins", s], ["clinician", s, "admins"]],
        [["clinician", s, "admins"], ["clinician", s]],
    ]


def test_a_named_step_needs_a_person_of_this_practice(admin_client, cast):
    response = admin_client.post(URL, {"section": "step_add", "target": "staff"})
    assert response.status_code == 422
    assert "Choose the member of staff" in response.content.decode()
    response = admin_client.post(
        URL, {"section": "step_add", "target": "staff", "user": cast.outsider_clinician.pk}
    )
    assert response.status_code == 422
    assert EscalationStep.objects.filter(practice=cast.practice).count() == 2


def test_another_practices_step_is_404(admin_client, cast):
    theirs = EscalationStep.objects.filter(practice=cast.other_practice).first()
    for section in ("step_remove", "step_up", "step_down"):
        response = admin_client.post(URL, {"section": section, "step": theirs.pk})
        assert response.status_code == 404
    assert response.status_code == 404
    assert EscalationStep.objects.filter(practice=cast.other_practice).count() == 2
    response = admin_client.post(URL, {"section": "step_remove", "step": "nonsense"})
    assert response.status_code == 404


def test_it_saves_crisis_resources_per_country_with_audit(admin_client, cast):
    admin_client.get(URL)  # seeds the defaults
    data = {"section": "resources"}
    for code, d in DEFAULTS.items():
        data[f"country_{code}"] = d.body_md
    data["country_GB"] = "Call **999**, or our duty line 0100 000 000."
    data["country_ZZ"] = ""
    response = admin_client.post(URL, with_version(admin_client, URL, data))
    assert response.status_code == 302
    assert CrisisResource.objects.get(practice=cast.practice, country="GB").body_md.startswith(
        "Call **999**"
    )
    event = AuditEvent.objects.get(action="practice_safety.resources_changed")
    assert event.object_id == "GB"
    assert event.changes["crisis_resources_GB"] == [
        DEFAULTS["GB"].body_md,
        "Call **999**, or our duty line 0100 000 000.",
    ]


def test_it_refuses_an_overlong_resource_text(admin_client, cast):
    response = admin_client.post(URL, {"section": "resources", "country_US": "x" * 4001})
    assert response.status_code == 422
    assert "under 4,000 characters" in response.content.decode()


def test_every_default_names_its_sources():
    for code, d in DEFAULTS.items():
        assert d.source.strip(), code
        assert all(url.startswith(("http://", "https://")) for url in d.source.split()), code


def test_the_audit_trail_shows_what_changed(admin_client, cast):
    admin_client.post(URL, settings_post(cast, age_min=21))
    page = admin_client.get(reverse("admin_audit")).content.decode()
    assert "Changed the practice&#x27;s safety settings" in page
    assert "<code>age_min</code>: 18 → 21" in page
    csv_text = admin_client.get(reverse("admin_audit_csv")).content.decode("utf-8-sig")
    assert '{""age_min"": [18, 21]}' in csv_text


def test_the_overview_links_the_safety_settings(admin_client):
    page = admin_client.get(reverse("practice_overview")).content.decode()
    assert f'href="{URL}"' in page


# ---------------------------------------------------------------- the safety loop stays closed
def _es(user):
    user.language = "es"
    user.save(update_fields=["language"])


def test_the_contact_stays_while_patients_are_in_the_program(admin_client, cast, enrollment):
    response = admin_client.post(URL, settings_post(cast, safety_contact="", age_min=21))
    assert response.status_code == 422
    page = response.content.decode()
    assert "Keep a safety contact: Riverside has patients in the program" in page
    assert 'value="21"' in page  # what was typed elsewhere on the form is kept
    s = PracticeSettings.objects.get(practice=cast.practice)
    assert s.safety_contact == cast.admin and s.age_min == 18
    assert not AuditEvent.objects.filter(action="practice_safety.changed").exists()
    # Another person is fine.
    response = admin_client.post(URL, settings_post(cast, safety_contact=cast.clinician.pk))
    assert response.status_code == 302
    assert PracticeSettings.objects.get(practice=cast.practice).safety_contact == cast.clinician


def test_the_contact_refusal_reads_in_spanish(admin_client, cast, enrollment):
    _es(cast.admin)
    page = admin_client.post(URL, settings_post(cast, safety_contact="")).content.decode()
    assert "Mantenga un contacto de seguridad: Riverside tiene pacientes en el programa" in page


def test_without_patients_the_contact_may_be_nobody(admin_client, cast):
    response = admin_client.post(URL, settings_post(cast, safety_contact=""))
    assert response.status_code == 302
    assert PracticeSettings.objects.get(practice=cast.practice).safety_contact is None


def test_the_service_refuses_to_remove_the_contact_too(rf, cast, enrollment):
    from django.core.exceptions import ValidationError

    from tracking.safety import services

    request = rf.post(URL)
    request.user = cast.admin
    with pytest.raises(ValidationError) as refused:
        services.practice_safety_settings_update(
            request=request, practice=cast.practice, data={"safety_contact": None}
        )
    assert "safety_contact" in refused.value.message_dict
    assert PracticeSettings.objects.get(practice=cast.practice).safety_contact == cast.admin


def test_an_empty_chain_is_a_warning_saying_what_happens_to_an_alert(admin_client, cast):
    for step in EscalationStep.objects.filter(practice=cast.practice).order_by("position"):
        response = admin_client.post(URL, {"section": "step_remove", "step": step.pk})
    follow = admin_client.get(response.url).content.decode()
    assert "The escalation chain is now empty" in follow
    assert 'id="chain-empty"' in follow
    assert "nobody else is told on the way: it goes straight to the safety contact" in follow
    assert cast.admin.display_name in follow
    overview = admin_client.get(reverse("practice_overview")).content.decode()
    assert "The escalation chain is empty." in overview
    assert "set an escalation chain for Riverside" in overview  # the enrollment gate too
    assert f'href="{URL}"' in overview


def test_an_empty_chain_without_a_contact_names_the_admins(admin_client, cast):
    EscalationStep.objects.filter(practice=cast.practice).delete()
    PracticeSettings.objects.filter(practice=cast.practice).update(safety_contact=None)
    _es(cast.admin)
    overview = admin_client.get(reverse("practice_overview")).content.decode()
    assert "pasa directamente a todos los administradores del consultorio" in overview


def test_a_ready_practice_has_no_safety_warning_on_the_overview(admin_client):
    overview = admin_client.get(reverse("practice_overview")).content.decode()
    assert "overview-warning" not in overview
    assert 'id="chain-empty"' not in admin_client.get(URL).content.decode()


def test_the_same_person_cannot_be_on_the_chain_twice(admin_client, cast):
    add = {"section": "step_add", "target": "staff", "user": cast.other_clinician.pk}
    assert admin_client.post(URL, add).status_code == 302
    response = admin_client.post(URL, add)
    assert response.status_code == 422
    page = response.content.decode()
    name = cast.other_clinician.display_name
    assert f"{name} is already step 3 of the escalation chain" in page
    assert f'<option value="{cast.other_clinician.pk}" selected>' in page  # kept
    assert EscalationStep.objects.filter(practice=cast.practice).count() == 3
    # and the cast's "every admin" step
    response = admin_client.post(URL, {"section": "step_add", "target": "admins"})
    assert response.status_code == 422
    assert "“Every practice admin” is already step 2" in response.content.decode()
    _es(cast.admin)
    page = admin_client.post(URL, add).content.decode()
    assert f"{name} ya es el paso 3 de la cadena de escalamiento" in page


def test_the_service_refuses_a_second_copy_of_a_step(rf, cast):
    from django.core.exceptions import ValidationError

    from tracking.safety import services

    request = rf.post(URL)
    request.user = cast.admin
    services.escalation_step_add(
        request=request, practice=cast.practice, target="staff", user=cast.clinician
    )
    with pytest.raises(ValidationError):
        services.escalation_step_add(
            request=request, practice=cast.practice, target="staff", user=cast.clinician
        )
    with pytest.raises(ValidationError):
        services.escalation_step_add(request=request, practice=cast.practice, target="clinician")
    assert EscalationStep.objects.filter(practice=cast.practice).count() == 3


def test_no_staffed_days_is_explained_when_it_is_saved(admin_client, cast):
    page = admin_client.get(URL).content.decode()
    assert "Leave every day unticked only if nobody keeps set hours" in page
    response = admin_client.post(URL, settings_post(cast, working_days=[]), follow=True)
    assert PracticeSettings.objects.get(practice=cast.practice).working_days == []
    assert "response times now count round the clock" in response.content.decode()
    _es(cast.admin)
    page = admin_client.get(URL).content.decode()
    assert "Deje todos los días sin marcar solo si nadie tiene un horario fijo" in page


# ---------------------------------------------------------------- someone switched off
def _on_call(cast):
    from tests.factories import Role, make_member

    return make_member(cast.practice, Role.CLINICIAN, "oncall@riverside.test", name="Dr Night")


def test_switching_off_a_named_step_warns_before_and_after_and_on_both_pages(admin_client, cast):
    on_call = _on_call(cast)
    add = {"section": "step_add", "target": "staff", "user": on_call.pk}
    assert admin_client.post(URL, add).status_code == 302
    assert 'id="switched-off"' not in admin_client.get(URL).content.decode()
    membership = on_call.memberships.get(practice=cast.practice)
    deactivate = reverse("admin_clinician_deactivate", args=[membership.pk])

    # The confirmation says what it means for the chain (a warning: nothing is refused).
    page = admin_client.get(deactivate).content.decode()
    assert 'id="safety-roles"' in page
    assert "Dr Night is step 3 of the escalation chain." in page
    assert "an alert passes over their step and goes straight on to the next one" in page
    response = admin_client.post(deactivate, {}, follow=True)
    page = response.content.decode()
    assert "Dr Night is switched off and logged out everywhere." in page
    assert "Step 3 of the escalation chain names Dr Night, whose account is switched off" in page

    # The safety settings say so at the top and on the step itself ...
    page = admin_client.get(URL).content.decode()
    assert 'id="switched-off"' in page
    assert (
        "Step 3 of the escalation chain names Dr Night, whose account is switched off: an "
        "alert reaches nobody at that step and goes straight on to the next one." in page
    )
    assert "Switched off: nobody is told at this step" in page
    # ... and so does the overview, with the way to put it right.
    overview = admin_client.get(reverse("practice_overview")).content.decode()
    assert "Step 3 of the escalation chain names Dr Night" in overview
    assert f'href="{URL}"' in overview
    # A switched-off person can no longer be chosen, for a step or as the contact.
    assert f'value="{on_call.pk}"' not in page
    # Once the step is gone, so is the warning.
    step = EscalationStep.objects.get(practice=cast.practice, user=on_call)
    admin_client.post(URL, {"section": "step_remove", "step": step.pk})
    assert 'id="switched-off"' not in admin_client.get(URL).content.decode()
    assert "overview-warning" not in admin_client.get(reverse("practice_overview")).content.decode()


@pytest.mark.parametrize("how", ["account", "membership"])
def test_a_switched_off_safety_contact_is_a_warning(admin_client, cast, enrollment, how):
    contact = _on_call(cast)
    assert admin_client.post(URL, settings_post(cast, safety_contact=contact.pk)).status_code == 302
    page = admin_client.get(
        reverse(
            "admin_clinician_deactivate",
            args=[contact.memberships.get(practice=cast.practice).pk],
        )
    ).content.decode()
    assert "Dr Night is the safety contact. Once they are switched off" in page
    if how == "account":  # switched off everywhere (Django's admin)
        contact.is_active = False
        contact.save(update_fields=["is_active"])
    else:  # no longer a member of this practice
        contact.memberships.update(is_active=False)
    # Said once, by what it stops (the enrollment gate), on both pages.
    warning = "Dr Night is the safety contact, but their access is switched off"
    page = admin_client.get(URL).content.decode()
    assert warning in page and 'id="not-ready"' in page
    assert 'id="switched-off"' not in page
    overview = admin_client.get(reverse("practice_overview")).content.decode()
    assert overview.count(warning) == 1
    _es(cast.admin)
    assert (
        "Dr Night es el contacto de seguridad, pero su acceso está desactivado"
        in admin_client.get(reverse("practice_overview")).content.decode()
    )
    # Choosing someone active clears it.
    admin_client.post(URL, settings_post(cast, safety_contact=cast.admin.pk))
    page = admin_client.get(URL).content.decode()
    assert 'id="switched-off"' not in page and 'id="not-ready"' not in page


def test_a_clinician_on_no_part_of_the_safety_setup_gets_no_warning(admin_client, cast):
    membership = cast.other_clinician.memberships.get(practice=cast.practice)
    page = admin_client.get(reverse("admin_clinician_deactivate", args=[membership.pk]))
    assert 'id="safety-roles"' not in page.content.decode()


def test_the_page_says_the_built_in_phrases_are_always_checked_and_lists_them(admin_client, cast):
    # Even a practice whose own list is one English phrase is scanned for both lists.
    PracticeSettings.objects.filter(practice=cast.practice).update(crisis_words=["our phrase"])
    page = admin_client.get(URL).content.decode()
    assert "The app's own English and Spanish phrases are always checked" in page
    assert "Your list above only adds to them." in page
    n_en, n_es = len(rules.DEFAULT_CRISIS_WORDS), len(rules.DEFAULT_CRISIS_WORDS_ES)
    assert f"The {n_en} built-in English phrases, always checked" in page
    assert f"The {n_es} built-in Spanish phrases, always checked" in page
    assert "whatever your list above says" in page
    for phrase in ("quisiera morirme", "no quiero estar aqui", "quiero desaparecer"):
        assert f"<li>{phrase}</li>" in page
    for phrase in ("kill myself", "do not want to live", "not worth living"):
        assert f"<li>{phrase}</li>" in page
    _es(cast.admin)
    page = admin_client.get(URL).content.decode()
    assert f"Las {n_en} frases en inglés incluidas, que siempre se revisan" in page
    assert f"Las {n_es} frases en español incluidas, que siempre se revisan" in page
    assert "Su lista solo agrega frases." in page


# A practice's own list, whatever it holds, never switches the built-in phrases off.
OWN_LISTS = ["a\ne\nthe", "our own phrase", "", "harm myself at night"]


@pytest.mark.parametrize("typed", OWN_LISTS)
def test_a_practices_own_list_cannot_switch_off_the_built_in_phrases(admin_client, cast, typed):
    response = admin_client.post(URL, settings_post(cast, crisis_words=typed))
    settings = PracticeSettings.objects.get(practice=cast.practice)
    if response.status_code == 302:
        assert settings.crisis_words == [line for line in typed.splitlines() if line]
    else:  # refused: nothing saved
        assert settings.crisis_words == []
    for text in ("I want to kill myself", "Ya no quiero vivir", "life isn't worth living"):
        assert holds_crisis_words([text], settings), (typed, text)
    settings.crisis_words = typed.splitlines()  # as if saved some other way
    for text in ("I want to kill myself", "Ya no quiero vivir", "life isn't worth living"):
        assert holds_crisis_words([text], settings), (typed, text)


@pytest.mark.parametrize(
    "typed, refused",
    [
        ("a\ne\nthe", ["“a”", "“e”", "“the”"]),
        ("I am\nfeeling hopeless", ["“I am”"]),
        ("ok\nno way out", ["“ok”"]),
        ("!!!\nsin salida", ["“!!!”"]),
        ("de la\nno way out", ["“de la”"]),
    ],
)
def test_too_short_or_too_common_words_are_refused_and_the_text_kept(
    admin_client, cast, typed, refused
):
    response = admin_client.post(URL, settings_post(cast, crisis_words=typed))
    assert response.status_code == 422
    errors = " ".join(response.context["settings_form"].errors["crisis_words"])
    assert "too short or too common to be crisis words" in errors
    for word in refused:
        assert word in errors
    page = response.content.decode()
    assert escape(typed) in page  # the box keeps what was typed
    assert PracticeSettings.objects.get(practice=cast.practice).crisis_words == []


def test_a_meaningful_own_list_is_saved_and_matched(admin_client, cast):
    admin_client.post(URL, settings_post(cast, crisis_words="no way out\nsin salida"))
    settings = PracticeSettings.objects.get(practice=cast.practice)
    assert settings.crisis_words == ["no way out", "sin salida"]
    assert holds_crisis_words(["There is no way out for me"], settings)
    assert not holds_crisis_words(["The way out of the gym"], settings)


def test_the_migration_keeps_only_a_practices_own_words(cast):
    from importlib import import_module

    from django.apps import apps

    migration = import_module("tracking.migrations.0023_crisis_words_only_add")
    old_default = ["want to die", "dont want to live", "cant go on", "wanna die", "kill myself"]
    PracticeSettings.for_practice(cast.practice.pk)
    PracticeSettings.objects.filter(practice=cast.practice).update(
        crisis_words=[*old_default, "No way out", "quiero morir"]
    )
    migration.keep_own_words_only(apps, None)
    assert PracticeSettings.objects.get(practice=cast.practice).crisis_words == ["No way out"]


def test_two_admins_at_once_the_later_save_from_an_older_page_is_refused(
    client, admin_client, cast
):
    """Admin A and admin B open the page; A saves; B's save (from the page opened
    before it) is refused (painapp.edit_version): nothing of A's is overwritten, B sees
    what is saved now under each setting that differs, and keeps what they chose."""
    opened = settings_post(cast)["edited_from"]  # both pages carry this version
    response = admin_client.post(URL, settings_post(cast, response_minutes_urgent=30))
    assert response.status_code == 302

    typed = settings_post(cast, response_minutes_high=240, edited_from=opened)
    response = admin_client.post(URL, typed)
    page = response.content.decode()
    assert response.status_code == 409
    assert "This was changed in another tab or window" in page
    saved = PracticeSettings.for_practice(cast.practice.pk)
    assert (saved.response_minutes_urgent, saved.response_minutes_high) == (30, 480)
    form = response.context["settings_form"]
    assert form["response_minutes_urgent"].value() == "60"  # what B chose stays
    assert form["response_minutes_high"].value() == "240"
    assert "Saved now: Urgent alerts (self-harm): respond within, in minutes" in page
    assert "Saved now: Routine alerts" not in page  # the same in both: not shown
    # Saved again from that page: it goes through.
    again = {**typed, "response_minutes_urgent": 30, "edited_from": form["edited_from"].value()}
    assert admin_client.post(URL, again).status_code == 302
    saved.refresh_from_db()
    assert (saved.response_minutes_urgent, saved.response_minutes_high) == (30, 240)
