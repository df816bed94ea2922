"""Hypothesis drives every patient-facing form with hostile and random input
(1,000+ examples in all): never a 500; invalid input gets a message; nothing partial
is saved — a rejected post leaves every table as it was, except the care team's alert
when what was typed holds a crisis phrase (programs.safety.PatientTextForm scans text
sent back as not saved, tests/test_unsaved_crisis_words.py), and then the alert is
there. Hypothesis draws some of its text from string constants in the modules loaded
(the crisis-word lists and the tests quoting them among them), so a run can post one;
which it does depends on what else the process imported, hence "only in a combined
run"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from programs.models import Exposure, FearItem
from tests.row_counts import row_counts
from tracking.models import Alert, PracticeSettings
from tracking.safety.scanner import holds_crisis_words

EXAMPLES = 100  # per form; 10 forms → 1,000 examples

junk = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.integers(-1000, 1000).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "0",
            "5",
            "10",
            "11",
            "-1",
            "1e3",
            "٣",
            "NaN",
            "\x00",
            "<script>alert(1)</script>",
            '=HYPERLINK("x")',
            "'; DROP TABLE x;--",
            "a" * 6000,
            "09:00",
            "25:61",
            "2026-02-30",
            "Europe/London",
            "Mars/Base",
        ]
    ),
)


# What a crisis phrase in a rejected post still writes: the urgent alert, its
# notifications and their delivery, and the caseload's alert counts.
CRISIS_TABLES = (
    "tracking.Alert",
    "tracking.Notification",
    "tracking.OutboxTask",
    "tracking.EnrollmentSummary",
)


def holds_a_crisis_phrase(payload) -> bool:
    """Whether anything posted holds a crisis phrase, for any practice's list."""
    texts = [v for v in payload.values() if isinstance(v, str)]
    return any(holds_crisis_words(texts, s) for s in PracticeSettings.objects.all())


def post_and_check(client, url, data, expect_success_codes=(302,), may_change=()):
    """`may_change`: tables a rejected post may still add to (a check-in's safety
    answer acts even when the rest of the form is rejected: issue 15). A crisis phrase
    in a rejected post may raise the care team's alert (CRISIS_TABLES), and nothing
    else may."""
    before = row_counts("programs", "tracking")
    payload = {k: v for k, v in data.items() if v is not None}
    response = client.post(url, payload)
    assert response.status_code < 500, response.status_code
    if response.status_code not in expect_success_codes:
        body = response.content.decode()
        assert "error" in body or "Please" in body or response.status_code == 404, body[:500]
        after = row_counts("programs", "tracking")
        raised = after["tracking.Alert"] != before["tracking.Alert"]
        if raised and "tracking.Alert" not in may_change:
            assert holds_a_crisis_phrase(payload), "a rejected post raised an alert"
            assert Alert.objects.filter(details__unsaved=True).exists()
            may_change = (*may_change, *CRISIS_TABLES)
        for label in may_change:
            after[label] = before[label]
        assert after == before, "a rejected post changed the database"
    return response


FIELDS = {
    "reflection": ["text"],
    "attribution": ["cause_1", "category_1", "cause_2", "category_2", "cause_3", "category_3"],
    "evidence": ["checked", "text"],
    "practice_save": [
        "client_token",
        "duration_seconds",
        "pain_before",
        "threat_before",
        "sensations",
        "pain_after",
        "threat_after",
        "note",
    ],
    "fear_create": ["label", "harm_rating"],
    "exposure_plan": ["fear_item", "activity", "predicted_pain", "predicted_harm", "expectation"],
    "exposure_done": ["actual_pain", "actual_harm", "fear_after", "note"],
    "fear_edit": ["label", "harm_rating"],
    "reminder_settings": [
        "paused",
        "practice_enabled",
        "practice_time",
        "practice_days",
        "checkin_enabled",
        "quiet_start",
        "quiet_end",
        "email_enabled",
        "in_app_enabled",
        "sms_enabled",
        "phone",
        # mass assignment: none of these may change anything
        "enrollment",
        "unsubscribed_at",
        "practice",
        "is_staff",
    ],
    "onboarding_settings": [
        "timezone",
        "practice_time",
        "checkin_weekday",
        "practice",
        "clinician",
        "role",
    ],
}


def form_data(name):
    return st.fixed_dictionaries({f: junk for f in FIELDS[name]})


@pytest.fixture
def setup(client, cast, enrollment):
    client.force_login(cast.patient)
    weeks = {w.number: w for w in enrollment.program_version.weeks.prefetch_related("activities")}
    enrollment.unlocked_through_week = 3
    enrollment.save()

    def slug(week, kind):
        return next(a.slug for a in weeks[week].activities.all() if a.kind == kind)

    fear = FearItem.objects.create(
        enrollment=enrollment, label="Bending", harm_rating=50, first_rating=50
    )
    exposure = Exposure.objects.create(
        enrollment=enrollment, fear_item=fear, activity="Bend", predicted_pain=5, predicted_harm=50
    )
    from tracking.reminders.schedules import preferences_for

    preferences_for(enrollment)  # the defaults exist before the patient edits them
    return {
        "reflection": reverse("activity", args=[slug(2, "reflection")]),
        "attribution": reverse("activity", args=[slug(1, "attribution")]),
        "evidence": reverse("activity", args=[slug(1, "evidence")]),
        "practice_save": reverse("practice_save"),
        "fear_create": reverse("fear_create"),
        "fear_edit": reverse("fear_edit", args=[fear.pk]),
        "exposure_plan": reverse("exposure_plan"),
        "exposure_done": reverse("exposure_done", args=[exposure.pk]),
        "reminder_settings": reverse("reminder_settings"),
    }


COMMON = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("name", [n for n in FIELDS if n != "onboarding_settings"])
def test_patient_forms_survive_random_input(client, setup, name):
    url = setup[name]

    @COMMON
    @given(data=form_data(name))
    def run(data):
        post_and_check(
            client,
            url,
            data,
            expect_success_codes=(200, 302)
            if name in ("practice_save", "fear_edit", "exposure_done")
            else (302,),
        )

    run()


def test_a_crisis_phrase_in_a_refused_rung_raises_the_alert_and_nothing_else(client, setup):
    """The input a combined run once drew (its words from the crisis-word lists): the
    rung is refused, since the rating is a word, with what was typed kept; the care
    team has one alert for the words, marked not saved, and nothing else changed. Sent
    again, nothing more."""
    data = {"harm_rating": "poison myself", "label": "poison myself"}
    for _ in range(2):
        response = post_and_check(client, setup["fear_create"], data)
        assert response.status_code == 200
        page = response.content.decode()
        assert "Choose a number from 0 to 100 for how harmful it feels." in page
        assert 'value="poison myself"' in page
    alert = Alert.objects.get()
    assert alert.source == "fear_item:new" and alert.details["unsaved"] is True
    assert not FearItem.objects.filter(label="poison myself").exists()


def test_onboarding_settings_survive_random_input(client, cast, program_version):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, onboarded=False
    )
    enrollment.consented_at = enrollment.created_at
    enrollment.save()
    client.force_login(cast.patient)
    url = reverse("onboarding_settings")

    @COMMON
    @given(data=form_data("onboarding_settings"))
    def run(data):
        post_and_check(client, url, data)
        enrollment.refresh_from_db()
        assert enrollment.clinician_id == cast.clinician.pk
        assert enrollment.practice_id == cast.practice.pk

    run()


def test_the_checkin_form_survives_random_input(client, cast, program_version):
    """Random answers to the baseline check-in (every instrument we ship but one)."""
    from tests.checkin_data import items, schedule_from_start
    from tests.factories import make_enrollment
    from tracking.checkins.forms import SEP

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version, days_ago=0
    )
    checkin = schedule_from_start(enrollment)["baseline"]
    from tracking.instruments.registry import sync_shipped

    sync_shipped()  # the shipped questionnaires are stored before anyone answers
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[checkin.pk])
    names = ["action"] + [
        f"{key}{SEP}{item['key']}" for key in checkin.instrument_keys for item in items(key)
    ]
    values = st.one_of(junk, st.sampled_from(["submit", "save", "0", "1", "2", "3"]))

    @COMMON
    @given(data=st.fixed_dictionaries({n: values for n in names}))
    def run(data):
        checkin.refresh_from_db()
        if checkin.status == "completed":  # a valid random submission: start again
            checkin.responses.all().delete()
            checkin.status, checkin.completed_at = "open", None
            checkin.save()
        # A rejected submit keeps its valid answers as the draft, and a safety answer
        # among them (item 9 above 0) raises the urgent alert and tells the clinician.
        post_and_check(
            client,
            url,
            data,
            expect_success_codes=(200, 302),
            may_change=(
                "tracking.Alert",
                "tracking.Notification",
                "tracking.OutboxTask",
                "tracking.EnrollmentSummary",  # its alert counts
            ),
        )

    run()
