"""Every "when" about an alert comes from its actual deadline, one way (clinician
walk-through: a patient wrote "I want to kill myself" at 18:02, after office hours; the
email said "needs a call today", the patient's page "Contact them today", the alert
"Due … Tue 8 Dec 10:00"). tracking.rules.due_when decides, tracking.alerts.wording.
due_phrase says it, in the reader's zone and language: the email (its recipient's), the
inbox, the alert page and the patient's page (the viewer's)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from painapp.accounts.zone_names import zone_label
from tests.test_alerts_factories import run_outbox
from tracking import rules
from tracking.alerts import wording
from tracking.alerts.services import alert_raise
from tracking.models import Alert

UTC_ZONE = ZoneInfo("UTC")
NEW_YORK = ZoneInfo("America/New_York")
AUCKLAND = ZoneInfo("Pacific/Auckland")
MON_18_02 = datetime(2026, 12, 7, 18, 2, tzinfo=UTC)  # after office hours (09:00–17:00 UTC)
TUE_10_00 = datetime(2026, 12, 8, 10, 0, tzinfo=UTC)  # in office hours
FRI_16_30 = datetime(2026, 12, 11, 16, 30, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


# ------------------------------------------------------------------ the rule, as a table
@pytest.mark.parametrize(
    ("deadline", "now", "zone", "expected"),
    [
        # In hours: raised Tuesday 10:00, due an hour later, the same day.
        (at(8, 11), at(8, 10), UTC_ZONE, rules.DueWhen.TODAY),
        # Out of hours: raised Monday 18:02, due at Tuesday's 10:00 (the next day).
        (at(8, 10), at(7, 18, 2), UTC_ZONE, rules.DueWhen.LATER),
        # The next day, seen just before midnight.
        (at(9, 9, 30), at(8, 23, 59), UTC_ZONE, rules.DueWhen.LATER),
        # The weekend: raised Friday 16:30, due Monday 09:30.
        (at(14, 9, 30), FRI_16_30, UTC_ZONE, rules.DueWhen.LATER),
        # Seen on the Monday morning itself: today.
        (at(14, 9, 30), at(14, 8), UTC_ZONE, rules.DueWhen.TODAY),
        # Overdue, and the very minute it is due.
        (at(8, 11), at(8, 12), UTC_ZONE, rules.DueWhen.OVERDUE),
        (at(8, 11), at(8, 11), UTC_ZONE, rules.DueWhen.OVERDUE),
        # The reader's own calendar: Tuesday 03:30 UTC is Monday 22:30 in New York, the
        # same day as Monday 22:00 UTC (17:00 there), but not in UTC …
        (at(8, 3, 30), at(7, 22), NEW_YORK, rules.DueWhen.TODAY),
        (at(8, 3, 30), at(7, 22), UTC_ZONE, rules.DueWhen.LATER),
        # … and Tuesday 22:30 in Auckland, where Monday 16:30 UTC is already Tuesday.
        (at(8, 9, 30), at(7, 16, 30), AUCKLAND, rules.DueWhen.TODAY),
        (at(8, 9, 30), at(7, 16, 30), UTC_ZONE, rules.DueWhen.LATER),
    ],
)
def test_when_a_deadline_is_due(deadline, now, zone, expected):
    assert rules.due_when(deadline, now=now, tz=zone) == expected


@pytest.mark.parametrize(
    ("language", "deadline", "now", "expected"),
    [
        ("en", at(8, 17, 30), at(8, 10), "today by 17:30"),
        ("en", at(8, 10), MON_18_02, "by Tue 8 Dec 2026, 10:00"),
        ("en", at(8, 10), at(8, 12), "now — overdue since Tue 8 Dec 2026, 10:00"),
        ("en", None, at(8, 12), "as soon as you can"),
        ("es", at(8, 17, 30), at(8, 10), "hoy a más tardar a las 17:30"),
        ("es", at(8, 10), MON_18_02, "a más tardar el mar 8 dic 2026, 10:00"),
        ("es", at(8, 10), at(8, 12), "ahora: está atrasada desde el mar 8 dic 2026, 10:00"),
    ],
)
def test_how_a_deadline_is_said(language, deadline, now, expected):
    with translation.override(language), timezone.override(UTC_ZONE):
        assert wording.due_phrase(deadline, now) == expected


def test_it_is_said_in_the_readers_zone():
    with timezone.override(NEW_YORK):
        # 22:30 UTC on Tuesday is 17:30 in New York, the same day there.
        assert wording.due_phrase(at(8, 22, 30), at(8, 15)) == "today by 17:30"


# ------------------------------------------------------------------ end to end
def raise_self_harm(enrollment) -> Alert:
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="message:1",
        details={"crisis_words": True, "entry": "message"},
    )
    assert alert is not None
    return alert


def every_when(client, cast, enrollment, alert) -> dict[str, str]:
    client.force_login(cast.clinician)
    return {
        "inbox": client.get(reverse("alert_inbox")).content.decode(),
        "alert": client.get(reverse("alert_detail", args=[alert.pk])).content.decode(),
        "patient": client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode(),
    }


def test_after_hours_every_page_and_the_email_say_the_same_due_time(
    cast, client, enrollment, mailoutbox
):
    with time_machine.travel(MON_18_02, tick=False):
        alert = raise_self_harm(enrollment)
        run_outbox()
        pages = every_when(client, cast, enrollment, alert)
    assert alert.due_at == at(8, 10)  # one working hour, from Tuesday's opening
    [email] = mailoutbox
    when = "by Tue 8 Dec 2026, 10:00"
    # An email names the zone its times are in: the clinician's.
    zoned = f"{when} ({zone_label(cast.clinician.timezone)} time)"
    assert email.subject == f"Urgent: a patient needs a call {zoned}"
    assert f"that means they need a call from you {zoned}." in email.body
    html = email.alternatives[0][0]
    assert f"that means they need a call from you {zoned}." in html
    for body in (email.subject, email.body, html):
        assert "today" not in body
        # Still no health data and no name.
        assert cast.patient.display_name not in body and cast.patient.email not in body
    assert f"Due {when}" in pages["inbox"]
    assert "By Tue 8 Dec 2026, 10:00 (in" in pages["alert"]
    assert f"Please contact them {when}." in pages["alert"]
    assert f"Contact them {when}." in pages["patient"]
    for page in pages.values():
        assert "Contact them today" not in page and "contact them today" not in page


def test_in_hours_every_page_and_the_email_say_today_by_its_time(
    cast, client, enrollment, mailoutbox
):
    with time_machine.travel(TUE_10_00, tick=False):
        alert = raise_self_harm(enrollment)
        run_outbox()
        pages = every_when(client, cast, enrollment, alert)
    [email] = mailoutbox
    zone = zone_label(cast.clinician.timezone)  # an email names the clinician's zone
    assert email.subject == f"Urgent: a patient needs a call today by 11:00 ({zone} time)"
    assert f"need a call from you today by 11:00 ({zone} time)." in email.body
    assert 'Due today by 11:00 <span class="muted">(in 1\xa0hour)</span>' in pages["inbox"]
    assert "Today by 11:00 (in 1\xa0hour)" in pages["alert"]
    assert "Please contact them today by 11:00." in pages["alert"]
    assert "Contact them today by 11:00." in pages["patient"]


def test_overdue_it_says_now(cast, client, enrollment):
    with time_machine.travel(TUE_10_00, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(TUE_10_00 + timedelta(hours=3), tick=False):
        pages = every_when(client, cast, enrollment, alert)
    now = "now — overdue since Tue 8 Dec 2026, 11:00"
    assert "Now — overdue since Tue 8 Dec 2026, 11:00</strong> (2\xa0hours late)" in pages["inbox"]
    assert f"Please contact them {now}." in pages["alert"]
    assert f"Contact them {now}." in pages["patient"]


def test_the_email_is_in_the_clinicians_zone_and_language(cast, enrollment, mailoutbox):
    # Dr Kim reads in Spanish, in New York: Tuesday 10:00 UTC is 05:00 there.
    cast.clinician.language = "es"
    cast.clinician.timezone = "America/New_York"
    cast.clinician.save(update_fields=["language", "timezone"])
    with time_machine.travel(MON_18_02, tick=False):
        raise_self_harm(enrollment)
        run_outbox()
    [email] = mailoutbox
    assert email.subject == (
        "Urgente: un paciente necesita una llamada a más tardar el mar 8 dic 2026, 05:00"
        " (hora de América / Nueva York)"
    )


def test_an_acknowledged_alert_is_said_from_its_resolve_time(cast, client, enrollment):
    with time_machine.travel(MON_18_02, tick=False):
        alert = raise_self_harm(enrollment)
    with time_machine.travel(TUE_10_00 - timedelta(minutes=30), tick=False):
        client.force_login(cast.clinician)
        response = client.post(
            reverse("alert_acknowledge", args=[alert.pk]), {"back": "alert"}, follow=True
        )
        page = response.content.decode()
        patient = client.get(reverse("patient_detail", args=[enrollment.pk])).content.decode()
    # Acknowledged at 09:30: one working hour to resolve it, by 10:30.
    assert "Please contact the patient and resolve it today by 10:30." in page
    assert "Today by 10:30 (in 1\xa0hour)" in page
    assert "Contact them today by 10:30." in patient
