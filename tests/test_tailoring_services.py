"""Tailoring one patient's program (issue 19, point 2): the services, and what the
patient's path looks like afterwards (programs.tailoring, tracking.clinic.tailoring)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs import selectors
from programs.models import Activity, ActivityCompletion, EnrollmentStatus, Reflection
from programs.services import activity_complete, reflection_save
from programs.tailoring import services, switching
from programs.tailoring.models import (
    ActivityAdjustment,
    CustomExercise,
    ExposureSuggestion,
    SuggestionStatus,
)
from programs.tailoring.selectors import tailoring_for
from tests.tailoring_data import make_trial_version
from tracking.checkins.schedule import checkins_schedule
from tracking.clinic.tailoring import program_switch
from tracking.models import CheckIn

REASON = "You know this one well already."


def act(enrollment, slug: str) -> Activity:
    return Activity.objects.select_related("week").get(
        week__version=enrollment.program_version, slug=slug
    )


def fresh_map(enrollment):
    enrollment.refresh_from_db()
    for cached in ("_tailoring", "_week_count"):
        if hasattr(enrollment, cached):
            delattr(enrollment, cached)
    return selectors.program_map(enrollment)


# ---------------------------------------------------------------- adjustments
def test_it_skips_an_activity_so_it_does_not_count_against_the_patient(cast, enrollment):
    before = selectors.program_map(enrollment).progress_percent
    for slug in ("how-pain-works", "meet-somatic-tracking", "causes-week-1"):
        activity_complete(enrollment=enrollment, activity=act(enrollment, slug))
    week1 = fresh_map(enrollment).week(1)
    assert week1 is not None and not week1.is_complete  # the evidence checklist is left
    services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "evidence-week-1"),
        action="skip",
        reason=REASON,
        by=cast.clinician,
    )
    pmap = fresh_map(enrollment)
    week1 = pmap.week(1)
    assert week1 is not None and week1.is_complete
    assert "evidence-week-1" not in [a.slug for a in week1.one_off]
    # Still listed, with the note, and still open to the patient.
    assert "evidence-week-1" in [a.slug for a, change in week1.items if change]
    assert pmap.progress_percent > before


def test_it_moves_an_activity_to_another_week(cast, enrollment):
    services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "fear-pain-cycle"),
        action="move",
        to_week=4,
        reason=REASON,
        by=cast.clinician,
    )
    pmap = fresh_map(enrollment)
    assert "fear-pain-cycle" not in [a.slug for a in pmap.week(2).activities]
    assert "fear-pain-cycle" in [a.slug for a in pmap.week(4).activities]
    state, activity = pmap.activity("fear-pain-cycle")
    assert state.week.number == 4 and not pmap.is_available(state, activity)


def test_it_opens_an_activity_of_a_later_week_now(cast, enrollment):
    activity = act(enrollment, "fear-of-movement")  # week 3; the patient is in week 2
    services.activity_adjust(
        enrollment=enrollment, activity=activity, action="assign", reason=REASON, by=cast.clinician
    )
    pmap = fresh_map(enrollment)
    state, found = pmap.activity("fear-of-movement")
    assert not state.is_open and pmap.is_available(state, found)


def test_a_new_change_of_the_same_activity_replaces_the_old_one(cast, enrollment):
    activity = act(enrollment, "fear-pain-cycle")
    services.activity_adjust(
        enrollment=enrollment, activity=activity, action="skip", reason=REASON, by=cast.clinician
    )
    services.activity_adjust(
        enrollment=enrollment,
        activity=activity,
        action="move",
        to_week=3,
        reason="Later suits you better.",
        by=cast.clinician,
    )
    assert ActivityAdjustment.objects.get(enrollment=enrollment).action == "move"
    changes = [
        e.changes
        for e in AuditEvent.objects.filter(action="tailoring.activity_adjusted").order_by("pk")
    ]
    assert changes[-1]["action"] == ["skip", "move"] and changes[-1]["to_week"] == [None, 3]


@pytest.mark.parametrize(
    ("slug", "action", "to_week", "reason", "field"),
    [
        ("fear-pain-cycle", "move", None, REASON, "to_week"),
        ("fear-pain-cycle", "move", 9, REASON, "to_week"),
        ("fear-pain-cycle", "move", 0, REASON, "to_week"),
        ("fear-pain-cycle", "move", 2, REASON, "to_week"),  # already there
        ("fear-pain-cycle", "skip", None, "   ", "reason"),
        ("fear-pain-cycle", "skip", None, "x" * 201, "reason"),
        ("fear-pain-cycle", "delete", None, REASON, "action"),
        ("checkin-week-2", "skip", None, REASON, "activity"),  # tracking's schedule
    ],
)
def test_it_refuses_a_change_that_makes_no_sense(
    cast, enrollment, slug, action, to_week, reason, field
):
    with pytest.raises(ValidationError) as error:
        services.activity_adjust(
            enrollment=enrollment,
            activity=act(enrollment, slug),
            action=action,
            to_week=to_week,
            reason=reason,
            by=cast.clinician,
        )
    assert field in error.value.message_dict
    assert not ActivityAdjustment.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="tailoring.").exists()


def test_it_refuses_an_activity_of_another_program(cast, enrollment):
    trial = make_trial_version()
    other = Activity.objects.get(week__version=trial, slug="fear-pain-cycle")
    with pytest.raises(ValidationError):
        services.activity_adjust(
            enrollment=enrollment, activity=other, action="skip", reason=REASON, by=cast.clinician
        )


def test_undo_puts_the_activity_back(cast, enrollment):
    adjustment = services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "fear-pain-cycle"),
        action="move",
        to_week=5,
        reason=REASON,
        by=cast.clinician,
    )
    services.activity_adjustment_undo(adjustment=adjustment, by=cast.clinician)
    assert "fear-pain-cycle" in [a.slug for a in fresh_map(enrollment).week(2).activities]
    event = AuditEvent.objects.get(action="tailoring.adjustment_undone")
    assert event.changes["action"] == ["move", None]


def test_it_audits_without_free_text(cast, enrollment):
    services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "fear-pain-cycle"),
        action="skip",
        reason="Secret reason words",
        by=cast.clinician,
    )
    services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Secret title words",
        instructions="Secret instruction words",
        reason="Secret reason words",
        by=cast.clinician,
    )
    services.exposure_suggest(
        enrollment=enrollment, label="Secret label words", reason="Secret", by=cast.clinician
    )
    events = AuditEvent.objects.filter(action__startswith="tailoring.")
    assert events.count() == 3
    for event in events:
        assert event.actor_id == cast.clinician.pk and event.subject_id == cast.patient.pk
        assert event.practice_id == cast.practice.pk
        assert "Secret" not in str(event.changes)


def test_an_untailored_patient_costs_no_query(enrollment, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert tailoring_for(enrollment).adjustments == {}


# ---------------------------------------------------------------- custom exercises
def test_a_custom_exercise_shows_in_its_week_and_counts(cast, enrollment):
    exercise = services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Walk to the corner",
        instructions="Walk slowly and notice your feet.",
        reason="A small step that fits your week.",
        minutes=5,
        by=cast.clinician,
    )
    pmap = fresh_map(enrollment)
    assert [c.pk for c in pmap.week(2).custom] == [exercise.pk]
    before = pmap.progress_percent
    assert services.custom_exercise_complete(exercise=exercise, note="Felt fine.")
    assert not services.custom_exercise_complete(exercise=exercise, note="Again fine.")
    assert fresh_map(enrollment).progress_percent > before


def test_a_withdrawn_exercise_is_hidden_from_the_patient(cast, enrollment):
    exercise = services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Walk",
        instructions="Walk.",
        reason=REASON,
        by=cast.clinician,
    )
    assert services.custom_exercise_withdraw(exercise=exercise, by=cast.clinician)
    assert not services.custom_exercise_withdraw(exercise=exercise, by=cast.clinician)
    assert fresh_map(enrollment).week(2).custom == []


@pytest.mark.parametrize(
    ("week", "title", "instructions", "minutes", "field"),
    [
        (9, "Walk", "Walk.", 5, "week"),
        (2, " ", "Walk.", 5, "title"),
        (2, "Walk", "", 5, "instructions"),
        (2, "Walk", "Walk.", 0, "minutes"),
    ],
)
def test_it_refuses_a_custom_exercise_it_cannot_show(
    cast, enrollment, week, title, instructions, minutes, field
):
    with pytest.raises(ValidationError) as error:
        services.custom_exercise_add(
            enrollment=enrollment,
            week=week,
            title=title,
            instructions=instructions,
            reason=REASON,
            minutes=minutes,
            by=cast.clinician,
        )
    assert field in error.value.message_dict


def test_the_patients_note_on_a_custom_exercise_is_scanned(cast, enrollment):
    from tracking.models import Alert

    exercise = services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Walk",
        instructions="Walk.",
        reason=REASON,
        by=cast.clinician,
    )
    services.custom_exercise_complete(exercise=exercise, note="I want to kill myself")
    assert Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).exists()


# ---------------------------------------------------------------- ladder suggestions
def test_an_accepted_suggestion_becomes_a_rung_rated_by_the_patient(cast, enrollment):
    suggestion = services.exposure_suggest(
        enrollment=enrollment,
        label="Carry one bag of shopping",
        reason="A good next step.",
        by=cast.clinician,
    )
    fear_item = services.exposure_suggestion_accept(suggestion=suggestion, harm_rating=40)
    assert (fear_item.label, fear_item.harm_rating) == ("Carry one bag of shopping", 40)
    # A double submit makes no second rung.
    assert services.exposure_suggestion_accept(suggestion=suggestion, harm_rating=40) == fear_item
    suggestion.refresh_from_db()
    assert suggestion.status == SuggestionStatus.ACCEPTED
    assert not services.exposure_suggestion_decline(suggestion=suggestion)


def test_a_declined_suggestion_adds_nothing(cast, enrollment):
    suggestion = services.exposure_suggest(
        enrollment=enrollment, label="Run", reason=REASON, by=cast.clinician
    )
    assert services.exposure_suggestion_decline(suggestion=suggestion)
    with pytest.raises(ValidationError):
        services.exposure_suggestion_accept(suggestion=suggestion, harm_rating=10)
    assert ExposureSuggestion.objects.get().fear_item is None
    assert not enrollment.fear_items.exists()


# ---------------------------------------------------------------- program switch
@pytest.fixture
def trial(db):
    return make_trial_version()


def _start(enrollment, days_ago: int):
    today = enrollment.local_date()
    enrollment.start_date = today - timedelta(days=days_ago)
    enrollment.save()
    checkins_schedule(enrollment)


@pytest.mark.parametrize(
    ("days_ago", "start", "week_before", "week_after"),
    [
        (10, "calendar", 2, 2),  # the same week number
        (27, "calendar", 4, 4),  # the last day of week 4: still inside the new program
        (10, "week1", 2, 1),  # a fresh start at week 1 today
        (40, "week1", 6, 1),
        (40, "last", 6, 4),  # the new program's last week, from today
        (10, "last", 2, 4),
    ],
)
def test_it_switches_program_and_says_which_week(
    cast, enrollment, trial, days_ago, start, week_before, week_after
):
    _start(enrollment, days_ago)
    switch = program_switch(
        enrollment=enrollment,
        to_version=trial,
        reason="Two sessions a week suits you.",
        start=start,
        by=cast.clinician,
    )
    assert (switch.week_before, switch.week_after) == (week_before, week_after)
    enrollment.refresh_from_db()
    assert enrollment.program_version == trial
    assert fresh_map(enrollment).current_week == week_after
    event = AuditEvent.objects.get(action="tailoring.program_switched")
    assert event.changes["program_version"] == [switch.from_version_id, trial.pk]
    assert event.changes["week"] == [week_before, week_after]
    assert "Two sessions" not in str(event.changes)


def test_a_switch_keeps_completions_logs_and_answers(cast, enrollment, trial):
    _start(enrollment, 10)
    done = act(enrollment, "how-pain-works")
    activity_complete(enrollment=enrollment, activity=done)
    activity_complete(enrollment=enrollment, activity=act(enrollment, "flares-and-road-ahead"))
    reflection_save(
        enrollment=enrollment, activity=act(enrollment, "strongest-clue"), text="Stress at work."
    )
    services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "fear-pain-cycle"),
        action="move",
        to_week=7,  # past the new end: goes to its last week
        reason=REASON,
        by=cast.clinician,
    )
    services.custom_exercise_add(
        enrollment=enrollment,
        week=6,
        title="Walk",
        instructions="Walk.",
        reason=REASON,
        by=cast.clinician,
    )
    program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)
    pmap = fresh_map(enrollment)
    new_done = Activity.objects.get(week__version=trial, slug="how-pain-works")
    assert new_done.pk in pmap.done
    # The old rows stay (three, the reflection's included); the two shared ones carried.
    assert ActivityCompletion.objects.filter(enrollment=enrollment).count() == 5
    reflection = Reflection.objects.get(enrollment=enrollment)
    assert reflection.activity.week.version_id == trial.pk
    adjustment = ActivityAdjustment.objects.get(enrollment=enrollment)
    assert adjustment.activity.week.version_id == trial.pk and adjustment.to_week == 4
    assert CustomExercise.objects.get(enrollment=enrollment).week == 4
    assert "fear-pain-cycle" in [a.slug for a in pmap.week(4).activities]


def test_a_switch_fits_the_check_ins_to_the_new_program(cast, enrollment, trial):
    _start(enrollment, 10)
    baseline = CheckIn.objects.get(enrollment=enrollment, slot="baseline")
    baseline.status = CheckIn.Status.COMPLETED
    baseline.save()
    assert CheckIn.objects.filter(enrollment=enrollment, slot="week-6").exists()
    assert "phq9" not in CheckIn.objects.get(enrollment=enrollment, slot="week-3").instrument_keys
    old_end = CheckIn.objects.get(enrollment=enrollment, slot="end").due_date
    program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)
    slots = set(CheckIn.objects.filter(enrollment=enrollment).values_list("slot", flat=True))
    assert not slots & {"week-5", "week-6", "week-7", "week-8"}
    assert CheckIn.objects.get(enrollment=enrollment, slot="baseline").status == "completed"
    new_end = CheckIn.objects.get(enrollment=enrollment, slot="end").due_date
    assert new_end == old_end - timedelta(days=28)
    # Week 3 is a full check-in in the new program (week 4 was, in the old one).
    week3 = CheckIn.objects.get(enrollment=enrollment, slot="week-3")
    assert week3.status == CheckIn.Status.SCHEDULED and "phq9" in week3.instrument_keys


@pytest.mark.parametrize("status", [EnrollmentStatus.COMPLETED, EnrollmentStatus.WITHDRAWN])
def test_it_refuses_to_switch_a_closed_enrollment(cast, enrollment, trial, status):
    enrollment.status = status
    enrollment.save()
    with pytest.raises(ValidationError):
        program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)


def test_it_refuses_another_language_or_the_same_version(cast, enrollment, trial):
    spanish = make_trial_version(language="es")
    for target in (spanish, enrollment.program_version):
        with pytest.raises(ValidationError):
            program_switch(
                enrollment=enrollment, to_version=target, reason=REASON, by=cast.clinician
            )
    assert switching.switch_targets(enrollment) == [trial]


def test_the_patient_sees_a_recent_switch(cast, enrollment, trial):
    program_switch(enrollment=enrollment, to_version=trial, reason=REASON, by=cast.clinician)
    enrollment.refresh_from_db()
    recent = tailoring_for(enrollment).recent(timezone.now() - services.RECENT)
    assert [getattr(c, "note_kind", "") for c in recent] == ["switch"]
