"""An entry edited in place (the safety plan, a diary entry) raises a new urgent alert
after its last one was resolved only when the words that hold a crisis phrase changed
since that alert (review finding: a safety plan that says "when I think I'd be better
off dead, I call Sam" raised an urgent alert at every save once the first was resolved:
alert fatigue). The alert keeps a keyed fingerprint of those words, never the words.
What the patient is told stays true: when nobody is told again, no page says they are.
Real Postgres throughout."""

from __future__ import annotations

import pytest
from django.urls import reverse

from programs.safety import Crisis
from tests.edit_versions import with_version
from tests.test_alerts_factories import CONTACTED
from tests.test_diary import form_data
from tracking import rules
from tracking.alerts.services import alert_raise, alert_resolve
from tracking.diary.models import DiaryEntry
from tracking.models import Alert, OutboxTask, PracticeSettings
from tracking.safety.models import SafetyPlan
from tracking.safety.scanner import (
    FINGERPRINT,
    normalise,
    scan_text,
    text_fingerprint,
)

PLAN_WORDS = "When I think I'd be better off dead, I call Sam."
WORSE = "I'm going to kill myself tonight."
TOLD_PANEL = "We have told your clinic about what you wrote."
SEEN_PANEL = "Your clinic was already told about these same words"
DIARY_TOLD = "Your care team has been told."
DIARY_SEEN = "Your care team was already told about these same words"


def post(client, url: str, data: dict):
    """The form posted as its page sends it (with the page's version of what it edits;
    a saved safety plan shows its form with ?edit=1)."""
    return client.post(url, with_version(client, url, data, page_url=f"{url}?edit=1"))


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
# (The whole table, new entries too: tests/test_crisis_alert_rule.py.)
@pytest.mark.parametrize(
    ("status", "same_words", "decision"),
    [
        (None, False, "raise"),  # no alert yet
        ("open", False, "open"),
        ("acknowledged", True, "open"),
        ("resolved", True, "seen"),
        ("resolved", False, "raise"),  # other words, or an alert without fingerprint
    ],
)
def test_the_decision(status, same_words, decision):
    assert (
        rules.crisis_alert_decision(
            source=rules.CrisisSource.ENTRY, status=status, same_words=same_words
        )
        == decision
    )


SOURCE = "safety_plan:9"


def _old_style_resolved(enrollment, clinician):
    # An alert stored before fingerprints: its details name the entry, nothing more.
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source=SOURCE,
        details={"crisis_words": True, "entry": "safety_plan"},
        again_after_resolved=True,
    )
    alert_resolve(alert=alert, by=clinician, outcome=CONTACTED)


def _scanned_and_resolved(enrollment, clinician):
    _, alert = scan_text(enrollment, source=SOURCE, texts=[PLAN_WORDS])
    alert_resolve(alert=alert, by=clinician, outcome=CONTACTED)


@pytest.mark.parametrize(
    ("before", "now", "found", "raised"),
    [
        ("no alert", PLAN_WORDS, Crisis.TOLD, True),
        ("open alert", PLAN_WORDS, Crisis.TOLD, False),
        ("open alert", WORSE, Crisis.TOLD, False),
        ("resolved, same text", PLAN_WORDS, Crisis.SEEN, False),
        # The same words in another case, spacing and punctuation are the same words.
        (
            "resolved, same text",
            "  when i think i’d be BETTER off dead — i call sam",
            Crisis.SEEN,
            False,
        ),
        ("resolved, changed text", WORSE, Crisis.TOLD, True),
        ("resolved, changed text", PLAN_WORDS + " " + WORSE, Crisis.TOLD, True),
        ("resolved old alert without fingerprint", PLAN_WORDS, Crisis.TOLD, True),
    ],
)
def test_what_a_save_with_a_crisis_phrase_raises(cast, enrollment, before, now, found, raised):
    if before == "open alert":
        scan_text(enrollment, source=SOURCE, texts=[PLAN_WORDS])
    elif before.startswith("resolved old"):
        _old_style_resolved(enrollment, cast.clinician)
    elif before.startswith("resolved"):
        _scanned_and_resolved(enrollment, cast.clinician)
    alerts_before, told_before = len(self_harm(enrollment)), told_at_once(cast.clinician)
    result, alert = scan_text(enrollment, source=SOURCE, texts=[now])
    assert result == found
    assert (alert is not None) == raised
    assert len(self_harm(enrollment)) == alerts_before + raised
    assert told_at_once(cast.clinician) == told_before + raised


def test_the_fingerprint_is_keyed_and_holds_no_words(enrollment):
    _, alert = scan_text(enrollment, source=SOURCE, texts=["Nobody", PLAN_WORDS])
    alert.refresh_from_db()
    fingerprint = alert.details[FINGERPRINT]
    # Only the field holding the crisis phrase counts; no word of it is stored.
    assert fingerprint == text_fingerprint([PLAN_WORDS]) != text_fingerprint([WORSE])
    assert set(alert.details) == {"crisis_words", "entry", FINGERPRINT}
    stored = str(alert.details).lower()
    assert "dead" not in stored and "sam" not in stored
    # An HMAC, not a plain hash of the words anyone could recompute.
    import hashlib

    plain = hashlib.sha256(normalise(PLAN_WORDS).encode()).hexdigest()
    assert fingerprint != plain and len(fingerprint) == 64


def test_a_practices_own_word_is_fingerprinted_the_same_way(cast, enrollment):
    settings = PracticeSettings.for_practice(cast.practice.pk)
    settings.crisis_words = ["no way out"]
    settings.save()
    _, first = scan_text(enrollment, source=SOURCE, texts=["There is no way out."])
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    assert scan_text(enrollment, source=SOURCE, texts=["there is NO way out"]) == (
        Crisis.SEEN,
        None,
    )


# ------------------------------------------------------------------ the safety plan
PLAN = {
    "warning_signs": PLAN_WORDS,
    "coping": "Walk the dog",
    "people_places": "",
    "people_to_call": "Sam 0100 200 300",
    "professionals": "Dr Kim",
}


def test_the_safety_plan_saved_again_with_the_same_words_raises_nothing_new(
    client, cast, enrollment
):
    client.force_login(cast.patient)
    response = post(client, reverse("safety_plan"), PLAN)
    page = client.get(response["Location"]).content.decode()
    assert TOLD_PANEL in page and SEEN_PANEL not in page
    [first] = self_harm(enrollment)
    assert told_at_once(cast.clinician) == 1
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)

    # Sam's number changes: the words the clinician handled did not. Nothing new, and
    # the panel still shows, saying the clinic was told before, not now.
    response = post(client, reverse("safety_plan"), {**PLAN, "people_to_call": "Sam 0100 999"})
    assert response.status_code == 302
    assert SafetyPlan.objects.get(enrollment=enrollment).people_to_call == "Sam 0100 999"
    page = client.get(response["Location"]).content.decode()
    assert "You do not have to face this alone" in page
    assert SEEN_PANEL in page and TOLD_PANEL not in page
    assert self_harm(enrollment) == [first] and told_at_once(cast.clinician) == 1

    # In Spanish too.
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    response = post(client, reverse("safety_plan"), {**PLAN, "coping": "Música"})
    page = client.get(response["Location"]).content.decode()
    assert "Ya avisamos a su clínica sobre estas mismas palabras" in page
    assert len(self_harm(enrollment)) == 1

    # The warning signs change: a new urgent alert, told at once, and the panel says so.
    response = post(client, reverse("safety_plan"), {**PLAN, "warning_signs": WORSE})
    assert [a.status for a in self_harm(enrollment)] == ["resolved", "open"]
    assert told_at_once(cast.clinician) == 2
    page = client.get(response["Location"]).content.decode()
    assert "Le avisamos a su clínica de lo que escribió." in page
    assert "Ya avisamos a su clínica sobre estas mismas palabras" not in page


# ------------------------------------------------------------------ the diary
def test_a_diary_entry_whose_pain_score_changed_raises_nothing_new(client, cast, enrollment):
    client.force_login(cast.patient)
    response = post(client, reverse("diary_new"), form_data(self_talk=PLAN_WORDS))
    assert response["Location"] == reverse("get_help")
    assert DIARY_TOLD in client.get(response["Location"]).content.decode()
    entry = DiaryEntry.objects.get()
    [first] = self_harm(enrollment)
    alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)

    # Only the pain score changes: help again, nobody told again, and the page says so.
    response = post(
        client, reverse("diary_edit", args=[entry.pk]), form_data(self_talk=PLAN_WORDS, pain="3")
    )
    assert response["Location"] == reverse("get_help")
    entry.refresh_from_db()
    assert entry.pain == 3
    page = client.get(response["Location"]).content.decode()
    assert DIARY_SEEN in page and DIARY_TOLD not in page
    assert self_harm(enrollment) == [first] and told_at_once(cast.clinician) == 1

    # The words change: a new urgent alert, and "has been told" is true again.
    response = post(client, reverse("diary_edit", args=[entry.pk]), form_data(self_talk=WORSE))
    page = client.get(response["Location"]).content.decode()
    assert DIARY_TOLD in page and DIARY_SEEN not in page
    assert [a.status for a in self_harm(enrollment)] == ["resolved", "open"]
    assert told_at_once(cast.clinician) == 2


def test_the_diary_says_it_in_spanish(client, cast, enrollment):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    post(client, reverse("diary_new"), form_data(self_talk=PLAN_WORDS))
    entry = DiaryEntry.objects.get()
    alert_resolve(alert=self_harm(enrollment)[0], by=cast.clinician, outcome=CONTACTED)
    response = post(
        client, reverse("diary_edit", args=[entry.pk]), form_data(self_talk=PLAN_WORDS, pain="2")
    )
    page = client.get(response["Location"]).content.decode()
    assert "Ya avisamos a su equipo de atención sobre estas mismas palabras" in page
    assert len(self_harm(enrollment)) == 1
