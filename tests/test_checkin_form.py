"""The patient's check-in form: what it shows, saving a draft, rejecting bad answers
with clear messages, the Today card, and who may see which check-in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from programs.models import Enrollment
from tests.checkin_data import post_for, record_at_open, schedule_from_start, started_two_weeks_ago
from tracking.checkins.schedule import checkins_update_statuses
from tracking.checkins.today import checkin_card
from tracking.instruments.registry import normalise
from tracking.instruments.shipped import SHIPPED
from tracking.models import CheckIn, Response

# Every weekly check-in also asks PHQ-9 item 9 and "any new symptoms?" (issue 15).
WEEKLY = ["pain_avg", "pain_worst", "fear_movement", "phq2", "phq9_item9", "gad2", "new_symptoms"]


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def checked(page: str, name: str, value: str) -> bool:
    return bool(re.search(rf'<input type="radio" name="{name}" value="{value}"[^>]*checked', page))


# ---------------------------------------------------------------- showing the form


def test_it_opens_the_baseline_for_an_enrollment_with_no_check_ins_yet(client, cast, enrollment):
    client.force_login(cast.patient)
    response = client.get(reverse("checkin_current"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "<h1>Starting check-in</h1>" in page
    assert "24 short questions" in page  # PHQ-9 with its difficulty question (item 10)
    assert CheckIn.objects.filter(enrollment=enrollment).count() > 5  # scheduled lazily
    for title in (
        "Average pain",
        "Worst pain",
        "Fear of movement",
        "Your mood",
        "Worry and nerves",
    ):
        assert f">{title}</h2>" in page
    assert 'name="action" value="submit"' in page
    assert 'name="action" value="save"' in page
    assert "Save and finish later" in page


def test_the_form_renders_every_shipped_instruments_items(client, cast, week3):
    week3.instrument_keys = [d["key"] for d in SHIPPED]
    week3.save()
    client.force_login(cast.patient)
    page = client.get(url(week3)).content.decode()
    for definition in SHIPPED:
        data = normalise(definition)
        assert escape(data["title"]) in page
        for item in data["items"]:
            name = f"{data['key']}__{item['key']}"
            assert escape(item["text"]) in page
            if item.get("type") == "cause":
                assert f'name="{name}__text"' in page
                assert f'<select name="{name}__category"' in page
                assert '<option value="brain">' in page
            else:
                for value in range(item["min"], item["max"] + 1):
                    assert f'name="{name}" value="{value}"' in page
    # PHQ-9 and PHQ-2 share item keys; the names keep them apart.
    assert 'name="phq9__phq1"' in page and 'name="phq2__phq1"' in page


def _lead(page: str) -> str:
    return " ".join(re.search(r'<p class="lead">(.*?)</p>', page, re.S).group(1).split())


def test_the_intro_names_only_the_days_its_own_groups_ask_about(client, cast, week3):
    client.force_login(cast.patient)
    weekly = _lead(client.get(url(week3)).content.decode())
    assert "the last week for pain, the last 2 weeks for mood." in weekly
    # A positive mood screen opens the full PHQ-9 the same day: mood only, no pain.
    client.post(url(week3), post_for(week3.instrument_keys, phq2={"phq1": 2, "phq2": 1}))
    extra = CheckIn.objects.get(enrollment=week3.enrollment, kind=CheckIn.Kind.EXTRA)
    lead = _lead(client.get(url(extra)).content.decode())
    assert "Each group says which days to think about: the last 2 weeks for mood." in lead
    assert "pain" not in lead
    cast.patient.language = "es"
    cast.patient.save(update_fields=["language"])
    lead = _lead(client.get(url(extra)).content.decode())
    assert "Cada grupo dice en qué días pensar: las últimas 2 semanas para el ánimo." in lead
    assert "dolor" not in lead and "No hay respuestas correctas" in lead
    # Pain only: the last week; none of ours with a set time: no such sentence.
    extra.instrument_keys = ["pain_avg", "new_symptoms"]
    extra.save(update_fields=["instrument_keys"])
    lead = _lead(client.get(url(extra)).content.decode())
    assert "Cada grupo dice en qué días pensar: la última semana para el dolor." in lead
    assert "ánimo" not in lead
    extra.instrument_keys = ["causes"]
    extra.save(update_fields=["instrument_keys"])
    lead = _lead(client.get(url(extra)).content.decode())
    assert "Cada grupo" not in lead and lead.startswith("3 preguntas cortas. No hay")


def test_each_question_is_a_labelled_group_with_its_end_labels(client, cast, week3):
    client.force_login(cast.patient)
    page = client.get(url(week3)).content.decode()
    assert page.count("<fieldset") == 1 + 1 + 1 + 2 + 1 + 2 + 2  # new symptoms: two groups
    assert "0 means no pain. 10 means worst pain you can imagine." in page
    assert 'aria-describedby="id_pain_avg__pain_avg_hint"' in page
    assert "0 = No pain" in page and "10 = Worst pain you can imagine" in page
    # The 0–3 questionnaires show each answer in words.
    assert "<span>More than half the days</span>" in page


def test_nothing_due_says_when_the_next_one_opens(client, cast, enrollment):
    slots = started_two_weeks_ago(enrollment)
    record_at_open(slots["week-3"])
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_current")).content.decode()
    assert "Nothing due right now" in page
    week4 = slots["week-4"]
    assert f"opens on <strong>{week4.due_date:%A} {week4.due_date.day} " in page


def test_a_check_in_not_open_yet_says_when_it_opens(client, cast, enrollment):
    slots = started_two_weeks_ago(enrollment)
    client.force_login(cast.patient)
    page = client.get(url(slots["week-5"])).content.decode()
    assert "Not open yet" in page
    assert "This check-in opens on" in page
    assert 'name="action"' not in page


# ---------------------------------------------------------------- drafts


def test_save_for_later_keeps_the_valid_answers_and_reports_the_others(client, cast, week3):
    client.force_login(cast.patient)
    data = {
        "action": "save",
        "pain_avg__pain_avg": "5",
        "fear_movement__fear_movement": "12",
        "phq2__phq1": "2",
        "gad2__gad1": "x",
    }
    response = client.post(url(week3), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "We saved the answers that were complete." in page
    assert "Choose a number from 0 to 10." in page
    assert "Choose a whole number from 0 to 3." in page
    assert checked(page, "pain_avg__pain_avg", "5")  # nothing the patient did is lost
    assert checked(page, "phq2__phq1", "2")
    week3.refresh_from_db()
    assert week3.draft == {"pain_avg": {"pain_avg": 5}, "phq2": {"phq1": 2}}
    assert week3.status != CheckIn.Status.COMPLETED
    assert not Response.objects.filter(checkin=week3).exists()


def test_saved_answers_are_there_when_the_patient_comes_back(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(
        url(week3),
        {"action": "save", "pain_avg__pain_avg": "4", "pain_worst__pain_worst": "7"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("today")
    page = response.content.decode()
    assert "Your answers are saved." in page
    assert "Finish my check-in" in page  # the Today card knows it was started
    page = client.get(reverse("checkin_current")).content.decode()
    assert "We kept the answers you saved before." in page
    assert checked(page, "pain_avg__pain_avg", "4")
    assert checked(page, "pain_worst__pain_worst", "7")


def test_the_phone_form_saves_quietly_on_next(client, cast, week3):
    client.force_login(cast.patient)
    response = client.post(
        url(week3), {"action": "save", "pain_avg__pain_avg": "3"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 204
    week3.refresh_from_db()
    assert week3.draft == {"pain_avg": {"pain_avg": 3}}


# ---------------------------------------------------------------- bad answers


def test_out_of_range_empty_and_non_numeric_answers_are_rejected_clearly(client, cast, week3):
    client.force_login(cast.patient)
    data = post_for(WEEKLY)
    data["pain_avg__pain_avg"] = "11"
    del data["pain_worst__pain_worst"]
    data["fear_movement__fear_movement"] = "abc"
    data["gad2__gad2"] = "-1"
    response = client.post(url(week3), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert "Please check 4 answers" in page
    assert "Choose a number from 0 to 10." in page
    assert "Please choose an answer." in page
    assert "Choose a whole number from 0 to 10." in page
    assert "Choose a number from 0 to 3." in page
    # Each message is tied to its question and linked from the summary.
    assert 'aria-describedby="id_pain_avg__pain_avg_hint id_pain_avg__pain_avg_error"' in page
    assert 'href="#id_pain_worst__pain_worst_0"' in page
    # Nothing saved, nothing typed lost.
    assert not Response.objects.filter(checkin=week3).exists()
    week3.refresh_from_db()
    assert week3.status != CheckIn.Status.COMPLETED and week3.completed_at is None
    assert checked(page, "phq2__phq1", "1")


def test_causes_need_words_and_a_category(client, cast, week3):
    week3.instrument_keys = ["causes"]
    week3.save()
    client.force_login(cast.patient)
    data = post_for(["causes"])
    data["causes__cause2__category"] = ""
    data["causes__cause3__text"] = ""
    data["causes__cause1__category"] = "made-up"
    response = client.post(url(week3), data)
    assert response.status_code == 422
    page = response.content.decode()
    assert page.count("Choose a category from the list.") >= 2
    assert "Write this cause in a few words." in page
    assert 'value="Stress at work"' in page  # what they typed is still there
    assert not Response.objects.filter(checkin=week3).exists()


def test_a_closed_check_in_cannot_be_answered(client, cast, enrollment):
    slots = started_two_weeks_ago(enrollment)
    checkins_update_statuses()
    week2 = slots["week-2"]
    client.force_login(cast.patient)
    page = client.get(url(week2)).content.decode()
    assert "This check-in has closed" in page
    response = client.post(url(week2), post_for(week2.instrument_keys))
    assert response.status_code == 200
    assert "We could not save these answers because it has closed." in response.content.decode()
    assert not Response.objects.filter(checkin=week2).exists()


# ---------------------------------------------------------------- Today


def test_today_shows_the_open_check_in_until_it_is_done(client, cast, week3):
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert "Your week 3 check-in is open" in page
    assert f'href="{url(week3)}"' in page
    client.post(url(week3), post_for(WEEKLY))
    page = client.get(reverse("today")).content.decode()
    assert "check-in is open" not in page


def test_the_today_card_costs_one_query(rf, cast, week3, django_assert_num_queries):
    # As Today loads it (programs.access.current_enrollment).
    enrollment = Enrollment.objects.select_related("patient").get(pk=week3.enrollment_id)
    # The instruments' content is read once per process (registry.instruments_by_id):
    # the first card reads it, as the check-in form does.
    checkin_card(rf.get("/"), enrollment)
    with django_assert_num_queries(1):
        card = checkin_card(rf.get("/"), enrollment)
    assert card["checkin"] == week3
    assert card["template"] == "tracking/patient/checkin/today_card.html"
    week3.status = CheckIn.Status.COMPLETED
    week3.save()
    with django_assert_num_queries(1):
        assert checkin_card(rf.get("/"), enrollment) is None


# ---------------------------------------------------------------- who may see it


def test_another_patients_check_in_is_not_found(client, cast, week3, other_enrollment):
    theirs = schedule_from_start(other_enrollment)["baseline"]
    client.force_login(cast.patient)
    assert client.get(url(theirs)).status_code == 404
    assert client.post(url(theirs), post_for(theirs.instrument_keys)).status_code == 404
    assert not Response.objects.filter(checkin=theirs).exists()
    client.force_login(cast.other_patient)
    assert client.get(url(week3)).status_code == 404


@pytest.mark.parametrize("who", ["clinician", "other_clinician", "admin", "outsider_clinician"])
def test_staff_get_404_on_patient_check_in_pages(client, cast, week3, who):
    client.force_login(getattr(cast, who))
    for path in (
        reverse("checkin_current"),
        reverse("checkin_list"),
        url(week3),
        reverse("progress"),
    ):
        assert client.get(path).status_code == 404, path


def test_the_patient_nav_links_to_check_in_and_progress(client, cast, enrollment):
    client.force_login(cast.patient)
    page = client.get(reverse("today")).content.decode()
    assert f'href="{reverse("checkin_current")}"' in page
    assert f'href="{reverse("progress")}"' in page


def test_a_paused_program_pauses_check_ins(client, cast, week3):
    from programs.services import enrollment_pause

    enrollment_pause(enrollment=week3.enrollment)
    client.force_login(cast.patient)
    page = client.get(reverse("checkin_current")).content.decode()
    assert "Your program is paused, so check-ins are paused too." in page
    response = client.post(url(week3), post_for(WEEKLY))
    assert "Not open yet" in response.content.decode()
    assert not Response.objects.filter(checkin=week3).exists()
