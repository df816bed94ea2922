"""Program content in its own language (WCAG 3.1.2, Language of Parts). A patient may
read the app in Spanish while their program stays English (programs.language: the
lessons stay in the language the program started in), or the reverse. Every piece of
the program's content (lesson text, activity titles, the player's steps, boosters)
then carries lang="<program language>", so a screen reader says it with the right
voice; when the two languages match nothing is marked."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape

from programs.boosters.models import Booster
from programs.models import Activity, ActivityKind, Program
from programs.tailoring import services
from tests.factories import make_enrollment

# Every element inside <main> with a lang attribute: (tag, lang, the start of its text).
MARKED = re.compile(r'<([a-z][a-z0-9]*)\b[^>]*?\slang="([a-z-]+)"[^>]*>([^<]*)')


def marked(html: str) -> list[tuple[str, str, str]]:
    main = html.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return [(tag, lang, text.strip()[:40]) for tag, lang, text in MARKED.findall(main)]


@pytest.fixture
def versions(db):
    call_command("load_program", "prt-back-8wk")
    program = Program.objects.get()
    return {lang: program.current_version(lang) for lang in ("en", "es")}


def reader(client, cast, versions, *, lessons: str, reads: str, days_ago: int = 10):
    """cast.patient on the program in `lessons`, reading the app in `reads` (invited in
    the program's language, then changed their own)."""
    cast.patient.language = lessons
    cast.patient.save(update_fields=["language"])
    enrollment = make_enrollment(
        cast.patient, cast.clinician, cast.practice, version=versions[lessons], days_ago=days_ago
    )
    assert enrollment.program_version.language == lessons
    cast.patient.language = reads
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    return enrollment


def page(client, url: str, reads: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    html = response.content.decode()
    assert f'<html lang="{reads}">' in html
    return html


def first_lesson(enrollment) -> Activity:
    return Activity.objects.filter(
        week__version=enrollment.program_version, week__number=1, kind=ActivityKind.LESSON
    ).first()


MIXED = [("en", "es"), ("es", "en")]
SAME = [("en", "en"), ("es", "es")]


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_a_lesson_is_marked_in_the_programs_language(client, cast, versions, lessons, reads):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads)
    lesson = first_lesson(enrollment)
    html = page(client, reverse("activity", args=[lesson.slug]), reads)
    assert f'<h1 lang="{lessons}">{escape(lesson.title)}</h1>' in html
    assert f'<article class="prose" lang="{lessons}">' in html
    assert f'lang="{lessons}">{escape(lesson.prompt)}</p>' in html
    # The week's title, inside the interface's "Week 1: …", in the program's language.
    week = lesson.week
    assert f'<span lang="{lessons}">{escape(week.title)}</span>' in html
    # Nothing of the interface is marked: only the content.
    assert {lang for _, lang, _ in marked(html)} == {lessons}


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_the_week_overview_and_today_mark_activity_titles(client, cast, versions, lessons, reads):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads)
    lesson = first_lesson(enrollment)
    url = reverse("activity", args=[lesson.slug])
    titled = f'href="{url}" lang="{lessons}">{escape(lesson.title)}</a>'
    week = page(client, reverse("program_week", args=[1]), reads)
    assert titled in week
    assert f'<p class="lead" lang="{lessons}">{escape(lesson.week.theme)}</p>' in week
    overview = page(client, reverse("program_overview"), reads)
    assert f'<h1 lang="{lessons}">{escape(enrollment.program_version.title)}</h1>' in overview
    assert f'<span lang="{lessons}">{escape(lesson.week.title)}</span>' in overview
    today = page(client, reverse("today"), reads)
    week2 = enrollment.program_version.weeks.get(number=2)
    assert f'<strong><span lang="{lessons}">{escape(week2.title)}</span></strong>' in today
    assert f'lang="{lessons}">' in today.split('id="next-h"')[1]


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_the_players_steps_are_marked(client, cast, versions, lessons, reads):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads)
    html = page(client, reverse("practice"), reads)
    steps = enrollment.program_version.tracking_guide["steps"]
    assert html.count(f'data-panel-heading lang="{lessons}">') == len(steps)
    assert html.count(f'data-speak-text lang="{lessons}">') == len(steps)
    # Its own headings and buttons ("Before you start", "Read aloud") stay unmarked.
    assert 'id="before-heading" tabindex="-1" data-panel-heading>' in html


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_boosters_are_marked(client, cast, versions, lessons, reads):
    reader(client, cast, versions, lessons=lessons, reads=reads, days_ago=60)
    booster = Booster.objects.get(version=versions[lessons], month=1)
    today = page(client, reverse("today"), reads)
    assert f'<strong lang="{lessons}">{escape(booster.title)}</strong>' in today
    detail = page(client, reverse("booster", args=[booster.slug]), reads)
    assert f'<h1 lang="{lessons}">{escape(booster.title)}</h1>' in detail
    assert f'<article class="prose" lang="{lessons}">' in detail
    listed = page(client, reverse("boosters"), reads)
    assert f'lang="{lessons}"><strong>{escape(booster.title)}</strong></a>' in listed


@pytest.mark.parametrize(("lessons", "reads"), SAME)
def test_nothing_is_marked_when_the_languages_match(client, cast, versions, lessons, reads):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads)
    lesson = first_lesson(enrollment)
    for url in (
        reverse("activity", args=[lesson.slug]),
        reverse("program_week", args=[1]),
        reverse("program_overview"),
        reverse("today"),
        reverse("practice"),
    ):
        assert marked(page(client, url, reads)) == [], url


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_a_reflections_prompts_and_the_clues_are_marked(client, cast, versions, lessons, reads):
    """The boxes' labels and hints of a reflection in parts, and the clues to tick,
    are the program's words; the form's own wording ("(optional)", "Which of these are
    true for you?") is the interface's."""
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads, days_ago=7 * 4 + 1)
    version = enrollment.program_version
    parts = Activity.objects.get(week__version=version, slug="life-stress-timeline")
    html = page(client, reverse("activity", args=[parts.slug]), reads)
    for field in parts.data["fields"]:
        assert f'<span lang="{lessons}">{escape(field["label"])}</span>' in html
    help_text = escape(parts.data["fields"][0]["help"])
    assert f'_helptext" lang="{lessons}">{help_text}</div>' in html
    clues = Activity.objects.get(week__version=version, week__number=1, kind="evidence")
    html = page(client, reverse("activity", args=[clues.slug]), reads)
    legend, choices = html.split("<legend", 1)[1].split("</legend>", 1)
    assert legend.startswith(">")  # the question is the interface's
    assert choices.lstrip().startswith(f'<div lang="{lessons}">')
    assert escape(clues.data["items"][0]["text"]) in choices.split("</fieldset>")[0]


@pytest.mark.parametrize(("lessons", "reads"), SAME)
def test_the_forms_mark_nothing_when_the_languages_match(client, cast, versions, lessons, reads):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads, days_ago=7 * 4 + 1)
    version = enrollment.program_version
    for slug in (
        "life-stress-timeline",
        Activity.objects.get(week__version=version, week__number=1, kind="evidence").slug,
    ):
        assert marked(page(client, reverse("activity", args=[slug]), reads)) == [], slug


@pytest.mark.parametrize(("lessons", "reads"), MIXED)
def test_todays_news_marks_a_changed_lesson_not_the_clinicians_words(
    client, cast, versions, lessons, reads
):
    enrollment = reader(client, cast, versions, lessons=lessons, reads=reads)
    lesson = first_lesson(enrollment)
    services.activity_adjust(
        enrollment=enrollment,
        activity=lesson,
        action="skip",
        to_week=None,
        reason="Not now.",
        by=cast.clinician,
    )
    services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Walk to the corner",
        instructions="Walk slowly.",
        reason="A small step.",
        by=cast.clinician,
    )
    today = page(client, reverse("today"), reads)
    assert f'<strong lang="{lessons}">{escape(lesson.title)}</strong>' in today
    assert "<strong>Walk to the corner</strong>" in today


@pytest.mark.parametrize(("lessons", "reads"), [*MIXED, *SAME])
def test_the_clinicians_pages_mark_the_patients_program(client, cast, versions, lessons, reads):
    """A clinician reading the app in one language, their patient's program in the
    other: its title, the lessons' titles and the clues ticked are marked."""
    from programs.services import reflection_save

    enrollment = reader(client, cast, versions, lessons=lessons, reads=lessons)
    cast.clinician.language = reads
    cast.clinician.save(update_fields=["language"])
    clues = Activity.objects.get(
        week__version=enrollment.program_version, week__number=1, kind="evidence"
    )
    reflection_save(
        enrollment=enrollment, activity=clues, checked=[clues.data["items"][0]["key"]], text="x"
    )
    client.force_login(cast.clinician)
    mark = f' lang="{lessons}"' if lessons != reads else ""
    html = page(client, reverse("patient_reflections", args=[enrollment.pk]), reads)
    assert f"<h3{mark}>{escape(clues.title)}</h3>" in html
    # The clue ticked is in the reader's language: the same item of the program in it
    # (tracking.clinic.sections.ClueWords), so nothing to mark.
    key = clues.data["items"][0]["key"]
    theirs = Activity.objects.get(week__version=versions[reads], slug=clues.slug)
    text = {i["key"]: i["text"] for i in theirs.data["items"]}[key]
    assert f"<ul><li>{escape(text)}</li></ul>" in html
    html = page(client, reverse("patient_program", args=[enrollment.pk]), reads)
    assert f"<span{mark}>{escape(enrollment.program_version.title)}</span>" in html
    assert f"<td><span{mark}>{escape(clues.title)}</span>" in html
