"""Crisis words in a patient form that is sent back (review finding, an outside tester:
"I want to kill myself" in a diary entry with the pain left empty showed only "Please
check…", no help, and nobody was told). Every patient free-text form scans what was
typed even when it is not saved (programs.safety.PatientTextForm): the page comes back
with the errors, what they typed, and the crisis panel saying the words were not saved;
the care team gets one urgent alert, marked unsaved, holding none of the words; nothing
is saved. Saving the same words afterwards raises nothing more. Real Postgres."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

import pytest
from django.db.models import Model
from django.urls import reverse

from programs.exposure.services import exposure_create, fear_item_create
from programs.models import (
    Activity,
    ActivityKind,
    Attribution,
    Exposure,
    FearItem,
    PracticeSession,
    Reflection,
)
from programs.services import enrollment_unlock_week, reflection_save
from programs.tailoring.models import CustomExercise
from tests.edit_versions import with_version
from tests.tailoring_data import make_custom_exercise
from tests.test_diary import add as diary_add
from tests.test_diary import form_data as diary_data
from tracking.access import EnrollmentScope, alerts_in_scope
from tracking.diary.models import DiaryEntry
from tracking.messaging.models import Message
from tracking.models import Alert, OutboxTask, SafetyPlan

HELP = "You do not have to face this alone"
NOT_SAVED = "We did not save what you wrote, but we have told your clinic about it."
NOT_SAVED_ES = "No guardamos lo que escribió, pero sí le avisamos a su clínica."
PHRASES = {"en": "honestly I want to kill myself", "es": "la verdad es que quiero morirme"}
LONG = "Today the pain came and went, and I kept writing about it. " * 100  # ~6,000


@dataclass
class Case:
    url: str
    bad: dict  # sent back: another box is wrong (or the text is too long)
    good: dict  # the same crisis words, and valid (cut to size when too long)
    saved: Callable[[], object]  # what is saved, to compare before and after
    htmx: bool = False
    extra: dict = field(default_factory=dict)


def _activity(enrollment, kind=None, slug=None) -> Activity:
    found = Activity.objects.filter(week__version=enrollment.program_version)
    return (found.filter(slug=slug) if slug else found.filter(kind=kind)).first()


def _count(model: type[Model], **kw) -> Callable[[], object]:
    return lambda: model._default_manager.filter(**kw).count()


def diary_new(cast, enrollment, words):
    return Case(
        reverse("diary_new"),
        diary_data(self_talk=words, pain=None, fear=None),
        diary_data(self_talk=words, client_token=str(uuid.uuid4())),
        _count(DiaryEntry, enrollment=enrollment),
    )


def diary_edit(cast, enrollment, words):
    entry = diary_add(enrollment)
    return Case(
        reverse("diary_edit", args=[entry.pk]),
        diary_data(activity_note=words, pain=None),
        diary_data(activity_note=words),
        lambda: DiaryEntry.objects.values_list("activity_note", flat=True).get(pk=entry.pk),
    )


def expressive_writing(cast, enrollment, words):
    enrollment_unlock_week(enrollment=enrollment, week=5)
    slug = "expressive-writing"
    return Case(
        reverse("activity", args=[slug]),
        {"text": LONG + "some nights " + words},
        {"text": "some nights " + words},
        _count(Reflection, enrollment=enrollment),
    )


def reflection_edit(cast, enrollment, words):
    activity = _activity(enrollment, ActivityKind.REFLECTION)
    reflection_save(enrollment=enrollment, activity=activity, text="First thoughts")
    return Case(
        reverse("activity", args=[activity.slug]),
        {"text": LONG + words},
        {"text": "Shorter now: " + words},
        lambda: Reflection.objects.values_list("text", flat=True).get(activity=activity),
    )


def evidence(cast, enrollment, words):
    activity = _activity(enrollment, ActivityKind.EVIDENCE)
    return Case(
        reverse("activity", args=[activity.slug]),
        {"checked": ["not-a-clue"], "text": words},
        {"text": words},
        _count(Reflection, enrollment=enrollment),
    )


def causes(cast, enrollment, words):
    activity = _activity(enrollment, ActivityKind.ATTRIBUTION)
    good = {
        "cause_1": words,
        "category_1": "stress",
        "cause_2": "Lifting boxes",
        "category_2": "injury",
        "cause_3": "Bad posture",
        "category_3": "posture",
    }
    return Case(
        reverse("activity", args=[activity.slug]),
        {**good, "category_1": ""},
        good,
        _count(Attribution, enrollment=enrollment),
    )


def practice_note(cast, enrollment, words):
    good = {
        "client_token": str(uuid.uuid4()),
        "duration_seconds": "312",
        "pain_before": "6",
        "threat_before": "7",
        "pain_after": "4",
        "threat_after": "3",
        "note": words,
    }
    return Case(
        reverse("practice_save"),
        {**good, "pain_after": ""},
        good,
        _count(PracticeSession, enrollment=enrollment),
        htmx=True,
    )


def message(cast, enrollment, words):
    return Case(
        reverse("messages"),
        {"body": LONG + words, "client_token": str(uuid.uuid4())},
        {"body": "Cut short: " + words, "client_token": str(uuid.uuid4())},
        _count(Message, thread__enrollment=enrollment),
    )


def message_htmx(cast, enrollment, words):
    case = message(cast, enrollment, words)
    case.htmx = True
    return case


def new_rung(cast, enrollment, words):
    good = {"label": words, "harm_rating": "40", "client_token": str(uuid.uuid4())}
    return Case(
        reverse("fear_create"),
        {**good, "harm_rating": ""},
        good,
        _count(FearItem, enrollment=enrollment),
    )


def rung_edit(cast, enrollment, words):
    rung = fear_item_create(enrollment=enrollment, label="Bending down", harm_rating=50)
    return Case(
        reverse("fear_edit", args=[rung.pk]),
        {"label": words, "harm_rating": "900"},
        {"label": words, "harm_rating": "40"},
        lambda: FearItem.objects.values_list("label", flat=True).get(pk=rung.pk),
    )


def exposure_plan(cast, enrollment, words):
    good = {
        "fear_item": "",
        "activity": "Carry the shopping",
        "predicted_pain": "5",
        "predicted_harm": "40",
        "expectation": words,
        "client_token": str(uuid.uuid4()),
    }
    return Case(
        reverse("exposure_plan"),
        {**good, "predicted_pain": ""},
        good,
        _count(Exposure, enrollment=enrollment),
    )


def exposure_done(cast, enrollment, words):
    plan = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Carry the shopping",
        predicted_pain=5,
        predicted_harm=40,
    )
    good = {"actual_pain": "3", "actual_harm": "0", "fear_after": "20", "note": words}
    return Case(
        reverse("exposure_done", args=[plan.pk]),
        {**good, "actual_harm": "", "fear_after": ""},
        good,
        _count(Exposure, pk=plan.pk, completed_at__isnull=False),
    )


def custom_exercise(cast, enrollment, words):
    exercise = make_custom_exercise(enrollment)
    return Case(
        reverse("custom_exercise", args=[exercise.pk]),
        {"note": LONG[:2100] + " " + words},
        {"note": words},
        lambda: CustomExercise.objects.values_list("patient_note", flat=True).get(pk=exercise.pk),
        htmx=True,
    )


def safety_plan(cast, enrollment, words):
    return Case(
        reverse("safety_plan"),
        {"warning_signs": words, "coping": LONG[:3100]},
        {"warning_signs": words, "coping": "A walk"},
        _count(SafetyPlan, enrollment=enrollment),
    )


FORMS = [
    diary_new,
    diary_edit,
    expressive_writing,
    reflection_edit,
    evidence,
    causes,
    practice_note,
    message,
    message_htmx,
    new_rung,
    rung_edit,
    exposure_plan,
    exposure_done,
    custom_exercise,
    safety_plan,
]


@pytest.fixture
def patient(us_patient):
    return us_patient


def self_harm(enrollment) -> list[Alert]:
    return list(Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM))


def _post(client, case: Case, data: dict):
    extra = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
    return client.post(case.url, with_version(client, case.url, data), **extra)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_crisis_words_in_a_form_sent_back_bring_help_and_one_alert(
    patient, cast, enrollment, form, language
):
    if language == "es":
        cast.patient.language = "es"
        cast.patient.save(update_fields=["language"])
    words = PHRASES[language]
    case = form(cast, enrollment, words)
    before = case.saved()

    response = _post(patient, case, case.bad)
    page = response.content.decode()

    assert response.status_code in (200, 400, 422), response.status_code
    assert "988" in page  # the US crisis line: the panel, with its numbers
    assert (NOT_SAVED_ES if language == "es" else NOT_SAVED) in page
    if language == "en":
        assert page.count(HELP) == 1
    typed = next(v for v in case.bad.values() if isinstance(v, str) and words in v)
    assert escape(typed) in page  # everything they typed is still there, to fix
    assert case.saved() == before  # nothing was saved
    [alert] = self_harm(enrollment)
    assert (alert.severity, alert.status) == (Alert.Severity.URGENT, Alert.Status.OPEN)
    assert alert.details["unsaved"] is True and alert.details["crisis_words"] is True
    assert not any(words.split()[-1] in str(v) for v in alert.details.values())
    # The clinician has it: their inbox's rule, and the alert page says not saved.
    scope = EnrollmentScope(cast.practice.pk, cast.clinician.pk)
    assert list(alerts_in_scope(scope).filter(pk=alert.pk)) == [alert]
    patient.force_login(cast.clinician)
    detail = patient.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "but the save was refused: the form went back to them" in detail

    # Sent back again the same: still one alert.
    patient.force_login(cast.patient)
    _post(patient, case, case.bad)
    assert len(self_harm(enrollment)) == 1


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_the_same_words_then_saved_raise_nothing_more(patient, cast, enrollment, form):
    words = PHRASES["en"]
    case = form(cast, enrollment, words)
    before = case.saved()
    _post(patient, case, case.bad)
    [unsaved] = self_harm(enrollment)
    response = _post(patient, case, case.good)
    assert response.status_code in (200, 302), response.status_code
    assert case.saved() != before  # saved this time
    [alert] = self_harm(enrollment)
    assert alert.pk == unsaved.pk
    assert not alert.source.endswith(":new")  # a new entry's: now the entry's
    if unsaved.source.endswith(":new"):
        assert alert.source.split(":")[0] == unsaved.source.split(":")[0]
    else:
        assert alert.source == unsaved.source
    typed = [v for v in case.bad.values() if isinstance(v, str) and words in v]
    if all(t in case.good.values() for t in typed):
        # The very words, now saved: the alert no longer says they were not.
        assert "unsaved" not in alert.details


@pytest.mark.parametrize("form", [expressive_writing, message], ids=lambda f: f.__name__)
def test_a_crisis_phrase_past_the_limit_counts_and_the_shorter_text_saves(
    patient, cast, enrollment, form
):
    words = PHRASES["en"]
    case = form(cast, enrollment, words)
    text = next(v for v in case.bad.values() if isinstance(v, str) and words in v)
    assert text.index(words) > 5000
    before = case.saved()
    _post(patient, case, case.bad)
    assert case.saved() == before and len(self_harm(enrollment)) == 1
    [unsaved] = self_harm(enrollment)
    # Cut to size, the words changed: they are saved, and the one alert, which nobody
    # has looked at yet, is now the saved entry's: no second alert, no second email.
    short = {k: (v[-1500:] if v == text else v) for k, v in case.bad.items()}
    response = _post(patient, case, short)
    assert response.status_code in (200, 302)
    assert case.saved() != before
    [alert] = self_harm(enrollment)
    assert alert.pk == unsaved.pk and alert.status == Alert.Status.OPEN
    assert alert.source.partition(":")[2].isdigit()  # the saved entry's
    assert "unsaved" not in alert.details
    emails = OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email")
    assert [row.kwargs["alert_id"] for row in emails] == [alert.pk]


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.__name__)
def test_ordinary_words_sent_back_raise_nothing(patient, cast, enrollment, form):
    case = form(cast, enrollment, "my back felt stiff")
    page = _post(patient, case, case.bad).content.decode()
    assert HELP not in page
    assert self_harm(enrollment) == []


def test_staff_writing_the_words_in_a_message_raise_nothing(client, cast, enrollment):
    client.force_login(cast.clinician)
    url = reverse("patient_messages", args=[enrollment.pk])
    client.post(url, {"body": LONG[:2100] + PHRASES["en"], "client_token": str(uuid.uuid4())})
    assert self_harm(enrollment) == []


@pytest.mark.parametrize("action", ["submit", "save"])
@pytest.mark.parametrize("language", ["en", "es"])
def test_a_check_in_cause_too_long_still_counts(patient, cast, week3, language, action):
    """Check-in free text has its own path (tracking.alerts.evaluate: a rejected submit
    keeps what it can as the draft and scans what was typed); the same promise holds."""
    from tests.checkin_data import post_for
    from tracking.models import Response

    week3.instrument_keys = ["causes"]
    week3.save()
    data = post_for(["causes"])
    typed = LONG[:400] + " " + PHRASES[language]
    data["causes__cause1__text"] = typed
    if action == "save":
        data["action"] = "save"
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert "Please keep each cause under 300 characters." in page
    assert 'id="crisis-now"' in page and "988" in page
    assert escape(typed) in page
    assert not Response.objects.filter(checkin=week3).exists()
    [alert] = self_harm(week3.enrollment)
    assert alert.severity == Alert.Severity.URGENT


def test_a_check_in_cause_saved_for_later_shows_help_next(patient, cast, week3):
    from tests.checkin_data import post_for

    week3.instrument_keys = ["causes"]
    week3.save()
    data = {**post_for(["causes"]), "action": "save"}
    data["causes__cause1__text"] = PHRASES["en"]
    response = patient.post(reverse("checkin_detail", args=[week3.pk]), data, follow=True)
    page = response.content.decode()
    assert HELP in page and "988" in page
    assert len(self_harm(week3.enrollment)) == 1


# The modules of the patient's own forms, and the forms in them with a text box that
# are not scanned this way, with why.
PATIENT_FORM_MODULES = [
    "programs.forms",
    "programs.exposure.forms",
    "programs.practice.forms",
    "programs.tailoring.forms",
    "tracking.checkins.forms",
    "tracking.diary.forms",
    "tracking.messaging.forms",
    "tracking.safety.forms",
    "tracking.screening.forms",
]
NOT_SCANNED_HERE = {
    "SafetyDetailsForm": "names and phone numbers, not what the patient writes about",
    "CheckInForm": "its own path: tracking.alerts.evaluate scans what was typed",
    "PreferencesForm": "a time zone picked from a list",
    "PatientInviteForm": "staff: a new patient's name and email",
}


def test_every_patient_form_with_a_text_box_is_scanned_when_sent_back():
    import importlib
    import inspect

    from django import forms as django_forms

    from programs.safety import PatientTextForm

    missing = []
    for name in PATIENT_FORM_MODULES:
        module = importlib.import_module(name)
        for form_name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != name or not issubclass(cls, django_forms.BaseForm):
                continue
            boxes = [
                f
                for f in cls.base_fields.values()
                if isinstance(f, django_forms.CharField) and not f.widget.is_hidden
            ]
            if boxes and not issubclass(cls, PatientTextForm) and form_name not in NOT_SCANNED_HERE:
                missing.append(f"{name}.{form_name}")
    assert missing == []


def test_a_message_not_sent_because_messaging_is_off_still_counts(patient, cast, enrollment):
    from tests.test_messaging import turn_off

    turn_off(cast.practice)
    response = patient.post(
        reverse("messages"), {"body": PHRASES["en"], "client_token": str(uuid.uuid4())}
    )
    page = response.content.decode()
    assert "Messaging is turned off at your practice." in page
    assert NOT_SAVED in page and "988" in page
    assert not Message.objects.exists()
    [alert] = self_harm(enrollment)
    assert alert.details["unsaved"] is True
