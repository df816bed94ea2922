"""The one rule for crisis-word alerts (tracking.rules.crisis_alert_decision), and the
review findings it answers. Every new entry of a kind not saved yet shares one source
("diary:new"), so:

A. A resolved alert never silences a new entry's words (another submission, weeks
   later, is told again), and one a person acknowledged does not take in new words.
B. A patient who fixes the crisis field itself (cuts an over-long message to size) and
   sends gets one alert, not two: the pending one, nobody having looked at it yet, is
   the saved entry's now.

An entry edited in place keeps its rule (tests/test_alert_same_words.py). Real Postgres."""

from __future__ import annotations

import uuid

import pytest
from django.urls import reverse

from programs.safety import Crisis
from tests.test_alerts_factories import CONTACTED
from tests.test_diary import form_data as diary_data
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_resolve
from tracking.diary.models import DiaryEntry
from tracking.models import Alert, OutboxTask
from tracking.safety.scanner import FINGERPRINT, scan_text, text_fingerprint

ENTRY, NEW = rules.CrisisSource.ENTRY, rules.CrisisSource.NEW
SAVED_OWN, SAVED_NEW = rules.CrisisSource.SAVED_OWN, rules.CrisisSource.SAVED_NEW
OPEN, ACK, RESOLVED = "open", "acknowledged", "resolved"
FIRST = "I want to kill myself"
OTHER = "I want to end my life"
NOT_SAVED = "We did not save what you wrote, but we have told your clinic about it."
ALREADY = "already told"


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("source", "status", "same_words", "decision"),
    [
        # An entry's own alerts ("diary:12", a check-in): today's rule.
        (ENTRY, None, True, "raise"),
        (ENTRY, None, False, "raise"),
        (ENTRY, OPEN, True, "open"),
        (ENTRY, OPEN, False, "open"),
        (ENTRY, ACK, True, "open"),
        (ENTRY, ACK, False, "open"),
        (ENTRY, RESOLVED, True, "seen"),
        (ENTRY, RESOLVED, False, "raise"),
        # Words in a new entry not saved, against its kind's pending alert.
        (NEW, None, True, "raise"),
        (NEW, None, False, "raise"),
        (NEW, OPEN, True, "absorb"),
        (NEW, OPEN, False, "absorb"),  # nobody has looked yet: it takes the new words
        (NEW, ACK, True, "raise"),  # a person is on it: a new alert, the safe side
        (NEW, ACK, False, "raise"),
        (NEW, RESOLVED, True, "raise"),  # never "seen": maybe another submission
        (NEW, RESOLVED, False, "raise"),
        # Words now saved, against the entry's own alert marked unsaved.
        (SAVED_OWN, None, True, "entry"),
        (SAVED_OWN, None, False, "entry"),
        (SAVED_OWN, OPEN, True, "take_over"),
        (SAVED_OWN, OPEN, False, "entry"),
        (SAVED_OWN, ACK, True, "take_over"),
        (SAVED_OWN, ACK, False, "entry"),
        (SAVED_OWN, RESOLVED, True, "entry"),
        (SAVED_OWN, RESOLVED, False, "entry"),
        # Words now saved in an entry, against its kind's pending new-entry alert.
        (SAVED_NEW, None, True, "entry"),
        (SAVED_NEW, None, False, "entry"),
        (SAVED_NEW, OPEN, True, "take_over"),
        (SAVED_NEW, OPEN, False, "take_over"),  # a message cut to size: one alert
        (SAVED_NEW, ACK, True, "take_over"),
        (SAVED_NEW, ACK, False, "entry"),
        (SAVED_NEW, RESOLVED, True, "entry"),
        (SAVED_NEW, RESOLVED, False, "entry"),
    ],
)
def test_the_rule(source, status, same_words, decision):
    assert (
        rules.crisis_alert_decision(source=source, status=status, same_words=same_words) == decision
    )


def test_the_table_has_every_combination_and_the_alert_statuses():
    statuses = {None, *Alert.Status.values}
    assert set(rules.CRISIS_ALERT_RULES) == {(s, t) for s in rules.CrisisSource for t in statuses}
    assert (rules.ALERT_OPEN, rules.ALERT_ACKNOWLEDGED, rules.ALERT_RESOLVED) == (
        Alert.Status.OPEN,
        Alert.Status.ACKNOWLEDGED,
        Alert.Status.RESOLVED,
    )


# ------------------------------------------------------------------ the scanner
def self_harm(enrollment) -> list[Alert]:
    return list(
        Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM).order_by("pk")
    )


def emails() -> list[int]:
    rows = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email")
    return sorted(row.kwargs["alert_id"] for row in rows)


def unsaved(enrollment, words: str) -> Crisis:
    return scan_text(enrollment, source="diary:new", texts=[words], unsaved=True)[0]


def test_an_unacknowledged_pending_alert_takes_the_new_words_and_the_entry_takes_it(
    cast, enrollment
):
    assert unsaved(enrollment, FIRST) == Crisis.TOLD
    assert unsaved(enrollment, OTHER) == Crisis.TOLD  # another new entry, not looked at yet
    [alert] = self_harm(enrollment)
    assert alert.details[FINGERPRINT] == text_fingerprint([OTHER])
    assert alert.details["unsaved"] is True
    # Saved with yet other words: the entry takes the one alert over.
    assert scan_text(enrollment, source="diary:41", texts=[FIRST])[0] == Crisis.TOLD
    [alert] = self_harm(enrollment)
    assert alert.source == "diary:41" and "unsaved" not in alert.details
    assert alert.details[FINGERPRINT] == text_fingerprint([FIRST])
    assert emails() == [alert.pk]


@pytest.mark.parametrize("words", [FIRST, OTHER])
def test_an_acknowledged_pending_alert_does_not_take_new_words(cast, enrollment, words):
    unsaved(enrollment, FIRST)
    [first] = self_harm(enrollment)
    assert alert_acknowledge(alert=first, by=cast.clinician)
    assert unsaved(enrollment, words) == Crisis.TOLD
    first_now, second = self_harm(enrollment)
    assert first_now.pk == first.pk and first_now.status == Alert.Status.ACKNOWLEDGED
    assert first_now.details["unsaved"] is True and first_now.source.startswith("diary:")
    assert second.source == "diary:new" and second.status == Alert.Status.OPEN
    assert second.details["unsaved"] is True
    assert second.details[FINGERPRINT] == text_fingerprint([words])
    assert emails() == [first.pk, second.pk]
    # Saved: the open pending one is the entry's; the acknowledged one stays as it was.
    scan_text(enrollment, source="diary:42", texts=[words])
    first_now, second = self_harm(enrollment)
    assert second.source == "diary:42" and "unsaved" not in second.details
    assert first_now.source != "diary:42" and first_now.status == Alert.Status.ACKNOWLEDGED


def test_an_acknowledged_pending_alert_and_other_words_saved_raise_the_entrys_own(cast, enrollment):
    unsaved(enrollment, FIRST)
    [first] = self_harm(enrollment)
    alert_acknowledge(alert=first, by=cast.clinician)
    scan_text(enrollment, source="diary:43", texts=[OTHER])
    first_now, second = self_harm(enrollment)
    assert (first_now.source, first_now.status) == ("diary:new", Alert.Status.ACKNOWLEDGED)
    assert second.source == "diary:43" and "unsaved" not in second.details
    # The very words the person is on, saved: that alert is the entry's (no new one).
    scan_text(enrollment, source="diary:44", texts=[FIRST])
    assert [a.source for a in self_harm(enrollment)] == ["diary:44", "diary:43"]


def test_a_resolved_pending_alert_never_silences_a_new_entry(cast, enrollment):
    unsaved(enrollment, FIRST)
    [first] = self_harm(enrollment)
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    assert unsaved(enrollment, FIRST) == Crisis.TOLD  # not SEEN
    _, second = self_harm(enrollment)
    assert second.status == Alert.Status.OPEN and second.source == "diary:new"


def test_an_entry_edited_in_place_keeps_its_rule(cast, enrollment):
    scan_text(enrollment, source="diary:45", texts=[FIRST])
    [first] = self_harm(enrollment)
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    assert scan_text(enrollment, source="diary:45", texts=[FIRST])[0] == Crisis.SEEN
    assert scan_text(enrollment, source="diary:45", texts=[OTHER])[0] == Crisis.TOLD
    assert len(self_harm(enrollment)) == 2


# ------------------------------------------------------------------ the reviewer's pages
@pytest.fixture
def patient(us_patient):
    return us_patient


def send_back_a_new_diary_entry(client, words: str) -> str:
    """A new diary entry with the pain left empty: sent back, not saved."""
    response = client.post(reverse("diary_new"), diary_data(self_talk=words, pain=None))
    assert response.status_code in (200, 400, 422)
    return response.content.decode()


def test_resolved_weeks_ago_then_typed_again_in_a_new_entry_tells_the_clinic(
    patient, cast, enrollment
):
    send_back_a_new_diary_entry(patient, FIRST)
    [first] = self_harm(enrollment)
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)

    page = send_back_a_new_diary_entry(patient, FIRST)
    assert NOT_SAVED in page and ALREADY not in page
    [_, second] = self_harm(enrollment)
    assert second.status == Alert.Status.OPEN and second.details["unsaved"] is True
    assert emails() == [first.pk, second.pk]
    assert not DiaryEntry.objects.filter(enrollment=enrollment).exists()


def test_acknowledged_then_other_words_in_another_new_entry_raise_a_new_alert(
    patient, cast, enrollment
):
    send_back_a_new_diary_entry(patient, FIRST)
    [first] = self_harm(enrollment)
    alert_acknowledge(alert=first, by=cast.clinician)

    page = send_back_a_new_diary_entry(patient, OTHER)
    assert NOT_SAVED in page
    [first_now, second] = self_harm(enrollment)
    assert (second.status, second.source) == (Alert.Status.OPEN, "diary:new")
    assert emails() == [first.pk, second.pk]
    # The acknowledged one, off the pending source, still reads as words not saved.
    patient.force_login(cast.clinician)
    detail = patient.get(reverse("alert_detail", args=[first_now.pk]))
    assert detail.status_code == 200
    assert "but the save was refused: the form went back to them" in detail.content.decode()
    patient.force_login(cast.patient)

    # Saved at last (the pain filled in): that entry takes the new alert over.
    response = patient.post(
        reverse("diary_new"), diary_data(self_talk=OTHER, client_token=str(uuid.uuid4()))
    )
    assert response.status_code in (200, 302)
    entry = DiaryEntry.objects.get(enrollment=enrollment)
    first_now, second_now = self_harm(enrollment)
    assert second_now.source == f"diary:{entry.pk}" and "unsaved" not in second_now.details
    assert first_now.status == Alert.Status.ACKNOWLEDGED and first_now.details["unsaved"]
    assert emails() == [first.pk, second.pk]
