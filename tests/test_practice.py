"""The somatic-tracking player: one session saved once, clear errors, only your own data."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from programs.models import ActivityCompletion, ActivityKind, PracticeSession

STEP_TITLES = [
    "Settle in",
    "Find the feeling",
    "Notice what it is like",
    "Remind yourself you are safe",
    "Let it do what it does",
    "Widen your attention",
    "Rate and note",
]
PAIN_BEFORE_MESSAGE = "Choose a number from 0 to 10 for how strong the pain was before you started."


def answers(**overrides) -> dict:
    data = {
        "client_token": str(uuid.uuid4()),
        "duration_seconds": "312",
        "pain_before": "6",
        "threat_before": "7",
        "sensations": ["warmth", "tightness"],
        "pain_after": "4",
        "threat_after": "3",
        "note": "It softened a little at the edges.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def patient(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def checked(page: str, name: str) -> list[str]:
    """The values of the inputs called `name` that the page shows as chosen."""
    return [
        m.group(1)
        for m in re.finditer(
            rf'<input type="(?:radio|checkbox)" name="{name}" value="([^"]*)"[^>]*\bchecked\b', page
        )
    ]


# ---------------------------------------------------------------- the page


def test_it_shows_all_seven_steps_in_order_as_one_form_without_js(patient):
    response = patient.get(reverse("practice"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<title>Somatic tracking" in page
    assert page.count("<h1") == 1
    positions = [page.index(f">{title}</h2>") for title in STEP_TITLES]
    assert positions == sorted(positions)
    for n in range(1, 8):
        assert f"Step {n} of 7" in page
    # Before-ratings come first, then the steps, then the after-ratings and Save.
    assert page.index('name="pain_before"') < positions[0] < page.index('name="pain_after"')
    assert page.index('name="pain_after"') < page.index(">Save to my log</button>")
    assert f'action="{reverse("practice_save")}"' in page
    for value in range(11):
        assert f'name="pain_before" value="{value}"' in page
    for word in ("pressure", "tightness", "tingling", "fizzing"):
        assert f'name="sensations" value="{word}"' in page
    token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    assert uuid.UUID(token)
    assert "Somatic means" in page  # the guide's own intro, rendered from Markdown


def _step_sections(page: str) -> dict[str, str]:
    sections = re.findall(r'<section class="panel step".*?</section>', page, re.S)
    return {re.search(r"data-panel-heading>([^<]+)</h2>", s).group(1): s for s in sections}


def test_the_rate_and_note_step_has_no_timer(patient):
    steps = _step_sections(patient.get(reverse("practice")).content.decode())
    assert list(steps) == STEP_TITLES
    for title in STEP_TITLES[:-1]:
        assert steps[title].count("data-timer ") == 1, title
        assert "step__time" in steps[title], title
    last = steps["Rate and note"]
    assert "data-timer" not in last and "Start timer" not in last
    assert "step__time" not in last  # no "Take 30 seconds" either
    assert "data-speak" in last  # it can still be read aloud


@pytest.mark.parametrize("folder", ["prt-back-8wk", "prt-back-8wk.es", "prt-back-4wk.es"])
def test_only_the_rating_step_goes_without_a_timer_in_each_guide(folder):
    from programs.content import CONTENT_ROOT, read_program

    steps = read_program(CONTENT_ROOT / folder).tracking_guide["steps"]
    assert [s["key"] for s in steps if s.get("timer", True) is False] == ["rate"]


def test_it_gives_each_visit_its_own_client_token(patient):
    first = patient.get(reverse("practice")).content.decode()
    second = patient.get(reverse("practice")).content.decode()
    pattern = r'name="client_token" value="([^"]+)"'
    assert re.search(pattern, first).group(1) != re.search(pattern, second).group(1)


# ---------------------------------------------------------------- saving


def test_it_saves_a_session_on_the_patients_own_date(patient, cast, enrollment):
    # 12:00 UTC is already tomorrow on Kiritimati (UTC+14): the log must say tomorrow.
    cast.patient.timezone = "Pacific/Kiritimati"
    cast.patient.save()
    utc_today = datetime.now(UTC).date()
    noon = datetime(utc_today.year, utc_today.month, utc_today.day, 12, tzinfo=UTC)
    data = answers()
    with time_machine.travel(noon, tick=False):
        response = patient.post(reverse("practice_save"), data)

    assert response.status_code == 302
    assert response.url == f"{reverse('practice')}?saved={data['client_token']}"
    session = PracticeSession.objects.get()
    assert session.enrollment == enrollment
    assert session.local_date == utc_today + timedelta(days=1)
    assert (session.pain_before, session.threat_before) == (6, 7)
    assert (session.pain_after, session.threat_after) == (4, 3)
    assert session.sensations == ["tightness", "warmth"]  # the guide's order
    assert session.note == "It softened a little at the edges."
    assert session.duration_seconds == 312
    assert str(session.client_token) == data["client_token"]


def test_it_shows_a_calm_success_page_with_the_change(patient):
    response = patient.post(reverse("practice_save"), answers(), follow=True)
    page = response.content.decode()
    assert "Saved to your log" in page
    assert re.search(r"6<span class=\"visually-hidden\"> before, then</span>.*?4", page)
    assert "down 2" in page and "down 4" in page
    assert "Words you picked: tightness, warmth." in page
    assert f'href="{reverse("my_log")}"' in page
    assert f'href="{reverse("today")}"' in page


def test_it_records_a_repeated_post_once(patient):
    data = answers()
    first = patient.post(reverse("practice_save"), data)
    again = patient.post(reverse("practice_save"), {**data, "pain_after": "9", "note": "changed"})
    assert first.status_code == again.status_code == 302
    assert first.url == again.url
    session = PracticeSession.objects.get()
    assert (session.pain_after, session.note) == (4, "It softened a little at the edges.")


def test_it_answers_the_player_with_the_success_partial_every_time(patient):
    data = answers()
    for _ in range(2):
        response = patient.post(reverse("practice_save"), data, HTTP_HX_REQUEST="true")
        assert response.status_code == 200
        page = response.content.decode()
        assert "Saved to your log" in page
        assert "<html" not in page
    assert PracticeSession.objects.count() == 1


def test_it_saves_without_a_duration_from_a_plain_form(patient):
    patient.post(reverse("practice_save"), answers(duration_seconds=None))
    assert PracticeSession.objects.get().duration_seconds == 0


def test_it_marks_the_weeks_practice_activity_complete_once(patient, enrollment):
    week = enrollment.current_week()
    assert week == 2
    patient.post(reverse("practice_save"), answers())
    patient.post(reverse("practice_save"), answers())
    assert PracticeSession.objects.count() == 2
    completions = ActivityCompletion.objects.filter(enrollment=enrollment)
    assert completions.count() == 1
    activity = completions.get().activity
    assert (activity.kind, activity.week.number) == (ActivityKind.PRACTICE, week)


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("value", ["11", "-1", "", "abc", None])
def test_it_explains_a_bad_rating_and_keeps_the_other_answers(patient, value):
    response = patient.post(reverse("practice_save"), answers(pain_before=value))
    assert response.status_code == 422
    page = response.content.decode()
    assert PAIN_BEFORE_MESSAGE in page
    assert 'href="#id_pain_before_0"' in page  # the summary jumps to the group
    assert 'aria-describedby="id_pain_before_hint id_pain_before_error"' in page
    assert checked(page, "pain_before") == []
    assert checked(page, "threat_before") == ["7"]
    assert checked(page, "pain_after") == ["4"]
    assert checked(page, "threat_after") == ["3"]
    assert checked(page, "sensations") == ["tightness", "warmth"]
    assert "It softened a little at the edges.</textarea>" in page
    assert PracticeSession.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("threat_before", "how threatening it felt before you started"),
        ("pain_after", "how strong the pain is now, after the practice"),
        ("threat_after", "how threatening it feels now, after the practice"),
    ],
)
def test_it_names_which_rating_is_missing(patient, field, message):
    response = patient.post(reverse("practice_save"), answers(**{field: "12"}))
    assert response.status_code == 422
    assert f"Choose a number from 0 to 10 for {message}." in response.content.decode()
    assert PracticeSession.objects.count() == 0


def test_it_keeps_the_client_token_when_it_asks_again(patient):
    data = answers(pain_after="")
    page = patient.post(reverse("practice_save"), data).content.decode()
    assert f'name="client_token" value="{data["client_token"]}"' in page


def test_it_rejects_a_word_that_is_not_in_the_list(patient):
    response = patient.post(
        reverse("practice_save"), answers(sensations=["tightness", "<b>agony</b>"])
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please pick words from the list only." in page
    assert "<b>agony</b>" not in page
    assert checked(page, "threat_before") == ["7"]
    assert PracticeSession.objects.count() == 0


def test_it_rejects_a_note_that_is_too_long(patient):
    response = patient.post(reverse("practice_save"), answers(note="a" * 2001))
    assert response.status_code == 422
    assert "Please keep your note to 2000 characters or fewer. It has 2001 now." in (
        response.content.decode()
    )
    assert PracticeSession.objects.count() == 0


def test_it_answers_the_player_with_the_form_partial_on_errors(patient):
    response = patient.post(
        reverse("practice_save"), answers(threat_after="abc"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<html" not in page and "data-player" in page
    assert "how threatening it feels now" in page


def test_it_still_saves_when_the_client_token_is_mangled(patient):
    response = patient.post(reverse("practice_save"), answers(client_token="not-a-uuid"))
    assert response.status_code == 302
    session = PracticeSession.objects.get()
    assert session.duration_seconds == 312
    assert response.url.endswith(str(session.client_token))


DURATION_MESSAGE = "We could not save how long this practice took"


@pytest.mark.parametrize("value", ["1" + "0" * 30, "7201", "-5", "1e30", "lots"])
def test_it_refuses_an_impossible_duration_and_keeps_everything_typed(patient, value):
    # Once saved as 7,200 seconds without a word (issue 14, point 7).
    response = patient.post(reverse("practice_save"), answers(duration_seconds=value))
    assert response.status_code == 422
    page = response.content.decode()
    assert DURATION_MESSAGE in page and "2 hours" in page
    assert checked(page, "pain_before") == ["6"] and checked(page, "threat_after") == ["3"]
    assert checked(page, "sensations") == ["tightness", "warmth"]
    assert "It softened a little at the edges.</textarea>" in page
    assert PracticeSession.objects.count() == 0
    # The form comes back without that time, so saving again (as the message says) works.
    assert 'name="duration_seconds" value="0"' in page
    token = re.search(r'name="client_token" value="([^"]+)"', page).group(1)
    again = patient.post(
        reverse("practice_save"), answers(client_token=token, duration_seconds="0")
    )
    assert again.status_code == 302
    assert PracticeSession.objects.get().duration_seconds == 0


@pytest.mark.parametrize(("value", "saved"), [("0", 0), ("7200", 7200), (" 95 ", 95)])
def test_it_saves_every_possible_duration_as_sent(patient, value, saved):
    assert (
        patient.post(reverse("practice_save"), answers(duration_seconds=value)).status_code == 302
    )
    assert PracticeSession.objects.get().duration_seconds == saved


def test_the_player_gets_the_form_back_with_the_duration_message(patient):
    response = patient.post(
        reverse("practice_save"), answers(duration_seconds="99999"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "<html" not in page and DURATION_MESSAGE in page


def test_the_service_refuses_an_impossible_duration_too(enrollment):
    from django.core.exceptions import ValidationError

    from programs.practice.services import practice_session_record

    with pytest.raises(ValidationError) as refused:
        practice_session_record(
            enrollment=enrollment,
            client_token=uuid.uuid4(),
            pain_before=5,
            threat_before=5,
            pain_after=4,
            threat_after=4,
            duration_seconds=10**30,
        )
    assert "duration_seconds" in refused.value.message_dict
    assert PracticeSession.objects.count() == 0


# ---------------------------------------------------------------- who may see what


def test_another_patients_post_lands_on_their_own_enrollment(
    client, cast, enrollment, other_enrollment
):
    data = answers()
    client.force_login(cast.patient)
    client.post(reverse("practice_save"), data)
    client.force_login(cast.other_patient)
    response = client.post(
        reverse("practice_save"), {**data, "pain_before": "2", "note": "mine"}, follow=True
    )

    assert PracticeSession.objects.count() == 2
    theirs = PracticeSession.objects.get(enrollment=other_enrollment)
    mine = PracticeSession.objects.get(enrollment=enrollment)
    assert (theirs.pain_before, theirs.note) == (2, "mine")
    assert (mine.pain_before, mine.note) == (6, "It softened a little at the edges.")
    page = response.content.decode()
    assert "Saved to your log" in page and "It softened" not in page


def test_it_never_shows_another_patients_session(client, cast, enrollment, other_enrollment):
    data = answers(note="A private note")
    client.force_login(cast.patient)
    client.post(reverse("practice_save"), data)
    client.force_login(cast.other_patient)
    for saved in (data["client_token"], "not-a-uuid"):
        response = client.get(reverse("practice"), {"saved": saved})
        assert response.status_code == 404
        assert b"A private note" not in response.content


def test_anonymous_people_are_sent_to_log_in(client, enrollment):
    for response in (
        client.get(reverse("practice")),
        client.post(reverse("practice_save"), answers()),
    ):
        assert response.status_code == 302
        assert response.url.startswith(reverse("account_login"))
    assert PracticeSession.objects.count() == 0


@pytest.mark.parametrize("who", ["clinician", "admin", "outsider_clinician"])
def test_staff_get_404(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("practice")).status_code == 404
    assert client.post(reverse("practice_save"), answers()).status_code == 404
    assert PracticeSession.objects.count() == 0


def test_saving_needs_a_post(patient):
    assert patient.get(reverse("practice_save")).status_code == 405


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        ("312", "Somatic tracking · 5 minutes"),
        ("600", "Somatic tracking · 10 minutes"),
        ("75", "Somatic tracking · 1 minute"),
        ("6", "Somatic tracking · under a minute"),
    ],
)
def test_my_log_gives_a_sessions_length_in_minutes(patient, seconds, shown):
    patient.post(reverse("practice_save"), answers(duration_seconds=seconds))
    page = patient.get(reverse("my_log")).content.decode()
    assert shown in page
    assert "seconds" not in page


def test_my_log_gives_a_sessions_length_in_spanish(patient, cast):
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    patient.post(reverse("practice_save"), answers(duration_seconds="20"))
    patient.post(reverse("practice_save"), answers(duration_seconds="600"))
    page = patient.get(reverse("my_log"), HTTP_ACCEPT_LANGUAGE="es").content.decode()
    assert "menos de un minuto" in page and "10 minutos" in page
