"""A check-in's self-harm alert, once resolved, is no reason never to tell the clinic
again: a safety answer that changed since (item 9 from 1 to 3, new crisis words) raises
a new alert, the same answers do not, and the patient is told which truthfully.

Monday the patient saves a draft with item 9 = 1 (an alert); Tuesday the clinician calls
and resolves it; Friday the patient changes item 9 to 3 and submits, in time or from an
old tab after the window closed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from programs.safety import Crisis
from tests.checkin_data import post_for
from tests.test_alerts_factories import CONTACTED
from tracking import rules
from tracking.alerts.evaluate import safety_fingerprint
from tracking.alerts.services import alert_resolve
from tracking.models import Alert

ITEM9_1 = safety_fingerprint({"item9": 1}, [])
ITEM9_3 = safety_fingerprint({"item9": 3}, [])
WORDS = safety_fingerprint({"item9": 1}, ["I want to die", "no way out"])
TOLD_AT_ONCE = "Your clinic is told about this answer as soon as it is saved."
SEEN = "Your clinic was already told about this same answer, so we have not told them again."


@pytest.mark.parametrize(
    ("unresolved", "resolved", "now", "decision"),
    [
        (False, None, ITEM9_1, "raise"),  # nothing yet
        (True, None, ITEM9_3, "open"),  # open: the team has it
        (True, ITEM9_1, ITEM9_3, "open"),  # a newer one open
        (False, ITEM9_1, ITEM9_1, "seen"),  # resolved, the same answer
        (False, ITEM9_1, ITEM9_3, "raise"),  # resolved, item 9 changed
        (False, ITEM9_1, WORDS, "raise"),  # resolved, crisis words added
        (False, WORDS, safety_fingerprint({"item9": 1}, ["no way out", "I want to die"]), "seen"),
        (False, WORDS, safety_fingerprint({"item9": 1}, ["I want to die"]), "raise"),
    ],
)
def test_the_decision_for_a_checkins_safety_answers(unresolved, resolved, now, decision):
    status = "open" if unresolved else ("resolved" if resolved else None)
    assert rules.crisis_alert_decision(
        source=rules.CrisisSource.ENTRY, status=status, same_words=resolved == now
    ) == rules.CrisisDecision(decision)


def test_the_fingerprint_tells_answers_apart_and_holds_no_answer():
    assert ITEM9_1 != ITEM9_3 != safety_fingerprint({}, ["I want to die"])
    assert safety_fingerprint({"item9": 1}, []) == ITEM9_1
    assert "item9" not in ITEM9_1 and len(ITEM9_1) == 64


def _draft_then_resolved(client, cast, week3):
    """Monday's draft with item 9 = 1 (an alert), resolved on Tuesday's call."""
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    with time_machine.travel(week3.opens_at + timedelta(minutes=30), tick=False):
        client.post(url, {"action": "save", "phq9_item9__phq9": "1"})
    first = Alert.objects.get(kind=Alert.Kind.SELF_HARM)
    assert first.details["draft"] is True
    assert alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    return url


def _submit(client, url, week3, *, at, item9):
    with time_machine.travel(at, tick=False):
        return client.post(url, post_for(week3.instrument_keys, phq9_item9={"phq9": item9}))


def test_a_changed_answer_submitted_after_the_alert_was_resolved_raises_a_new_one(
    client, cast, week3
):
    url = _draft_then_resolved(client, cast, week3)
    at = week3.opens_at + timedelta(hours=2)
    _submit(client, url, week3, at=at, item9=3)
    with time_machine.travel(at, tick=False):
        page = client.get(url + "?done=1").content.decode()
    second = Alert.objects.exclude(status=Alert.Status.RESOLVED).get(kind=Alert.Kind.SELF_HARM)
    assert (second.severity, second.source, second.details["item9"]) == (
        "urgent",
        f"checkin:{week3.pk}",
        3,
    )
    assert Alert.objects.filter(kind=Alert.Kind.SELF_HARM).count() == 2
    assert "You do not have to face this alone" in page
    assert TOLD_AT_ONCE in page and SEEN not in page


def test_the_same_answer_submitted_after_it_was_resolved_raises_nothing_and_says_so(
    client, cast, week3
):
    url = _draft_then_resolved(client, cast, week3)
    at = week3.opens_at + timedelta(hours=2)
    _submit(client, url, week3, at=at, item9=1)
    with time_machine.travel(at, tick=False):
        page = client.get(url + "?done=1").content.decode()
    assert Alert.objects.filter(kind=Alert.Kind.SELF_HARM).count() == 1  # the resolved one
    assert "You do not have to face this alone" in page  # the help still shows
    assert SEEN in page and TOLD_AT_ONCE not in page


def test_a_changed_answer_from_an_old_tab_after_it_closed_raises_a_new_one(client, cast, week3):
    url = _draft_then_resolved(client, cast, week3)
    response = _submit(client, url, week3, at=week3.closes_at + timedelta(minutes=2), item9=3)
    page = response.content.decode()
    open_alert = Alert.objects.exclude(status=Alert.Status.RESOLVED).get()
    assert (open_alert.details["item9"], open_alert.details["unsaved"]) == (3, True)
    assert "We did not save this answer, but we have told your clinic about it." in page
    assert "But we have told your clinic about what you said about your safety" in page


def test_the_same_answer_from_an_old_tab_after_it_closed_says_seen_before(client, cast, week3):
    url = _draft_then_resolved(client, cast, week3)
    response = _submit(client, url, week3, at=week3.closes_at + timedelta(minutes=2), item9=1)
    page = response.content.decode()
    assert not Alert.objects.exclude(status=Alert.Status.RESOLVED).exists()
    assert 'id="crisis-now"' in page  # the help still shows
    assert SEEN in page
    assert "we have told your clinic" not in page
    assert (
        "We could not save these answers. Your clinic was already told about these same "
        "answers, so we have not told them again."
    ) in page


def test_what_a_draft_save_reports(cast, week3):
    from tracking.checkins.services import checkin_safety_unsaved

    first = checkin_safety_unsaved(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 2}})
    assert (first.self_harm, first.crisis, first.told) == (True, Crisis.TOLD, True)
    again = checkin_safety_unsaved(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 2}})
    assert (again.crisis, again.told) == (Crisis.TOLD, True)  # still open: the team has it
    assert alert_resolve(alert=Alert.objects.get(), by=cast.clinician, outcome=CONTACTED)
    seen = checkin_safety_unsaved(checkin=week3, answers_by_instrument={"phq9_item9": {"phq9": 2}})
    assert (seen.self_harm, seen.crisis, seen.told, seen.seen_before) == (
        True,
        Crisis.SEEN,
        False,
        True,
    )
    assert Alert.objects.count() == 1
