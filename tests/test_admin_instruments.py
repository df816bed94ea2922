"""Practice admins add a questionnaire of their own from a JSON file or pasted text:
every problem is explained and nothing is stored; a changed re-import makes version 2
while answers given to version 1 keep their version-1 score; outsiders get 404."""

from __future__ import annotations

import copy
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from painapp.accounts.models import AuditEvent
from tests.checkin_data import schedule_from_start
from tracking.instruments.forms import validate_definition
from tracking.instruments.registry import current_instruments, spec_of
from tracking.instruments.scoring import score
from tracking.models import Instrument, Response

SLEEP = {
    "key": "sleep_scale",
    "title": "Sleep questions",
    "licence_note": "Licensed to Riverside until 2027.",
    "item_defaults": {"min": 0, "max": 4, "labels": {"0": "Never", "4": "Always"}},
    "items": [{"key": f"s{n}", "text": f"Sleep question {n}"} for n in range(1, 5)],
    "scoring": {
        "method": "sum",
        "bands": [{"min": 0, "max": 7, "label": "Low"}, {"min": 8, "max": 16, "label": "High"}],
    },
}
LICENCE = "I confirm our practice holds a licence to use this questionnaire"


@pytest.fixture
def admin_client(client, cast):
    client.force_login(cast.admin)
    return client


def post(client, definition=None, *, text=None, licence=True, as_file=True):
    data = {}
    body = text if text is not None else json.dumps(definition)
    if as_file:
        data["file"] = SimpleUploadedFile("q.json", body.encode(), "application/json")
    else:
        data["text"] = body
    if licence:
        data["licence"] = "on"
    return client.post(reverse("admin_instrument_import"), data, follow=True)


def own(practice):
    return Instrument.objects.filter(practice=practice)


def test_it_imports_a_file_for_this_practice_only(admin_client, cast):
    page = admin_client.get(reverse("admin_instrument_import")).content.decode()
    assert LICENCE in page

    response = post(admin_client, SLEEP)

    page = response.content.decode()
    assert "Saved “Sleep questions” as version 1." in page
    assert "sleep_scale" in page and "Licensed to Riverside until 2027." in page
    assert "pain_avg" in page  # the shipped ones are listed too
    instrument = own(cast.practice).get()
    assert instrument.version == 1 and instrument.items[0]["max"] == 4
    assert AuditEvent.objects.filter(
        action="instrument.imported", practice=cast.practice, object_id=str(instrument.pk)
    ).exists()
    assert current_instruments(["sleep_scale"], cast.practice.pk)["sleep_scale"] == instrument
    with pytest.raises(KeyError):
        current_instruments(["sleep_scale"], cast.other_practice.pk)
    outsider_page = _list_as(admin_client, cast.outsider_admin)
    assert "sleep_scale" not in outsider_page


def _list_as(client, user) -> str:
    client.force_login(user)
    return client.get(reverse("admin_instruments")).content.decode()


def test_it_accepts_pasted_json_and_scores_with_it(admin_client, cast):
    post(admin_client, SLEEP, as_file=False)

    spec = spec_of(current_instruments(["sleep_scale"], cast.practice.pk)["sleep_scale"])
    assert score(spec, {"s1": 4, "s2": 3, "s3": 2, "s4": 1}) == {"total": 10, "band": "High"}
    assert score(spec, {"s1": 1, "s2": 1, "s3": 1, "s4": 1})["band"] == "Low"


def broken(**changes):
    d = copy.deepcopy(SLEEP)
    for path, value in changes.items():
        target = d
        *parents, last = path.split("__")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        if value is DELETE:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value
    return d


DELETE = object()


@pytest.mark.parametrize(
    ("definition", "message"),
    [
        (broken(key=DELETE), 'The questionnaire needs a "key"'),
        (broken(title=DELETE), 'The questionnaire needs a "title".'),
        (broken(items=DELETE), 'The questionnaire needs "items"'),
        (broken(items=[]), 'The questionnaire needs "items"'),
        (broken(key="Sleep Scale!"), "can only use small letters, numbers, _ and -"),
        (broken(items__0__key=DELETE), 'Question 1 needs a "key".'),
        (broken(items__1__text=""), 'Question 2 needs a "text"'),
        (broken(items__2__max=3.5), 'Question 3: "min" and "max" must be whole numbers'),
        (broken(items__3__min="0"), 'Question 4: "min" and "max" must be whole numbers'),
        (broken(items__0__min=4), 'Question 1: "min" (4) must be smaller than "max" (4).'),
        (broken(scoring__method="median"), 'The scoring method "median" is not one we know.'),
        (
            broken(scoring__subscales={"night": ["s1", "s9"]}),
            'The subscale "night" uses the question "s9", which is not in the list of questions.',
        ),
        (broken(scoring__items=["s1", "zz"]), 'Scoring uses the question "zz"'),
        (broken(scoring__bands__0__max="seven"), 'Band 1: "min" and "max" must be numbers.'),
        (broken(key="phq9"), "already used by a questionnaire we provide. Please choose another"),
        ([SLEEP], "The file must hold one questionnaire"),
    ],
)
def test_it_explains_each_problem_and_stores_nothing(admin_client, cast, definition, message):
    response = post(admin_client, definition)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert not own(cast.practice).exists()
    assert not AuditEvent.objects.filter(action="instrument.imported").exists()


@pytest.mark.parametrize(
    ("language", "one", "three"),
    [
        ("en", "Please check one thing", "Please check 3 things"),
        ("es", "Revise una cosa, por favor", "Revise 3 cosas, por favor"),
    ],
)
def test_the_error_summary_counts_the_problems_it_lists(admin_client, cast, language, one, three):
    cast.admin.language = language
    cast.admin.save(update_fields=["language"])

    response = post(admin_client, broken(title=DELETE, items__1__text="", scoring__method="x"))
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>")[0]
    assert summary.count("<li>") == 3
    assert f"<h2>{three}</h2>" in summary

    response = post(admin_client, broken(title=DELETE))
    summary = response.content.decode().split('class="error-summary"', 1)[1].split("</div>")[0]
    assert summary.count("<li>") == 1
    assert f"<h2>{one}</h2>" in summary


BROKEN = [
    broken(key=DELETE),
    broken(title="x" * 201),
    broken(key="Sleep Scale!"),
    broken(key="phq9"),
    broken(items=[]),
    broken(items=["s1"]),
    broken(items__0__key=DELETE),
    broken(items__1__key="s1"),
    broken(items__1__text=""),
    broken(items__2__max=3.5),
    broken(items__0__min=4),
    broken(items__0__labels=["Never"]),
    broken(item_defaults=[]),
    broken(scoring=[]),
    broken(scoring__method="median"),
    broken(scoring__items=["s1", "zz"]),
    broken(scoring__subscales="night"),
    broken(scoring__subscales={"night": []}),
    broken(scoring__subscales={"night": ["s9"]}),
    broken(scoring__max_missing=-1),
    broken(scoring__bands="low"),
    broken(scoring__bands__0__max="seven"),
    broken(scoring__bands__0__min=9),
    broken(scoring__bands__0__label=""),
    broken(translations=[]),
    broken(translations={"fr": {}}),
    broken(translations={"es": []}),
    broken(translations={"es": {"items": "s1"}}),
    broken(translations={"es": {"items": {"zz": {"text": "x"}}}}),
    broken(translations={"es": {"items": {"s1": {}}}}),
    broken(patient_title=4),
    {
        **{k: v for k, v in SLEEP.items() if k != "scoring"},
        "key": "pain_avg",
        "items": [{"key": "pain_avg", "text": "Pain", "min": 1, "max": 5}],
    },
    [SLEEP],
]


@pytest.mark.parametrize("definition", BROKEN)
def test_every_problem_the_import_finds_has_its_spanish_words(definition):
    with translation.override("en"):
        english = validate_definition(definition)[1]
    with translation.override("es"):
        spanish = validate_definition(definition)[1]

    assert english and len(spanish) == len(english)
    assert not set(spanish) & set(english)


@pytest.mark.parametrize(
    ("body", "spanish", "english"),
    [
        (
            '{"key": "x",\n "title": }',
            "Esto no es un JSON válido (línea 2).",
            "This is not valid JSON",
        ),
        (
            json.dumps(broken(title=DELETE)),
            'El cuestionario necesita un "title" (título).',
            'The questionnaire needs a "title".',
        ),
        (
            json.dumps(broken(items__0__min=4)),
            'Pregunta 1: "min" (4) debe ser menor que "max" (4).',
            "must be smaller than",
        ),
        (
            json.dumps(broken(scoring__subscales={"night": ["s1", "s9"]})),
            'La subescala "night" usa la pregunta "s9", que no está en la lista de preguntas.',
            "which is not in the list of questions",
        ),
    ],
)
def test_a_spanish_admin_reads_the_problems_in_spanish(admin_client, cast, body, spanish, english):
    cast.admin.language = "es"
    cast.admin.save(update_fields=["language"])

    response = post(admin_client, text=body)

    page = response.content.decode().replace("&quot;", '"').replace("&#x27;", "'")
    assert response.status_code == 400
    assert spanish in page
    assert english not in page
    assert not own(cast.practice).exists()


def test_it_explains_json_that_does_not_parse(admin_client, cast):
    response = post(admin_client, text='{"key": "x",\n "title": }')

    assert response.status_code == 400
    assert "This is not valid JSON (line 2)" in response.content.decode()
    assert not own(cast.practice).exists()


def test_it_needs_the_licence_confirmation_and_keeps_the_pasted_text(admin_client, cast):
    response = post(admin_client, SLEEP, licence=False, as_file=False)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Please confirm your practice holds a licence" in page
    assert "sleep_scale" in page  # what they pasted is still in the box
    assert not own(cast.practice).exists()


def test_it_needs_a_file_or_text(admin_client, cast):
    response = admin_client.post(reverse("admin_instrument_import"), {"licence": "on"})

    assert response.status_code == 400
    assert "Choose a JSON file, or paste the JSON in the box." in response.content.decode()


def test_it_makes_version_2_and_old_answers_keep_their_version(admin_client, cast, enrollment):
    post(admin_client, SLEEP)
    v1 = own(cast.practice).get()
    checkin = schedule_from_start(enrollment)["baseline"]
    answers = {"s1": 4, "s2": 4, "s3": 0, "s4": 0}
    old = Response.objects.create(
        checkin=checkin, instrument=v1, instrument_key=v1.key, instrument_version=1, answers=answers
    )

    changed = broken(
        scoring__bands=[
            {"min": 0, "max": 9, "label": "Low"},
            {"min": 10, "max": 16, "label": "High"},
        ]
    )
    response = post(admin_client, changed)

    assert "Saved “Sleep questions” as version 2." in response.content.decode()
    assert own(cast.practice).count() == 2
    current = current_instruments(["sleep_scale"], cast.practice.pk)["sleep_scale"]
    assert current.version == 2
    old.refresh_from_db()
    assert old.instrument.version == 1
    assert score(spec_of(old.instrument), old.answers)["band"] == "High"
    assert score(spec_of(current), old.answers)["band"] == "Low"


def test_it_says_no_change_for_identical_content(admin_client, cast):
    post(admin_client, SLEEP)
    response = post(admin_client, SLEEP, as_file=False)

    assert "No change" in response.content.decode()
    assert own(cast.practice).count() == 1
    assert AuditEvent.objects.filter(action="instrument.imported").count() == 1


@pytest.mark.parametrize("who", ["patient", "clinician"])
def test_it_is_not_found_for_anyone_but_admins(client, cast, who):
    client.force_login(getattr(cast, who))
    for name in ("admin_instruments", "admin_instrument_import"):
        assert client.get(reverse(name)).status_code == 404
    response = client.post(
        reverse("admin_instrument_import"), {"text": json.dumps(SLEEP), "licence": "on"}
    )
    assert response.status_code == 404
    assert not Instrument.objects.filter(key="sleep_scale").exists()


def test_another_practices_admin_cannot_see_or_change_ours(client, cast):
    client.force_login(cast.admin)
    post(client, SLEEP)
    client.force_login(cast.outsider_admin)

    post(client, broken(title="Changed elsewhere"))

    ours = own(cast.practice).get()
    assert ours.version == 1 and ours.title == "Sleep questions"
    theirs = own(cast.other_practice).get()
    assert theirs.title == "Changed elsewhere" and theirs.version == 1
    assert "Sleep questions" not in client.get(reverse("admin_instruments")).content.decode()
