"""PHQ-9 item 10, the difficulty question (issue 16, Build 8).

Asked with the PHQ-9 wherever the PHQ-9 is asked (baseline, week 4, end, follow-ups),
optional, never added to the score, and shown to the clinician with the check-in's
answers. The definition changed, so storing it makes a new instrument version; answers
given to version 1 keep being read with version 1.
"""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.checkin_data import answers_for, post_for, record_at_open
from tracking.checkins.schedule import DEFAULT_CONFIG
from tracking.instruments.registry import instrument_save, normalise, sync_shipped
from tracking.instruments.scoring import AnswerError, InstrumentSpec, clean_answers, score
from tracking.instruments.shipped import definition_for
from tracking.models import CheckIn, Instrument, Response

ITEM_10 = (
    "If you checked off any problems, how difficult have these problems made it for you "
    "to do your work, take care of things at home, or get along with other people?"
)


def spec() -> InstrumentSpec:
    d = normalise(definition_for("phq9"))
    return InstrumentSpec(key="phq9", version=2, items=d["items"], scoring=d["scoring"])


def nine(value: int) -> dict:
    return {f"phq{n}": value for n in range(1, 10)}


def test_item_10_is_asked_after_the_nine_in_the_authors_words():
    items = spec().items
    assert [i["key"] for i in items] == [f"phq{n}" for n in range(1, 11)]
    last = items[-1]
    assert last["text"] == ITEM_10
    assert last["labels"] == {
        "0": "Not difficult at all",
        "1": "Somewhat difficult",
        "2": "Very difficult",
        "3": "Extremely difficult",
    }
    assert last["optional"] is True and last["scored"] is False


@pytest.mark.parametrize("difficulty", [None, 0, 3])
def test_the_score_is_the_nine_items_alone(difficulty):
    s = spec()
    raw = nine(2) | ({} if difficulty is None else {"phq10": difficulty})
    clean = clean_answers(s, raw)
    assert score(s, clean) == {"total": 18, "band": "Moderately severe"}
    assert clean.get("phq10") == difficulty


def test_item_10_may_be_blank_but_not_out_of_range():
    s = spec()
    assert "phq10" not in clean_answers(s, nine(0) | {"phq10": ""})
    with pytest.raises(AnswerError) as error:
        clean_answers(s, nine(0) | {"phq10": "4"})
    assert error.value.errors == {"phq10": "Choose a number from 0 to 3."}
    # The nine are still required.
    with pytest.raises(AnswerError):
        clean_answers(s, {"phq10": 1})


def test_it_is_a_new_version_and_old_answers_keep_theirs(db):
    old = copy.deepcopy(definition_for("phq9"))
    old["items"] = old["items"][:9]
    del old["scoring"]["items"]
    v1, _ = instrument_save(definition=old)
    sync_shipped()
    versions = Instrument.objects.filter(key="phq9", practice=None).order_by("version")
    assert [(i.version, i.is_current, len(i.items)) for i in versions] == [
        (1, False, 9),
        (2, True, 10),
    ]
    assert versions[1].scoring["items"] == [f"phq{n}" for n in range(1, 10)]
    assert sync_shipped() == 0  # unchanged now


def test_the_patient_is_asked_it_and_may_skip_it(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_current")).content.decode()
    assert ITEM_10 in page
    assert "Answer this if you chose anything other than “Not at all” above." in page
    assert "Not difficult at all" in page and "Extremely difficult" in page
    checkin = CheckIn.objects.get(enrollment=enrollment, kind=CheckIn.Kind.BASELINE)
    data = post_for(checkin.instrument_keys)
    del data["phq9__phq10"]
    response = client.post(reverse("checkin_detail", args=[checkin.pk]), data)
    assert response.status_code == 302
    phq = Response.objects.get(checkin=checkin, instrument_key="phq9")
    assert "phq10" not in phq.answers and phq.scores["total"] == 8
    assert phq.instrument_version == Instrument.objects.get(key="phq9", is_current=True).version


def test_the_clinician_sees_the_answer_with_the_check_in(client, cast, enrollment):
    opens = timezone.now() - timedelta(days=2)
    checkin = CheckIn.objects.create(
        enrollment=enrollment,
        slot="baseline",
        kind=CheckIn.Kind.BASELINE,
        due_date=opens.date(),
        opens_at=opens,
        closes_at=opens + timedelta(days=7),
        status=CheckIn.Status.OPEN,
        instrument_keys=DEFAULT_CONFIG["baseline"],
    )
    record_at_open(checkin, phq9=nine(1) | {"phq10": 2})
    assert answers_for(["phq9"])["phq9"]["phq10"] == 1  # the helper answers it too
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_checkins", args=[enrollment.pk])).content.decode()
    assert f"{ITEM_10} (not scored)" in page
    assert "2 – Very difficult" in page
    phq = Response.objects.get(checkin=checkin, instrument_key="phq9")
    assert phq.scores["total"] == 9  # nine items of 1; the difficulty answer not added
