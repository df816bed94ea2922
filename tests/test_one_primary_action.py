"""One clearly filled primary action per patient screen (issue 19, point 8): Today, a
week, an activity, the check-in and progress each show exactly one filled button in
their main content; every other action is secondary or quiet."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from programs.models import Activity, FearItem
from tests.checkin_data import schedule_from_start

SECONDARY = {"button--secondary", "button--quiet", "button--danger", "button--link"}


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Buttons(HTMLParser):
    """The filled buttons inside <main>: a <button>, or a link styled .button, without a
    secondary style (the header's menu and the footer are not the screen's actions), and
    not hidden, by itself or inside a hidden element (the check-in's one-question-at-a-
    time "Next" stays hidden until its script shows it in place of "Submit")."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0  # inside <main>
        self.filled: list[str] = []
        self.labels: list[str] = []  # each filled button's words
        self.reading: str | None = None  # the filled button whose words come next
        self.open: list[bool] = []  # each open element: hidden or not

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        hidden = "hidden" in a or any(self.open)
        if tag not in VOID:
            self.open.append(hidden)
        if tag == "main":
            self.depth += 1
        if not self.depth:
            return
        classes = set((a.get("class") or "").split())
        is_button = tag == "button" or (tag == "a" and "button" in classes)
        if is_button and not classes & SECONDARY and not hidden:
            self.filled.append(f"<{tag} class={a.get('class')!r}>")
            self.labels.append("")
            self.reading = tag

    def handle_data(self, data):
        if self.reading:
            self.labels[-1] = " ".join((self.labels[-1] + data).split())

    def handle_endtag(self, tag):
        if tag == self.reading:
            self.reading = None
        if tag not in VOID and self.open:
            self.open.pop()
        if tag == "main":
            self.depth -= 1


def filled_buttons(html: str) -> list[str]:
    parser = _Buttons()
    parser.feed(html)
    return parser.filled


def filled_labels(html: str) -> list[str]:
    """The words on each filled button in <main>."""
    parser = _Buttons()
    parser.feed(html)
    return parser.labels


@pytest.fixture
def patient(client, cast, enrollment):
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 3 + 1)  # week 4
    enrollment.save()
    FearItem.objects.create(
        enrollment=enrollment, label="Bend", harm_rating=30, first_rating=30, position=1
    )
    schedule_from_start(enrollment)
    client.force_login(cast.patient)
    return client


def pages(enrollment) -> dict[str, str]:
    activity = Activity.objects.filter(week__version=enrollment.program_version, week__number=1)
    return {
        "today": reverse("today"),
        "week": reverse("program_week", args=[1]),
        **{f"activity:{a.slug}": reverse("activity", args=[a.slug]) for a in activity},
        "checkin": reverse("checkin_current"),
        "progress": reverse("progress"),
    }


def test_each_patient_screen_has_exactly_one_filled_primary_action(patient, enrollment):
    wrong = {}
    for name, url in pages(enrollment).items():
        response = patient.get(url, follow=True)
        assert response.status_code == 200, name
        filled = filled_buttons(response.content.decode())
        if len(filled) != 1:
            wrong[name] = filled
    assert not wrong, wrong


def test_the_audit_sees_filled_and_secondary_buttons():
    html = (
        '<header><button>Log out</button></header><main><a class="button" href="/">Go</a>'
        '<button class="button--secondary">Later</button><button>Save</button></main>'
    )
    assert filled_buttons(html) == ["<a class='button'>", "<button class=None>"]
    hidden = "<main><div hidden><button>Next</button></div><button>Submit</button></main>"
    assert filled_buttons(hidden) == ["<button class=None>"]
    assert filled_labels(html) == ["Go", "Save"]


def test_today_keeps_one_filled_action_as_the_day_changes(client, cast, enrollment):
    """Somatic tracking first; once done today, the ladder's next rung."""
    import uuid

    from programs.practice.services import practice_session_record

    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * 3 + 1)
    enrollment.save()
    FearItem.objects.create(
        enrollment=enrollment, label="Bend", harm_rating=30, first_rating=30, position=1
    )
    client.force_login(cast.patient)
    body = client.get(reverse("today")).content.decode()
    assert len(filled_buttons(body)) == 1 and f'class="button" href="{reverse("practice")}"' in body
    practice_session_record(
        enrollment=enrollment,
        client_token=uuid.uuid4(),
        pain_before=5,
        threat_before=5,
        pain_after=4,
        threat_after=4,
        duration_seconds=300,
    )
    body = client.get(reverse("today")).content.decode()
    filled = filled_buttons(body)
    assert len(filled) == 1 and f"{reverse('exposure_plan')}?fear=" in body
    assert f'class="button" href="{reverse("exposure_plan")}?fear=' in body


def test_the_open_baseline_check_in_has_one_filled_action(client, cast, enrollment):
    """Submitting is the one filled button; "finish later" is secondary; "Next" shows
    only when the script takes over (one question at a time), in place of "Submit"."""
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_current"), follow=True).content.decode()
    assert 'name="action" value="submit"' in page  # the form, not a "nothing due" page
    assert filled_buttons(page) == ["<button class=None>"]


def test_an_open_weekly_check_in_has_one_filled_action(client, cast, enrollment):
    from tests.test_checkin_form import started_two_weeks_ago

    week3 = started_two_weeks_ago(enrollment)["week-3"]
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_detail", args=[week3.pk])).content.decode()
    assert 'name="action" value="submit"' in page
    assert filled_buttons(page) == ["<button class=None>"]


def test_the_fear_ladder_keeps_one_filled_try_button_however_long_it_grows(patient, enrollment):
    # The "Your next step" card's "Try this one" is the screen's action; each rung's own
    # "Try this one" is secondary, or a phone shows two filled buttons at once (the next
    # step and step 1) and a ladder of 5 shows 6. "Add to my ladder" is the form's own
    # submit further down.
    for n, label in enumerate(["Lift a bag", "Sit through a film", "Jog"], start=2):
        FearItem.objects.create(
            enrollment=enrollment, label=label, harm_rating=30 + n, first_rating=40, position=n
        )
    page = patient.get(reverse("exposure")).content.decode()
    assert filled_labels(page) == ["Try this one"]
    assert page.count('class="button button--secondary" href="/exposure/new/?fear=') == 4


@pytest.mark.parametrize(
    ("language", "add", "add_button"),
    [
        ("en", "Add an activity", "Add to my ladder"),
        ("es", "Agregar una actividad", "Agregar a mi escalera"),
    ],
)
def test_an_empty_ladder_has_one_filled_action_too(
    client, cast, enrollment, language, add, add_button
):
    """The "Your next step" card holds the page's one action (with nothing on the
    ladder: go to the form); the form's own "Add to my ladder" is secondary, or the
    page shows two filled buttons."""
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    page = client.get(reverse("exposure")).content.decode()
    assert filled_labels(page) == [add]
    assert f'class="button--secondary">{add_button}</button>' in page


def _lesson_with_a_prompt(enrollment) -> Activity:
    return (
        Activity.objects.filter(
            week__version=enrollment.program_version, week__number=1, kind="lesson"
        )
        .exclude(prompt="")
        .first()
    )


@pytest.mark.parametrize(
    ("language", "done", "save"),
    [("en", "Mark as done", "Save"), ("es", "Marcar como hecho", "Guardar")],
)
def test_on_a_lesson_mark_as_done_is_the_filled_action(
    client, cast, enrollment, language, done, save
):
    """Finishing the lesson is the page's action; the reflection under it is optional,
    so its "Save" is secondary. Once the lesson is done, "Save" is all that is left,
    and it is the filled one."""
    from programs.services import activity_complete

    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    lesson = _lesson_with_a_prompt(enrollment)
    url = reverse("activity", args=[lesson.slug])
    page = client.get(url).content.decode()
    assert filled_labels(page) == [done]
    assert f'class="button--secondary">{save}</button>' in page
    activity_complete(enrollment=enrollment, activity=lesson)
    assert filled_labels(client.get(url).content.decode()) == [save]


def _save_button(html: str) -> str:
    return re.search(r'<button id="reflection-save"[^>]*>[^<]*</button>', html).group(0)


@pytest.mark.parametrize(("language", "save"), [("en", "Save"), ("es", "Guardar")])
def test_marking_a_lesson_done_with_htmx_fills_save_as_a_reload_would(
    client, cast, enrollment, language, save
):
    """Marking done swaps only the marker (no reload); the reflection's "Save", now the
    one action left, comes in the same answer, filled, as the page shows it after a
    reload."""
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    lesson = _lesson_with_a_prompt(enrollment)
    before = _save_button(client.get(reverse("activity", args=[lesson.slug])).content.decode())
    assert "button--secondary" in before

    swapped = client.post(
        reverse("activity_complete", args=[lesson.slug]), headers={"HX-Request": "true"}
    ).content.decode()

    button = _save_button(swapped)
    assert 'data-hx-swap-oob="true"' in button and f">{save}</button>" in button
    reloaded = _save_button(client.get(reverse("activity", args=[lesson.slug])).content.decode())
    assert button.replace(' data-hx-swap-oob="true"', "") == reloaded
    assert filled_buttons(f"<main>{swapped}</main>") == ["<button class=None>"]


@pytest.mark.parametrize("language", ["en", "es"])
def test_before_the_first_week_today_offers_somatic_tracking(client, cast, enrollment, language):
    """A patient who signs up the day before their start date (it is still to come
    where they live) is not left with nothing to do: Today offers a short practice, as
    its one filled button, and says when the lessons open."""
    enrollment.start_date = enrollment.local_date() + timedelta(days=1)
    enrollment.save(update_fields=["start_date"])
    cast.patient.language = language
    cast.patient.save(update_fields=["language"])
    client.force_login(cast.patient)
    body = client.get(reverse("today")).content.decode()
    words = {
        "en": ("While you wait", "Your first lessons open on"),
        "es": ("Mientras espera", "Sus primeras lecciones se abren el"),
    }[language]
    assert all(w in body for w in words)
    assert filled_buttons(body) == ["<a class='button'>"]
    assert f'class="button" href="{reverse("practice")}"' in body
    assert client.get(reverse("practice")).status_code == 200
