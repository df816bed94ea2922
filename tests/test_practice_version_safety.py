"""A practice's own version of one of our questionnaires (a licensed translation of the
PHQ-9, say) keeps our safety question, scoring method and bands: item 9 above 0 still
alerts the clinician and shows the crisis panel. An upload that states other rules is
refused with a plain message, and what was pasted stays in the box."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.checkin_data import post_for, record_at_open, schedule_from_start, without_fingerprint
from tracking import rules
from tracking.instruments import registry
from tracking.instruments.registry import current_instruments, normalise, shipped_definition
from tracking.models import Alert, Instrument, Response

OPTIONS_ES = {
    "0": "Nunca",
    "1": "Varios días",
    "2": "Más de la mitad de los días",
    "3": "Casi todos los días",
}
# A practice's licensed Spanish PHQ-9: our question keys, its own words, and (as an
# admin might well write it) no "safety_item" at all.
PHQ9_ES = {
    "key": "phq9",
    "title": "PHQ-9 (versión de la clínica)",
    "licence_note": "Licencia de Riverside.",
    "item_defaults": {"min": 0, "max": 3, "labels": OPTIONS_ES},
    "items": [
        *({"key": f"phq{n}", "text": f"Pregunta {n} del PHQ-9"} for n in range(1, 10)),
        {"key": "phq10", "text": "¿Qué tan difícil se le ha hecho?"},
    ],
    "scoring": {"method": "sum"},
}
WEEKLY_ES = {
    "key": rules.WEEKLY_SAFETY,
    "title": "Una pregunta más",
    "items": [{"key": "phq9", "text": "Pensamientos de hacerse daño", "min": 0, "max": 3}],
}


def upload(client, definition, *, as_file=True):
    body = json.dumps(definition, ensure_ascii=False)
    data = {"licence": "on"}
    if as_file:
        data["file"] = SimpleUploadedFile("q.json", body.encode(), "application/json")
    else:
        data["text"] = body
    return client.post(reverse("admin_instrument_import"), data, follow=True)


def with_changes(definition, **changes):
    d = copy.deepcopy(definition)
    for key, value in changes.items():
        if key.startswith("scoring__"):
            d["scoring"][key.removeprefix("scoring__")] = value
        elif key == "item9_max":
            d["items"][8] = {**d["items"][8], "max": value}
        else:
            d[key] = value
    return d


def test_a_practice_phq9_still_alerts_and_shows_the_crisis_panel(client, cast, enrollment):
    client.force_login(cast.admin)
    page = upload(client, PHQ9_ES).content.decode()
    assert "Saved “PHQ-9 (versión de la clínica)” as version 1." in page
    stored = Instrument.objects.get(practice=cast.practice, key="phq9")
    assert stored.scoring["safety_item"] == "phq9"
    assert stored.scoring["items"] == [f"phq{n}" for n in range(1, 10)]  # phq10 not added
    assert stored.items[9]["optional"] is True  # still may be left blank

    baseline = schedule_from_start(enrollment)["baseline"]
    assert "phq9" in baseline.instrument_keys
    client.force_login(cast.patient)
    with time_machine.travel(baseline.opens_at + timedelta(hours=1), tick=False):
        form = client.get(reverse("checkin_detail", args=[baseline.pk])).content.decode()
        assert "Pregunta 9 del PHQ-9" in form  # the practice's version is the one asked
        assert 'data-safety="self_harm"' in form  # its item 9 carries the hidden panel
        response = client.post(
            reverse("checkin_detail", args=[baseline.pk]),
            post_for(baseline.instrument_keys, phq9={"phq9": 1}),
            follow=True,
        )
    page = response.content.decode()
    assert Response.objects.get(checkin=baseline, instrument_key="phq9").instrument == stored
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert alert.severity == Alert.Severity.URGENT and alert.details["item9"] == 1
    assert "You do not have to face this alone" in page
    assert 'class="crisis"' in page


def test_a_practice_weekly_safety_question_still_alerts(client, cast, week3):
    client.force_login(cast.admin)
    upload(client, WEEKLY_ES, as_file=False)
    stored = Instrument.objects.get(practice=cast.practice, key=rules.WEEKLY_SAFETY)
    assert stored.scoring == {"method": "raw", "safety_item": "phq9"}

    client.force_login(cast.patient)
    response = client.post(
        reverse("checkin_detail", args=[week3.pk]),
        post_for(week3.instrument_keys, phq9_item9={"phq9": 2}),
        follow=True,
    )
    assert Alert.objects.get(kind=Alert.Kind.SELF_HARM).details["item9"] == 2
    assert "You do not have to face this alone" in response.content.decode()


def test_band_labels_of_its_own_are_accepted_and_ours_kept(client, cast):
    client.force_login(cast.admin)
    bands = [
        {"min": b["min"], "max": b["max"], "label": f"Nivel {n}"}
        for n, b in enumerate(rules.scoring_bands(rules.PHQ9_BANDS))
    ]
    upload(client, with_changes(PHQ9_ES, scoring__bands=bands))
    stored = current_instruments(["phq9"], cast.practice.pk)["phq9"]
    assert stored.practice == cast.practice
    assert stored.scoring["bands"] == rules.scoring_bands(rules.PHQ9_BANDS)


# ------------------------------------ versions stored before our rules were kept
def _store_the_old_way(practice, definition, scoring):
    """A practice's version as the import stored it before it kept our rules: its own
    scoring as written, no safety question, no "optional" on PHQ-9's last question."""
    data = normalise(definition)
    return Instrument.objects.create(
        practice=practice,
        key=data["key"],
        version=1,
        is_current=True,
        title=data["title"],
        items=[
            {f: v for f, v in i.items() if f not in ("optional", "scored")} for i in data["items"]
        ],
        scoring=scoring,
    )


def test_an_old_practice_phq9_without_a_safety_item_still_alerts(client, cast, enrollment):
    stored = _store_the_old_way(cast.practice, PHQ9_ES, {"method": "mean"})
    assert "safety_item" not in stored.scoring
    read = current_instruments(["phq9"], cast.practice.pk)["phq9"]
    assert read.pk == stored.pk and read.scoring == shipped_definition("phq9")["scoring"]

    baseline = schedule_from_start(enrollment)["baseline"]
    client.force_login(cast.patient)
    with time_machine.travel(baseline.opens_at + timedelta(hours=1), tick=False):
        form = client.get(reverse("checkin_detail", args=[baseline.pk])).content.decode()
        assert "Pregunta 9 del PHQ-9" in form
        assert 'data-safety="self_harm"' in form
        response = client.post(
            reverse("checkin_detail", args=[baseline.pk]),
            post_for(baseline.instrument_keys, phq9={"phq9": 1}),
            follow=True,
        )
    page = response.content.decode()
    alert = Alert.objects.get(enrollment=enrollment, kind=Alert.Kind.SELF_HARM)
    assert alert.severity == Alert.Severity.URGENT and alert.details["item9"] == 1
    assert "You do not have to face this alone" in page and 'class="crisis"' in page
    recorded = Response.objects.get(checkin=baseline, instrument_key="phq9")
    assert recorded.instrument_id == stored.pk  # its words were asked...
    assert recorded.scores["total"] == 9  # ...and added up as ours are, not averaged


def test_an_old_practice_weekly_safety_question_still_alerts_on_a_draft_save(client, cast, week3):
    _store_the_old_way(cast.practice, WEEKLY_ES, {"method": "sum"})
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    assert "Pensamientos de hacerse daño" in client.get(url).content.decode()
    response = client.post(url, {"action": "save", "phq9_item9__phq9": "2"}, follow=True)
    assert without_fingerprint(Alert.objects.get(kind=Alert.Kind.SELF_HARM).details) == {
        "draft": True,
        "item9": 2,
    }
    page = response.content.decode()
    assert "You do not have to face this alone" in page
    assert "data-safety-panel>" in page  # the crisis panel is shown, not hidden


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (
            with_changes(PHQ9_ES, scoring__method="mean"),
            "its scoring method must stay “sum”",
        ),
        (
            with_changes(PHQ9_ES, safety_item="phq1"),
            "its safety question must stay “phq9”",
        ),
        (
            {**PHQ9_ES, "scoring": {"method": "sum", "safety_item": "phq3"}},
            "its safety question must stay “phq9”",
        ),
        (
            with_changes(PHQ9_ES, scoring__bands=[{"min": 0, "max": 27, "label": "Todo"}]),
            "its score bands must stay as ours (0–4, 5–9, 10–14, 15–19, 20–27)",
        ),
        (
            with_changes(PHQ9_ES, scoring__items=["phq1", "phq2"]),
            "the questions added into its score",
        ),
        (
            with_changes(PHQ9_ES, scoring__max_missing=3),
            "the answers it may miss must stay as ours",
        ),
        (
            with_changes(PHQ9_ES, item9_max=4),
            "Question 9: “phq9” is one of our questionnaires, so its answers must stay "
            "from 0 to 3.",
        ),
        (
            with_changes(WEEKLY_ES, scoring={"method": "sum"}),
            "its scoring method must stay “raw”",
        ),
        (
            {**PHQ9_ES, "key": "gad7", "items": PHQ9_ES["items"]},
            "is already used by a questionnaire we provide",
        ),
        (
            {
                **WEEKLY_ES,
                "key": "pain_avg",
                "items": [{"key": "pain_avg", "text": "Dolor"}],
                "safety_item": "pain_avg",
            },
            "it has no safety question, so please leave out “safety_item”",
        ),
    ],
)
def test_an_upload_that_changes_our_rules_is_refused_and_kept(client, cast, definition, message):
    client.force_login(cast.admin)
    response = upload(client, definition, as_file=False)

    page = response.content.decode()
    assert response.status_code == 400
    assert message in page, page[page.find("error") : page.find("error") + 600]
    assert definition["title"] in page  # what was pasted is still in the box
    assert not Instrument.objects.filter(practice=cast.practice).exists()


def test_the_refusal_reads_in_spanish(client, cast):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])
    client.force_login(cast.admin)
    page = upload(
        client, with_changes(PHQ9_ES, scoring__method="mean"), as_file=False
    ).content.decode()
    assert "su método de puntuación debe seguir siendo “sum”" in page


def test_an_uploaded_files_text_is_kept_in_the_box_when_refused(client, cast):
    client.force_login(cast.admin)
    response = upload(client, with_changes(PHQ9_ES, scoring__method="mean"))
    page = response.content.decode()
    assert response.status_code == 400
    assert "Pregunta 9 del PHQ-9" in page  # the file's text, ready to fix and send again


# ------------------------------------------------- answers the check-in could not take
def _with_causes(checkin):
    checkin.instrument_keys = [*checkin.instrument_keys, "causes"]
    checkin.save(update_fields=["instrument_keys"])
    return checkin


def _late_post(client, cast, week3, **overrides):
    """The patient opens the form 10 minutes before the window closes and submits 2
    minutes after it closed."""
    client.force_login(cast.patient)
    url = reverse("checkin_detail", args=[week3.pk])
    with time_machine.travel(week3.closes_at - timedelta(minutes=10), tick=False):
        assert "data-checkin-form" in client.get(url).content.decode()
    with time_machine.travel(week3.closes_at + timedelta(minutes=2), tick=False):
        return client.post(url, post_for(week3.instrument_keys, **overrides))


def test_a_late_submit_with_item_9_and_crisis_words_alerts_and_shows_help(client, cast, week3):
    _with_causes(week3)
    response = _late_post(
        client,
        cast,
        week3,
        phq9_item9={"phq9": 3},
        causes={"cause1": {"text": "I want to die", "category": "psychological"}},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "We could not save these answers because it has closed." in page
    assert "we have told your clinic about what you said about your safety" in page
    assert 'id="crisis-now"' in page and "You do not have to face this alone" in page
    assert page.index('id="crisis-now"') < page.index('id="status-h"')  # the help first
    alert = Alert.objects.get(enrollment=week3.enrollment)
    assert (alert.kind, alert.severity, alert.source) == (
        "self_harm",
        "urgent",
        f"checkin:{week3.pk}",
    )
    assert without_fingerprint(alert.details) == {"unsaved": True, "item9": 3, "crisis_words": True}
    assert alert.due_at is not None  # it goes up the chain like any urgent alert
    week3.refresh_from_db()
    assert week3.status != "completed" and week3.draft == {}  # nothing else recorded
    assert not Response.objects.filter(checkin=week3).exists()

    client.force_login(cast.clinician)
    clinic = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "so this answer was not saved" in clinic


def test_crisis_words_alone_in_a_late_submit_alert_too(client, cast, week3):
    _with_causes(week3)
    _late_post(
        client,
        cast,
        week3,
        causes={"cause1": {"text": "me corté las venas", "category": ""}},  # even half-done
    )
    assert without_fingerprint(Alert.objects.get().details) == {
        "unsaved": True,
        "crisis_words": True,
    }


def test_a_late_submit_without_a_safety_answer_raises_nothing(client, cast, week3):
    page = _late_post(client, cast, week3).content.decode()
    assert "We could not save these answers because it has closed." in page
    assert 'id="crisis-now"' not in page
    assert not Alert.objects.exists()


def test_a_late_quiet_save_says_not_saved_and_still_alerts(client, cast, week3):
    client.force_login(cast.patient)
    with time_machine.travel(week3.closes_at + timedelta(minutes=2), tick=False):
        response = client.post(
            reverse("checkin_detail", args=[week3.pk]),
            {"action": "save", "phq9_item9__phq9": "1"},
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 409  # checkin.js: "not saved", press Submit
    assert without_fingerprint(Alert.objects.get().details) == {"unsaved": True, "item9": 1}


@pytest.mark.parametrize("action", ["submit", "save"])
def test_answers_sent_after_the_program_was_paused_still_alert(client, cast, week3, action):
    url = reverse("checkin_detail", args=[week3.pk])
    client.force_login(cast.patient)
    assert "data-checkin-form" in client.get(url).content.decode()  # the form is open
    client.force_login(cast.admin)
    paused = client.post(reverse("admin_enrollment_pause", args=[week3.enrollment.pk]))
    assert paused.status_code == 302
    week3.enrollment.refresh_from_db()
    assert week3.enrollment.status == "paused"

    client.force_login(cast.patient)
    response = client.post(
        url, post_for(week3.instrument_keys, action=action, phq9_item9={"phq9": 2})
    )

    page = response.content.decode()
    assert "We could not save these answers while it is paused." in page
    assert 'id="crisis-now"' in page
    assert without_fingerprint(Alert.objects.get().details) == {"unsaved": True, "item9": 2}
    week3.refresh_from_db()
    assert week3.status != "completed" and week3.draft == {}


# ------------------------------------------- answers sent after it was already done
def _send_again(client, cast, checkin, **overrides):
    """The check-in is done; the patient sends answers again from a second tab."""
    client.force_login(cast.patient)
    return client.post(
        reverse("checkin_detail", args=[checkin.pk]), post_for(checkin.instrument_keys, **overrides)
    )


def test_a_safety_answer_sent_after_the_check_in_was_done_alerts_and_shows_help(
    client, cast, week3
):
    _with_causes(week3)
    record_at_open(week3)  # done, quietly: item 9 was 0
    assert not Alert.objects.exists()

    response = _send_again(client, cast, week3, phq9_item9={"phq9": 2})

    page = response.content.decode()
    assert response.status_code == 200
    # Plainly what happened, not a cheerful "thank you" above the help.
    assert "You already did this check-in" not in page
    assert "You do not have to face this alone" in page
    assert "This check-in was already done, so we did not save the answers you just sent." in page
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")
    assert alert.source == f"checkin:{week3.pk}"
    assert without_fingerprint(alert.details) == {"unsaved": True, "item9": 2}
    # Nothing else is recorded: the answers saved once stay as they were.
    assert Response.objects.get(checkin=week3, instrument_key=rules.WEEKLY_SAFETY).answers == {
        "phq9": 0
    }
    week3.refresh_from_db()
    assert week3.draft == {}

    client.force_login(cast.clinician)
    clinic = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "it had closed or was already done" in clinic


def test_the_same_answers_sent_twice_raise_one_alert(client, cast, week3):
    first = _send_again(client, cast, week3, phq9_item9={"phq9": 1})
    assert first.status_code == 302  # recorded
    again = _send_again(client, cast, week3, phq9_item9={"phq9": 1})

    page = again.content.decode()
    assert "You already did this check-in" in page
    assert "You do not have to face this alone" in page
    assert "we did not save the answers you just sent" not in page  # they were saved
    alert = Alert.objects.get()  # still just the one, from the recorded answers
    assert without_fingerprint(alert.details) == {"item9": 1}
    assert Response.objects.filter(checkin=week3).count() == len(week3.instrument_keys)


def test_new_symptoms_sent_after_it_was_done_alert_and_show_where_to_get_care(client, cast, week3):
    record_at_open(week3)
    page = _send_again(
        client, cast, week3, new_symptoms={rules.NEW_SYMPTOMS_DOCTOR_ITEM: 1}
    ).content.decode()
    assert 'id="symptoms-now"' in page
    assert "we did not save the answers you just sent" in page
    alert = Alert.objects.get()
    assert (alert.kind, alert.details) == (
        "new_symptoms",
        {"new_symptoms": True, "group": "doctor_soon", "unsaved": True},
    )


def test_a_quiet_save_after_it_was_done_still_alerts(client, cast, week3):
    record_at_open(week3)
    client.force_login(cast.patient)
    response = client.post(
        reverse("checkin_detail", args=[week3.pk]),
        {"action": "save", "phq9_item9__phq9": "3"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 409
    assert without_fingerprint(Alert.objects.get().details) == {"unsaved": True, "item9": 3}
    week3.refresh_from_db()
    assert week3.draft == {}


def test_answers_without_a_safety_answer_sent_after_it_was_done_raise_nothing(client, cast, week3):
    record_at_open(week3)
    page = _send_again(client, cast, week3).content.decode()
    assert "You already did this check-in" in page
    assert "we did not save the answers you just sent" not in page
    assert 'class="crisis"' not in page
    assert not Alert.objects.exists()


# ------------------------- a stored version whose answers ran over another range
THEIR_1_TO_4 = {"1": "Not at all", "2": "Several days", "3": "Most days", "4": "Every day"}
THEIR_1_TO_4_ES = {"1": "Nunca", "2": "Algunos días", "3": "Casi siempre", "4": "Siempre"}


def _store_on_1_to_4(practice):
    data = normalise(PHQ9_ES)
    items = [
        {**i, "min": 1, "max": 4, "labels": THEIR_1_TO_4} if i["key"] != "phq10" else i
        for i in data["items"]
    ]
    es = {
        "items": {
            i["key"]: {"text": f"Pregunta {i['key']}", "labels": THEIR_1_TO_4_ES}
            for i in data["items"]
        }
    }
    return Instrument.objects.create(
        practice=practice,
        key="phq9",
        version=1,
        is_current=True,
        title=data["title"],
        items=items,
        scoring={"method": "sum"},
        translations={"es": es},
    )


def test_a_question_stored_on_another_range_is_asked_with_our_labels(client, cast, enrollment):
    """Their "Not at all" was answer 1; on our 0–3 range 1 is "Several days", which
    alerts. So the patient reads our labels, in their own language, never theirs."""
    _store_on_1_to_4(cast.practice)
    read = current_instruments(["phq9"], cast.practice.pk)["phq9"]
    item9 = {i["key"]: i for i in registry.items_in(read, "en")}["phq9"]
    assert (item9["min"], item9["max"]) == (0, 3)
    assert item9["labels"] == shipped_definition("phq9")["items"][8]["labels"]
    assert item9["labels"]["1"] == "Several days"
    es9 = {i["key"]: i for i in registry.items_in(read, "es")}["phq9"]
    assert es9["text"] == "Pregunta phq9"  # their words...
    assert es9["labels"] == {  # ...our answers, in Spanish
        "0": "Ningún día",
        "1": "Varios días",
        "2": "Más de la mitad de los días",
        "3": "Casi todos los días",
    }

    baseline = schedule_from_start(enrollment)["baseline"]
    client.force_login(cast.patient)
    with time_machine.travel(baseline.opens_at + timedelta(hours=1), tick=False):
        form = client.get(reverse("checkin_detail", args=[baseline.pk])).content.decode()
    assert "Not at all" in form and "Nearly every day" in form
    assert "Most days" not in form and "Every day<" not in form
