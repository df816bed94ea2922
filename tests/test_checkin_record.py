"""Recording a check-in: one Response per instrument with its key, version and scores;
one check-in however many times it is sent; the results page."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from tests.checkin_data import answers_for, post_for, record_at_open, schedule_from_start
from tracking.checkins.results import Change
from tracking.checkins.schedule import checkins_schedule
from tracking.checkins.selectors import patient_checkin
from tracking.checkins.services import AlreadyDone, checkin_instruments, checkin_record
from tracking.instruments.registry import instrument_save, spec_of
from tracking.instruments.scoring import score
from tracking.instruments.shipped import definition_for
from tracking.models import Alert, CheckIn, Instrument, PracticeSettings, Response

# Every weekly check-in also asks PHQ-9 item 9 and "any new symptoms?" (issue 15).
WEEKLY = ["pain_avg", "pain_worst", "fear_movement", "phq2", "phq9_item9", "gad2", "new_symptoms"]


def two_weeks_in(enrollment, **baseline_answers) -> dict[str, CheckIn]:
    """Baseline recorded two weeks ago; the week 3 check-in opens today."""
    enrollment.start_date = enrollment.local_date() - timedelta(days=14)
    enrollment.checkin_weekday = enrollment.start_date.weekday()
    enrollment.save()
    slots = schedule_from_start(enrollment)
    record_at_open(slots["baseline"], **baseline_answers)
    return slots


def baseline_open_today(enrollment) -> CheckIn:
    checkins_schedule(enrollment)
    return CheckIn.objects.get(enrollment=enrollment, slot="baseline")


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def test_it_records_each_instrument_with_key_version_and_scores(client, cast, enrollment):
    slots = two_weeks_in(enrollment)
    week3 = slots["week-3"]
    client.force_login(cast.patient)
    data = post_for(
        WEEKLY, pain_avg={"pain_avg": 4}, phq2={"phq1": 2, "phq2": 3}, gad2={"gad1": 0, "gad2": 1}
    )
    response = client.post(url(week3), data)
    assert response.status_code == 302
    assert response["Location"] == url(week3) + "?done=1"

    week3.refresh_from_db()
    assert week3.status == CheckIn.Status.COMPLETED
    assert week3.completed_at is not None
    assert week3.draft == {}
    rows = {r.instrument_key: r for r in Response.objects.filter(checkin=week3)}
    assert sorted(rows) == sorted(WEEKLY)
    phq2 = rows["phq2"]
    assert phq2.instrument.key == "phq2" and phq2.instrument_version == phq2.instrument.version
    assert phq2.answers == {"phq1": 2, "phq2": 3}
    assert phq2.scores == {"total": 5, "band": "Positive screen: consider PHQ-9"}
    assert rows["pain_avg"].answers == {"pain_avg": 4}
    assert rows["pain_avg"].scores == {"total": 4, "band": "Pain present"}
    assert rows["gad2"].scores["total"] == 1

    page = client.get(response["Location"]).content.decode()
    assert "<h1>Thank you</h1>" in page
    assert "Your week 3 check-in is saved." in page


def test_a_changed_instrument_is_a_new_version_and_old_answers_keep_theirs(
    client, cast, enrollment
):
    slots = two_weeks_in(enrollment, pain_avg={"pain_avg": 6})
    old = Response.objects.get(checkin=slots["baseline"], instrument_key="pain_avg")
    assert old.instrument_version == 1

    new, created = instrument_save(definition=reworded_pain_avg())
    assert created and new.version == 2

    client.force_login(cast.patient)
    page = client.get(url(slots["week-3"])).content.decode()
    assert "how bad was your back pain on average?" in page  # the form asks the new wording
    client.post(url(slots["week-3"]), post_for(WEEKLY, pain_avg={"pain_avg": 3}))

    fresh = Response.objects.get(checkin=slots["week-3"], instrument_key="pain_avg")
    assert (fresh.instrument_id, fresh.instrument_version) == (new.pk, 2)
    old.refresh_from_db()
    assert old.instrument.version == 1 and old.instrument_version == 1
    assert not old.instrument.is_current
    assert "On average, how strong was your back pain" in old.instrument.items[0]["text"]
    assert (
        score(spec_of(old.instrument), old.answers)
        == old.scores
        == {"total": 6, "band": "Pain present"}
    )
    # The old check-in's results still show, and compare with the new version's answer.
    assert client.get(url(slots["baseline"])).status_code == 200
    page = client.get(url(slots["week-3"])).content.decode()
    assert "down 3 points (50% lower)" in page
    assert Instrument.objects.filter(key="pain_avg", practice=None).count() == 2


def reworded_pain_avg() -> dict:
    definition = definition_for("pain_avg")
    return {
        **definition,
        "items": [
            {
                **definition["items"][0],
                "text": "Over the past week, how bad was your back pain on average?",
            }
        ],
    }


def test_a_new_version_is_asked_after_the_old_one_was_read_and_kept(client, cast, enrollment):
    # Instrument versions are kept in the process once read (a version never changes);
    # which one is current is read with the check-in every time.
    slots = two_weeks_in(enrollment)
    client.force_login(cast.patient)
    page = client.get(url(slots["week-3"])).content.decode()
    assert "On average, how strong was your back pain" in page
    new, created = instrument_save(definition=reworded_pain_avg())
    assert created
    page = client.get(url(slots["week-3"])).content.decode()
    assert "how bad was your back pain on average?" in page
    assert "On average, how strong was your back pain" not in page
    assert client.post(url(slots["week-3"]), post_for(WEEKLY)).status_code == 302
    fresh = Response.objects.get(checkin=slots["week-3"], instrument_key="pain_avg")
    assert (fresh.instrument_id, fresh.instrument_version) == (new.pk, 2)


def test_the_patients_check_in_comes_with_its_practices_settings_and_instruments(
    cast, enrollment, other_enrollment, django_assert_num_queries
):
    """patient_checkin: one of the patient's own check-ins (nothing of another
    patient's), with the practice's alert settings (the defaults if it never saved
    any) and the current versions of its instruments (the practice's own first), in
    one query."""
    mine = two_weeks_in(enrollment)
    theirs = two_weeks_in(other_enrollment)

    def read(checkin: CheckIn, of=enrollment):
        with django_assert_num_queries(1):
            found = patient_checkin(of, checkin.pk)
        if found is None:
            return None
        assert found.checkin.enrollment is of
        instruments = checkin_instruments(found.checkin, of.practice_id, found.instrument_ids)
        return found, [(i.pk, i.key, i.version) for i in instruments]

    PracticeSettings.objects.filter(practice=cast.practice).delete()  # never saved any
    found, instruments = read(mine["week-3"])
    assert found.checkin.pk == mine["week-3"].pk and found.checkin.slot == "week-3"
    assert found.rules.pk is None and found.rules.pain_rise_points == 2  # the defaults
    assert [key for _, key, _ in instruments] == list(mine["week-3"].instrument_keys)
    assert read(theirs["week-3"]) is None  # another patient's: not found
    assert read(CheckIn(pk=0)) is None
    PracticeSettings.objects.create(
        practice=cast.practice, pain_rise_points=3, crisis_words=["end it all"]
    )
    own_version, _ = instrument_save(definition=reworded_pain_avg(), practice=cast.practice)
    for slot in ("baseline", "week-3", "end"):
        found, instruments = read(mine[slot])
        assert found.rules.pain_rise_points == 3
        assert found.rules.crisis_words == ["end it all"]
        assert [key for _, key, _ in instruments] == list(mine[slot].instrument_keys)
        if "pain_avg" in mine[slot].instrument_keys:
            assert (own_version.pk, "pain_avg", 1) in instruments


def test_a_double_submit_records_once_and_says_it_is_done(client, cast, enrollment):
    week3 = two_weeks_in(enrollment)["week-3"]
    client.force_login(cast.patient)
    data = post_for(WEEKLY)
    assert client.post(url(week3), data).status_code == 302
    again = client.post(url(week3), data)
    assert again.status_code == 200
    page = again.content.decode()
    assert "You already did this check-in — thank you." in page
    assert "This week vs your start" in page
    assert Response.objects.filter(checkin=week3).count() == len(WEEKLY)
    assert CheckIn.objects.filter(enrollment=enrollment, slot="week-3").count() == 1


def test_a_second_tab_cannot_overwrite_the_first(client, cast, enrollment):
    week3 = two_weeks_in(enrollment)["week-3"]
    client.force_login(cast.patient)
    second_tab = Client()
    second_tab.force_login(cast.patient)
    assert client.get(url(week3)).status_code == 200
    assert second_tab.get(url(week3)).status_code == 200
    client.post(url(week3), post_for(WEEKLY, pain_avg={"pain_avg": 2}))
    response = second_tab.post(url(week3), post_for(WEEKLY, pain_avg={"pain_avg": 9}))
    assert response.status_code == 200
    assert "You already did this check-in" in response.content.decode()
    assert Response.objects.get(checkin=week3, instrument_key="pain_avg").answers == {"pain_avg": 2}
    with pytest.raises(AlreadyDone):
        checkin_record(checkin=week3, answers_by_instrument=answers_for(WEEKLY))


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_submits_record_one_check_in(cast, enrollment):
    week3 = two_weeks_in(enrollment)["week-3"]
    url_ = url(week3)
    data = post_for(WEEKLY)
    clients = []
    for _ in range(20):
        c = Client()
        c.force_login(cast.patient)
        clients.append(c)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(c: Client) -> None:
        try:
            barrier.wait()
            statuses.append(c.post(url_, data).status_code)
        except BaseException as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert sorted(statuses) == [200] * 19 + [302]
    assert Response.objects.filter(checkin=week3).count() == len(WEEKLY)
    week3.refresh_from_db()
    assert week3.status == CheckIn.Status.COMPLETED


# ---------------------------------------------------------------- results


def test_results_compare_this_week_with_the_start(client, cast, enrollment):
    slots = two_weeks_in(enrollment, pain_avg={"pain_avg": 6}, fear_movement={"fear_movement": 8})
    client.force_login(cast.patient)
    response = client.post(
        url(slots["week-3"]),
        post_for(WEEKLY, pain_avg={"pain_avg": 4}, fear_movement={"fear_movement": 5}),
        follow=True,
    )
    page = response.content.decode()
    assert "This week vs your start" in page
    # Pain 6 → 4: 2 points, 2/6 = 33%. Fear 8 → 5: 3 points, 3/8 = 37.5% → 38%.
    assert "down 2 points (33% lower)" in page
    assert "down 3 points (38% lower)" in page
    assert "At your start: 6" in page and "At your start: 8" in page
    assert "That is a real change." in page
    assert "Your fear of moving is down by 3 points." in page
    assert "Compared with your starting check-in." in page
    # The rule is said once, in the sentence above, not again in the footnote.
    assert page.count("A drop of 2 points") == 1, page
    assert "Pain-free or nearly pain-free (0–1)" not in page


def test_results_mark_the_pain_free_band(client, cast, enrollment):
    slots = two_weeks_in(enrollment, pain_avg={"pain_avg": 7})
    client.force_login(cast.patient)
    page = client.post(
        url(slots["week-3"]), post_for(WEEKLY, pain_avg={"pain_avg": 1}), follow=True
    ).content.decode()
    assert "down 6 points (86% lower)" in page
    assert "Pain-free or nearly pain-free (0–1)" in page
    assert "about two in three people reached this range" in page


def test_results_say_no_change_is_common_early(client, cast, enrollment):
    slots = two_weeks_in(enrollment, pain_avg={"pain_avg": 6}, fear_movement={"fear_movement": 7})
    client.force_login(cast.patient)
    page = client.post(
        url(slots["week-3"]),
        post_for(WEEKLY, pain_avg={"pain_avg": 6}, fear_movement={"fear_movement": 7}),
        follow=True,
    ).content.decode()
    assert "no change" in page
    assert "No change in pain yet. That is common in the first weeks." in page
    assert "Fear usually eases first, and pain follows." in page


def test_the_baseline_results_are_a_starting_point(client, cast, enrollment):
    client.force_login(cast.patient)
    baseline_page = client.get(reverse("checkin_current")).content.decode()
    assert "Starting check-in" in baseline_page
    baseline = CheckIn.objects.get(enrollment=enrollment, slot="baseline")
    page = client.post(
        url(baseline), post_for(baseline.instrument_keys), follow=True
    ).content.decode()
    assert "Your starting point" in page
    assert "This is your starting point." in page


def test_change_rules_match_the_notes():
    assert Change("Pain", now=4, start=6).is_real_improvement  # 2 points
    assert Change("Pain", now=7, start=10).is_real_improvement  # 30%
    assert not Change("Pain", now=5, start=6).is_real_improvement  # 1 point, 17%
    assert Change("Pain", now=2, start=3).is_real_improvement  # 1 point but 33%
    assert not Change("Pain", now=8, start=6).is_real_improvement
    assert Change("Pain", now=8, start=6).summary == "up 2 points (33% higher)"
    assert Change("Pain", now=3, start=0).summary == "up 3 points"


def test_a_self_harm_answer_shows_crisis_resources_first(client, cast, enrollment):
    enrollment.country = "GB"  # the crisis numbers follow the patient's country
    enrollment.save(update_fields=["country"])
    baseline = baseline_open_today(enrollment)
    client.force_login(cast.patient)
    client.post(url(baseline), post_for(baseline.instrument_keys, phq9={"phq9": 2}))
    # The alert rules (tracking.alerts) raise this; made here too so this page's test
    # does not depend on them.
    Alert.objects.get_or_create(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        source=f"checkin:{baseline.pk}",
        defaults={"practice": cast.practice, "severity": Alert.Severity.URGENT},
    )
    page = client.get(url(baseline) + "?done=1").content.decode()
    # The crisis help, and nothing that can wait (the progress cards come later:
    # tracking.rules.results_after_safety).
    assert 'id="crisis-h"' in page and 'id="compare-h"' not in page
    assert "You do not have to face this alone" in page
    # Honest copy (issue 15): when the clinic looks, from its settings, and that nobody
    # watches the app all the time.
    # (In the patient's time when it differs from London's: tests/test_office_hours_local.py.)
    assert "within 1 hour during opening hours" in page and "Mon–Fri, 9:00–17:00" in page
    assert "This app is not watched around the clock." in page
    assert 'href="/help/"' in page
    # the practice's crisis resources for the patient's country
    assert 'Samaritans on <strong><a href="tel:116123">116 123</a></strong>' in page
    assert '<strong>If you are in danger now, call <a href="tel:999">999</a></strong>' in page


def test_no_crisis_box_without_a_self_harm_answer(client, cast, enrollment):
    baseline = baseline_open_today(enrollment)
    client.force_login(cast.patient)
    page = client.post(
        url(baseline), post_for(baseline.instrument_keys), follow=True
    ).content.decode()
    assert 'id="crisis-h"' not in page
    assert not Alert.objects.filter(kind=Alert.Kind.SELF_HARM).exists()


@pytest.mark.django_db(transaction=True)
def test_two_servers_storing_a_new_instrument_at_once_make_one_version():
    # No row yet, so there is nothing for select_for_update to lock: the second server
    # used to fail on the unique version ("duplicate key") instead of finding the first.
    definition = {**definition_for("pain_avg"), "key": "pain_avg_race"}
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def store():
        try:
            barrier.wait()
            instrument_save(definition=definition)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=store) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert list(
        Instrument.objects.filter(key="pain_avg_race").values_list("version", flat=True)
    ) == [1]
