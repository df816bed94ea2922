"""The full PHQ-9 a positive PHQ-2 opens takes item 9 (and items 1–2) from the weekly
check-in minutes before (tracking.rules.asked_here). A self-harm answer there started
the safety workflow once: the follow-up raises no second alert (open or resolved), its
results page does not say the answer was just given, Today does not press it as the
main action, its intro says which answers count, and the clinician sees where the
carried answers came from."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from tests.checkin_data import post_for
from tests.test_alerts_factories import CONTACTED
from tracking import rules
from tracking.alerts.services import alert_resolve
from tracking.models import Alert, CheckIn

pytestmark = pytest.mark.patient_country("US")  # the crisis and emergency numbers follow it

P9 = rules.PHQ9
REST = {f"phq9__phq{n}": "1" for n in range(3, 9)} | {"phq9__phq10": "1"}
YOU_SAID = {
    "en": "You said you have had thoughts that you would be better off dead",
    "es": "Usted dijo que ha tenido pensamientos de que estaría mejor",
}
BEFORE_LINE = {
    "en": "At your last check-in, you told us about thoughts",
    "es": "En su último control, usted nos habló de pensamientos",
}
INTRO = {
    "en": (
        "You answered 3 of these questions at your last check-in, so we will not ask "
        "them again. They count toward this score."
    ),
    "es": (
        "Usted ya respondió 3 de estas preguntas en su último control, así que no se "
        "las volveremos a hacer. Cuentan para este puntaje."
    ),
}
NO_RUSH = {
    "en": "There is no rush with these questions.",
    "es": "Estas preguntas pueden esperar.",
}
FROM_WEEK = {"en": "(from the Week 3 check-in)", "es": "(del Control de la semana 3)"}


# A response's answers less those carried over: what the safety rules read.
ASKED_HERE = [
    ({"phq1": 2, "phq9": 1, "phq3": 1}, {"phq1": 2, "phq9": 1}, {"phq3": 1}),
    ({"phq9": 2, "phq3": 0}, {}, {"phq9": 2, "phq3": 0}),
    ({"phq9": 2, "phq3": 0}, None, {"phq9": 2, "phq3": 0}),
    # Carried keys the response lacks change nothing else.
    ({"phq3": 1}, {"phq9": 1}, {"phq3": 1}),
]


@pytest.mark.parametrize(("answers", "carried", "asked"), ASKED_HERE)
def test_asked_here(answers, carried, asked):
    assert rules.asked_here(answers, carried) == asked


# A check-in's carried-over answers → they hold a self-harm answer.
CARRIES = [
    ({}, False),
    (None, False),
    ({P9: {"phq1": 3, "phq2": 3, "phq9": 0}}, False),
    ({P9: {"phq1": 0, "phq2": 3, "phq9": 1}}, True),
    ({P9: {"phq9": 3}}, True),
    # Only the PHQ-9's safety item counts.
    ({P9: {"phq1": 3}}, False),
    ({rules.GAD7: {"phq9": 2}}, False),
]


@pytest.mark.parametrize(("answered_before", "carries"), CARRIES)
def test_carries_self_harm_answer(answered_before, carries):
    assert rules.carries_self_harm_answer(answered_before) is carries


def url(checkin: CheckIn) -> str:
    return reverse("checkin_detail", args=[checkin.pk])


def speak(user, language: str) -> None:
    user.language = language
    user.save(update_fields=["language"])


def weekly_then_extra(client, cast, week3, *, item9: int = 1) -> CheckIn:
    """The week 3 check-in sent with a positive PHQ-2 and item 9 = `item9`."""
    client.force_login(cast.patient)
    data = post_for(week3.instrument_keys, phq2={"phq1": 2, "phq2": 3}, phq9_item9={"phq9": item9})
    client.post(url(week3), data)
    return CheckIn.objects.get(enrollment=week3.enrollment, kind=CheckIn.Kind.EXTRA)


def self_harm_alerts(enrollment) -> list[Alert]:
    return list(Alert.objects.filter(enrollment=enrollment, kind=Alert.Kind.SELF_HARM))


@pytest.mark.parametrize("resolved_first", [False, True])
def test_a_carried_item9_raises_one_self_harm_alert_in_all(client, cast, week3, resolved_first):
    extra = weekly_then_extra(client, cast, week3)
    [first] = self_harm_alerts(week3.enrollment)
    assert first.source == f"checkin:{week3.pk}"
    if resolved_first:
        alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    mail.outbox.clear()
    response = client.post(url(extra), {"action": "submit", **REST})
    assert response.status_code == 302
    assert CheckIn.objects.get(pk=extra.pk).status == CheckIn.Status.COMPLETED
    # Still exactly one, the weekly check-in's; nobody emailed about it again.
    assert [a.pk for a in self_harm_alerts(week3.enrollment)] == [first.pk]
    assert not [m for m in mail.outbox if "urgent" in m.subject.lower()]


def test_the_followup_still_raises_its_own_total(client, cast, week3):
    """Carried answers still count toward the total: a severe PHQ-9 raises its alert."""
    extra = weekly_then_extra(client, cast, week3, item9=3)
    high = {f"phq9__phq{n}": "3" for n in range(3, 9)} | {"phq9__phq10": "1"}
    client.post(url(extra), {"action": "submit", **high})
    depression = Alert.objects.get(enrollment=week3.enrollment, kind=Alert.Kind.DEPRESSION)
    assert depression.source == f"checkin:{extra.pk}"
    assert depression.severity == Alert.Severity.URGENT
    assert len(self_harm_alerts(week3.enrollment)) == 1


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_followup_results_do_not_say_it_was_just_answered(client, cast, week3, language):
    speak(cast.patient, language)
    extra = weekly_then_extra(client, cast, week3)
    weekly_page = client.get(url(week3)).content.decode()
    assert YOU_SAID[language] in weekly_page  # said once, where it was answered
    client.post(url(extra), {"action": "submit", **REST})
    page = client.get(url(extra) + "?done=1").content.decode()
    assert YOU_SAID[language] not in page
    assert 'id="crisis-h"' not in page  # not the whole crisis box again
    assert BEFORE_LINE[language] in page
    assert f'href="{reverse("get_help")}"' in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_followup_intro_says_which_answers_count(client, cast, week3, language):
    speak(cast.patient, language)
    extra = weekly_then_extra(client, cast, week3, item9=0)
    page = client.get(url(extra)).content.decode()
    assert " ".join(INTRO[language].split()) in " ".join(page.split())
    # A check-in that carries nothing over does not say it.
    assert "last check-in" not in client.get(url(week3)).content.decode()


def test_today_does_not_press_the_followup_after_a_self_harm_answer(client, cast, week3):
    extra = weekly_then_extra(client, cast, week3)
    page = client.get(reverse("today")).content.decode()
    card = page[page.index('id="checkin-card-h"') :]
    card = card[: card.index("</section>")]
    # Offered, not pressed: not the filled button, with the way to help first.
    assert f'class="button button--secondary" href="{url(extra)}"' in card
    assert NO_RUSH["en"] in card and f'href="{reverse("get_help")}"' in card


def test_today_no_rush_line_in_spanish(client, cast, week3):
    speak(cast.patient, "es")
    weekly_then_extra(client, cast, week3)
    page = client.get(reverse("today")).content.decode()
    assert NO_RUSH["es"] in page and f'href="{reverse("get_help")}"' in page


@pytest.mark.parametrize("language", ["en", "es"])
def test_the_clinician_sees_where_carried_answers_came_from(client, cast, week3, language):
    extra = weekly_then_extra(client, cast, week3)
    client.post(url(extra), {"action": "submit", **REST})
    speak(cast.clinician, language)
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_checkins", args=[week3.enrollment.pk])).content.decode()
    start = page.index(f'id="ci-{extra.pk}-h"')
    section = page[start : page.index("</section>", start)]
    # phq1, phq2 and item 9, and none of the six asked in the follow-up.
    assert section.count(FROM_WEEK[language]) == 3
    weekly = page[page.index(f'id="ci-{week3.pk}-h"') :]
    assert FROM_WEEK[language] not in weekly[: weekly.index("</section>")]
