"""Tailoring in real Chromium (issue 19, point 2): a clinician opens the patient's
"Tailor program" section, skips a lesson, moves another to an earlier week and adds a
custom exercise, each with a reason; then the patient logs in and sees each change
and the reason on Today, the week pages and the program overview, and does the custom
exercise.

Desktop (1280 px) and phone (390 px). Every screen is checked with axe-core (WCAG 2.2
A/AA), saved as a screenshot under test-artifacts/screenshots/tailoring-*, checked for
leaked template syntax and sideways scrolling, and on a phone for 44 px tap targets.
The clinician's forms also work with JavaScript off.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from programs.models import Activity
from programs.tailoring.models import ActivityAdjustment, CustomExercise
from tests.browser import helpers

pytestmark = pytest.mark.browser

FORM_FACTORS = {"desktop": helpers.DESKTOP, "phone": helpers.PHONE}
Checkpoint = Callable[[Page, str], None]

SKIPPED = "Looking for clues about your pain"
MOVED = "The fear and pain cycle"
SKIP_REASON = "We covered this together in our session."
MOVE_REASON = "It fits better with what you are learning now."
EXERCISE_REASON = "A small, safe step that suits this week."


def clinician_tailors(live_server, cast, enrollment, page: Page, checkpoint: Checkpoint) -> None:
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/patients/{enrollment.pk}/")
    page.get_by_role("navigation", name="Patient record").get_by_role(
        "link", name="Tailor program"
    ).click()
    expect(page.get_by_role("heading", level=2, name="Weeks and activities")).to_be_visible()
    expect(page.locator("#tailoring")).to_contain_text("No changes yet")
    checkpoint(page, "01-clinician-section")

    # A reason is needed: the form says so and keeps the choice.
    form = page.locator("form", has=page.get_by_role("button", name="Save change"))
    # Each option says its week (the same daily practice is in every week).
    form.get_by_label("Lesson or activity").select_option(label=f"Week 2 · {SKIPPED}")
    form.get_by_label("Skip").check()
    form.get_by_role("button", name="Save change").click()
    expect(page.locator("#tailoring")).to_contain_text("Write a short reason for the patient.")
    form = page.locator("form", has=page.get_by_role("button", name="Save change"))
    expect(form.get_by_label("Lesson or activity")).to_have_value(
        str(enrollment.program_version.weeks.get(number=2).activities.get(title=SKIPPED).pk)
    )
    checkpoint(page, "02-clinician-reason-needed")

    # Skip one lesson.
    form.get_by_label("Reason, shown to the patient").fill(SKIP_REASON)
    form.get_by_role("button", name="Save change").click()
    expect(page.locator("#tailoring")).to_contain_text(f"Saved. The patient sees “{SKIPPED}”")

    # Move another to week 1.
    form = page.locator("form", has=page.get_by_role("button", name="Save change"))
    moved = Activity.objects.get(week__version=enrollment.program_version, title=MOVED)
    form.get_by_label("Lesson or activity").select_option(
        label=f"Week {moved.week.number} · {MOVED}"
    )
    form.get_by_label("Move to another week").check()
    form.get_by_label("Move to week").select_option(value="1")
    form.get_by_label("Reason, shown to the patient").fill(MOVE_REASON)
    form.get_by_role("button", name="Save change").click()
    expect(page.locator("#tailoring")).to_contain_text(f"Saved. The patient sees “{MOVED}”")

    # Add a custom exercise.
    form = page.locator("form", has=page.get_by_role("button", name="Add exercise"))
    form.get_by_label("Title").fill("Walk to the corner and back")
    form.get_by_label("What to do").fill(
        "Walk slowly to the corner and back. Notice your feet and your breath."
    )
    form.get_by_label("Show in week").select_option(value="2")
    form.get_by_label("About how many minutes").fill("10")
    form.get_by_label("Reason, shown to the patient").fill(EXERCISE_REASON)
    form.get_by_role("button", name="Add exercise").click()
    expect(page.locator("#tailoring")).to_contain_text("Exercise added to week 2.")
    changes = page.locator(
        "section", has=page.get_by_role("heading", name="Changes for this patient")
    )
    for text in ("Walk to the corner and back", SKIPPED, MOVED, SKIP_REASON, MOVE_REASON):
        expect(changes).to_contain_text(text)
    checkpoint(page, "03-clinician-changed")

    assert set(
        ActivityAdjustment.objects.filter(enrollment=enrollment).values_list("action", "to_week")
    ) == {("skip", None), ("move", 1)}
    assert CustomExercise.objects.filter(enrollment=enrollment).count() == 1
    helpers.logout(page)


def patient_sees(live_server, cast, page: Page, checkpoint: Checkpoint) -> None:
    helpers.login(page, live_server, cast.patient)
    page.goto(f"{live_server.url}/today/")
    news = page.locator("section", has=page.get_by_role("heading", name="From your clinician"))
    expect(news).to_contain_text(SKIP_REASON)
    expect(news).to_contain_text(MOVE_REASON)
    expect(news).to_contain_text(EXERCISE_REASON)
    checkpoint(page, "04-patient-today")

    page.goto(f"{live_server.url}/program/week/2/")
    body = page.locator("#week-body")
    expect(body).to_contain_text("skipped for now. It does not count against you.")
    expect(body).to_contain_text(SKIP_REASON)
    # The moved lesson is listed with where it went.
    expect(body.locator("li", has=page.get_by_role("link", name=MOVED))).to_contain_text(
        "moved to week 1."
    )
    expect(body.get_by_role("link", name="Walk to the corner and back")).to_be_visible()
    checkpoint(page, "05-patient-week-2")

    page.goto(f"{live_server.url}/program/week/1/")
    body = page.locator("#week-body")
    expect(body.get_by_role("link", name=MOVED)).to_be_visible()
    expect(body).to_contain_text("moved to week 1.")
    expect(body).to_contain_text(MOVE_REASON)
    checkpoint(page, "06-patient-week-1")

    page.goto(f"{live_server.url}/program/")
    changes = page.locator("#changes")
    for text in (SKIP_REASON, MOVE_REASON, EXERCISE_REASON):
        expect(changes).to_contain_text(text)
    checkpoint(page, "07-patient-overview")

    # The custom exercise is an activity they can complete, with a note.
    page.goto(f"{live_server.url}/program/week/2/")
    page.get_by_role("link", name="Walk to the corner and back").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Walk to the corner and back")
    expect(page.locator("main")).to_contain_text(EXERCISE_REASON)
    # Too long a note is refused in place (htmx), with what was typed kept.
    note = page.get_by_label(re.compile("^How did it go"))
    note.fill("Steady. " * 300)
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#custom-done")).to_contain_text("2,000 characters")
    expect(page.get_by_label(re.compile("^How did it go"))).to_have_value("Steady. " * 300)
    assert not CustomExercise.objects.get().is_done
    page.get_by_label(re.compile("^How did it go")).fill("My feet felt steady.")
    page.get_by_role("button", name="Mark as done").click()
    expect(page.locator("#custom-done")).to_contain_text("You did this one")
    checkpoint(page, "08-patient-exercise-done")
    exercise = CustomExercise.objects.get()
    assert exercise.is_done and exercise.patient_note == "My feet felt steady."


@pytest.mark.parametrize("form_factor", FORM_FACTORS)
def test_a_clinician_tailors_and_the_patient_sees_why(
    live_server, cast, enrollment, new_context, form_factor
):
    page = new_context(bypass_csp=True, **FORM_FACTORS[form_factor]).new_page()

    def checkpoint(page: Page, name: str) -> None:
        expect(page.get_by_role("heading", level=1)).to_have_count(1)
        helpers.screenshot(page, f"tailoring-{form_factor}-{name}")
        helpers.check_axe(page, f"tailoring-{form_factor}-{name}")
        helpers.assert_clean_text(page)
        helpers.assert_fits_width(page)
        if form_factor == "phone":
            helpers.assert_tap_targets(page)

    clinician_tailors(live_server, cast, enrollment, page, checkpoint)
    patient_sees(live_server, cast, page, checkpoint)


def test_the_journey_has_no_csp_violation(live_server, cast, enrollment, strict):
    def checkpoint(page: Page, name: str) -> None:
        strict.assert_no_csp_violations(name)

    strict.page.set_viewport_size(helpers.DESKTOP["viewport"])
    clinician_tailors(live_server, cast, enrollment, strict.page, checkpoint)
    patient_sees(live_server, cast, strict.page, checkpoint)


def test_the_clinicians_forms_work_without_javascript(live_server, cast, enrollment, new_context):
    page = new_context(java_script_enabled=False, **helpers.DESKTOP).new_page()
    helpers.login(page, live_server, cast.clinician)
    page.goto(f"{live_server.url}/patients/{enrollment.pk}/program/")
    form = page.locator("form", has=page.get_by_role("button", name="Suggest step"))
    form.get_by_label("Step for the fear ladder").fill("Carry one bag of shopping")
    form.get_by_role("button", name="Suggest step").click()
    # Bad input: a whole page (400) with the message, and what was typed kept.
    expect(page.locator("main")).to_contain_text("Write a short reason for the patient.")
    form = page.locator("form", has=page.get_by_role("button", name="Suggest step"))
    expect(form.get_by_label("Step for the fear ladder")).to_have_value("Carry one bag of shopping")
    form.get_by_label("Reason, shown to the patient").fill("You are ready for this.")
    form.get_by_role("button", name="Suggest step").click()
    expect(page.get_by_role("status").first).to_contain_text("Suggested.")
    expect(page.locator("#tailoring")).to_contain_text("Carry one bag of shopping")
