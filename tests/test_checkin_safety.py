"""Safety answers act the moment they are saved (issue 15): a draft with PHQ-9 item 9
above 0 raises the urgent alert even if never submitted, once; the crisis panel shows
without JavaScript after the save and is in the page for JavaScript to open; a yes to
"any new symptoms?" raises a HIGH alert and says where to get care; the screening rules
(PHQ-2, PHQ-9, GAD-7) raise theirs on submit, and a positive PHQ-2 opens the full PHQ-9
the same day; every weekly check-in asks item 9 and "any new symptoms?"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkin_data import (
    answers_for,
    post_for,
    record_at_open,
    schedule_from_start,
    without_fingerprint,
)
from tracking import rules
from tracking.alerts.evaluate import evaluate_missed
from tracking.alerts.services import alert_raise
from tracking.checkins.services import checkin_record, checkin_save_draft
from tracking.models import Alert, CheckIn, PracticeSettings
from tracking.safety.copy import days_words, duration_words

pytestmark = pytest.mark.patient_country("GB")  # the crisis and emergency numbers follow it


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def alerts(enrollment) -> list[tuple[str, str]]:
    return sorted(Alert.objects.filter(enrollment=enrollment).values_list("kind", "severity"))


# ------------------------------------------------------------------ drafts raise at once
def test_a_draft_with_item_9_above_zero_raises_the_urgent_alert(enrollment, week3):
    checkin_save_draft(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 1}})
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, alert.source) == (
        "self_harm",
        "urgent",
        f"checkin:{week3.pk}",
    )
    assert without_fingerprint(alert.details) == {"draft": True, "item9": 1}
    week3.refresh_from_db()
    assert week3.status != CheckIn.Status.COMPLETED  # never submitted, still covered


def test_saving_the_draft_again_and_submitting_raise_it_once(enrollment, week3):
    for _ in range(3):
        checkin_save_draft(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 2}})
    checkin_record(
        checkin=week3,
        answers_by_instrument=answers_for(week3.instrument_keys, phq9_item9={"phq9": 2}),
    )
    assert alerts(enrollment) == [("self_harm", "urgent")]


def test_a_submit_without_a_draft_raises_it_once(enrollment, week3):
    record = answers_for(week3.instrument_keys, phq9_item9={"phq9": 3})
    checkin_record(checkin=week3, answers_by_instrument=record)
    assert alerts(enrollment) == [("self_harm", "urgent")]


def test_a_draft_with_item_9_at_zero_raises_nothing(enrollment, week3):
    checkin_save_draft(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 0}})
    assert not Alert.objects.exists()


def test_the_full_phq9_item_9_in_a_draft_raises_too(enrollment):
    baseline = schedule_from_start(enrollment)["baseline"]
    checkin_save_draft(
        checkin=baseline,
        answers_by_instrument={"phq9": {"phq9": 1}},
        now=baseline.opens_at + timedelta(hours=1),
    )
    assert alerts(enrollment) == [("self_harm", "urgent")]


def test_crisis_words_in_a_drafts_causes_raise_it(enrollment):
    baseline = schedule_from_start(enrollment)["baseline"]
    baseline.instrument_keys = [*baseline.instrument_keys, "causes"]
    baseline.save()
    checkin_save_draft(
        checkin=baseline,
        answers_by_instrument={"causes": {"cause1": {"text": "I want to die", "category": ""}}},
        now=baseline.opens_at + timedelta(hours=1),
    )
    assert without_fingerprint(Alert.objects.get().details) == {"draft": True, "crisis_words": True}


# ------------------------------------------------------------------ the page, no JavaScript
def test_without_javascript_the_save_leads_to_the_crisis_panel(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(
        url(week3), {"action": "save", "phq9_item9__phq9": "1", "pain_avg__pain_avg": "5"}
    )
    assert response.status_code == 302 and response["Location"] == url(week3)
    assert Alert.objects.get().kind == "self_harm"
    page = client.get(url(week3)).content.decode()
    panel = page[page.index('id="crisis-now"') - 80 :]
    assert "data-safety-panel>" in panel[:200]  # shown: no `hidden`
    assert page.index('id="crisis-now"') < page.index("data-checkin-form")
    assert 'Samaritans on <strong><a href="tel:116123">116 123</a></strong>' in page  # GB's
    assert "within 1 hour during opening hours (Mon–Fri, 9:00–17:00" in page
    assert "This app is not watched around the clock." in page
    assert 'href="/help/"' in page
    assert "Your answers are saved." in page


def test_an_ordinary_save_still_goes_to_today(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(url(week3), {"action": "save", "phq9_item9__phq9": "0"})
    assert response["Location"] == reverse("today")
    assert 'id="crisis-now"' not in client.get(url(week3)).content.decode()


def test_the_quiet_save_on_next_raises_the_alert(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(
        url(week3), {"action": "save", "phq9_item9__phq9": "2"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 204
    assert Alert.objects.get().kind == "self_harm"


def test_a_submit_with_errors_still_acts_on_item_9(client, cast, week3):
    client.force_login(cast.patient)
    data = post_for(week3.instrument_keys, phq9_item9={"phq9": 1})
    del data["pain_avg__pain_avg"]
    response = client.post(url(week3), data)
    assert response.status_code == 422
    assert Alert.objects.get().kind == "self_harm"
    assert 'id="crisis-now"' in response.content.decode()


def test_the_form_carries_a_hidden_panel_for_javascript(client, cast, week3):
    client.force_login(cast.patient)
    page = client.get(url(week3)).content.decode()
    assert 'data-safety="self_harm" aria-controls="safety-' in page
    # One question per group of new symptoms, each with the panel for its group.
    assert page.count('data-safety="new_symptoms" aria-controls="safety-') == 2
    assert page.count("data-safety-panel hidden") == 1
    assert page.count('data-safety-panel data-symptoms="emergency" hidden') == 1
    assert page.count('data-safety-panel data-symptoms="doctor_soon" hidden') == 1
    assert 'data-safety-live aria-live="assertive"' in page
    assert 'id="crisis-now"' not in page


def test_the_promise_follows_the_practices_settings(client, cast, week3):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.response_minutes_urgent = 30
    settings.working_days = [0, 1, 2, 3]
    settings.working_hours_start = "08:30"
    settings.save()
    client.force_login(cast.patient)
    client.post(url(week3), {"action": "save", "phq9_item9__phq9": "1"})
    page = client.get(url(week3)).content.decode()
    assert "within 30 minutes during opening hours (Mon–Thu, 8:30–17:00" in page


def test_with_no_staffed_days_the_promise_names_no_hours(client, cast, week3):
    PracticeSettings.objects.filter(practice=cast.practice).update(working_days=[])
    client.force_login(cast.patient)
    client.post(url(week3), {"action": "save", "phq9_item9__phq9": "1"})
    page = client.get(url(week3)).content.decode()
    assert "opening hours (" not in page and "9:00" not in page
    assert "Someone there aims to look at it within 1 hour." in page
    assert "Your clinic has no set opening hours" in page
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    page = client.get(url(week3)).content.decode()
    assert "Su clínica no tiene un horario de atención fijo" in page


# ------------------------------------------------------------------ new symptoms
def test_a_yes_to_new_symptoms_raises_a_high_alert_and_says_where_to_go(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(url(week3), {"action": "save", "new_symptoms__doctor_signs": "1"})
    assert response["Location"] == url(week3)
    assert alerts(week3.enrollment) == [("new_symptoms", "high")]
    page = client.get(url(week3)).content.decode()
    assert "Please contact your doctor soon" in page
    assert "Go to the emergency department today" in page  # if emergency signs start
    assert "controlling your bowels" in page
    assert "within 8 hours during opening hours" in page
    # and after the submit, on the results page, still once
    client.post(url(week3), post_for(week3.instrument_keys, new_symptoms={"doctor_signs": 1}))
    page = client.get(url(week3) + "?done=1").content.decode()
    assert "Please contact your doctor soon" in page
    assert alerts(week3.enrollment) == [("new_symptoms", "high")]


def test_no_to_new_symptoms_raises_nothing(week3):
    record_at_open(week3)
    assert not Alert.objects.filter(enrollment=week3.enrollment).exists()


# ------------------------------------------------------------------ screening rules
def test_a_positive_phq2_raises_a_routine_alert_and_opens_the_phq9_today(client, cast, week3):
    client.force_login(cast.patient)
    client.post(url(week3), post_for(week3.instrument_keys, phq2={"phq1": 2, "phq2": 1}))
    assert alerts(week3.enrollment) == [("phq2_positive", "routine")]
    extra = CheckIn.objects.get(enrollment=week3.enrollment, kind=CheckIn.Kind.EXTRA)
    now = timezone.now()
    assert extra.instrument_keys == ["phq9"] and extra.status == CheckIn.Status.OPEN
    assert extra.opens_at <= now < extra.closes_at
    assert extra.due_date == week3.enrollment.local_date()
    page = client.get(url(week3) + "?done=1").content.decode()
    assert "One more step today" in page and url(extra) in page
    form = client.get(url(extra)).content.decode()
    assert "A few more questions about your mood" in form and ">Your mood</h2>" in form
    # The full PHQ-9, severe (20+): urgent review. Items 1, 2 and 9 are the weekly
    # check-in's (2, 1 and 0: CheckIn.answered_before), so 2 + 1 + 6 × 3 = 21.
    severe = {f"phq{n}": 3 for n in range(3, 9)}
    client.post(url(extra), post_for(extra.instrument_keys, phq9=severe))
    assert ("phq9_high", "urgent") in alerts(week3.enrollment)
    done = client.get(url(extra) + "?done=1").content.decode()
    assert "Your answers are saved, and your clinic will see them." in done
    assert 'id="compare-h"' not in done  # no pain to compare
    assert "One more step today" not in client.get(url(week3) + "?done=1").content.decode()


def test_a_negative_phq2_opens_nothing(week3):
    record_at_open(week3, phq2={"phq1": 1, "phq2": 1})
    assert not CheckIn.objects.filter(kind=CheckIn.Kind.EXTRA).exists()
    assert not Alert.objects.exists()


@pytest.mark.parametrize(
    ("phq9_items", "expected"),
    [
        ([1] * 8, []),  # 8
        ([2] * 7 + [0], []),  # 14
        ([2] * 7 + [1], [("phq9_high", "high")]),  # 15
        ([3] * 6 + [0, 1], [("phq9_high", "high")]),  # 19
        ([3] * 6 + [1, 1], [("phq9_high", "urgent")]),  # 20
    ],
)
def test_baseline_phq9_totals_raise_by_the_rules(enrollment, phq9_items, expected):
    baseline = schedule_from_start(enrollment)["baseline"]
    phq9 = {f"phq{n}": v for n, v in enumerate(phq9_items, start=1)} | {"phq9": 0}
    record_at_open(baseline, phq9=phq9)
    assert alerts(enrollment) == expected


@pytest.mark.parametrize(("gad", "expected"), [(14, []), (15, [("gad7_high", "high")])])
def test_gad7_at_15_raises_a_high_alert(enrollment, gad, expected):
    baseline = schedule_from_start(enrollment)["baseline"]
    values = [3, 3, 3, 3, 2, 0, 0] if gad == 14 else [3, 3, 3, 3, 3, 0, 0]
    record_at_open(baseline, gad7={f"gad{n}": v for n, v in enumerate(values, start=1)})
    assert alerts(enrollment) == expected


# ------------------------------------------------------------------ every week
def test_every_weekly_check_in_asks_item_9_and_new_symptoms(enrollment):
    slots = schedule_from_start(enrollment)
    weekly = [c for c in slots.values() if c.kind == CheckIn.Kind.WEEKLY]
    assert weekly
    for checkin in weekly:
        keys = checkin.instrument_keys
        assert rules.WEEKLY_SAFETY in keys or rules.PHQ9 in keys, checkin.slot
        assert rules.NEW_SYMPTOMS in keys, checkin.slot


def test_a_programs_own_weekly_list_still_gets_them(enrollment):
    version = enrollment.program_version
    version.checkin_config = {**(version.checkin_config or {}), "weekly": ["pain_avg"]}
    version.save()
    slots = schedule_from_start(enrollment)
    week = next(c for c in slots.values() if c.kind == CheckIn.Kind.WEEKLY and c.week != 4)
    assert week.instrument_keys == ["pain_avg", "phq9_item9", "new_symptoms"]


# ------------------------------------------------------------------ the words of the promise
@pytest.mark.parametrize(
    ("minutes", "words"),
    [
        (30, "30 minutes"),
        (60, "1 hour"),
        (90, "1 hour 30 minutes"),
        (240, "4 hours"),
        (1440, "1 day"),
        (4320, "3 days"),
        (1500, "1 day 1 hour"),
    ],
)
def test_response_times_read_as_plain_words(minutes, words):
    assert duration_words(minutes) == words


@pytest.mark.parametrize(
    ("days", "words"),
    [
        ([0, 1, 2, 3, 4], "Mon–Fri"),
        ([0, 1, 2, 3, 4, 5, 6], "Mon–Sun"),
        ([0, 2], "Mon, Wed"),
        ([], ""),
    ],
)
def test_working_days_read_as_plain_words(days, words):
    assert days_words(days) == words


# ------------------------------------------------------------------ what follows
def test_an_unanswered_extra_phq9_is_not_a_missed_check_in(enrollment, week3):
    record_at_open(week3, phq2={"phq1": 3, "phq2": 3})
    extra = CheckIn.objects.get(enrollment=enrollment, kind=CheckIn.Kind.EXTRA)
    CheckIn.objects.filter(pk=extra.pk).update(status=CheckIn.Status.MISSED)
    assert evaluate_missed(enrollment, now=extra.closes_at + timedelta(days=1)) is None


@pytest.mark.parametrize(
    ("kind", "severity", "details", "text"),
    [
        ("phq2_positive", "routine", {"phq2": 4}, "Their PHQ-2 was 4 out of 6"),
        ("phq9_high", "urgent", {"phq9": 21, "band": "Severe"}, "Their PHQ-9 was 21 out of 27"),
        ("gad7_high", "high", {"gad7": 16, "band": "Severe"}, "Their GAD-7 was 16 out of 21"),
        ("new_symptoms", "high", {"new_symptoms": True}, "said yes to new symptoms"),
        (
            "new_symptoms",
            "high",
            {"new_symptoms": True, "group": "doctor_soon"},
            "said yes to the question on signs for a doctor soon",
        ),
        (
            "emergency_symptoms",
            "urgent",
            {"emergency_signs": True},
            "said yes to the question on emergency signs",
        ),
        (
            "self_harm",
            "urgent",
            {"crisis_words": True, "entry": "reflection"},
            "Something they wrote in a lesson answer",
        ),
    ],
)
def test_the_clinician_reads_what_each_new_alert_means(
    client, cast, enrollment, kind, severity, details, text
):
    alert = alert_raise(
        enrollment=enrollment, kind=kind, severity=severity, source="test:1", details=details
    )
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert text in page
