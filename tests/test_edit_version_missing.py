"""A form posted without its version (painapp.edit_version): an old cached page, a
hand-made POST. For every VersionedForm user it is refused like a save from a stale tab
(409, the "changed in another tab" page with what they sent kept), never saved blind
over what is saved now; and every page that shows such a form sends the version, so a
normal save (the first one here, from the page's own form) goes through."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from programs.exposure.services import fear_item_create
from programs.models import Activity, ActivityKind, Reflection
from programs.services import enrollment_unlock_week
from tests.edit_versions import versions_in
from tests.tailoring_data import make_custom_exercise
from tests.test_diary import add as diary_add
from tests.test_diary import form_data as diary_data
from tests.test_safety_settings import settings_post
from tracking.models import CrisisResource, PracticeSettings, SafetyPlan
from tracking.reminders.schedules import preferences_for
from tracking.safety.resources import DEFAULTS

CHANGED = "changed in another tab or window"


def version_in(page: str, section: str | None = None) -> str | None:
    """The version the page's form (posting `section`, on a page of several) sends
    (None: the page sends none)."""
    found = versions_in(page, section)
    return found[0] if len(found) == 1 else None


@dataclass
class Case:
    url: str
    first: dict[str, Any]  # saved from the page, with its version
    second: dict[str, Any]  # posted without one
    saved: Callable[[], Any]  # what is saved now
    expected: Any  # … after the first save
    user: str = "patient"


def _activity(enrollment, **where) -> Activity:
    enrollment_unlock_week(enrollment=enrollment, week=8)
    found = (
        Activity.objects.filter(week__version=enrollment.program_version, **where)
        .order_by("week__number", "order")
        .first()
    )
    assert found is not None
    return found


def _reflection(enrollment, activity: Activity) -> Callable[[], Any]:
    def saved() -> Any:
        row = Reflection.objects.get(enrollment=enrollment, activity=activity)
        return (row.text, row.checked)

    return saved


def diary(cast, enrollment) -> Case:
    entry = diary_add(enrollment, pain=7, fear=6, activity_note="Carrying the shopping")
    form = {"fear": "6", "activity_note": "Carrying the shopping"}

    def saved() -> Any:
        entry.refresh_from_db()
        return entry.pain

    return Case(
        reverse("diary_edit", args=[entry.pk]),
        diary_data(**form, pain="5"),
        diary_data(**form, pain="2"),
        saved,
        5,
    )


def reflection(cast, enrollment) -> Case:
    writing = _activity(enrollment, kind=ActivityKind.REFLECTION, data__fields__isnull=True)
    return Case(
        reverse("activity", args=[writing.slug]),
        {"text": "Tab A's thoughts"},
        {"text": "Old page's thoughts"},
        _reflection(enrollment, writing),
        ("Tab A's thoughts", []),
    )


def structured_reflection(cast, enrollment) -> Case:
    timeline = _activity(enrollment, slug="life-stress-timeline")
    return Case(
        reverse("activity", args=[timeline.slug]),
        {"answer_onset": "A move"},
        {"answer_onset": "Something else"},
        lambda: "A move" in Reflection.objects.get(enrollment=enrollment, activity=timeline).text,
        True,
    )


def evidence(cast, enrollment) -> Case:
    clues = _activity(enrollment, kind=ActivityKind.EVIDENCE)
    keys = [i["key"] for i in clues.data["items"]]
    return Case(
        reverse("activity", args=[clues.slug]),
        {"checked": keys[:2]},
        {"checked": keys[2:3]},
        _reflection(enrollment, clues),
        ("", keys[:2]),
    )


def custom_exercise(cast, enrollment) -> Case:
    exercise = make_custom_exercise(enrollment)

    def saved() -> Any:
        exercise.refresh_from_db()
        return exercise.patient_note

    return Case(
        reverse("custom_exercise", args=[exercise.pk]),
        {"note": "It went well."},
        {"note": "Hard today."},
        saved,
        "It went well.",
    )


def fear_step(cast, enrollment) -> Case:
    step = fear_item_create(enrollment=enrollment, label="Bending down", harm_rating=30)

    def saved() -> Any:
        step.refresh_from_db()
        return (step.label, step.harm_rating)

    return Case(
        reverse("fear_edit", args=[step.pk]),
        {"label": "Bending down", "harm_rating": "40"},
        {"label": "Bending", "harm_rating": "10"},
        saved,
        ("Bending down", 40),
    )


def safety_details(cast, enrollment) -> Case:
    def saved() -> Any:
        enrollment.refresh_from_db()
        return (enrollment.country, enrollment.contact_phone)

    return Case(
        reverse("safety_details"),
        {"country": "IE", "contact_phone": "087 000 0000"},
        {"country": "GB", "contact_phone": "07700 900123"},
        saved,
        ("IE", "087 000 0000"),
    )


def safety_plan(cast, enrollment) -> Case:
    return Case(
        reverse("safety_plan") + "?edit=1",
        {"coping": "Music"},
        {"coping": "Walks"},
        lambda: SafetyPlan.objects.get(enrollment=enrollment).coping,
        "Music",
    )


def reminders(cast, enrollment) -> Case:
    form = {
        "practice_enabled": "on",
        "checkin_enabled": "on",
        "email_enabled": "on",
        "in_app_enabled": "on",
    }
    return Case(
        reverse("reminder_settings"),
        {**form, "practice_time": "18:30"},
        {**form, "practice_time": "07:00"},
        lambda: preferences_for(enrollment).practice_time.strftime("%H:%M"),
        "18:30",
    )


def practice_safety_settings(cast, enrollment) -> Case:
    return Case(
        reverse("admin_safety_settings"),
        settings_post(cast, response_minutes_urgent=30),
        {
            k: v
            for k, v in settings_post(cast, response_minutes_urgent=90).items()
            if k != "edited_from"
        },
        lambda: PracticeSettings.for_practice(cast.practice.pk).response_minutes_urgent,
        30,
        user="admin",
    )


def practice_crisis_resources(cast, enrollment) -> Case:
    def texts(gb: str) -> dict[str, str]:
        return {"section": "resources", "country_GB": gb, "country_IE": DEFAULTS["IE"].body_md}

    return Case(
        reverse("admin_safety_settings"),
        texts("Call **999**, or our duty line 0100 000 000."),
        texts("Call **999**."),
        lambda: CrisisResource.objects.get(practice=cast.practice, country="GB").body_md,
        "Call **999**, or our duty line 0100 000 000.",
        user="admin",
    )


CASES = [
    diary,
    reflection,
    structured_reflection,
    evidence,
    custom_exercise,
    fear_step,
    safety_details,
    safety_plan,
    reminders,
    practice_safety_settings,
    practice_crisis_resources,
]


@pytest.mark.parametrize("make", CASES, ids=[c.__name__ for c in CASES])
def test_a_post_without_the_version_never_overwrites(client, cast, enrollment, make):
    case = make(cast, enrollment)
    client.force_login(getattr(cast, case.user))
    # The page's own form sends the version, and saving from it goes through.
    page = client.get(case.url).content.decode()
    version = version_in(page, case.first.get("section"))
    assert version is not None
    first = {**case.first, "edited_from": version}
    response = client.post(case.url, first)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert case.saved() == case.expected

    # Without the version: refused like a stale tab, nothing overwritten.
    assert "edited_from" not in case.second
    response = client.post(case.url, case.second)
    page = response.content.decode()
    assert response.status_code == 409
    assert CHANGED in page
    assert case.saved() == case.expected
    # The page it came back on carries the version saved now: saving from it works.
    resent = {**case.second, "edited_from": version_in(page, case.first.get("section"))}
    assert client.post(case.url, resent).status_code == 302
    assert case.saved() != case.expected
