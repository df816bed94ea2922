"""Every page shows times in the signed-in person's own zone (User.timezone, through
UserTimezoneMiddleware), not the server's UTC: a New York clinician sees when an alert
was raised in New York time on the alert, the inbox and the resolve form, the same
time the form's refusal names. A page that deliberately shows the patient's own time
(the diary, "(their time)") still does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from painapp.accounts.models import User
from tracking.alerts.services import alert_raise
from tracking.diary.models import DiaryEntry
from tracking.models import Alert

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def alert(enrollment):
    alert = alert_raise(
        enrollment=enrollment,
        kind=Alert.Kind.SELF_HARM,
        severity=Alert.Severity.URGENT,
        source="checkin:1",
        details={"item9": 2},
    )
    # Raised at 02:10 UTC two days ago: the evening before in New York.
    day = (timezone.now() - timedelta(days=2)).date()
    raised = datetime(day.year, day.month, day.day, 2, 10, 30, tzinfo=UTC)
    Alert.objects.filter(pk=alert.pk).update(created_at=raised)
    alert.refresh_from_db()
    return alert


@pytest.fixture
def new_yorker(cast):
    User.objects.filter(pk=cast.clinician.pk).update(timezone="America/New_York")
    cast.clinician.refresh_from_db()
    return cast.clinician


def alert_time(at: datetime) -> str:  # every alert page's one way, "D j M Y, H:i"
    return f"{at:%a} {at.day} {at:%b %Y, %H:%M}"


def test_a_new_york_clinician_sees_the_raised_time_in_new_york_everywhere(
    client, alert, new_yorker
):
    local = alert.created_at.astimezone(NEW_YORK)
    utc = alert.created_at.astimezone(UTC)
    assert local.hour != utc.hour  # the bug would show
    client.force_login(new_yorker)

    detail = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert f"raised {alert_time(local)}" in detail
    assert alert_time(utc) not in detail

    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert alert_time(local) in inbox and alert_time(utc) not in inbox

    form = client.get(reverse("alert_resolve", args=[alert.pk])).content.decode()
    assert f"raised {alert_time(local)}" in form

    # A contact typed a minute before the raised time (in New York time, as the label
    # asks) is refused, naming the same time the page shows above the form.
    typed = f"{local - timedelta(minutes=1):%Y-%m-%dT%H:%M}"
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {
            "contacted": "yes",
            "contacted_at": typed,
            "method": "phone",
            "risk_after": "low",
            "plan": ["continue"],
            "note": "Spoke by phone.",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert f"This alert was raised on {alert_time(local)}." in page
    assert f"raised {alert_time(local)}" in page
    assert f'value="{typed}"' in page


def test_the_contact_outcome_is_shown_in_the_clinicians_zone(client, alert, new_yorker):
    client.force_login(new_yorker)
    local = alert.created_at.astimezone(NEW_YORK) + timedelta(minutes=5)
    response = client.post(
        reverse("alert_resolve", args=[alert.pk]),
        {
            "contacted": "yes",
            "contacted_at": f"{local:%Y-%m-%dT%H:%M}",
            "method": "phone",
            "risk_after": "low",
            "plan": ["continue"],
            "note": "Spoke by phone.",
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert f"Yes, {alert_time(local)}" in page


def test_the_patients_diary_still_shows_the_patients_own_time(cast, client, enrollment):
    # The clinician is in New York, the patient in Auckland: the diary says "(their
    # time)" and means it.
    User.objects.filter(pk=cast.clinician.pk).update(timezone="America/New_York")
    User.objects.filter(pk=cast.patient.pk).update(timezone="Pacific/Auckland")
    at = timezone.now().replace(minute=25, second=0, microsecond=0) - timedelta(hours=3)
    DiaryEntry.objects.create(enrollment=enrollment, occurred_at=at, pain=5, fear=4)
    client.force_login(cast.clinician)
    page = client.get(reverse("patient_diary", args=[enrollment.pk])).content.decode()
    auckland = at.astimezone(ZoneInfo("Pacific/Auckland"))
    assert f"{auckland:%H:%M}</time> (their time)" in page
    assert f"{at.astimezone(NEW_YORK):%H:%M}</time> (their time)" not in page


def test_signed_out_pages_and_the_next_request_are_back_in_utc(client, alert, new_yorker):
    client.force_login(new_yorker)
    client.get(reverse("alert_detail", args=[alert.pk]))
    assert timezone.get_current_timezone_name() == "UTC"  # nothing carried over
    client.logout()
    assert client.get(reverse("account_login")).status_code == 200
    assert timezone.get_current_timezone_name() == "UTC"
