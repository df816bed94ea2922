"""Graded exposure: the fear ladder (add, edit, reorder) and the exposure log."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from programs.exposure.selectors import ladder_rungs, suggest_next_step
from programs.exposure.services import exposure_complete, exposure_create, fear_item_create
from programs.models import Exposure, FearItem
from tests.edit_versions import with_version

HARM_MESSAGE = "Choose a number from 0 to 100 for how harmful it feels."


@pytest.fixture
def patient_client(client, cast, enrollment):
    client.force_login(cast.patient)
    return client


def rung(enrollment, label: str, harm: int) -> FearItem:
    return fear_item_create(enrollment=enrollment, label=label, harm_rating=harm)


def done_exposure(
    enrollment,
    fear_item,
    *,
    predicted_harm=60,
    actual_harm=20,
    fear_after=None,
    predicted_pain=6,
    actual_pain=4,
) -> Exposure:
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=fear_item,
        activity="",
        predicted_pain=predicted_pain,
        predicted_harm=predicted_harm,
    )
    exposure_complete(
        exposure=exposure,
        actual_pain=actual_pain,
        actual_harm=actual_harm,
        fear_after=fear_item.harm_rating if fear_after is None else fear_after,
    )
    return exposure


def text(response) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def ladder_labels(client) -> list[str]:
    html = client.get(reverse("exposure")).content.decode()
    return re.findall(r'<h3 class="rung__label">([^<]+)</h3>', html)


# ---------------------------------------------------------------- the ladder


def test_it_shows_an_empty_ladder_with_examples_and_explains_fear_falls_first(patient_client):
    response = patient_client.get(reverse("exposure"))
    assert response.status_code == 200
    page = text(response)
    assert "Your ladder is empty" in page
    for example in ("tie your shoes", "bag of shopping", "whole film", "short, easy jog"):
        assert example in page
    assert "fear usually falls before pain does" in page
    assert "Add two or three activities" in page


def test_it_adds_rungs_and_lists_them_lowest_harm_first(patient_client, enrollment):
    for label, harm in [
        ("Lifting a bag of shopping", "60"),
        ("Bending to tie my shoes", "20"),
        ("Sitting through a film", "40"),
    ]:
        response = patient_client.post(
            reverse("fear_create"), {"label": label, "harm_rating": harm}
        )
        assert response.status_code == 302
    assert ladder_labels(patient_client) == [
        "Bending to tie my shoes",
        "Sitting through a film",
        "Lifting a bag of shopping",
    ]
    item = FearItem.objects.get(label="Sitting through a film")
    assert (item.enrollment, item.harm_rating, item.first_rating) == (enrollment, 40, 40)


@pytest.mark.parametrize("harm", ["", "lots", "101", "-1", "4.5", "99999999999999999999"])
def test_it_rejects_a_bad_harm_rating_keeping_the_label(patient_client, harm):
    response = patient_client.post(
        reverse("fear_create"), {"label": "Carrying the laundry basket", "harm_rating": harm}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert HARM_MESSAGE in page
    assert 'value="Carrying the laundry basket"' in page
    assert 'aria-describedby="id_harm_rating_helptext id_harm_rating_error"' in page
    assert not FearItem.objects.exists()


def test_it_rejects_an_empty_or_too_long_label(patient_client):
    response = patient_client.post(reverse("fear_create"), {"label": "   ", "harm_rating": "30"})
    assert "Write the activity in a few words." in text(response)
    assert 'value="30"' in response.content.decode()
    response = patient_client.post(
        reverse("fear_create"), {"label": "x" * 101, "harm_rating": "30"}
    )
    assert "100 characters at most" in text(response)
    assert not FearItem.objects.exists()


def test_it_edits_a_rung_and_keeps_its_first_rating(patient_client, enrollment):
    item = rung(enrollment, "Lifting a bag", 70)
    page = text(patient_client.get(reverse("fear_edit", args=[item.pk])))
    assert "You first rated “Lifting a bag” at 70" in page
    response = patient_client.post(
        reverse("fear_edit", args=[item.pk]),
        with_version(
            patient_client,
            reverse("fear_edit", args=[item.pk]),
            {"label": "Lifting a heavy bag", "harm_rating": "45"},
        ),
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.label, item.harm_rating, item.first_rating) == ("Lifting a heavy bag", 45, 70)
    page = text(patient_client.get(reverse("exposure")))
    assert "First rated 70, down 25 points since you added it." in page
    assert "That is a real change" in page


def test_a_small_change_is_shown_but_not_called_meaningful(patient_client, enrollment):
    item = rung(enrollment, "Lifting a bag", 70)
    patient_client.post(
        reverse("fear_edit", args=[item.pk]),
        with_version(
            patient_client,
            reverse("fear_edit", args=[item.pk]),
            {"label": "Lifting a bag", "harm_rating": "50"},
        ),
    )
    page = text(patient_client.get(reverse("exposure")))
    assert "down 20 points since you added it" in page
    assert "That is a real change" not in page


def test_an_edit_with_a_bad_rating_changes_nothing(patient_client, enrollment):
    item = rung(enrollment, "Lifting a bag", 70)
    response = patient_client.post(
        reverse("fear_edit", args=[item.pk]),
        with_version(
            patient_client,
            reverse("fear_edit", args=[item.pk]),
            {"label": "New name", "harm_rating": "150"},
        ),
    )
    assert response.status_code == 200
    assert HARM_MESSAGE in text(response)
    assert 'value="New name"' in response.content.decode()
    item.refresh_from_db()
    assert (item.label, item.harm_rating) == ("Lifting a bag", 70)


def test_it_moves_rungs_up_and_down_without_javascript(patient_client, enrollment):
    low, mid, high = (
        rung(enrollment, "Low", 10),
        rung(enrollment, "Mid", 50),
        rung(enrollment, "High", 90),
    )
    response = patient_client.post(reverse("fear_move", args=[high.pk]), {"direction": "up"})
    assert response.status_code == 302
    assert response.url == reverse("exposure") + f"#rung-{high.pk}"
    assert ladder_labels(patient_client) == ["Low", "High", "Mid"]
    response = patient_client.post(
        reverse("fear_move", args=[low.pk]), {"direction": "down"}, follow=True
    )
    assert "Moved “Low” down. It is now step 2." in text(response)
    assert ladder_labels(patient_client) == ["High", "Low", "Mid"]
    # A new rung still slots in by its rating among the patient's order.
    rung(enrollment, "Very low", 5)
    assert ladder_labels(patient_client)[0] == "Very low"
    assert mid.pk


def test_it_does_not_move_a_rung_past_either_end(patient_client, enrollment):
    low, high = rung(enrollment, "Low", 10), rung(enrollment, "High", 90)
    patient_client.post(reverse("fear_move", args=[low.pk]), {"direction": "up"})
    patient_client.post(reverse("fear_move", args=[high.pk]), {"direction": "down"})
    patient_client.post(reverse("fear_move", args=[high.pk]), {"direction": "sideways"})
    assert ladder_labels(patient_client) == ["Low", "High"]


def test_the_first_and_last_rungs_offer_only_the_moves_that_make_sense(patient_client, enrollment):
    low, high = rung(enrollment, "Low", 10), rung(enrollment, "High", 90)
    html = patient_client.get(reverse("exposure")).content.decode()
    assert f'id="move-down-{low.pk}"' in html and f'id="move-up-{low.pk}"' not in html
    assert f'id="move-up-{high.pk}"' in html and f'id="move-down-{high.pk}"' not in html


def test_an_htmx_move_returns_only_the_updated_list(patient_client, enrollment):
    rung(enrollment, "Low", 10)
    high = rung(enrollment, "High", 90)
    response = patient_client.post(
        reverse("fear_move", args=[high.pk]), {"direction": "up"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and "<h1" not in html and "Add an activity" not in html
    assert html.lstrip().startswith('<div id="ladder"')
    assert re.findall(r'<h3 class="rung__label">([^<]+)</h3>', html) == ["High", "Low"]
    assert 'data-hx-swap-oob="innerHTML"' in html and "Moved “High” up. It is now step 1." in html
    assert ladder_labels(patient_client) == ["High", "Low"]


def test_moving_needs_a_post(patient_client, enrollment):
    item = rung(enrollment, "Low", 10)
    assert patient_client.get(reverse("fear_move", args=[item.pk])).status_code == 405


def test_it_removes_a_rung_and_keeps_its_logged_exposures(patient_client, enrollment):
    item = rung(enrollment, "Lifting a bag", 60)
    done_exposure(enrollment, item, fear_after=40)
    response = patient_client.post(reverse("fear_edit", args=[item.pk]), {"remove": "1"})
    assert response.status_code == 302
    assert not FearItem.objects.exists()
    page = text(patient_client.get(reverse("exposure")))
    assert "Lifting a bag" in page  # still in the log
    assert "Your ladder is empty" in page


# ---------------------------------------------------------------- exposures


def test_it_plans_and_completes_an_exposure_showing_the_violation(patient_client, enrollment):
    item = rung(enrollment, "Bending to tie my shoes", 60)
    page = patient_client.get(reverse("exposure_plan") + f"?fear={item.pk}").content.decode()
    assert re.search(rf'<option value="{item.pk}" selected>', page)
    assert 'name="predicted_harm" value="60"' in page

    response = patient_client.post(
        reverse("exposure_plan"),
        {
            "fear_item": item.pk,
            "activity": "",
            "predicted_pain": "7",
            "predicted_harm": "60",
            "expectation": "My back will lock up.",
        },
    )
    exposure = Exposure.objects.get()
    assert response.url == reverse("exposure_detail", args=[exposure.pk])
    assert (exposure.activity, exposure.fear_item, exposure.completed_at) == (
        "Bending to tie my shoes",
        item,
        None,
    )
    page = text(patient_client.get(response.url))
    assert "After: how did it go?" in page and "My back will lock up." in page

    response = patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {
            "actual_pain": "4",
            "actual_harm": "10",
            "fear_after": "35",
            "note": "Easier than I thought",
        },
    )
    assert response.url == reverse("exposure_detail", args=[exposure.pk])
    page = text(patient_client.get(response.url))
    assert "You expected pain 7, it was 4: 3 points better than you feared." in page
    assert "You expected harm 60 out of 100, it was 10: 50 points better than you feared." in page
    assert (
        "How harmful it feels now: 35 out of 100 . That is down 25 points from 60 when you "
        "added it to your ladder. That is a real change."
    ) in page
    assert "Easier than I thought" in page
    assert "After: how did it go?" not in page

    exposure.refresh_from_db()
    assert exposure.completed_at is not None
    assert (exposure.pain_violation, exposure.harm_violation) == (3, 50)
    item.refresh_from_db()
    assert (item.harm_rating, item.first_rating) == (35, 60)

    ladder = text(patient_client.get(reverse("exposure")))
    assert "expected 7, was 4 3 points better" in ladder
    assert "expected 60, was 10 50 points better" in ladder
    assert "Tried 1 time." in ladder


def test_it_plans_an_activity_that_is_not_on_the_ladder(patient_client, enrollment):
    page = text(patient_client.get(reverse("exposure_plan")))
    assert "A step from your ladder" not in page  # no rungs yet: nothing to choose
    response = patient_client.post(
        reverse("exposure_plan"),
        {"activity": "Walk to the corner shop", "predicted_pain": "5", "predicted_harm": "30"},
    )
    exposure = Exposure.objects.get()
    assert response.status_code == 302
    assert (exposure.activity, exposure.fear_item) == ("Walk to the corner shop", None)


def test_a_worse_or_equal_outcome_gets_a_gentle_message(patient_client, enrollment):
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Short jog",
        predicted_pain=3,
        predicted_harm=20,
    )
    patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {"actual_pain": "5", "actual_harm": "20", "fear_after": "40"},
    )
    page = text(patient_client.get(reverse("exposure_detail", args=[exposure.pk])))
    assert "You expected pain 3, it was 5: 2 points more than you expected." in page
    assert "You expected harm 20 out of 100, it was 20: just what you expected." in page
    assert "That’s okay. This is still learning" in page
    assert "Fear usually falls before pain does." in page


def test_a_much_worse_result_says_go_smaller_and_where_to_turn_not_try_again(
    patient_client, enrollment
):
    """The walk-through: a jog expected at pain 3 and harm 20 went 9 and 70, and now
    feels 95 out of 100 harmful."""
    jog = rung(enrollment, "A 10-minute jog", 20)
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=jog,
        activity="",
        predicted_pain=3,
        predicted_harm=20,
    )
    patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {"actual_pain": "9", "actual_harm": "70", "fear_after": "95"},
    )
    response = patient_client.get(reverse("exposure_detail", args=[exposure.pk]))
    page = text(response)
    # The numbers are still shown as they are.
    assert "You expected pain 3, it was 9: 6 points more than you expected." in page
    assert "You expected harm 20 out of 100, it was 70: 50 points more than you expected." in page
    # No "go again"; calm words in PRT's lens, a smaller step, and where to turn.
    assert "Try this step again" not in page and "Do it again" not in page
    assert "That’s okay. This is still learning" not in page
    assert "This was a lot harder than you expected." in page
    assert "On its own, it is not a sign of damage." in page
    assert "Fear usually settles before pain does." in page
    assert "Next time, go back to a smaller step on your ladder." in page
    assert (
        "If something new or worrying happened, like new numbness, new weakness in your "
        "legs, or changes in your bladder or bowels, contact your care team or your doctor."
    ) in page
    assert "Keep up any care your doctor has given you." in page
    html = response.content.decode()
    help_link = f'<a href="{reverse("get_help")}#body-changes">See when to get help right away</a>'
    assert help_link in html
    # The link lands on the help page's own guidance for sudden changes.
    help_page = patient_client.get(reverse("get_help")).content.decode()
    assert '<h2 id="body-changes">Sudden changes in your body</h2>' in help_page
    result = html.split('id="result"')[1].split("</section>")[0]
    assert f'href="{reverse("exposure")}">Choose a smaller step</a>' in result
    assert reverse("exposure_plan") not in result
    # The rung, now rated 95, climbs to its place: the next step is a smaller one.
    walk = rung(enrollment, "A slow walk", 40)
    assert ladder_labels(patient_client) == ["A slow walk", "A 10-minute jog"]
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == walk


def test_a_better_result_still_shows_the_gap_and_offers_to_go_again(patient_client, enrollment):
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Short jog",
        predicted_pain=6,
        predicted_harm=60,
    )
    patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {"actual_pain": "3", "actual_harm": "20", "fear_after": "40"},
    )
    page = text(patient_client.get(reverse("exposure_detail", args=[exposure.pk])))
    assert "You expected pain 6, it was 3: 3 points better than you feared." in page
    assert "That gap between what you feared and what happened is how your brain learns." in page
    assert "Do it again" in page and "a lot harder" not in page


def test_unchanged_pain_with_less_harm_says_fear_falls_first(patient_client, enrollment):
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Short jog",
        predicted_pain=5,
        predicted_harm=50,
    )
    patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {"actual_pain": "5", "actual_harm": "10", "fear_after": "30"},
    )
    page = text(patient_client.get(reverse("exposure_detail", args=[exposure.pk])))
    assert "Your pain did not drop this time, and that is common." in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("predicted_pain", "11", "Choose a number from 0 to 10 for the pain you expect."),
        ("predicted_pain", "", "Choose a number from 0 to 10 for the pain you expect."),
        ("predicted_harm", "abc", "Choose a number from 0 to 100 for how much harm you expect."),
        ("predicted_harm", "-5", "Choose a number from 0 to 100 for how much harm you expect."),
    ],
)
def test_a_plan_with_a_bad_number_keeps_what_was_typed(patient_client, field, value, message):
    data = {
        "activity": "Lift the laundry basket",
        "predicted_pain": "6",
        "predicted_harm": "70",
        "expectation": "It will hurt for days",
        field: value,
    }
    response = patient_client.post(reverse("exposure_plan"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert 'value="Lift the laundry basket"' in html and "It will hurt for days" in html
    assert f'id="id_{field}_error"' in html
    assert not Exposure.objects.exists()


def test_a_plan_needs_a_rung_or_an_activity(patient_client, enrollment):
    rung(enrollment, "Low", 10)
    response = patient_client.post(
        reverse("exposure_plan"), {"activity": "  ", "predicted_pain": "3", "predicted_harm": "20"}
    )
    assert "Choose a step from your ladder, or write what you will do." in text(response)
    assert not Exposure.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("actual_pain", "", "Choose a number from 0 to 10 for the pain you felt."),
        ("actual_harm", "101", "Choose a number from 0 to 100 for how much harm was done."),
        ("fear_after", "lots", HARM_MESSAGE),
    ],
)
def test_logging_a_bad_number_keeps_what_was_typed_and_saves_nothing(
    patient_client, enrollment, field, value, message
):
    item = rung(enrollment, "Lifting a bag", 60)
    exposure = exposure_create(
        enrollment=enrollment, fear_item=item, activity="", predicted_pain=6, predicted_harm=60
    )
    data = {
        "actual_pain": "3",
        "actual_harm": "10",
        "fear_after": "30",
        "note": "Went fine really",
        field: value,
    }
    response = patient_client.post(reverse("exposure_done", args=[exposure.pk]), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Went fine really" in html
    exposure.refresh_from_db()
    item.refresh_from_db()
    assert (exposure.completed_at, exposure.actual_pain, exposure.note) == (None, None, "")
    assert item.harm_rating == 60


def test_logging_an_exposure_twice_changes_nothing(patient_client, enrollment):
    item = rung(enrollment, "Lifting a bag", 60)
    exposure = done_exposure(enrollment, item, actual_harm=20, fear_after=40)
    first_done = exposure.completed_at
    response = patient_client.post(
        reverse("exposure_done", args=[exposure.pk]),
        {"actual_pain": "9", "actual_harm": "90", "fear_after": "95"},
        follow=True,
    )
    assert "You already logged how this went, so nothing was changed." in text(response)
    exposure.refresh_from_db()
    item.refresh_from_db()
    assert (exposure.actual_harm, exposure.fear_after, exposure.completed_at) == (
        20,
        40,
        first_done,
    )
    assert item.harm_rating == 40
    assert exposure_complete(exposure=exposure, actual_pain=1, actual_harm=1, fear_after=1) is False


def test_the_log_lists_newest_first(patient_client, enrollment):
    for label in ("First walk", "Second walk", "Third walk"):
        exposure = exposure_create(
            enrollment=enrollment,
            fear_item=None,
            activity=label,
            predicted_pain=4,
            predicted_harm=30,
        )
        exposure_complete(exposure=exposure, actual_pain=2, actual_harm=5, fear_after=20)
    html = patient_client.get(reverse("exposure")).content.decode()
    titles = re.findall(r'class="exposure-log__title"><a [^>]+>([^<]+)</a>', html)
    assert titles == ["Third walk", "Second walk", "First walk"]


def test_a_planned_exposure_waits_on_the_ladder_page(patient_client, enrollment):
    exposure = exposure_create(
        enrollment=enrollment,
        fear_item=None,
        activity="Short jog",
        predicted_pain=3,
        predicted_harm=20,
    )
    html = patient_client.get(reverse("exposure")).content.decode()
    assert "Waiting for how it went" in html
    assert reverse("exposure_detail", args=[exposure.pk]) in html


# ---------------------------------------------------------------- next step


def test_it_suggests_the_lowest_rung_until_it_has_gone_better_twice(enrollment):
    assert suggest_next_step(ladder_rungs(enrollment)).kind == "start"
    low, high = rung(enrollment, "Low", 20), rung(enrollment, "High", 70)
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == low

    # Harm as bad as predicted does not count as having gone better.
    done_exposure(enrollment, low, predicted_harm=30, actual_harm=30, fear_after=20)
    done_exposure(enrollment, low, predicted_harm=30, actual_harm=10, fear_after=15)
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == low
    # A planned exposure that was never logged does not count either.
    exposure_create(
        enrollment=enrollment, fear_item=low, activity="", predicted_pain=3, predicted_harm=30
    )
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == low

    done_exposure(enrollment, low, predicted_harm=30, actual_harm=5, fear_after=10)
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == high

    done_exposure(enrollment, high, predicted_harm=70, actual_harm=20)
    done_exposure(enrollment, high, predicted_harm=70, actual_harm=20)
    assert suggest_next_step(ladder_rungs(enrollment)).kind == "harder"


def test_the_suggestion_follows_the_ladders_one_order_moves_included(enrollment):
    low, high = rung(enrollment, "Low", 20), rung(enrollment, "High", 70)
    from programs.exposure.services import fear_item_move

    fear_item_move(fear_item=high, direction="up")
    # The patient put High first: the ladder and its next step say the same.
    assert [r.item for r in ladder_rungs(enrollment)] == [high, low]
    assert suggest_next_step(ladder_rungs(enrollment)).rung.item == high


def in_week(enrollment, week: int) -> None:
    enrollment.start_date = enrollment.local_date() - timedelta(days=7 * (week - 1) + 2)
    enrollment.save()


def today_next_rung(client) -> str:
    page = text(client.get(reverse("today")))
    return page.split("Your next step on the ladder")[1].split("(feels")[0]


def ladder_next_rung(client) -> str:
    html = client.get(reverse("exposure")).content.decode()
    return text_of(html.split('id="next-heading"')[1].split("</section>")[0]).split("(feels")[0]


def text_of(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_a_re_rated_step_moves_to_its_place_and_today_agrees(patient_client, enrollment):
    in_week(enrollment, 5)  # exposure is open from week 3
    shoes = rung(enrollment, "Bending to tie my shoes", 15)
    film = rung(enrollment, "Sitting through a whole film", 30)
    jog = rung(enrollment, "A short jog", 60)
    assert ladder_labels(patient_client) == [shoes.label, film.label, jog.label]
    assert "Next to try: Bending to tie my shoes" in today_next_rung(patient_client)

    # The film now feels less harmful than the shoes: it takes its place first.
    response = patient_client.post(
        reverse("fear_edit", args=[film.pk]),
        with_version(
            patient_client,
            reverse("fear_edit", args=[film.pk]),
            {"label": film.label, "harm_rating": "10"},
        ),
    )
    assert response.status_code == 302
    assert ladder_labels(patient_client) == [film.label, shoes.label, jog.label]
    page = text(patient_client.get(reverse("exposure")))
    assert "Step 1 Sitting through a whole film How harmful it feels: 10 out of 100" in page
    assert "Next to try: Sitting through a whole film" in ladder_next_rung(patient_client)
    assert "Next to try: Sitting through a whole film" in today_next_rung(patient_client)

    # Rated again after an exposure ("how harmful does it feel now"): the same rule.
    done_exposure(enrollment, film, predicted_harm=10, actual_harm=5, fear_after=70)
    assert ladder_labels(patient_client) == [shoes.label, jog.label, film.label]
    assert "Next to try: Bending to tie my shoes" in ladder_next_rung(patient_client)
    assert "Next to try: Bending to tie my shoes" in today_next_rung(patient_client)
    assert list(
        FearItem.objects.filter(enrollment=enrollment).values_list("position", flat=True)
    ) == [0, 1, 2]


def test_a_rename_keeps_a_moved_step_where_the_patient_put_it(patient_client, enrollment):
    low, high = rung(enrollment, "Low", 10), rung(enrollment, "High", 90)
    patient_client.post(reverse("fear_move", args=[high.pk]), {"direction": "up"})
    patient_client.post(
        reverse("fear_edit", args=[high.pk]),
        with_version(
            patient_client,
            reverse("fear_edit", args=[high.pk]),
            {"label": "High step", "harm_rating": "90"},
        ),
    )
    assert ladder_labels(patient_client) == ["High step", "Low"]
    assert "Next to try: High step" in ladder_next_rung(patient_client)
    assert low.pk


def test_the_ladder_page_shows_the_next_step(patient_client, enrollment):
    low = rung(enrollment, "Bending to tie my shoes", 20)
    rung(enrollment, "A short jog", 80)
    page = patient_client.get(reverse("exposure")).content.decode()
    next_step = page.split('id="next-heading"')[1].split("</section>")[0]
    assert "Bending to tie my shoes" in next_step
    assert f"{reverse('exposure_plan')}?fear={low.pk}" in next_step
    for _ in range(2):
        done_exposure(enrollment, low, predicted_harm=40, actual_harm=0)
    page = text(patient_client.get(reverse("exposure")))
    assert "Next to try: A short jog" in page
    FearItem.objects.filter(label="A short jog").delete()
    page = text(patient_client.get(reverse("exposure")))
    assert "add a harder one" in page


def test_the_ladder_page_query_count_does_not_grow(patient_client, enrollment):
    def queries_for_ladder() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert patient_client.get(reverse("exposure")).status_code == 200
        return len(captured)

    def add(n: int) -> None:
        item = rung(enrollment, f"Step {n}", n * 10)
        done_exposure(enrollment, item)
        exposure_create(
            enrollment=enrollment, fear_item=item, activity="", predicted_pain=3, predicted_harm=20
        )

    add(0)
    patient_client.get(reverse("exposure"))  # the menu's badge counted once, then cached
    few = queries_for_ladder()
    for n in range(1, 9):
        add(n)
    assert queries_for_ladder() == few
    # Log-in and enrollment look-ups, then the page's own four reads.
    assert few <= 10


# ---------------------------------------------------------------- who may see what


def test_another_patients_rung_is_404_and_unchanged(patient_client, other_enrollment):
    theirs = rung(other_enrollment, "Their step", 50)
    rung(other_enrollment, "Their other step", 70)
    assert patient_client.get(reverse("fear_edit", args=[theirs.pk])).status_code == 404
    assert (
        patient_client.post(
            reverse("fear_edit", args=[theirs.pk]),
            with_version(
                patient_client,
                reverse("fear_edit", args=[theirs.pk]),
                {"label": "Mine now", "harm_rating": "0"},
            ),
        ).status_code
        == 404
    )
    assert (
        patient_client.post(reverse("fear_edit", args=[theirs.pk]), {"remove": "1"}).status_code
        == 404
    )
    assert (
        patient_client.post(
            reverse("fear_move", args=[theirs.pk]), {"direction": "down"}
        ).status_code
        == 404
    )
    assert patient_client.get(reverse("exposure_plan") + f"?fear={theirs.pk}").status_code == 404
    theirs.refresh_from_db()
    assert (theirs.label, theirs.harm_rating, theirs.position) == ("Their step", 50, 0)
    assert "Their step" not in text(patient_client.get(reverse("exposure")))


def test_another_patients_rung_cannot_be_planned(patient_client, enrollment, other_enrollment):
    theirs = rung(other_enrollment, "Their step", 50)
    response = patient_client.post(
        reverse("exposure_plan"),
        {"fear_item": theirs.pk, "predicted_pain": "3", "predicted_harm": "20"},
    )
    assert response.status_code == 200
    assert "Choose a step from your own ladder." in text(response)
    assert not Exposure.objects.exists()


def test_another_patients_exposure_is_404_and_unchanged(patient_client, other_enrollment):
    theirs = exposure_create(
        enrollment=other_enrollment,
        fear_item=None,
        activity="Their jog",
        predicted_pain=3,
        predicted_harm=20,
    )
    assert patient_client.get(reverse("exposure_detail", args=[theirs.pk])).status_code == 404
    response = patient_client.post(
        reverse("exposure_done", args=[theirs.pk]),
        {"actual_pain": "1", "actual_harm": "1", "fear_after": "1"},
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.completed_at is None and theirs.actual_pain is None
    assert "Their jog" not in text(patient_client.get(reverse("exposure")))


def _pages(enrollment):
    item = rung(enrollment, "Bending to tie my shoes", 30)
    exposure = exposure_create(
        enrollment=enrollment, fear_item=item, activity="", predicted_pain=3, predicted_harm=20
    )
    done = {"actual_pain": "1", "actual_harm": "1", "fear_after": "1"}
    return exposure, [
        ("get", reverse("exposure"), None),
        ("get", reverse("exposure_plan"), None),
        ("get", reverse("fear_edit", args=[item.pk]), None),
        ("post", reverse("fear_edit", args=[item.pk]), {"remove": "1"}),
        ("post", reverse("fear_move", args=[item.pk]), {"direction": "down"}),
        ("get", reverse("exposure_detail", args=[exposure.pk]), None),
        ("post", reverse("exposure_done", args=[exposure.pk]), done),
    ]


@pytest.mark.parametrize("who", ["clinician", "admin", "outsider_clinician"])
def test_staff_get_404_on_every_exposure_page(client, cast, enrollment, who):
    exposure, pages = _pages(enrollment)
    client.force_login(getattr(cast, who))
    for method, url, data in pages:
        assert getattr(client, method)(url, data).status_code == 404, url
    exposure.refresh_from_db()
    assert exposure.completed_at is None and FearItem.objects.count() == 1


def test_a_patient_of_another_practice_sees_none_of_it(client, cast, enrollment):
    exposure, pages = _pages(enrollment)
    client.force_login(cast.outsider_patient)  # no enrollment of their own
    for method, url, data in pages:
        response = getattr(client, method)(url, data)
        assert "Bending to tie my shoes" not in text(response), url
    exposure.refresh_from_db()
    assert exposure.completed_at is None and FearItem.objects.count() == 1


# ---------------------------------------------------------------- the clinician's view


def test_the_clinician_sees_the_patients_ladder_order_and_a_much_harder_exposure(
    client, cast, enrollment
):
    from programs.exposure.services import fear_item_move

    low, high = rung(enrollment, "Bending to tie my shoes", 20), rung(enrollment, "A jog", 60)
    fear_item_move(fear_item=high, direction="up")  # the patient's own order
    # Ratings unchanged after, so nothing re-slots: High stays where the patient put it.
    done_exposure(
        enrollment, low, predicted_pain=3, actual_pain=9, predicted_harm=20, actual_harm=70
    )
    done_exposure(enrollment, high, predicted_harm=60, actual_harm=20)
    assert [r.item for r in ladder_rungs(enrollment)] == [high, low]
    client.force_login(cast.clinician)
    html = client.get(reverse("patient_exposures", args=[enrollment.pk])).content.decode()
    assert re.findall(r'<h3 id="rung-\d+-h">([^<]+)</h3>', html) == [high.label, low.label]
    rows = re.findall(r"<tr>.*?</tr>", html, flags=re.S)
    flagged = [r for r in rows if "much harder than predicted" in r]
    assert len(flagged) == 1 and "Bending to tie my shoes" in flagged[0]
