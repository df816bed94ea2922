"""An entry the patient edits in place raises a new self-harm alert when a crisis phrase
is saved in it after its last alert was resolved (review finding: "each entry raises
one alert ever"), and never a second one while its alert is still open or
acknowledged. Every path that edits an entry in place, on the real database; and what
the patient is told ("Your care team has been told") is true: the clinician has an
alert not yet resolved, and is told of the new one at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from programs.exposure.models import FearItem
from programs.exposure.services import fear_item_create, fear_item_update
from programs.models import Activity, ActivityKind
from programs.services import reflection_save
from programs.tailoring.models import CustomExercise
from programs.tailoring.services import custom_exercise_add, custom_exercise_complete
from tests.edit_versions import with_version
from tests.test_alerts_factories import CONTACTED, make_checkin, phq9
from tests.test_diary import form_data
from tracking.alerts.evaluate import alerts_for_missed_checkins, evaluate_checkin
from tracking.alerts.services import alert_acknowledge, alert_raise, alert_resolve
from tracking.diary.models import DiaryEntry
from tracking.diary.services import Episode, diary_entry_save
from tracking.models import Alert, CheckIn, OutboxTask
from tracking.safety.scanner import scan
from tracking.safety.services import safety_plan_save

WEEK2 = "When I want to die I will call Sam."
WEEK6 = "I'm going to kill myself tonight."


def self_harm(enrollment) -> list[Alert]:
    return list(
        Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).order_by("pk")
    )


def told_at_once(clinician) -> int:
    """The urgent emails queued for the clinician at once (the outbox; the worker sends
    each unless the alert was acknowledged first)."""
    mine = set(Alert.objects.filter(enrollment__clinician=clinician).values_list("pk", flat=True))
    rows = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email")
    return sum(1 for row in rows if row.kwargs["alert_id"] in mine)


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("before", "free_text", "raised"),
    [
        # An entry edited in place (the scanner's sources).
        (None, True, True),
        ("open", True, False),
        ("acknowledged", True, False),
        ("resolved", True, True),
        # One event looked at again (a check-in, screening, the missed sweep).
        (None, False, True),
        ("open", False, False),
        ("acknowledged", False, False),
        ("resolved", False, False),
    ],
)
def test_when_the_same_source_raises_a_new_alert(cast, enrollment, before, free_text, raised):
    def again():
        return alert_raise(
            enrollment=enrollment,
            kind=Alert.Kind.SELF_HARM,
            severity=Alert.Severity.URGENT,
            source="reflection:7",
            again_after_resolved=free_text,
        )

    if before is not None:
        first = again()
        if before in ("acknowledged", "resolved"):
            alert_acknowledge(alert=first, by=cast.clinician)
        if before == "resolved":
            alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    new = again()
    assert (new is not None) == raised
    unresolved = Alert.objects.filter(source="reflection:7").exclude(status="resolved")
    # Never two being worked at once.
    assert unresolved.count() == (0 if before == "resolved" and not raised else 1)


def test_the_database_refuses_a_second_unresolved_alert_for_one_source(enrollment):
    fields = {
        "enrollment": enrollment,
        "practice_id": enrollment.practice_id,
        "kind": Alert.Kind.SELF_HARM,
        "severity": Alert.Severity.URGENT,
        "source": "diary:1",
    }
    Alert.objects.create(**fields, status=Alert.Status.RESOLVED)
    Alert.objects.create(**fields, status=Alert.Status.RESOLVED)
    Alert.objects.create(**fields, status=Alert.Status.ACKNOWLEDGED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Alert.objects.create(**fields)


# ------------------------------------------------------------------ every path
def _resolve_all(enrollment, clinician) -> None:
    for alert in self_harm(enrollment):
        alert_resolve(alert=alert, by=clinician, outcome=CONTACTED)


def _safety_plan(enrollment, text):
    safety_plan_save(enrollment=enrollment, data={"warning_signs": text})


def _reflection(enrollment, text):
    activity = Activity.objects.filter(
        week__version=enrollment.program_version, kind=ActivityKind.REFLECTION
    ).first()
    reflection_save(enrollment=enrollment, activity=activity, text=text)


def _diary(enrollment, text):
    entry = DiaryEntry.objects.filter(enrollment=enrollment).first()
    episode = Episode(
        occurred_at=timezone.now() - timedelta(hours=1), pain=5, fear=4, self_talk=text
    )
    diary_entry_save(enrollment=enrollment, episode=episode, entry=entry)


def _fear_rung(enrollment, text):
    rung = FearItem.objects.filter(enrollment=enrollment).first()
    if rung is None:
        fear_item_create(enrollment=enrollment, label=text, harm_rating=40)
    else:
        fear_item_update(fear_item=rung, label=text, harm_rating=40)


def _custom_note(enrollment, text):
    exercise = CustomExercise.objects.filter(enrollment=enrollment).first()
    if exercise is None:
        exercise = custom_exercise_add(
            enrollment=enrollment,
            week=1,
            title="Walk to the corner",
            instructions="Walk slowly and notice your feet.",
            reason="A small step that fits your week.",
            by=enrollment.clinician,
        )
    custom_exercise_complete(exercise=exercise, note=text)


@pytest.mark.parametrize(
    "write", [_safety_plan, _reflection, _diary, _fear_rung, _custom_note], ids=lambda f: f.__name__
)
def test_an_entry_edited_after_its_alert_was_resolved_raises_a_new_one(
    cast, enrollment, write, django_capture_on_commit_callbacks
):
    # Week 2: the entry holds a crisis phrase; the clinician is told, calls, resolves.
    write(enrollment, WEEK2)
    [first] = self_harm(enrollment)
    assert told_at_once(cast.clinician) == 1
    # Saved again while the alert is open, then acknowledged: no second alert.
    write(enrollment, WEEK2 + " Sam's number is in my phone.")
    alert_acknowledge(alert=first, by=cast.clinician)
    write(enrollment, WEEK2)
    assert self_harm(enrollment) == [first] and told_at_once(cast.clinician) == 1
    _resolve_all(enrollment, cast.clinician)
    # Week 6: the same entry now says something worse: a new urgent alert, told at once
    # (in the app and by email), with the entry's source.
    emails = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email").count()
    write(enrollment, WEEK6)
    first_again, second = self_harm(enrollment)
    assert first_again.status == "resolved" and second.status == "open"
    assert second.source == first.source and second.severity == "urgent"
    assert told_at_once(cast.clinician) == 2
    assert (
        OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email").count()
        == emails + 1
    )


def test_the_diary_tells_the_patient_the_truth_after_an_edit(client, cast, enrollment):
    """The patient's diary says "Your care team has been told": after the first alert
    was resolved, the edit raises a new one, so it is true, and the clinician's inbox
    shows it."""
    client.force_login(cast.patient)
    client.post(reverse("diary_new"), form_data(self_talk=WEEK2))
    entry = DiaryEntry.objects.get()
    _resolve_all(enrollment, cast.clinician)
    url = reverse("diary_edit", args=[entry.pk])
    response = client.post(url, with_version(client, url, form_data(self_talk=WEEK6)))
    assert response["Location"] == reverse("get_help")
    page = client.get(response["Location"]).content.decode()
    assert "Your care team has been told" in page
    assert [a.status for a in self_harm(enrollment)] == ["resolved", "open"]
    client.force_login(cast.clinician)
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert cast.patient.display_name in inbox


def test_a_check_in_looked_at_again_after_resolution_raises_nothing_new(cast, enrollment):
    checkin = make_checkin(enrollment, "baseline", answers={"phq9": phq9(item9=2)})
    evaluate_checkin(checkin)
    _resolve_all(enrollment, cast.clinician)
    assert evaluate_checkin(CheckIn.objects.get(pk=checkin.pk)).alerts == []
    assert len(self_harm(enrollment)) == 1


def test_the_missed_sweep_does_not_raise_the_resolved_alert_again(cast, enrollment):
    for n, slot in enumerate(("week-1", "week-2")):
        make_checkin(enrollment, slot, days_ago=20 - 7 * n, status=CheckIn.Status.MISSED)
    [missed] = alerts_for_missed_checkins()
    alert_resolve(alert=missed, by=cast.clinician, outcome=CONTACTED)
    assert alerts_for_missed_checkins() == []
    assert Alert.objects.filter(kind=Alert.Kind.MISSED).count() == 1


def test_a_message_is_one_source_scanned_once(enrollment):
    # Messages are never edited: scanning the same one again adds nothing while open.
    assert scan(enrollment, source="message:1", texts=[WEEK6]) is not None
    assert scan(enrollment, source="message:1", texts=[WEEK6]) is None


# ------------------------------------------------------------------ the migration
@pytest.mark.django_db(transaction=True)
def test_the_migration_goes_back_keeping_every_alert_and_forward_again(cast, enrollment):
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = ("tracking", "0024_submit_once")
    after = ("tracking", "0025_alert_once_open_per_source")
    first = scan(enrollment, source="safety_plan:3", texts=[WEEK2])
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    second = scan(enrollment, source="safety_plan:3", texts=[WEEK6])
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([before])
        old = executor.loader.project_state([before]).apps.get_model("tracking", "Alert")
        # Nothing deleted; the newest keeps the entry's source, the older gets its own.
        assert dict(old.objects.values_list("pk", "source")) == {
            first.pk: f"safety_plan:3#{first.pk}",
            second.pk: "safety_plan:3",
        }
        executor = MigrationExecutor(connection)
        executor.migrate([after])
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
    assert Alert.objects.count() == 2
