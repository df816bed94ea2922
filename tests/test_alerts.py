"""Alert rules on hand-made check-ins: each fires at its threshold and not just below,
with the practice's own thresholds, once per event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.models import EnrollmentStatus
from tests.checkin_data import without_fingerprint
from tests.test_alerts_factories import CONTACTED, make_checkin, pain, phq9
from tracking.alerts.evaluate import (
    alerts_for_missed_checkins,
    evaluate_checkin,
    evaluate_draft,
    evaluate_missed,
)
from tracking.alerts.services import alert_resolve
from tracking.checkins.services import checkin_record
from tracking.models import Alert, CheckIn, OutboxTask, PracticeSettings

MISSED = CheckIn.Status.MISSED


def set_rules(practice, **values) -> None:
    PracticeSettings.for_practice(practice.pk)
    PracticeSettings.objects.filter(practice=practice).update(**values)


def kinds(enrollment) -> list[str]:
    return sorted(Alert.objects.filter(enrollment=enrollment).values_list("kind", flat=True))


def pain_history(enrollment, *values: int) -> CheckIn:
    """Baseline then weekly check-ins with these average pain scores; returns the last."""
    checkin = None
    for n, value in enumerate(values):
        slot = "baseline" if n == 0 else f"week-{n}"
        checkin = make_checkin(
            enrollment, slot, answers=pain(value), days_ago=7 * (len(values) - n)
        )
    return checkin


# ------------------------------------------------------------------ pain up
def test_it_raises_pain_up_after_two_check_ins_two_points_above_baseline(enrollment):
    last = pain_history(enrollment, 4, 6, 6)
    result = evaluate_checkin(last)
    alert = Alert.objects.get(enrollment=enrollment)
    assert (alert.kind, alert.severity, alert.status) == ("pain_up", "high", "open")
    assert alert.source == f"checkin:{last.pk}"
    assert alert.details["baseline"] == 4 and alert.details["recent"] == [6, 6]
    assert result.alerts == [alert] and result.safety is False


def test_it_does_not_raise_pain_up_for_one_high_check_in(enrollment):
    assert evaluate_checkin(pain_history(enrollment, 4, 3, 6)).alerts == []
    assert kinds(enrollment) == []


def test_it_does_not_raise_pain_up_just_below_the_rise(enrollment):
    evaluate_checkin(pain_history(enrollment, 4, 5, 5))
    assert kinds(enrollment) == []


def test_it_does_not_raise_pain_up_without_a_baseline(enrollment):
    make_checkin(enrollment, "week-1", answers=pain(9), days_ago=7)
    evaluate_checkin(make_checkin(enrollment, "week-2", answers=pain(9), days_ago=0))
    assert kinds(enrollment) == []


def test_it_uses_the_practices_pain_thresholds(cast, enrollment):
    set_rules(cast.practice, pain_rise_points=3, pain_rise_checkins=1)
    evaluate_checkin(pain_history(enrollment, 4, 6))
    assert kinds(enrollment) == []
    evaluate_checkin(make_checkin(enrollment, "week-2", answers=pain(7), days_ago=0))
    assert kinds(enrollment) == ["pain_up"]


def test_it_skips_missed_weeks_when_counting_pain_in_a_row(enrollment):
    make_checkin(enrollment, "baseline", answers=pain(3), days_ago=21)
    make_checkin(enrollment, "week-1", answers=pain(5), days_ago=14)
    make_checkin(enrollment, "week-2", days_ago=7, status=MISSED)
    evaluate_checkin(make_checkin(enrollment, "week-3", answers=pain(6), days_ago=0))
    assert kinds(enrollment) == ["pain_up"]


def test_it_does_not_add_a_pain_alert_while_one_is_unresolved(cast, enrollment):
    evaluate_checkin(pain_history(enrollment, 4, 6, 6))
    evaluate_checkin(make_checkin(enrollment, "week-3", answers=pain(7), days_ago=0.5))
    assert kinds(enrollment) == ["pain_up"]
    alert_resolve(
        alert=Alert.objects.get(enrollment=enrollment), by=cast.clinician, outcome=CONTACTED
    )
    evaluate_checkin(make_checkin(enrollment, "week-4", answers=pain(7), days_ago=0))
    assert kinds(enrollment) == ["pain_up", "pain_up"]


def record_pain(enrollment, slot: str, value: int | None, *, days_ago: float) -> CheckIn:
    """A check-in asking only average pain, recorded through the service (or missed,
    for None)."""
    opens_at = timezone.now() - timedelta(days=days_ago)
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot=slot,
        kind=CheckIn.Kind.BASELINE if slot == "baseline" else CheckIn.Kind.WEEKLY,
        due_date=opens_at.date(),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=3),
        status=CheckIn.Status.OPEN if value is not None else MISSED,
        instrument_keys=["pain_avg"],
    )
    if value is None:
        return checkin
    return checkin_record(
        checkin=checkin, answers_by_instrument=pain(value), now=opens_at + timedelta(hours=1)
    )


@pytest.mark.parametrize(
    "values",
    [
        (4, 6, 6),
        (4, 5, 5),
        (4, 3, 6, 6),
        (4, 6, 3, 6, 7, 7),
        (0, 2, 1, 2, 2),
        (9, 10, 10),
        (None, 9, 9, 9),
    ],
)
def test_recording_decides_pain_up_as_reading_the_whole_history_does(enrollment, values):
    # checkin_record gives the rule the summary's baseline, and the rule skips its read
    # when there is none or this pain is below it + the rise; evaluated from scratch
    # (nothing given, everything read), every check-in must get the same answer.
    # A check-in with high pain that opened before the baseline: in the latest run, never
    # a baseline.
    record_pain(enrollment, "week-0", 9, days_ago=7 * len(values) + 3)
    for n, value in enumerate(values):
        if value is None:
            record_pain(enrollment, "baseline", None, days_ago=7 * len(values))
            continue
        slot = "baseline" if n == 0 else f"week-{n}"
        checkin = record_pain(enrollment, slot, value, days_ago=7 * (len(values) - n))
        mine = Alert.objects.filter(source=f"checkin:{checkin.pk}", kind=Alert.Kind.PAIN_UP)
        raised = mine.exists()
        mine.delete()
        again = evaluate_checkin(CheckIn.objects.get(pk=checkin.pk))
        assert raised == any(a.kind == Alert.Kind.PAIN_UP for a in again.alerts), slot
    assert Alert.objects.filter(kind=Alert.Kind.PAIN_UP).exists() == (
        values in [(4, 6, 6), (4, 3, 6, 6), (4, 6, 3, 6, 7, 7), (0, 2, 1, 2, 2)]
    )


def test_recording_reads_the_pain_history_only_when_it_can_matter(enrollment, other_enrollment):
    def reads(e, slot: str, value: int | None, days_ago: float) -> bool:
        with CaptureQueriesContext(connection) as queries:
            record_pain(e, slot, value, days_ago=days_ago)
        # The pain rule's one read: the first baseline UNION ALL the latest others.
        return any(
            "UNION ALL" in q["sql"] and "tracking_response" in q["sql"]
            for q in queries.captured_queries
        )

    assert not reads(enrollment, "baseline", 4, 28)
    assert not reads(enrollment, "week-1", 5, 21)  # below 4 + 2
    assert reads(enrollment, "week-2", 6, 14)
    record_pain(other_enrollment, "baseline", None, days_ago=28)  # missed: no baseline pain
    assert not reads(other_enrollment, "week-1", 10, 21)


# ------------------------------------------------------------------ fear of movement
def test_it_raises_fear_high_at_the_threshold_and_not_below(enrollment, other_enrollment):
    evaluate_checkin(
        make_checkin(enrollment, "week-1", answers={"fear_movement": {"fear_movement": 8}})
    )
    evaluate_checkin(
        make_checkin(other_enrollment, "week-1", answers={"fear_movement": {"fear_movement": 7}})
    )
    alert = Alert.objects.get()
    assert (alert.enrollment, alert.kind, alert.severity) == (enrollment, "fear_high", "routine")
    assert alert.details == {"fear": 8, "threshold": 8}


def test_it_uses_the_practices_fear_threshold(cast, enrollment):
    set_rules(cast.practice, fear_high_threshold=6)
    evaluate_checkin(
        make_checkin(enrollment, "week-1", answers={"fear_movement": {"fear_movement": 6}})
    )
    assert kinds(enrollment) == ["fear_high"]


# ------------------------------------------------------------------ self-harm
def test_it_raises_an_urgent_alert_when_phq9_item_9_is_above_zero(enrollment):
    result = evaluate_checkin(make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=1)}))
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity, without_fingerprint(alert.details)) == (
        "self_harm",
        "urgent",
        {"item9": 1},
    )
    assert result.safety is True


def test_it_does_not_raise_self_harm_when_item_9_is_zero(enrollment):
    # Every other PHQ-9 item at its highest: depression is not the self-harm rule (the
    # total, 24, raises its own depression alert: tests/test_screening_alerts.py).
    answers = {"phq9": phq9(item9=0, **{f"phq{n}": 3 for n in range(1, 9)})}
    result = evaluate_checkin(make_checkin(enrollment, "baseline", answers=answers))
    assert "self_harm" not in kinds(enrollment) and result.safety is False


def _followup(enrollment, first: str) -> CheckIn:
    """A completed one-month follow-up whose first cause's text is `first`."""
    return make_checkin(
        enrollment, "followup-1m", answers=_causes(first), kind=CheckIn.Kind.FOLLOWUP
    )


def _causes(first: str) -> dict:
    return {
        "causes": {
            "cause1": {"text": first, "category": "stress"},
            "cause2": {"text": "Old injury", "category": "injury"},
            "cause3": {"text": "Sitting all day", "category": "sedentary"},
        }
    }


def test_it_raises_self_harm_for_the_practices_crisis_words(cast, enrollment):
    set_rules(cast.practice, crisis_words=["end it all", "Kill myself"])
    result = evaluate_checkin(_followup(enrollment, "Some days I want to END it all"))
    alert = Alert.objects.get()
    assert (alert.kind, without_fingerprint(alert.details)) == ("self_harm", {"crisis_words": True})
    assert result.safety is True


def test_a_practice_without_its_own_words_uses_the_default_list(other_enrollment):
    # Issue 15: an empty list no longer turns scanning off; the reviewed default applies.
    evaluate_checkin(_followup(other_enrollment, "I want to end it all"))
    assert Alert.objects.get().kind == "self_harm"


def test_it_ignores_crisis_words_inside_other_words(cast, enrollment):
    set_rules(cast.practice, crisis_words=["end it"])
    evaluate_checkin(_followup(enrollment, "Weekend itinerary stress"))
    assert Alert.objects.count() == 0


def test_it_raises_one_alert_when_a_check_in_is_evaluated_twice(enrollment):
    checkin = make_checkin(
        enrollment,
        "baseline",
        answers={"phq9": phq9(item9=2), "fear_movement": {"fear_movement": 9}},
    )
    first = evaluate_checkin(checkin)
    second = evaluate_checkin(checkin)
    assert sorted(a.kind for a in first.alerts) == ["fear_high", "self_harm"]
    assert second.alerts == [] and second.safety is True
    assert kinds(enrollment) == ["fear_high", "self_harm"]
    assert OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email").count() == 1
    assert AuditEvent.objects.filter(action="alert.raised").count() == 2


def test_it_evaluates_a_check_in_in_the_same_few_queries_however_long_the_history(
    cast, enrollment, other_enrollment
):
    set_rules(cast.practice)  # the settings row exists, as after the first check-in

    def count(e, weeks: int) -> int:
        pain_history(e, *([3] + [4] * weeks))
        last = make_checkin(
            e,
            "end",
            kind=CheckIn.Kind.END,
            answers={**pain(4), "phq9": phq9(), "fear_movement": {"fear_movement": 2}},
        )
        with CaptureQueriesContext(connection) as queries:
            evaluate_checkin(last)
        return len(queries)

    short, long = count(enrollment, 1), count(other_enrollment, 8)
    # settings, this check-in's responses, the pain history
    assert short == long == 3


# ------------------------------------------------------------------ missed check-ins
def test_it_raises_missed_after_two_missed_check_ins_in_a_row(enrollment):
    make_checkin(enrollment, "baseline", answers=pain(4), days_ago=24)
    make_checkin(enrollment, "week-1", days_ago=17, status=MISSED)
    last = make_checkin(enrollment, "week-2", days_ago=10, status=MISSED)
    raised = alerts_for_missed_checkins()
    alert = Alert.objects.get()
    assert raised == [alert]
    assert (alert.kind, alert.severity, alert.source) == (
        "missed_checkins",
        "routine",
        f"missed:{last.pk}",
    )
    assert alerts_for_missed_checkins() == []
    assert Alert.objects.count() == 1


def test_it_does_not_raise_missed_for_one_missed_check_in(enrollment):
    make_checkin(enrollment, "week-1", days_ago=17, status=MISSED)
    make_checkin(enrollment, "week-2", answers=pain(4), days_ago=10)
    make_checkin(enrollment, "week-3", days_ago=4, status=MISSED)
    # Still open: its window has not closed, so it does not count yet.
    make_checkin(enrollment, "week-4", days_ago=1, status=CheckIn.Status.OPEN)
    assert alerts_for_missed_checkins() == []
    assert evaluate_missed(enrollment) is None


def test_it_uses_the_practices_missed_in_a_row(cast, enrollment):
    set_rules(cast.practice, missed_in_a_row=3)
    make_checkin(enrollment, "week-1", days_ago=17, status=MISSED)
    make_checkin(enrollment, "week-2", days_ago=10, status=MISSED)
    assert evaluate_missed(enrollment) is None
    make_checkin(enrollment, "week-3", days_ago=4, status=MISSED)
    assert evaluate_missed(enrollment).kind == "missed_checkins"


def test_it_does_not_raise_missed_for_a_withdrawn_patient(enrollment):
    enrollment.status = EnrollmentStatus.WITHDRAWN
    enrollment.save()
    make_checkin(enrollment, "week-1", days_ago=17, status=MISSED)
    make_checkin(enrollment, "week-2", days_ago=10, status=MISSED)
    assert alerts_for_missed_checkins() == []


def test_it_does_not_email_the_clinician_at_once_for_routine_alerts(enrollment):
    make_checkin(enrollment, "week-1", days_ago=17, status=MISSED)
    make_checkin(enrollment, "week-2", days_ago=10, status=MISSED)
    evaluate_checkin(
        make_checkin(enrollment, "week-3", answers={"fear_movement": {"fear_movement": 10}})
    )
    alerts_for_missed_checkins()
    assert kinds(enrollment) == ["fear_high", "missed_checkins"]
    assert OutboxTask.objects.count() == 0  # these wait for the daily digest


@pytest.mark.parametrize(
    ("kind", "severity", "told_at_once"),
    [
        ("phq9_high", "urgent", True),  # PHQ-9 of 20 or more: urgent, whatever its kind
        ("phq9_high", "high", False),  # 15-19: the inbox and the digest
        ("gad7_high", "high", False),
        ("phq2_positive", "routine", False),
        ("self_harm", "urgent", True),
        ("new_symptoms", "high", True),
    ],
)
def test_every_urgent_alert_tells_the_clinician_at_once(
    cast, enrollment, kind, severity, told_at_once
):
    from tracking.alerts.services import alert_raise

    alert = alert_raise(enrollment=enrollment, kind=kind, severity=severity, source="test")
    emails = OutboxTask.objects.filter(
        task="tracking.tasks_alerts.send_alert_email", kwargs__alert_id=alert.pk
    )
    assert emails.exists() == told_at_once


# ------------------------------------------------------------------ emergency signs written
def test_emergency_signs_written_in_a_check_in_raise_one_urgent_alert(enrollment):
    checkin = _followup(enrollment, "Without warning I lost control of my bladder")
    first = evaluate_checkin(checkin)
    evaluate_checkin(checkin)
    alert = Alert.objects.get()
    assert [a.pk for a in first.alerts] == [alert.pk]
    assert (alert.kind, alert.severity) == ("emergency_symptoms", "urgent")
    assert without_fingerprint(alert.details) == {"emergency_signs": True, "written": True}


def test_a_negated_sign_in_a_check_in_raises_nothing(enrollment):
    evaluate_checkin(_followup(enrollment, "No numbness between my legs, just back pain"))
    assert Alert.objects.count() == 0


def test_emergency_signs_in_a_check_in_draft_raise_the_alert_and_show_the_guidance(enrollment):
    checkin = make_checkin(enrollment, "followup-1m", answers={}, kind=CheckIn.Kind.FOLLOWUP)
    draft = _causes("Sin querer me hice pis encima")
    found = evaluate_draft(checkin, draft=draft, instruments=[])
    again = evaluate_draft(checkin, draft=draft, instruments=[])
    alert = Alert.objects.get()
    assert (alert.kind, alert.source) == ("emergency_symptoms", f"checkin:{checkin.pk}")
    assert without_fingerprint(alert.details) == {
        "emergency_signs": True,
        "written": True,
        "draft": True,
    }
    assert found.symptom_guidance == again.symptom_guidance
    assert found.new_symptoms and found.told and again.told
