"""The clinician's "Tailor program" section of a patient's record, and what the
patient then sees on Today, the week page, the program overview, a custom exercise and
the fear ladder (issue 19, point 2)."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.models import Activity, FearItem
from programs.tailoring import services
from programs.tailoring.models import ActivityAdjustment, CustomExercise, ExposureSuggestion
from tests.edit_versions import with_version
from tests.tailoring_data import make_trial_version

REASON = "You know this one well already."


@pytest.fixture
def clin(client, cast):
    client.force_login(cast.clinician)
    return client


def url(name: str, enrollment, *args) -> str:
    return reverse(name, args=[enrollment.pk, *args])


def act(enrollment, slug: str) -> Activity:
    return Activity.objects.select_related("week").get(
        week__version=enrollment.program_version, slug=slug
    )


@pytest.fixture
def tailored(cast, enrollment):
    """A skip, a move, an early opening, a custom exercise and a ladder suggestion."""
    for slug, action, to_week in (
        ("looking-for-clues", "skip", None),
        ("fear-pain-cycle", "move", 3),
        ("fear-of-movement", "assign", None),
    ):
        services.activity_adjust(
            enrollment=enrollment,
            activity=act(enrollment, slug),
            action=action,
            to_week=to_week,
            reason=f"{action} reason",
            by=cast.clinician,
        )
    services.custom_exercise_add(
        enrollment=enrollment,
        week=2,
        title="Walk to the corner",
        instructions="Walk slowly and notice your feet.",
        reason="A small step for this week.",
        by=cast.clinician,
    )
    services.exposure_suggest(
        enrollment=enrollment,
        label="Carry one bag of shopping",
        reason="You are ready for this.",
        by=cast.clinician,
    )
    enrollment.refresh_from_db()
    return enrollment


# ---------------------------------------------------------------- the clinician
def test_it_shows_the_section_and_audits_the_look(clin, cast, tailored):
    response = clin.get(url("patient_program", tailored))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Tailor program" in page and "Walk to the corner" in page
    assert "skip reason" in page and "Carry one bag of shopping" in page
    assert AuditEvent.objects.filter(
        action="patient.program_viewed", subject=cast.patient, actor=cast.clinician
    ).exists()


def test_each_forms_reason_has_an_example_that_fits_its_change(clin, cast, enrollment):
    # "You know this one well already" suits a skipped lesson, not a new exercise, a
    # suggested ladder step or a program switch: each form has its own example.
    examples = [
        "You know this one well already.",
        "This brings your practice into a walk you enjoy.",
        "You have climbed the first steps well.",
        "Two sessions a week may suit your week better.",
    ]
    make_trial_version()  # a program to switch to, so the switch form shows
    page = html.unescape(clin.get(url("patient_program", enrollment)).content.decode())
    assert [page.count(f"e.g. “{example}”") for example in examples] == [1, 1, 1, 1]
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    spanish = html.unescape(clin.get(url("patient_program", enrollment)).content.decode())
    assert "Dos sesiones por semana pueden irle mejor" in spanish
    assert not any(example in spanish for example in examples)


def test_the_practice_admin_may_tailor_too(client, cast, enrollment):
    client.force_login(cast.admin)
    assert client.get(url("patient_program", enrollment)).status_code == 200


ACTIONS = {
    "patient_program": None,
    "patient_program_adjust": {"activity": "1", "action": "skip", "reason": REASON},
    "patient_program_exercise": {
        "title": "T",
        "instructions": "I",
        "week": "2",
        "minutes": "5",
        "reason": REASON,
    },
    "patient_program_suggest": {"label": "Run", "reason": REASON},
    "patient_program_switch": {"to_version": "1", "reason": REASON},
}


@pytest.mark.parametrize("who", ["other_clinician", "outsider_clinician", "outsider_admin"])
@pytest.mark.parametrize("name", list(ACTIONS))
def test_it_hides_the_section_from_other_staff(client, cast, tailored, who, name):
    client.force_login(getattr(cast, who))
    data = ACTIONS[name]
    response = (
        client.get(url(name, tailored)) if data is None else client.post(url(name, tailored), data)
    )
    assert response.status_code == 404
    assert AuditEvent.objects.filter(action="access.denied", object_id=str(tailored.pk)).exists()
    assert CustomExercise.objects.count() == 1 and ExposureSuggestion.objects.count() == 1


@pytest.mark.parametrize("who", ["patient", "other_patient"])
def test_it_is_not_for_patients(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    assert client.get(url("patient_program", enrollment)).status_code in (403, 404)


def test_it_refuses_to_undo_or_withdraw_another_patients_change(
    clin, cast, enrollment, other_enrollment
):
    other = services.activity_adjust(
        enrollment=other_enrollment,
        activity=act(other_enrollment, "fear-pain-cycle"),
        action="skip",
        reason=REASON,
        by=cast.other_clinician,
    )
    exercise = services.custom_exercise_add(
        enrollment=other_enrollment,
        week=2,
        title="T",
        instructions="I",
        reason=REASON,
        by=cast.other_clinician,
    )
    assert clin.post(url("patient_program_undo", enrollment, other.pk)).status_code == 404
    assert clin.post(url("patient_program_withdraw", enrollment, exercise.pk)).status_code == 404
    assert ActivityAdjustment.objects.filter(pk=other.pk).exists()
    assert CustomExercise.objects.get(pk=exercise.pk).withdrawn_at is None


def test_it_skips_moves_and_adds_through_the_forms(clin, cast, enrollment):
    skip = act(enrollment, "looking-for-clues")
    response = clin.post(
        url("patient_program_adjust", enrollment),
        {"activity": str(skip.pk), "action": "skip", "reason": REASON, "enrollment": "999"},
    )
    assert response.status_code == 302
    move = act(enrollment, "fear-pain-cycle")
    clin.post(
        url("patient_program_adjust", enrollment),
        {"activity": str(move.pk), "action": "move", "to_week": "4", "reason": REASON},
    )
    clin.post(
        url("patient_program_exercise", enrollment),
        {"title": "Walk", "instructions": "Walk.", "week": "2", "minutes": "5", "reason": REASON},
    )
    assert dict(
        ActivityAdjustment.objects.filter(enrollment=enrollment).values_list("action", "to_week")
    ) == {"skip": None, "move": 4}
    assert CustomExercise.objects.get(enrollment=enrollment).created_by == cast.clinician
    assert AuditEvent.objects.filter(action__startswith="tailoring.").count() == 3


@pytest.mark.parametrize(
    ("name", "data", "message", "kept"),
    [
        (
            "patient_program_adjust",
            {"action": "move", "reason": "Keep me"},
            "Choose a lesson or activity.",
            "Keep me",
        ),
        (
            "patient_program_adjust",
            {"activity": "ACT", "action": "move", "reason": "Keep me too"},
            "Choose the week to move it to.",
            "Keep me too",
        ),
        (
            "patient_program_exercise",
            {
                "title": "My typed title",
                "instructions": "",
                "week": "2",
                "minutes": "5",
                "reason": REASON,
            },
            "Write what the patient should do.",
            "My typed title",
        ),
        (
            "patient_program_exercise",
            {"title": "T", "instructions": "I", "week": "2", "minutes": "500", "reason": REASON},
            "Choose between 1 and 120 minutes.",
            "500",
        ),
        (
            "patient_program_suggest",
            {"label": "Lift the laundry basket", "reason": ""},
            "Write a short reason for the patient.",
            "Lift the laundry basket",
        ),
        (
            "patient_program_switch",
            {"to_version": "999999", "reason": "My reason"},
            "Choose one of the programs listed.",
            "My reason",
        ),
    ],
)
def test_it_explains_bad_input_and_keeps_what_was_typed(
    clin, enrollment, name, data, message, kept
):
    make_trial_version()
    data = {
        k: str(act(enrollment, "fear-pain-cycle").pk) if v == "ACT" else v for k, v in data.items()
    }
    response = clin.post(url(name, enrollment), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and kept in page
    assert not AuditEvent.objects.filter(action__startswith="tailoring.").exists()
    # The page shows the patient's program again: a staff read, audited like a GET.
    viewed = AuditEvent.objects.filter(action="patient.program_viewed", subject=enrollment.patient)
    assert viewed.count() == 1
    # The same with htmx: the section comes back (a 400, which htmx swaps in: base.html's
    # responseHandling) with the message, and that read of the program is audited too.
    response = clin.post(url(name, enrollment), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="tailoring"') and message in page and kept in page
    assert viewed.count() == 2
    assert viewed.latest("at").actor == enrollment.clinician


def test_it_swaps_the_section_for_htmx(clin, enrollment):
    response = clin.post(
        url("patient_program_suggest", enrollment),
        {"label": "Run for the bus", "reason": REASON},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="tailoring"')
    assert "Suggested. The patient sees it on their fear ladder" in page
    assert "Run for the bus" in page


def test_it_switches_program_through_the_form(clin, cast, enrollment):
    trial = make_trial_version()
    response = clin.post(
        url("patient_program_switch", enrollment),
        {"to_version": str(trial.pk), "reason": "Two sessions a week suits you."},
        follow=True,
    )
    assert response.status_code == 200
    assert (
        "Switched to “Trial dose (test)”. The patient is in week 2 of 4."
        in response.content.decode()
    )
    enrollment.refresh_from_db()
    assert enrollment.program_version == trial


def test_an_htmx_switch_sends_the_header_with_the_new_program_out_of_band(clin, enrollment):
    old_title = enrollment.program_version.title
    trial = make_trial_version()
    response = clin.post(
        url("patient_program_switch", enrollment),
        {"to_version": str(trial.pk), "reason": "Two sessions a week suits you."},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith('<div id="tailoring"')
    # After the section, the header's facts line, for htmx to swap in by its id.
    oob = page[page.index('<p id="patient-head-facts"') :]
    oob = oob[: oob.index("</p>")]
    assert 'data-hx-swap-oob="true"' in oob
    assert "Trial dose (test)" in oob and old_title not in oob
    # The full page has the same line, with the same id and no oob.
    full = clin.get(url("patient_program", enrollment)).content.decode()
    assert (
        full.count('id="patient-head-facts"') == 1
        and "hx-swap-oob" not in full.split('id="patient-head-facts"')[1].split("</p>")[0]
    )


def test_undo_and_withdraw_through_the_forms(clin, tailored):
    change = ActivityAdjustment.objects.get(enrollment=tailored, action="skip")
    exercise = CustomExercise.objects.get(enrollment=tailored)
    assert clin.post(url("patient_program_undo", tailored, change.pk)).status_code == 302
    assert clin.post(url("patient_program_withdraw", tailored, exercise.pk)).status_code == 302
    assert not ActivityAdjustment.objects.filter(pk=change.pk).exists()
    exercise.refresh_from_db()
    assert exercise.withdrawn_at is not None
    assert {"tailoring.adjustment_undone", "tailoring.exercise_withdrawn"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


# ---------------------------------------------------------------- the patient
def response_map(client):
    return client.get(reverse("program_week", args=[2])).context["pmap"]


@pytest.fixture
def pat(client, cast):
    client.force_login(cast.patient)
    return client


def test_the_patient_sees_the_changes_and_why(pat, tailored):
    today = pat.get(reverse("today")).content.decode()
    assert "From your clinician" in today
    assert "Your clinician changed this:" in today
    assert "Walk to the corner" in today  # a custom exercise to do
    assert "opened early for you." in today and "assign reason" in today

    week2 = pat.get(reverse("program_week", args=[2])).content.decode()
    assert "skipped for now. It does not count against you." in week2
    assert "skip reason" in week2
    assert "Walk to the corner" in week2
    # The lesson moved to week 3 is listed with where it went, not as week 2's work.
    assert "moved to week 3." in week2 and "move reason" in week2
    week2_state = response_map(pat).week(2)
    assert "fear-pain-cycle" not in [a.slug for a in week2_state.activities]

    week3 = pat.get(reverse("program_week", args=[3])).content.decode()
    # Week 3 is not open yet; the lesson opened early shows with its note.
    assert "opened early for you." in week3 and "assign reason" in week3

    overview = pat.get(reverse("program_overview")).content.decode()
    assert "Changes from your clinician" in overview
    for text in ("skip reason", "move reason", "assign reason", "A small step for this week."):
        assert text in overview

    # The lesson opened early can be read now.
    lesson = act(tailored, "fear-of-movement")
    assert pat.get(reverse("activity", args=[lesson.slug])).status_code == 200


def test_the_patient_sees_a_program_switch_under_its_own_heading(client, cast, enrollment):
    # Listed under "Your program", not under the heading of the lesson changed before it.
    trial = make_trial_version()
    client.force_login(cast.clinician)
    client.post(
        url("patient_program_adjust", enrollment),
        {"activity": act(enrollment, "fear-pain-cycle").pk, "action": "skip", "reason": REASON},
    )
    client.post(
        url("patient_program_switch", enrollment),
        {"to_version": str(trial.pk), "reason": "Two sessions a week suits you."},
    )
    client.force_login(cast.patient)
    news = client.get(reverse("today")).context["tailoring_news"]
    assert [title for title, _change in news][:1] == ["Your program"]
    today = client.get(reverse("today")).content.decode()
    assert "<strong>Your program</strong>" in today
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    assert "<strong>Su programa</strong>" in client.get(reverse("today")).content.decode()


def test_the_patient_does_a_custom_exercise_with_a_note(pat, tailored):
    exercise = CustomExercise.objects.get(enrollment=tailored)
    page = pat.get(reverse("custom_exercise", args=[exercise.pk])).content.decode()
    assert "Walk slowly and notice your feet." in page and "A small step for this week." in page
    url = reverse("custom_exercise", args=[exercise.pk])
    response = pat.post(url, with_version(pat, url, {"note": "It was fine."}))
    assert response.status_code == 302
    exercise.refresh_from_db()
    assert exercise.is_done and exercise.patient_note == "It was fine."
    # Too long a note comes back with what was typed.
    response = pat.post(reverse("custom_exercise", args=[exercise.pk]), {"note": "x" * 2001})
    assert response.status_code == 400 and "2,000 characters" in response.content.decode()
    # … and with htmx, in the form it swaps.
    response = pat.post(
        reverse("custom_exercise", args=[exercise.pk]), {"note": "x" * 2001}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 400 and "2,000 characters" in response.content.decode()
    # htmx swaps the form.
    response = pat.post(url, with_version(pat, url, {"note": "Better."}), HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and 'id="custom-done"' in response.content.decode()


def test_the_patient_cannot_open_anothers_exercise(client, cast, tailored, other_enrollment):
    client.force_login(cast.other_patient)
    exercise = CustomExercise.objects.get(enrollment=tailored)
    assert client.get(reverse("custom_exercise", args=[exercise.pk])).status_code == 404
    suggestion = ExposureSuggestion.objects.get(enrollment=tailored)
    response = client.post(reverse("suggestion_accept", args=[suggestion.pk]), {"harm_rating": 5})
    assert response.status_code == 404
    assert client.post(reverse("suggestion_decline", args=[suggestion.pk])).status_code == 404


def test_the_patient_accepts_a_suggestion_on_the_ladder(pat, tailored):
    ladder = pat.get(reverse("exposure")).content.decode()
    assert "Suggested by your clinician" in ladder and "You are ready for this." in ladder
    suggestion = ExposureSuggestion.objects.get(enrollment=tailored)
    response = pat.post(reverse("suggestion_accept", args=[suggestion.pk]), {"harm_rating": "abc"})
    assert response.status_code == 400
    assert "Choose a number from 0 to 100" in response.content.decode()
    response = pat.post(reverse("suggestion_accept", args=[suggestion.pk]), {"harm_rating": "35"})
    assert response.status_code == 302
    assert FearItem.objects.get(enrollment=tailored).label == "Carry one bag of shopping"
    assert "Suggested by your clinician" not in pat.get(reverse("exposure")).content.decode()


def answered_events(tailored) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action__startswith="tailoring.suggestion_", subject=tailored.patient
        )
    )


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_the_patients_answer_is_audited_once_without_their_words(pat, cast, tailored, answer):
    suggestion = ExposureSuggestion.objects.get(enrollment=tailored)
    post = {"harm_rating": "35"} if answer == "accept" else {}
    for _ in range(2):  # a double submit records nothing more
        response = pat.post(reverse(f"suggestion_{answer}", args=[suggestion.pk]), post)
        assert response.status_code == 302
    [event] = answered_events(tailored)
    status = "accepted" if answer == "accept" else "declined"
    assert event.action == f"tailoring.suggestion_{status}"
    assert (event.actor, event.subject, event.practice) == (
        cast.patient,
        cast.patient,
        tailored.practice,
    )
    assert (event.object_type, event.object_id) == (
        "programs.exposuresuggestion",
        str(suggestion.pk),
    )
    # The status only: never the step's words or the patient's rating.
    assert event.changes == {"status": ["pending", status]}
    # The other answer after this one changes nothing and records nothing.
    other = "decline" if answer == "accept" else "accept"
    pat.post(reverse(f"suggestion_{other}", args=[suggestion.pk]), {"harm_rating": "35"})
    assert len(answered_events(tailored)) == 1
    # The practice's audit trail names it in plain words.
    pat.force_login(cast.admin)
    trail = pat.get(reverse("admin_audit")).content.decode()
    label = "Put a suggested step on" if answer == "accept" else "Left a suggested step off"
    assert f"{label} their fear ladder" in trail


def test_another_patient_cannot_answer_the_suggestion_and_nothing_is_recorded(
    client, cast, tailored, other_enrollment
):
    suggestion = ExposureSuggestion.objects.get(enrollment=tailored)
    client.force_login(cast.other_patient)
    response = client.post(reverse("suggestion_accept", args=[suggestion.pk]), {"harm_rating": 5})
    assert response.status_code == 404
    assert client.post(reverse("suggestion_decline", args=[suggestion.pk])).status_code == 404
    assert answered_events(tailored) == []
    suggestion.refresh_from_db()
    assert suggestion.status == "pending"


# ---------------------------------------------------------------- query counts
def _more_changes(cast, enrollment, n: int) -> None:
    for i in range(n):
        services.custom_exercise_add(
            enrollment=enrollment,
            week=2,
            title=f"Walk {i}",
            instructions="Walk.",
            reason=REASON,
            by=cast.clinician,
        )
        services.exposure_suggest(
            enrollment=enrollment, label=f"Step {i}", reason=REASON, by=cast.clinician
        )


@pytest.mark.parametrize(
    "name", ["today", "program_overview", "program_week", "exposure", "patient_program"]
)
def test_the_pages_cost_the_same_queries_as_changes_grow(client, cast, tailored, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = cast.clinician if name == "patient_program" else cast.patient
    client.force_login(user)
    args = {"program_week": [2], "patient_program": [tailored.pk]}.get(name, [])
    target = reverse(name, args=args)
    client.get(target)  # warm the outline cache
    with CaptureQueriesContext(connection) as few:
        assert client.get(target).status_code == 200
    _more_changes(cast, tailored, 6)
    with CaptureQueriesContext(connection) as many:
        assert client.get(target).status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]


@pytest.mark.parametrize("name", ["today", "program_overview", "program_week"])
def test_tailoring_adds_three_queries_and_none_when_untailored(client, cast, enrollment, name):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(cast.patient)
    args = [2] if name == "program_week" else []
    target = reverse(name, args=args)
    client.get(target)
    with CaptureQueriesContext(connection) as plain:
        client.get(target)
    services.exposure_suggest(enrollment=enrollment, label="Run", reason=REASON, by=cast.clinician)
    with CaptureQueriesContext(connection) as tailored:
        client.get(target)
    assert len(tailored) == len(plain) + 3


# session, user, membership, the enrollment and its audit event, the menu's open alerts
# and unread messages
# (tracking.access, the staff pages' shared cost), then the section's own reads: the
# adjustments, custom exercises, suggestions, switches, the versions to switch to and
# the activities the patient has done (marked in the list: a done one cannot be skipped).
PROGRAM_PAGE_QUERIES = 11  # the menu badges from the cache (painapp.accounts.badges)


def test_the_clinicians_page_has_a_fixed_query_count(
    clin, cast, tailored, django_assert_num_queries
):
    target = url("patient_program", tailored)
    clin.get(target)
    with django_assert_num_queries(PROGRAM_PAGE_QUERIES):
        clin.get(target)
    _more_changes(cast, tailored, 5)
    with django_assert_num_queries(PROGRAM_PAGE_QUERIES):
        clin.get(target)


def test_the_patient_reads_the_changes_in_spanish(client, cast, tailored):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    today = client.get(reverse("today"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "De su profesional" in today and "Su profesional cambió esto:" in today
    week2 = client.get(reverse("program_week", args=[2])).content.decode()
    assert "se omite por ahora. No cuenta en su contra." in week2
    assert "Your clinician changed this" not in week2


def test_the_clinicians_section_speaks_spanish(client, cast, tailored):
    cast.clinician.language = "es"
    cast.clinician.save(update_fields=["language"])
    client.force_login(cast.clinician)
    page = client.get(url("patient_program", tailored)).content.decode()
    for text in ("Ajustar el programa", "Cambiar una lección o actividad", "Cambiar de programa"):
        assert text in page


def test_the_activity_page_shows_the_change(pat, tailored):
    lesson = act(tailored, "looking-for-clues")
    page = pat.get(reverse("activity", args=[lesson.slug])).content.decode()
    assert "skipped for now. It does not count against you." in page and "skip reason" in page


@pytest.mark.parametrize(("language", "week"), [("en", "Week"), ("es", "Semana")])
def test_each_lesson_to_change_says_its_week(clin, cast, enrollment, language, week):
    """The same daily practice is in every week: a closed select (or a phone's picker)
    shows only the option, so each one names its week, not only its group."""
    import re

    cast.clinician.language = language
    cast.clinician.save(update_fields=["language"])
    page = html.unescape(clin.get(url("patient_program", enrollment)).content.decode())
    select = re.search(r'<select name="activity"[^>]*>(.*?)</select>', page, re.S).group(1)
    options = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select)
    assert len(options) > 8
    assert len(set(options)) == len(options), "two options read the same"
    for group in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S):
        label, inner = group
        assert re.fullmatch(rf"{week} \d+", label)
        for option in re.findall(r">([^<]+)</option>", inner):
            assert option.startswith(f"{label} · "), option
