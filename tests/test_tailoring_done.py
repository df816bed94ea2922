"""Tailoring and what the patient has already done, and program switches in the
clinician's list of changes (a clinician walk-through, 2026-12-07).

A done activity cannot be skipped ("Done" and "skipped, it does not count against you"
showed together); opening it now or moving it stays possible (it says where and when
it can be read, true of a done one too). The activity list marks done ones. A skip
made before the patient did the activity gives way to "Done" on their pages. A program
switch is listed under "Changes for this patient" with its date, who, from and to,
and the reason.
"""

from __future__ import annotations

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from programs.models import Activity, ActivityCompletion
from programs.tailoring import services
from programs.tailoring.models import ActivityAdjustment
from tests.tailoring_data import make_trial_version

REASON = "You know this one well already."
SWITCH_REASON = "Two sessions a week suits you."


def act(enrollment, slug: str) -> Activity:
    return Activity.objects.select_related("week").get(
        week__version=enrollment.program_version, slug=slug
    )


def url(name: str, enrollment, *args) -> str:
    return reverse(name, args=[enrollment.pk, *args])


def done(enrollment, slug: str) -> Activity:
    activity = act(enrollment, slug)
    ActivityCompletion.objects.create(enrollment=enrollment, activity=activity)
    return activity


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


# ---------------------------------------------------------------- the rule
@pytest.mark.parametrize(
    ("action", "to_week", "allowed"),
    [("skip", None, False), ("assign", None, True), ("move", 3, True)],
)
def test_a_done_activity_cannot_be_skipped_but_can_be_opened_or_moved(
    cast, enrollment, action, to_week, allowed
):
    lesson = done(enrollment, "how-pain-works")

    def change() -> ActivityAdjustment:
        return services.activity_adjust(
            enrollment=enrollment,
            activity=lesson,
            action=action,
            to_week=to_week,
            reason=REASON,
            by=cast.clinician,
        )

    if allowed:
        assert change().action == action
        return
    with pytest.raises(ValidationError) as refused:
        change()
    assert refused.value.message_dict["activity"] == [
        f"The patient has already done “{lesson.title}”, so it cannot be skipped: "
        "it stays done and counts towards their progress."
    ]
    assert not ActivityAdjustment.objects.exists()


def test_an_activity_not_done_can_still_be_skipped(cast, enrollment):
    done(enrollment, "how-pain-works")
    skipped = services.activity_adjust(
        enrollment=enrollment,
        activity=act(enrollment, "strongest-clue"),
        action="skip",
        reason=REASON,
        by=cast.clinician,
    )
    assert skipped.action == "skip"


# ---------------------------------------------------------------- the clinician's page
def _options(page: str) -> dict[str, str]:
    select = re.search(r'<select name="activity"[^>]*>(.*?)</select>', page, re.S).group(1)
    return dict(re.findall(r'<option value="(\d+)"[^>]*>([^<]+)</option>', select))


@pytest.mark.parametrize(
    ("language", "label"),
    [("en", "Week 1 · {title} · done"), ("es", "Semana 1 · {title} · hecho")],
)
def test_the_activity_list_marks_what_the_patient_has_done(clin, cast, enrollment, language, label):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    lesson = done(enrollment, "how-pain-works")
    other = act(enrollment, "meet-somatic-tracking")
    options = _options(html.unescape(clin.get(url("patient_program", enrollment)).text))
    assert options[str(lesson.pk)] == label.format(title=lesson.title)
    assert options[str(other.pk)].endswith(other.title)  # not done: no mark


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "The patient has already done “{title}”, so it cannot be skipped"),
        ("es", "El paciente ya hizo “{title}”, así que no se puede omitir"),
    ],
)
def test_the_form_refuses_to_skip_a_done_activity_and_keeps_what_was_typed(
    clin, cast, enrollment, language, message
):
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    lesson = done(enrollment, "how-pain-works")
    response = clin.post(
        url("patient_program_adjust", enrollment),
        {"activity": lesson.pk, "action": "skip", "reason": REASON},
    )
    assert response.status_code == 400
    page = html.unescape(response.text)
    assert message.format(title=lesson.title) in page
    assert f'value="{REASON}"' in page
    assert not ActivityAdjustment.objects.exists()


# ---------------------------------------------------------------- the patient's pages
@pytest.fixture
def skipped_then_done(cast, enrollment):
    """A lesson skipped by the clinician, which the patient then did all the same."""
    lesson = act(enrollment, "strongest-clue")
    services.activity_adjust(
        enrollment=enrollment,
        activity=lesson,
        action="skip",
        reason="skip reason",
        by=cast.clinician,
    )
    ActivityCompletion.objects.create(enrollment=enrollment, activity=lesson)
    enrollment.refresh_from_db()
    return lesson


def test_the_patient_sees_done_not_skipped(client, cast, enrollment, skipped_then_done):
    client.force_login(cast.patient)
    week2 = client.get(reverse("program_week", args=[2]))
    link = reverse("activity", args=[skipped_then_done.slug])
    item = re.search(
        rf'<li class="activity-item">\s*<a href="{link}".*?</li>', week2.text, re.S
    ).group(0)
    assert "Done" in item and "skipped for now" not in item
    # It counts towards their progress like any done lesson.
    state = week2.context["pmap"].week(2)
    assert skipped_then_done in state.one_off
    page = client.get(reverse("activity", args=[skipped_then_done.slug])).text
    assert "skipped for now" not in page
    today = client.get(reverse("today"))
    assert "skip reason" not in today.text
    assert not today.context["tailoring_news"]
    # The overview lists no change: the only one gave way to "Done".
    overview = client.get(reverse("program_overview")).text
    assert "skip reason" not in overview and "Changes from your clinician" not in overview


# ---------------------------------------------------------------- switches in the list
def _changes(page: str) -> str:
    start = page.index('<section aria-labelledby="changes-h">')
    return page[start : page.index("</section>", start)]


@pytest.mark.parametrize(
    ("language", "heading", "line"),
    [
        (
            "en",
            "Program switch",
            "From “{old}” (week 2) to “Trial dose (test)” (week 2): " + SWITCH_REASON,
        ),
        (
            "es",
            "Cambio de programa",
            "De “{old}” (semana 2) a “Trial dose (test)” (semana 2): " + SWITCH_REASON,
        ),
    ],
)
def test_a_program_switch_is_listed_as_a_change(clin, cast, enrollment, language, heading, line):
    old = enrollment.program_version.title
    trial = make_trial_version()
    clin.post(
        url("patient_program_switch", enrollment),
        {"to_version": str(trial.pk), "reason": "Two sessions a week suits you."},
    )
    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    page = html.unescape(clin.get(url("patient_program", enrollment)).text)
    changes = " ".join(_changes(page).split())
    assert "No changes yet" not in changes and "Sin cambios" not in changes
    assert f"<strong>{heading}</strong>" in changes
    assert line.format(old=old) in re.sub(r"<[^>]+>", "", changes)
    assert cast.clinician.display_name in changes
    switch = enrollment.program_switches.get()
    assert f'<time datetime="{switch.created_at:%Y-%m-%d}">' in changes


def test_a_switch_by_someone_who_left_says_so(clin, cast, enrollment):
    trial = make_trial_version()
    clin.post(
        url("patient_program_switch", enrollment),
        {"to_version": str(trial.pk), "reason": "Two sessions a week suits you."},
    )
    enrollment.program_switches.update(created_by=None)
    changes = _changes(clin.get(url("patient_program", enrollment)).text)
    assert "A former colleague" in changes


def test_the_page_costs_the_same_with_switches(clin, cast, enrollment):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    target = url("patient_program", enrollment)
    clin.get(target)
    with CaptureQueriesContext(connection) as none:
        clin.get(target)
    trial = make_trial_version()
    for version in (trial, enrollment.program_version):
        clin.post(
            url("patient_program_switch", enrollment),
            {"to_version": str(version.pk), "reason": "Back again.", "start": "week1"},
        )
    assert enrollment.program_switches.count() == 2
    clin.get(target)
    with CaptureQueriesContext(connection) as two:
        clin.get(target)
    assert len(two) == len(none), [q["sql"] for q in two.captured_queries]
