"""Practice safety settings refuse unsafe values (admin walk-through: urgent
(self-harm) response 5000 minutes with routine 10 saved; urgent up to 10080 allowed; a
minimum age of 5 accepted). The rules are tracking.rules' (RESPONSE_TIME_ORDER,
URGENT_RESPONSE_MAX_MINUTES, AGE_MIN_FLOOR); the form says each plainly on its field,
keeps what was typed and saves nothing."""

from __future__ import annotations

import pytest

from painapp.accounts.models import AuditEvent
from tests.test_safety_settings import URL, settings_post
from tracking import rules
from tracking.models import PracticeSettings


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


@pytest.mark.parametrize(
    ("urgent", "high", "routine", "out_of_order"),
    [
        (60, 480, 1440, []),
        (60, 60, 60, []),  # equal is in order
        (5000, 480, 10, [("high", "urgent"), ("routine", "high")]),
        (60, 30, 1440, [("high", "urgent")]),
        (60, 480, 240, [("routine", "high")]),
        (480, 600, 300, [("routine", "high")]),
    ],
)
def test_response_times_never_get_shorter_as_severity_falls(urgent, high, routine, out_of_order):
    minutes = {"urgent": urgent, "high": high, "routine": routine}
    assert rules.response_times_out_of_order(minutes) == out_of_order


def test_the_limits_are_for_adults_and_a_working_day():
    assert rules.AGE_MIN_FLOOR == 18 <= rules.DEFAULT_AGE_MIN
    assert rules.DEFAULT_RESPONSE_MINUTES_URGENT <= rules.URGENT_RESPONSE_MAX_MINUTES == 480
    defaults = {
        "urgent": rules.DEFAULT_RESPONSE_MINUTES_URGENT,
        "high": rules.DEFAULT_RESPONSE_MINUTES_HIGH,
        "routine": rules.DEFAULT_RESPONSE_MINUTES_ROUTINE,
    }
    assert rules.response_times_out_of_order(defaults) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"response_minutes_urgent": 5000, "response_minutes_routine": 10},
            "response_minutes_urgent",
            "within 480 minutes (one 8-hour working day) at most, not 5000",
        ),
        (
            {"response_minutes_urgent": 10080},
            "response_minutes_urgent",
            "within 480 minutes",
        ),
        (
            {"response_minutes_urgent": 5000, "response_minutes_routine": 10},
            "response_minutes_routine",
            "The response time for routine alerts cannot be shorter than for high alerts: "
            "this is 10 minutes, high alerts have 480. Make it at least 480.",
        ),
        (
            {"response_minutes_urgent": 120, "response_minutes_high": 60},
            "response_minutes_high",
            "cannot be shorter than for urgent alerts: this is 60 minutes",
        ),
        ({"age_min": 5}, "age_min", "for adults, so this must be 18 or more"),
        ({"age_min": 17}, "age_min", "for adults, so this must be 18 or more"),
    ],
)
def test_unsafe_values_are_refused_plainly_keeping_what_was_typed(
    admin_client,
    cast,
    overrides,
    field,
    message,
):
    before = PracticeSettings.for_practice(cast.practice.pk)
    response = admin_client.post(URL, settings_post(cast, **overrides))
    assert response.status_code == 422
    assert message in " ".join(response.context["settings_form"].errors[field])
    html = response.content.decode()
    for name, value in overrides.items():
        assert f'name="{name}" value="{value}"' in html
    after = PracticeSettings.objects.get(pk=before.pk)
    assert (after.response_minutes_urgent, after.response_minutes_routine, after.age_min) == (
        before.response_minutes_urgent,
        before.response_minutes_routine,
        before.age_min,
    )
    assert not AuditEvent.objects.filter(action="practice_safety.changed").exists()


def test_the_refusal_is_said_in_spanish(admin_client, cast):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    response = admin_client.post(URL, settings_post(cast, response_minutes_high=30))
    errors = " ".join(response.context["settings_form"].errors["response_minutes_high"])
    assert "no puede ser más corto que el de las alertas urgentes" in errors


def test_the_adult_minimum_and_ordered_times_still_save(admin_client, cast):
    response = admin_client.post(
        URL,
        settings_post(
            cast,
            age_min=18,
            response_minutes_urgent=480,
            response_minutes_high=480,
            response_minutes_routine=480,
        ),
    )
    assert response.status_code == 302
    saved = PracticeSettings.objects.get(practice=cast.practice)
    assert (saved.response_minutes_urgent, saved.response_minutes_routine) == (480, 480)


def test_a_refused_urgent_time_is_not_also_used_to_refuse_the_high_one(admin_client, cast):
    response = admin_client.post(URL, settings_post(cast, response_minutes_urgent=2000))
    assert response.status_code == 422
    errors = response.context["settings_form"].errors
    assert "within 480 minutes" in " ".join(errors["response_minutes_urgent"])
    # High (480 by default) is fine: it is not told to be at least the refused 2000.
    assert "response_minutes_high" not in errors
    assert "at least 2000" not in response.content.decode()


def test_the_error_summary_names_the_youngest_age_once(admin_client, cast):
    page = admin_client.post(URL, settings_post(cast, age_min=5)).content.decode()
    assert "Youngest age accepted: The program and its consent are for adults" in page
    assert "Youngest age accepted: Youngest age accepted" not in page


@pytest.mark.parametrize(
    ("saved", "within"),
    [
        # Within the limits: kept as they are.
        ((18, 120, 60, 480, 1440), (18, 120, 60, 480, 1440)),
        ((21, 70, 480, 480, 480), (21, 70, 480, 480, 480)),
        # Too young a minimum: up to 18 (and the maximum no younger).
        ((5, 120, 60, 480, 1440), (18, 120, 60, 480, 1440)),
        ((10, 15, 60, 480, 1440), (18, 18, 60, 480, 1440)),
        # Urgent too slow: down to 480; then high and routine at least that.
        ((18, 120, 5000, 480, 10), (18, 120, 480, 480, 480)),
        ((18, 120, 10080, 600, 20000), (18, 120, 480, 600, 20000)),
        # Out of order only: each less severe time up to the one before it.
        ((18, 120, 120, 60, 1440), (18, 120, 120, 120, 1440)),
        ((18, 120, 60, 480, 240), (18, 120, 60, 480, 480)),
    ],
)
def test_saved_settings_are_brought_within_the_limits_moving_each_as_little_as_it_takes(
    saved, within
):
    values = dict(zip(rules.LIMITED_SETTINGS, saved, strict=True))
    assert rules.settings_within_limits(values) == dict(
        zip(rules.LIMITED_SETTINGS, within, strict=True)
    )
