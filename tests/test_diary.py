"""The pain and fear diary (issue 19, point 4): a patient logs an episode in their own
time zone, sees, edits and deletes their own entries only, links one of their clues;
their words go through the crisis-word scanner (help at once and an urgent alert); the
charts on their progress page and their clinician's patient page; the CSV export; and
each page's cost in queries stays the same as the diary grows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import AuditEvent
from programs.models import Activity, ActivityKind
from programs.services import reflection_save
from tests.edit_versions import with_version
from tracking import rules
from tracking.diary.models import DiaryEntry
from tracking.diary.selectors import CHART_EPISODES, PAGE_SIZE, diary_charts
from tracking.diary.services import Episode, diary_entry_delete, diary_entry_save
from tracking.models import Alert
from tracking.safety.scanner import FINGERPRINT, text_fingerprint

CRISIS = "Some days I want to die."


def form_data(**overrides) -> dict:
    now = timezone.localtime(timezone.now(), ZoneInfo("Europe/London"))
    data = {
        "day": now.date().isoformat(),
        "at": (now - timedelta(hours=1)).strftime("%H:%M")
        if now.hour >= 1
        else now.strftime("%H:%M"),
        "pain": "6",
        "fear": "7",
        "activity": "bending",
        "activity_note": "Loading the dishwasher",
        "place": "home",
        "sleep": "poorly",
        "stress": "5",
        "self_talk": "My back is fragile, I must stop.",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def add(enrollment, **kw) -> DiaryEntry:
    values = {"occurred_at": timezone.now() - timedelta(hours=2), "pain": 5, "fear": 4}
    values.update(kw)
    return diary_entry_save(enrollment=enrollment, episode=Episode(**values)).entry


def grow(enrollment, n: int) -> None:
    now = timezone.now()
    DiaryEntry.objects.bulk_create(
        DiaryEntry(
            enrollment=enrollment,
            occurred_at=now - timedelta(hours=6 * i),
            pain=i % 11,
            fear=(i * 3) % 11,
            activity="walking",
            self_talk="ok",
        )
        for i in range(n)
    )


def evidence_clue(enrollment):
    activity = Activity.objects.filter(
        week__version=enrollment.program_version, kind=ActivityKind.EVIDENCE
    ).first()
    key = activity.data["items"][1]["key"]
    reflection = reflection_save(enrollment=enrollment, activity=activity, checked=[key])
    return reflection, key, activity.data["items"][1]["text"]


@pytest.fixture
def pat(client, cast, enrollment):
    cast.patient.timezone = "Europe/London"
    cast.patient.save()
    client.force_login(cast.patient)
    return client


# ------------------------------------------------------------------ the rules (table)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("occurred", "problem"),
    [
        (NOW, ""),
        (NOW - timedelta(days=365), ""),
        (NOW + rules.DIARY_FUTURE_SLACK, ""),  # a phone clock a little ahead
        (NOW + rules.DIARY_FUTURE_SLACK + timedelta(minutes=1), "future"),
        (NOW - rules.DIARY_OLDEST - timedelta(minutes=1), "too_old"),
    ],
)
def test_the_episode_time_rule(occurred, problem):
    assert rules.diary_time_problem(occurred, NOW) == problem


# ------------------------------------------------------------------ the service
def test_it_refuses_scores_outside_0_to_10_and_unknown_choices(enrollment):
    for bad in ({"pain": 11}, {"fear": -1}, {"stress": 12}, {"activity": "skydiving"}):
        with pytest.raises(ValidationError):
            add(enrollment, **bad)
    assert not DiaryEntry.objects.exists()


def test_it_refuses_another_patients_clue(enrollment, other_enrollment):
    reflection, key, _ = evidence_clue(other_enrollment)
    with pytest.raises(ValidationError):
        add(enrollment, clue_reflection=reflection, clue_key=key)


def test_it_refuses_a_clue_the_patient_did_not_tick(enrollment):
    reflection, _, _ = evidence_clue(enrollment)
    with pytest.raises(ValidationError):
        add(enrollment, clue_reflection=reflection, clue_key="not-ticked")


def test_deleting_an_entry_keeps_the_alert_it_raised(enrollment):
    entry = add(enrollment, self_talk=CRISIS)
    diary_entry_delete(enrollment=enrollment, entry=entry)
    assert not DiaryEntry.objects.exists()
    assert Alert.objects.get().kind == Alert.Kind.SELF_HARM


# ------------------------------------------------------------------ the patient's pages
def test_a_patient_logs_an_episode_in_their_own_time_zone(pat, cast, enrollment):
    cast.patient.timezone = "America/New_York"
    cast.patient.save()
    with time_machine.travel(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), tick=False):
        page = pat.get(reverse("diary_new"))
        assert page.status_code == 200
        assert 'value="2026-03-10"' in page.content.decode()
        assert 'value="14:00"' in page.content.decode()  # New York's wall clock
        response = pat.post(reverse("diary_new"), form_data(day="2026-03-10", at="13:15"))
    assert response.status_code == 302 and response["Location"] == reverse("diary_list")
    entry = DiaryEntry.objects.get()
    assert entry.occurred_at == datetime(2026, 3, 10, 17, 15, tzinfo=UTC)
    assert (entry.pain, entry.fear, entry.stress, entry.sleep) == (6, 7, 5, "poorly")
    with time_machine.travel(datetime(2026, 3, 10, 18, 0, tzinfo=UTC), tick=False):
        listing = pat.get(reverse("diary_list")).content.decode()
    # New York reads the 12-hour clock (painapp.formats.clock; no-break space before PM).
    assert "Tue 10 Mar 2026, 1:15\u00a0PM" in listing
    assert "Pain 6 out of 10 · Fear 7 out of 10" in listing
    assert "Bending or lifting · At home · Slept poorly · Stress 5 out of 10" in listing
    assert "My back is fragile, I must stop." in listing


def test_only_the_two_numbers_are_needed(pat, enrollment):
    response = pat.post(
        reverse("diary_new"),
        form_data(activity="", activity_note="", place="", sleep="", stress="", self_talk=""),
    )
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert entry.stress is None and entry.self_talk == "" and entry.activity == ""


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pain": None}, "Choose a number from 0 to 10 for how strong the pain was."),
        ({"fear": "11"}, "Choose a number from 0 to 10 for how afraid you felt."),
        ({"stress": "lots"}, "for how stressed you felt, or leave it empty."),
        ({"day": "yesterday"}, "Enter the day as year-month-day"),
        ({"at": "25:99"}, "Enter the time in hours and minutes"),
        ({"day": "2099-01-01"}, "That day has not come yet."),
        ({"day": "2020-01-01"}, "Enter a day within the last year."),
        ({"activity": "skydiving"}, "Choose one of the activities in the list."),
        ({"activity_note": "x" * 201}, "Keep this under 200 characters."),
    ],
)
def test_bad_input_gets_a_plain_message_and_keeps_what_was_typed(pat, overrides, message):
    response = pat.post(reverse("diary_new"), form_data(**overrides))
    assert response.status_code == 422
    page = response.content.decode()
    assert message in page
    assert "My back is fragile, I must stop." in page
    assert not DiaryEntry.objects.exists()


def test_a_patient_links_one_of_their_clues(pat, enrollment):
    reflection, key, text = evidence_clue(enrollment)
    page = pat.get(reverse("diary_new")).content.decode()
    assert text in page
    response = pat.post(reverse("diary_new"), form_data(clue=f"{reflection.pk}:{key}"))
    assert response.status_code == 302
    entry = DiaryEntry.objects.get()
    assert (entry.clue_reflection, entry.clue_key) == (reflection, key)
    assert text in pat.get(reverse("diary_list")).content.decode()


def test_a_clue_that_is_not_offered_is_refused(pat, enrollment, other_enrollment):
    reflection, key, _ = evidence_clue(other_enrollment)
    evidence_clue(enrollment)
    response = pat.post(reverse("diary_new"), form_data(clue=f"{reflection.pk}:{key}"))
    assert response.status_code == 422
    assert "Choose one of your clues in the list." in response.content.decode()


def test_a_patient_edits_and_deletes_their_own_entry(pat, enrollment):
    entry = add(enrollment, self_talk="Before")
    page = pat.get(reverse("diary_edit", args=[entry.pk])).content.decode()
    assert "Before" in page
    url = reverse("diary_edit", args=[entry.pk])
    pat.post(url, with_version(pat, url, form_data(self_talk="After", pain="2")))
    entry.refresh_from_db()
    assert (entry.self_talk, entry.pain) == ("After", 2)
    assert pat.get(reverse("diary_delete", args=[entry.pk])).status_code == 200
    assert pat.post(reverse("diary_delete", args=[entry.pk])).status_code == 302
    assert not DiaryEntry.objects.exists()


def test_another_patients_entries_are_a_404(client, cast, enrollment, other_enrollment):
    theirs = add(other_enrollment, self_talk="Theirs")
    client.force_login(cast.patient)
    for name in ("diary_edit", "diary_delete"):
        assert client.get(reverse(name, args=[theirs.pk])).status_code == 404
        assert client.post(reverse(name, args=[theirs.pk]), form_data()).status_code == 404
    theirs.refresh_from_db()
    assert theirs.self_talk == "Theirs"
    assert "Theirs" not in client.get(reverse("diary_list")).content.decode()


@pytest.mark.parametrize("who", ["clinician", "admin"])
def test_staff_have_no_diary_pages(client, cast, enrollment, who):
    client.force_login(getattr(cast, who))
    assert client.get(reverse("diary_list")).status_code in (302, 403, 404)


# ------------------------------------------------------------------ safety
@pytest.mark.parametrize("field", ["self_talk", "activity_note"])
def test_a_crisis_phrase_shows_help_at_once_and_alerts_the_care_team(pat, enrollment, field):
    response = pat.post(reverse("diary_new"), form_data(**{field: CRISIS}))
    assert response.status_code == 302 and response["Location"] == reverse("get_help")
    page = pat.get(response["Location"]).content.decode()
    assert "You do not have to face this alone" in page
    alert = Alert.objects.get()
    assert (alert.kind, alert.severity) == ("self_harm", "urgent")
    # Only the field holding the phrase is fingerprinted (keyed: never the words).
    assert alert.details == {
        "crisis_words": True,
        "entry": "diary",
        FINGERPRINT: text_fingerprint([CRISIS]),
    }
    assert DiaryEntry.objects.get().self_talk  # the entry is kept


def test_an_edit_keeping_the_phrase_shows_help_again_without_a_second_alert(pat, enrollment):
    pat.post(reverse("diary_new"), form_data(self_talk=CRISIS))
    entry = DiaryEntry.objects.get()
    url = reverse("diary_edit", args=[entry.pk])
    response = pat.post(url, with_version(pat, url, form_data(self_talk=CRISIS)))
    assert response["Location"] == reverse("get_help")
    assert Alert.objects.count() == 1


def test_ordinary_words_raise_nothing(pat, enrollment):
    response = pat.post(reverse("diary_new"), form_data(self_talk="This pain is killing me"))
    assert response["Location"] == reverse("diary_list")
    assert not Alert.objects.exists()


# ------------------------------------------------------------------ charts
def test_the_progress_page_charts_pain_and_fear(pat, enrollment):
    add(enrollment, pain=7, fear=8, occurred_at=timezone.now() - timedelta(days=2))
    add(enrollment, pain=4, fear=3, occurred_at=timezone.now() - timedelta(days=1))
    page = pat.get(reverse("progress")).content.decode()
    assert 'id="diary-h"' in page
    assert '<svg class="chart chart--diary-pain"' in page
    assert '<svg class="chart chart--diary-fear"' in page
    assert "from 7 to 4 out of 10" in page


def test_the_charts_hold_the_newest_episodes_oldest_first(enrollment):
    grow(enrollment, CHART_EPISODES + 5)
    pain, fear = diary_charts(enrollment, for_patient=False)
    assert len(pain.points) == len(fear.points) == CHART_EPISODES
    newest = DiaryEntry.objects.order_by("-occurred_at").first()
    assert pain.points[-1].value == newest.pain


def test_no_episodes_no_charts(pat, enrollment):
    page = pat.get(reverse("progress")).content.decode()
    assert "No diary entries yet." in page and "chart--diary" not in page


def test_the_clinician_sees_the_chart_on_the_patient_page(client, cast, enrollment):
    """On the patient detail's Diary section, linked from every section's nav."""
    add(enrollment, pain=7, fear=8)
    client.force_login(cast.clinician)
    diary = reverse("patient_diary", args=[enrollment.pk])
    overview = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    assert f'href="{diary}"' in overview and "chart--diary-pain" not in overview
    page = client.get(diary).content.decode()
    assert 'id="diary-h"' in page and "chart--diary-pain" in page
    assert AuditEvent.objects.filter(action="patient.diary_viewed", actor=cast.clinician).exists()


@pytest.mark.parametrize("who", ["other_clinician", "outsider_admin", "outsider_clinician"])
def test_other_staff_never_see_the_diary(client, cast, enrollment, who):
    add(enrollment, self_talk="Secret diary words")
    client.force_login(getattr(cast, who))
    response = client.get(reverse("patient_diary", args=[enrollment.pk]))
    assert response.status_code == 404
    assert "Secret diary words" not in response.content.decode()


def test_the_csv_export_has_the_diary_numbers(client, cast, enrollment):
    add(enrollment, pain=7, fear=8, stress=3, activity="walking")
    client.force_login(cast.clinician)
    text = client.get(reverse("patient_csv", args=[enrollment.pk])).content.decode("utf-8-sig")
    diary = [line for line in text.splitlines() if ",diary," in line]
    assert len(diary) == 3
    assert any(",walking,pain,,7" in line for line in diary)


# ------------------------------------------------------------------ cost
# session, user, membership, enrollment, the menu's unread messages; one page of entries
DIARY_LIST_QUERIES = 5  # the menu badge from the cache after the first page
PROGRESS_EXTRA = 1  # the diary charts: the newest episodes, one query


@pytest.mark.parametrize("n", [3, PAGE_SIZE * 3])
def test_the_diary_list_costs_the_same_as_it_grows(pat, enrollment, n, django_assert_num_queries):
    grow(enrollment, n)
    pat.get(reverse("diary_list"))
    with django_assert_num_queries(DIARY_LIST_QUERIES):
        response = pat.get(reverse("diary_list"))
    assert len(response.context["entries"]) == min(n, PAGE_SIZE)


@pytest.mark.parametrize(
    "typed", ["500000000000000000", "9" * 30, "9" * 5000, "4", "99", "-3", "two"]
)
def test_a_page_past_the_end_shows_the_oldest_entries_not_an_error(pat, enrollment, typed):
    # 45 entries: pages 1-3, the third holding the 5 oldest. A page number past the end
    # (an old link, or typed: even one too big for the database) shows the last page;
    # one that is not a page number shows the first.
    grow(enrollment, PAGE_SIZE * 2 + 5)
    response = pat.get(reverse("diary_list"), {"page": typed})
    assert response.status_code == 200
    page = response.content.decode()
    if typed in ("-3", "two"):
        assert len(response.context["entries"]) == PAGE_SIZE and "Older entries" in page
        return
    assert len(response.context["entries"]) == 5
    assert "No entries yet" not in page and "Older entries" not in page
    assert 'href="?page=2">Newer entries</a>' in page


@pytest.mark.parametrize("n", [3, 80])
def test_the_progress_page_costs_the_same_as_the_diary_grows(
    pat, enrollment, n, django_assert_num_queries
):
    from tests.test_progress import PROGRESS_QUERIES

    grow(enrollment, n)
    pat.get(reverse("progress"))
    with django_assert_num_queries(PROGRESS_QUERIES):
        assert pat.get(reverse("progress")).status_code == 200


# ------------------------------------------------------------------ Spanish
def test_the_diary_pages_are_in_spanish(client, cast, enrollment):
    from tests.test_i18n import english_in

    cast.patient.language = "es"
    cast.patient.save()
    _, _, clue = evidence_clue(enrollment)  # the program's words: data, in its language
    entry = add(enrollment, activity="walking", place="home", sleep="ok", stress=4)
    add(enrollment, pain=3, fear=2, occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(cast.patient)
    allowed = (cast.patient.display_name, cast.patient.full_name, cast.practice.name, clue)
    for url in (
        reverse("diary_list"),
        reverse("diary_new"),
        reverse("diary_edit", args=[entry.pk]),
        reverse("diary_delete", args=[entry.pk]),
    ):
        page = client.get(url).content.decode()
        assert '<html lang="es">' in page, url
        assert english_in(page, allowed=allowed) == [], url
    # On the progress page, the diary's own section (the check-in charts are not ours).
    page = client.get(reverse("progress")).content.decode()
    section = page[page.index('class="diary-progress"') : page.index('id="checkins-h"')]
    assert "Dolor en los episodios del diario" in section
    assert english_in(section, allowed=allowed) == []
    refused = client.post(reverse("diary_new"), form_data(pain=None, self_talk="")).content
    assert "Elija un número del 0 al 10" in refused.decode()
    assert english_in(refused.decode(), allowed=allowed) == []


def test_the_clinician_reads_the_newest_episodes_in_the_patients_time(client, cast, enrollment):
    from tracking.diary.selectors import LATEST_SHOWN

    cast.patient.timezone = "America/New_York"
    cast.patient.save()
    reflection, key, clue = evidence_clue(enrollment)
    at = datetime(2026, 3, 10, 17, 15, tzinfo=UTC)
    with time_machine.travel(at + timedelta(hours=1), tick=False):
        add(
            enrollment,
            occurred_at=at,
            activity="bending",
            self_talk="Brain being careful",
            clue_reflection=reflection,
            clue_key=key,
        )
        for hours in range(2, LATEST_SHOWN + 3):
            add(enrollment, occurred_at=at - timedelta(hours=hours), self_talk=f"older {hours}")
        client.force_login(cast.clinician)
        page = client.get(reverse("patient_diary", args=[enrollment.pk])).content.decode()
    section = page[page.index('id="diary"') :]
    assert "Tue 10 Mar 2026, 13:15" in section  # New York's wall clock
    assert "Brain being careful" in section and clue in section
    assert section.count('class="card note"') == LATEST_SHOWN


# session, user, membership, enrollment, the menu's unread messages; the patient's clues
DIARY_FORM_QUERIES = 5


@pytest.mark.parametrize("n", [1, 40])
def test_the_diary_form_costs_the_same_as_it_grows(pat, enrollment, n, django_assert_num_queries):
    grow(enrollment, n)
    evidence_clue(enrollment)
    entry = DiaryEntry.objects.first()
    for path in (reverse("diary_new"), reverse("diary_edit", args=[entry.pk])):
        pat.get(path)
        with django_assert_num_queries(DIARY_FORM_QUERIES + (path != reverse("diary_new"))):
            assert pat.get(path).status_code == 200


def test_a_future_day_is_explained_beside_the_day_and_a_later_hour_beside_the_time(pat):
    page = pat.post(reverse("diary_new"), form_data(day="2099-01-01")).content.decode()
    assert 'id="id_day_error">That day has not come yet. Enter the day it happened.' in page
    assert 'id="id_at_error"' not in page
    with time_machine.travel(timezone.now().replace(hour=12, minute=0), tick=False):
        page = pat.post(reverse("diary_new"), form_data(at="13:30")).content.decode()
    assert 'id="id_at_error">That time has not come yet.' in page
    assert 'id="id_day_error"' not in page
