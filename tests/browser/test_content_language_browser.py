"""A patient reading the app in one language on a program in the other (a Spanish
reader on the English program, and the reverse): the pages that show the program's
words, marked with its language (tests/test_content_language.py), pass axe-core on a
phone in real Chromium, lang attributes included (valid-lang).

Screenshots: test-artifacts/screenshots/content-lang-*.png.
"""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from programs.models import Activity, Program
from tests.browser import helpers
from tests.factories import make_enrollment

pytestmark = pytest.mark.browser


@pytest.mark.parametrize(("lessons", "reads"), [("en", "es"), ("es", "en")])
def test_pages_with_the_programs_words_in_another_language_pass_axe(
    live_server, new_context, cast, lessons, reads
):
    call_command("load_program", "prt-back-8wk")
    cast.patient.language = lessons
    cast.patient.save(update_fields=["language"])
    version = Program.objects.get().current_version(lessons)
    make_enrollment(cast.patient, cast.clinician, cast.practice, version=version, days_ago=29)
    cast.patient.language = reads
    cast.patient.save(update_fields=["language"])

    lesson = Activity.objects.filter(week__version=version, week__number=1, kind="lesson")[0]
    clues = Activity.objects.get(week__version=version, week__number=1, kind="evidence")
    pages = {
        "today": reverse("today"),
        "overview": reverse("program_overview"),
        "week": reverse("program_week", args=[1]),
        "lesson": reverse("activity", args=[lesson.slug]),
        "clues": reverse("activity", args=[clues.slug]),
        "reflection": reverse("activity", args=["life-stress-timeline"]),
        "practice": reverse("practice"),
    }
    context = new_context(bypass_csp=True, **helpers.PHONE)  # for axe-core's script
    page = context.new_page()
    helpers.login(page, live_server, cast.patient)
    for name, url in pages.items():
        page.goto(live_server.url + url)
        assert page.locator("html").get_attribute("lang") == reads
        assert page.locator(f"main [lang={lessons}]").count() > 0, name
        helpers.check_axe(page, f"content-lang-{lessons}-in-{reads}-{name}")
    helpers.screenshot(page, f"content-lang-{lessons}-in-{reads}-practice")
