"""Enrollment summaries (the caseload's and the report's check-in figures, the rules'
verdicts on them and the alert counts) and the practice-session counter stay equal to
what the rows themselves say, through the real services, under concurrent check-ins and
alerts, and after a repair with refresh_summaries."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from programs.models import Enrollment
from programs.practice.services import practice_session_record
from tests.checkin_data import answers_for, record_at_open, schedule_from_start
from tests.test_alerts_factories import CONTACTED
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.checkins.services import (
    _claim_and_write,
    _clean_all,
    _scored_responses,
    checkin_instruments,
    checkin_record,
)
from tracking.checkins.summaries import FIELDS, summaries_refresh
from tracking.models import Alert, CheckIn, EnrollmentSummary, Response


def started_weeks_ago(enrollment: Enrollment, weeks: int) -> dict[str, CheckIn]:
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * weeks)
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    return schedule_from_start(enrollment)


def figures(enrollment: Enrollment) -> dict:
    summary = EnrollmentSummary.objects.get(enrollment=enrollment)
    return {name: getattr(summary, name) for name in FIELDS}


def recomputed(enrollment: Enrollment) -> dict:
    """The figures as summaries_refresh works them out from the rows, from scratch."""
    kept = figures(enrollment)
    summaries_refresh(enrollment_ids=[enrollment.pk])
    fresh = figures(enrollment)
    EnrollmentSummary.objects.filter(enrollment=enrollment).update(**kept)
    return fresh


def test_it_has_no_summary_before_any_check_in(enrollment):
    schedule_from_start(enrollment)
    assert not EnrollmentSummary.objects.filter(enrollment=enrollment).exists()


def test_it_follows_each_recorded_check_in(enrollment):
    slots = started_weeks_ago(enrollment, 3)
    record_at_open(slots["baseline"], pain_avg={"pain_avg": 8}, fear_movement={"fear_movement": 9})
    after_baseline = figures(enrollment)
    assert after_baseline["pain_baseline"] == after_baseline["pain_current"] == 8
    assert after_baseline["fear_baseline"] == 9
    assert after_baseline["pain_checkins"] == 1 and after_baseline["weekly_done"] == 0
    assert after_baseline["pain_end"] is None

    week2 = record_at_open(
        slots["week-2"], pain_avg={"pain_avg": 5}, fear_movement={"fear_movement": 4}
    )
    now = figures(enrollment)
    assert now["pain_baseline"] == 8 and now["pain_current"] == 5
    assert now["fear_baseline"] == 9 and now["fear_current"] == 4
    assert now["pain_checkins"] == 2 and now["weekly_done"] == 1
    week2.refresh_from_db()
    assert now["last_checkin_at"] == week2.completed_at
    assert now == recomputed(enrollment)


def test_each_check_in_added_gives_what_a_full_recompute_gives(enrollment):
    """checkin_record adds each check-in to the summary with one upsert and stores the
    rules' verdict; early or late in their windows, with answers changed or left at
    their defaults, the result equals summaries_refresh's recompute from the responses
    after every step."""
    slots = started_weeks_ago(enrollment, 9)
    plan = [
        ("baseline", 30, {"pain_avg": {"pain_avg": 7}}),
        ("week-2", 60, {"pain_avg": {"pain_avg": 6}}),
        ("week-3", 1, {"fear_movement": {"fear_movement": 3}}),
        ("week-4", 30, {"pain_avg": {"pain_avg": 4}}),
        ("end", 2, {"pain_avg": {"pain_avg": 1}, "fear_movement": {"fear_movement": 2}}),
    ]
    for slot, hours, overrides in plan:
        checkin = slots[slot]
        answers = answers_for(checkin.instrument_keys, **overrides)
        checkin_record(
            checkin=checkin,
            answers_by_instrument=answers,
            now=checkin.opens_at + timedelta(hours=hours),
        )
        assert figures(enrollment) == recomputed(enrollment), slot
    final = figures(enrollment)
    assert final["pain_baseline"] == 7 and final["pain_end"] == 1 and final["weekly_done"] == 3


def test_the_claim_writes_once_and_a_second_claim_writes_nothing(enrollment):
    """checkin_record's three writes (claim, responses, summary): the first claim of a
    check-in writes its responses (their ids set) and adds it to the summary, returning
    the summary's baseline pain; a second claim of a check-in already done writes
    nothing and returns (False, None)."""
    plan = [
        ("baseline", 30, {"pain_avg": {"pain_avg": 7}}),
        ("week-2", 60, {"pain_avg": {"pain_avg": 6}}),
        ("week-3", 1, {"fear_movement": {"fear_movement": 3}}),
        ("end", 2, {"pain_avg": {"pain_avg": 1}, "fear_movement": {"fear_movement": 2}}),
    ]
    slots = started_weeks_ago(enrollment, 9)
    for slot, hours, overrides in plan:
        checkin = slots[slot]
        now = checkin.opens_at + timedelta(hours=hours)
        instruments = checkin_instruments(checkin, checkin.enrollment.practice_id)
        clean, errors = _clean_all(
            instruments, answers_for(checkin.instrument_keys, **overrides), allow_missing=False
        )
        assert not errors
        responses = _scored_responses(checkin, instruments, clean, now)
        with transaction.atomic():
            assert _claim_and_write(checkin, responses, now) == (True, 7), slot
        assert {r.instrument_key: r.pk for r in responses} == dict(
            Response.objects.filter(checkin=checkin).values_list("instrument_key", "pk")
        )
        with transaction.atomic():
            again = _claim_and_write(
                checkin, _scored_responses(checkin, instruments, clean, now), now
            )
        assert again == (False, None), slot
        assert Response.objects.filter(checkin=checkin).count() == len(responses)
        checkin.refresh_from_db()
        assert (checkin.status, checkin.completed_at, checkin.draft) == (
            CheckIn.Status.COMPLETED,
            now,
            {},
        )


def test_it_stores_the_rules_verdict_on_each_check_in(enrollment):
    """The caseload filters by "not improving" and sorts by the change in pain from the
    summary: each check-in recorded leaves tracking.rules' verdict on the new figures."""
    slots = started_weeks_ago(enrollment, 9)
    steps = [
        ("baseline", 6, None, False),
        ("week-2", 5, 1, False),  # one week: too early
        ("week-3", 5, 1, True),  # 1 point, 17%: not a real change
        ("week-4", 4, 2, False),  # 2 points
        ("week-5", 1, 5, False),
    ]  # pain-free or nearly
    for slot, pain, change, not_improving in steps:
        record_at_open(slots[slot], pain_avg={"pain_avg": pain})
        kept = figures(enrollment)
        assert (kept["pain_change"], kept["not_improving"]) == (change, not_improving), slot
        assert kept["not_improving"] is rules.is_not_improving(
            weekly_done=kept["weekly_done"],
            baseline=kept["pain_baseline"],
            current=kept["pain_current"],
        )
        assert kept == recomputed(enrollment), slot


def alert_counts(enrollment: Enrollment) -> tuple[int, int, int]:
    summary = EnrollmentSummary.objects.get(enrollment=enrollment)
    return summary.alerts_unresolved, summary.alerts_open, summary.alerts_urgent


def test_the_alert_services_keep_the_counts(cast, enrollment):
    """Raising, acknowledging and resolving an alert recount the enrollment's alerts in
    the same transaction: the caseload's "has alerts" filter and alert sort read them."""
    assert not EnrollmentSummary.objects.filter(enrollment=enrollment).exists()
    urgent = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="test:1",
    )
    assert alert_counts(enrollment) == (1, 1, 1)  # made the row: no check-in yet
    routine = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.MISSED,
        severity=Alert.Severity.ROUTINE,
        source="test:2",
    )
    assert alert_counts(enrollment) == (2, 2, 1)
    assert (
        alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.MISSED,
            severity=Alert.Severity.ROUTINE,
            source="test:2",
        )
        is None
    )
    assert alert_counts(enrollment) == (2, 2, 1)
    assert alert_acknowledge(alert=urgent, by=cast.clinician)
    assert alert_counts(enrollment) == (2, 1, 1)
    assert not alert_acknowledge(alert=urgent, by=cast.clinician)
    assert alert_counts(enrollment) == (2, 1, 1)
    assert alert_resolve(alert=urgent, by=cast.clinician, outcome=CONTACTED)
    assert alert_counts(enrollment) == (1, 1, 0)
    assert alert_resolve(alert=routine, by=cast.clinician, outcome=CONTACTED)
    assert alert_counts(enrollment) == (0, 0, 0)
    assert figures(enrollment) == recomputed(enrollment)


@pytest.mark.django_db(transaction=True)
def test_two_alerts_raised_at_once_both_count(cast, program_version):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def raise_one(source: str) -> None:
        try:
            barrier.wait()
            alert_raise(
                enrollment=enrollment,
                kind=Alert.Kind.PAIN_UP,
                severity=Alert.Severity.HIGH,
                source=source,
            )
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=raise_one, args=(f"test:{n}",)) for n in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # The second to take the summary's lock counted the first one's committed alert.
    assert alert_counts(enrollment) == (2, 2, 0)


def test_it_reads_the_end_score_from_the_end_of_program_check_in(enrollment):
    slots = started_weeks_ago(enrollment, 9)
    record_at_open(slots["baseline"], pain_avg={"pain_avg": 7})
    record_at_open(slots["end"], pain_avg={"pain_avg": 1}, fear_movement={"fear_movement": 2})
    assert figures(enrollment)["pain_end"] == 1
    assert figures(enrollment)["fear_end"] == 2


@pytest.mark.django_db(transaction=True)
def test_two_check_ins_recorded_at_once_both_count(cast, program_version):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=program_version
    )
    slots = started_weeks_ago(enrollment, 3)
    record_at_open(slots["baseline"])
    pair = [slots["week-2"], slots["week-3"]]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def record(checkin: CheckIn) -> None:
        try:
            barrier.wait()
            checkin_record(
                checkin=checkin,
                answers_by_instrument=answers_for(checkin.instrument_keys),
                now=checkin.opens_at + timedelta(hours=30),
            )
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=record, args=(c,)) for c in pair]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    # The second to commit applied its change to the first one's committed row.
    assert figures(enrollment)["pain_checkins"] == 3
    assert figures(enrollment)["weekly_done"] == 2
    assert figures(enrollment) == recomputed(enrollment)


def test_refresh_summaries_repairs_a_stale_summary_and_session_count(enrollment):
    slots = started_weeks_ago(enrollment, 3)
    record_at_open(slots["baseline"], pain_avg={"pain_avg": 6})
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=3,
        duration_seconds=300,
    )
    alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="test:1",
    )
    right = figures(enrollment)
    EnrollmentSummary.objects.filter(enrollment=enrollment).update(
        pain_current=None,
        pain_checkins=0,
        pain_change=3,
        not_improving=True,
        alerts_unresolved=0,
        alerts_open=0,
        alerts_urgent=0,
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(practice_sessions_logged=40)

    call_command("refresh_summaries", stdout=io.StringIO())

    assert figures(enrollment) == right
    assert alert_counts(enrollment) == (1, 1, 1)
    enrollment.refresh_from_db()
    assert enrollment.practice_sessions_logged == 1


def test_a_summary_goes_with_its_enrollment(enrollment):
    slots = started_weeks_ago(enrollment, 2)
    record_at_open(slots["baseline"])
    enrollment.delete()
    assert not EnrollmentSummary.objects.exists()


def test_the_practice_session_counter_counts_each_session_once(enrollment):
    # updated_at is the day a closed enrollment ended, for the reports: untouched.
    updated_at = Enrollment.objects.get(pk=enrollment.pk).updated_at
    token = uuid.uuid4()
    for _ in range(3):  # the player retries one save with the same token
        practice_session_record(
            enrollment=enrollment,
            client_token=token,
            pain_before=5,
            threat_before=5,
            pain_after=4,
            threat_after=3,
            duration_seconds=300,
        )
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=3,
        duration_seconds=300,
    )
    enrollment.refresh_from_db()
    assert enrollment.practice_sessions_logged == 2
    assert enrollment.updated_at == updated_at


def test_a_refresh_of_nothing_writes_nothing(db):
    assert summaries_refresh(enrollment_ids=[]) == 0
    assert not EnrollmentSummary.objects.exists()


def test_the_three_causes_keep_the_first_and_latest_mind_brain_scores(enrollment):
    from programs.services import attribution_record

    attribution_record(
        enrollment=enrollment,
        activity=None,
        causes=[("Disc", "spinal"), ("Lifting", "injury"), ("Work", "stress")],
    )
    enrollment.refresh_from_db()
    assert (
        enrollment.attributions_recorded,
        enrollment.mind_brain_first,
        enrollment.mind_brain_last,
    ) == (1, 1, 1)
    week = enrollment.program_version.weeks.order_by("number").first()
    activity = week.activities.order_by("order").first()
    attribution_record(
        enrollment=enrollment,
        activity=activity,
        causes=[("Worry", "psychological"), ("Alarm", "brain"), ("Job", "stress")],
    )
    enrollment.refresh_from_db()
    assert (
        enrollment.attributions_recorded,
        enrollment.mind_brain_first,
        enrollment.mind_brain_last,
    ) == (2, 1, 3)
