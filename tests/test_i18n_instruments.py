"""The questionnaires in Spanish (issue 18, item 4): every shipped instrument's Spanish
wording is complete and versioned, scoring does not depend on the language, a Spanish
patient's check-in asks in Spanish and records it, and a clinician sees each answer in
their own language with the language the patient answered in."""

from __future__ import annotations

import copy
import csv
import io
import json

import pytest
from django.urls import reverse
from django.utils.html import escape
from fhir.resources.bundle import Bundle

from tests.checkin_data import answers_for, post_for
from tracking.instruments import registry
from tracking.instruments.registry import instrument_save, normalise
from tracking.instruments.scoring import score
from tracking.instruments.shipped import SHIPPED, definition_for
from tracking.models import Instrument, Response

pytestmark = pytest.mark.django_db

# Asked in Spanish; the FABQ has no Spanish questions (no licence for the Spanish FABQ
# found), so a Spanish-speaking patient is not asked it.
ENGLISH_ONLY = {"fabq_pa"}
SPANISH = [d["key"] for d in SHIPPED if d["key"] not in ENGLISH_ONLY]


@pytest.mark.parametrize("key", SPANISH)
def test_every_shipped_instrument_has_complete_spanish(key):
    data = normalise(definition_for(key))
    es = data["translations"]["es"]
    assert es["title"].strip() and es["instructions"].strip()
    for item in data["items"]:
        words = es["items"][item["key"]]
        assert words["text"].strip() and words["text"] != item["text"]
        # Every English answer label has a Spanish one, for the same values.
        assert set(words.get("labels", {})) == set(item.get("labels", {})), item["key"]
        assert all(v.strip() for v in words.get("labels", {}).values())
        if item.get("hint"):
            assert words.get("hint", "").strip()
    assert set(es["items"]) == {i["key"] for i in data["items"]}  # nothing extra


@pytest.mark.parametrize("key", [d["key"] for d in SHIPPED])
def test_scoring_is_the_same_in_both_languages(key):
    """The same answers, asked in either language, give the same scores: the items
    asked in Spanish are the English ones with other words, never other numbers."""
    instrument, _ = instrument_save(definition=definition_for(key))
    answers = answers_for([key])[key]
    for lang in ("en", "es"):
        items = registry.items_in(instrument, lang)
        assert [(i["key"], i.get("min"), i.get("max")) for i in items] == [
            (i["key"], i.get("min"), i.get("max")) for i in instrument.items
        ]
        assert [sorted(i.get("labels", {})) for i in items] == [
            sorted(i.get("labels", {})) for i in instrument.items
        ]
    spec = registry.spec_of(instrument)
    assert score(spec, answers) == score(spec, copy.deepcopy(answers))


def test_fabq_has_no_spanish_questions_only_a_spanish_name_and_note(db):
    """Staff read its name and licence note in Spanish; it has no Spanish questions, so
    it is no version a Spanish-speaking patient can be asked."""
    data = normalise(definition_for("fabq_pa"))
    assert "items" not in data["translations"]["es"]
    assert "Kovacs" in data["licence_note"]
    assert "Kovacs" in data["translations"]["es"]["licence_note"]
    instrument, _ = instrument_save(definition=definition_for("fabq_pa"))
    assert not registry.has_version_in(instrument, "es")
    assert registry.has_version_in(instrument, "en")


def test_the_spanish_is_part_of_the_version(db):
    definition = copy.deepcopy(definition_for("phq2"))
    first, _ = instrument_save(definition=definition)
    again, created = instrument_save(definition=copy.deepcopy(definition))
    assert (again.pk, created) == (first.pk, False)
    definition["translations"]["es"]["items"]["phq1"]["text"] += "."
    changed, created = instrument_save(definition=definition)
    assert created and changed.version == first.version + 1
    assert changed.scoring == first.scoring and changed.items == first.items


def test_the_sources_are_cited_in_the_licence_notes():
    for key in ("phq9", "phq2", "gad7", "gad2", "phq9_item9"):
        assert "Spanish version for the USA" in definition_for(key)["licence_note"]
    for key in ("pain_avg", "pain_worst", "fear_movement", "new_symptoms", "causes"):
        assert "translated by the painapp team" in definition_for(key)["licence_note"]


def test_the_weekly_item_9_is_the_phq9s_item_9():
    weekly = normalise(definition_for("phq9_item9"))["translations"]["es"]["items"]["phq9"]
    phq9 = normalise(definition_for("phq9"))["translations"]["es"]["items"]["phq9"]
    assert weekly == phq9


# ---------------------------------------------------------------- the check-in
@pytest.fixture
def spanish(cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    return cast.patient


def test_a_spanish_patients_check_in_asks_in_spanish(client, spanish, week3):
    client.force_login(spanish)
    page = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert ">Dolor promedio</h2>" in page
    assert escape("Poco interés o placer en hacer cosas") in page
    assert escape("Pensamientos de que estaría mejor muerto(a)") in page
    assert "Ningún día" in page and "Casi todos los días" in page
    assert "Nada de dolor" in page
    assert "Little interest or pleasure" not in page
    assert "Not at all" not in page


def test_an_english_patients_check_in_stays_english(client, cast, week3):
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert ">Average pain</h2>" in page and "Little interest or pleasure" in page
    assert "Poco interés" not in page


def test_the_response_records_the_language_answered_in(client, spanish, week3):
    client.force_login(spanish)
    response = client.post(
        reverse("checkin_detail", args=[week3.pk]), post_for(week3.instrument_keys)
    )
    assert response.status_code == 302
    responses = Response.objects.filter(checkin=week3)
    assert responses.count() == len(week3.instrument_keys)
    assert set(responses.values_list("language", flat=True)) == {"es"}


def test_an_instrument_without_spanish_is_not_asked_of_a_spanish_patient(client, spanish, week3):
    week3.instrument_keys = ["pain_avg", "fabq_pa"]
    week3.save()
    client.force_login(spanish)
    page = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert ">Dolor promedio</h2>" in page
    assert "Physical activity makes my pain worse" not in page  # FABQ: no Spanish version
    response = client.post(reverse("checkin_detail", args=[week3.pk]), post_for(["pain_avg"]))
    assert response.status_code == 302
    languages = dict(
        Response.objects.filter(checkin=week3).values_list("instrument_key", "language")
    )
    assert languages == {"pain_avg": "es"}  # done without it; no FABQ score at all


def test_an_english_patient_is_still_asked_the_fabq(client, cast, week3):
    week3.instrument_keys = ["pain_avg", "fabq_pa"]
    week3.save()
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert "Physical activity makes my pain worse" in page


def test_english_scores_equal_spanish_scores_for_the_same_answers(client, cast, spanish, week3):
    client.force_login(spanish)
    client.post(reverse("checkin_detail", args=[week3.pk]), post_for(week3.instrument_keys))
    es_scores = {r.instrument_key: r.scores for r in Response.objects.filter(checkin=week3)}
    for key, answers in answers_for(week3.instrument_keys).items():
        instrument = Instrument.objects.get(practice=None, key=key, is_current=True)
        assert score(registry.spec_of(instrument), answers) == es_scores[key]


# ---------------------------------------------------------------- the clinician's view
def test_an_english_clinician_sees_the_english_item_answered_in_spanish(
    client, cast, spanish, enrollment, week3
):
    client.force_login(spanish)
    client.post(reverse("checkin_detail", args=[week3.pk]), post_for(week3.instrument_keys))
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_checkins", args=[enrollment.pk])).content.decode()
    assert "Little interest or pleasure in doing things" in page
    assert "1 – Several days" in page
    assert "Answered in Spanish" in page
    assert "Poco interés" not in page


def test_a_spanish_clinician_sees_the_spanish_item(client, cast, enrollment, week3):
    # The patient (English) answered the baseline in English.
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_checkins", args=[enrollment.pk])).content.decode()
    assert escape("Poco interés o placer en hacer cosas") in page
    assert "Respondió en inglés" in page


def test_no_language_note_when_the_languages_match(client, cast, enrollment, week3):
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_checkins", args=[enrollment.pk])).content.decode()
    assert "Answered in" not in page


# ---------------------------------------------------------------- exports
def test_the_exports_say_which_language_each_answer_was_asked_in(
    client, cast, enrollment, week3, spanish
):
    # week3 before spanish: the baseline was answered while the patient read English.
    client.force_login(spanish)
    client.post(reverse("checkin_detail", args=[week3.pk]), post_for(week3.instrument_keys))
    client.force_login(cast.clinician)
    response = client.get(reverse("patient_csv", args=[enrollment.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, body = rows[0], rows[1:]
    assert header[-1] == "language"
    assert {r[-1] for r in body if r[3] == "week-3" and r[4] == "phq2"} == {"es"}
    assert {r[-1] for r in body if r[3] == "baseline" and r[4] == "phq9"} == {"en"}

    data = json.loads(client.get(reverse("patient_fhir", args=[enrollment.pk])).content)
    Bundle.parse_obj(data)  # still valid R4 with the language element
    phq2 = next(
        e["resource"]
        for e in data["entry"]
        if e["resource"]["language"] == "es" and "/phq2|" in e["resource"]["questionnaire"]
    )
    assert phq2["item"][0]["text"] == "Poco interés o placer en hacer cosas"
