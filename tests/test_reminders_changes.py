"""Changing the reminder time or the time zone never costs a day, and never adds one.

The rule (README, "Reminders"): one reminder per local day, in the zone in force at
that day's reminder time. A change that moves today's time into the past still gets
today its reminder if it had not gone out; after a move west, the new zone's next day
gets its own one; every way of changing the time or the zone (the patient's reminder
settings, their time-zone page, onboarding, a staff member's own page, the Django
admin) recomputes the schedule in the same transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.db.models import Min
from django.test import Client
from django.urls import reverse

from painapp.accounts.models import Membership, Role, User
from programs import services as program_services
from tests.edit_versions import with_version
from tests.factories import make_enrollment, make_member
from tracking.models import CheckIn, Delivery, ReminderSchedule
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders

DAY = datetime(2026, 6, 1, tzinfo=UTC)  # a Monday; London is on BST (UTC+1)


def enroll(cast, version, tz: str, at: time, *, synced_at: datetime = DAY):
    patient = make_member(cast.practice, Role.PATIENT, "mover@example.org", tz=tz)
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=version)
    prefs = preferences_for(enrollment)
    prefs.practice_time, prefs.in_app_enabled = at, False
    prefs.save()
    schedules_sync(enrollment=enrollment, now=synced_at)
    return enrollment


def sweep_until(start: datetime, end: datetime) -> None:
    """The minute sweep from start to end (stretches where nothing is due skipped)."""
    now = start
    while now <= end:
        sweep_due_reminders(now)
        upcoming = ReminderSchedule.objects.filter(active=True).aggregate(at=Min("next_due_at"))[
            "at"
        ]
        now = max(now + timedelta(minutes=1), upcoming or end + timedelta(minutes=1))


def fired(zone: str) -> list[tuple[str, str]]:
    """(local day, local time) of every practice reminder recorded, in `zone`."""
    tz = ZoneInfo(zone)
    return [
        (due.astimezone(tz).date().isoformat(), due.astimezone(tz).strftime("%H:%M"))
        for due in Delivery.objects.filter(schedule__kind="practice")
        .order_by("due_at")
        .values_list("due_at", flat=True)
    ]


def save_reminder_settings(client: Client, enrollment, **changes) -> None:
    prefs = preferences_for(enrollment)
    data = {
        "practice_enabled": "on",
        "checkin_enabled": "on",
        "email_enabled": "on",
        "practice_time": prefs.practice_time.strftime("%H:%M"),
        **changes,
    }
    response = client.post(
        reverse("reminder_settings"), with_version(client, reverse("reminder_settings"), data)
    )
    assert response.status_code == 302, response.content.decode()[:3000]


# ---------------------------------------------------------------- the reminder time
def test_moving_the_time_earlier_than_now_keeps_todays_reminder(client, cast, program_version):
    e = enroll(cast, program_version, "Europe/London", time(18, 0))
    client.force_login(e.patient)
    with time_machine.travel(DAY.replace(hour=9), tick=False):  # 10:00 in London
        save_reminder_settings(client, e, practice_time="09:00")
    sweep_until(DAY.replace(hour=9), DAY + timedelta(days=2, hours=9))
    # Today's had not gone out: it goes at once, and tomorrow's at the new time.
    assert fired("Europe/London") == [
        ("2026-06-01", "10:00"),
        ("2026-06-02", "09:00"),
        ("2026-06-03", "09:00"),
    ]


def test_moving_the_time_after_todays_reminder_adds_none_today(client, cast, program_version):
    e = enroll(cast, program_version, "Europe/London", time(9, 0))
    sweep_until(DAY, DAY.replace(hour=10))
    client.force_login(e.patient)
    for new_time in ("08:00", "20:00"):  # earlier, then later, than today's
        with time_machine.travel(DAY.replace(hour=11), tick=False):
            save_reminder_settings(client, e, practice_time=new_time)
    sweep_until(DAY.replace(hour=11), DAY + timedelta(days=1, hours=22))
    assert fired("Europe/London") == [("2026-06-01", "09:00"), ("2026-06-02", "20:00")]


def test_a_day_switched_off_is_not_caught_up(client, cast, program_version):
    e = enroll(cast, program_version, "Europe/London", time(18, 0))
    client.force_login(e.patient)
    with time_machine.travel(DAY.replace(hour=9), tick=False):  # Monday 10:00
        save_reminder_settings(client, e, practice_time="09:00", practice_days=["2"])
    sweep_until(DAY.replace(hour=9), DAY + timedelta(days=3))
    assert fired("Europe/London") == [("2026-06-03", "09:00")]  # Wednesday only


def test_moving_the_time_earlier_keeps_the_check_in_reminder_still_due(
    client, cast, program_version
):
    e = enroll(cast, program_version, "Europe/London", time(18, 0))
    london = ZoneInfo("Europe/London")
    checkin = CheckIn.objects.create(
        enrollment=e,
        slot="week-3",
        kind="weekly",
        week=3,
        due_date=DAY.date(),
        opens_at=datetime(2026, 6, 1, tzinfo=london),
        closes_at=datetime(2026, 6, 4, tzinfo=london),
        status="open",
        instrument_keys=["pain_avg"],
    )
    schedules_sync(enrollment=e, now=DAY)
    client.force_login(e.patient)
    with time_machine.travel(DAY.replace(hour=9), tick=False):  # 10:00, before 18:00
        save_reminder_settings(client, e, practice_time="09:00")
    sweep_until(DAY.replace(hour=9), DAY + timedelta(days=3))
    stages = list(
        Delivery.objects.filter(schedule__kind="checkin")
        .order_by("due_at")
        .values_list("slot", "due_at")
    )
    # The "your check-in is ready" reminder it was waiting for goes at once, and the
    # follow-up two days after the new time.
    assert stages == [
        (f"checkin:{checkin.pk}:open", DAY.replace(hour=9)),
        (f"checkin:{checkin.pk}:followup", datetime(2026, 6, 3, 8, tzinfo=UTC)),
    ]


# ---------------------------------------------------------------- the time zone
def change_zone(user: User, zone: str, at: datetime) -> None:
    """The patient's own time-zone page."""
    browser = Client()
    browser.force_login(user)
    with time_machine.travel(at, tick=False):
        response = browser.post(reverse("account_time_zone"), {"timezone": zone})
    assert response.status_code == 302, response.content.decode()[:3000]


def test_after_moving_west_the_new_zones_next_day_gets_its_reminder(cast, program_version):
    e = enroll(cast, program_version, "Pacific/Auckland", time(9, 0))
    # Auckland's 2 June reminder goes out at 21:00 UTC on 1 June.
    sweep_until(DAY, DAY.replace(hour=21, minute=30))
    assert fired("Pacific/Auckland") == [("2026-06-02", "09:00")]
    # An hour later they land in Los Angeles, where it is 1 June, 15:00.
    change_zone(e.patient, "America/Los_Angeles", DAY.replace(hour=22))
    sweep_until(DAY.replace(hour=22), DAY + timedelta(days=3))
    after = [row for row in fired("America/Los_Angeles") if row[0] >= "2026-06-02"]
    # 2 June in Los Angeles is a day of its own: one reminder, at 09:00 there.
    assert after[:2] == [("2026-06-02", "09:00"), ("2026-06-03", "09:00")]


def test_moving_east_before_todays_reminder_still_gets_today_one(cast, program_version):
    e = enroll(cast, program_version, "America/New_York", time(9, 0))
    # 06:00 in New York, 11:00 in London: London's 09:00 has passed, today's had not gone.
    change_zone(e.patient, "Europe/London", DAY.replace(hour=10))
    sweep_until(DAY.replace(hour=10), DAY + timedelta(days=2, hours=9))
    assert fired("Europe/London") == [
        ("2026-06-01", "11:00"),
        ("2026-06-02", "09:00"),
        ("2026-06-03", "09:00"),
    ]


def test_moving_east_after_todays_reminder_adds_none_today(cast, program_version):
    e = enroll(cast, program_version, "America/New_York", time(9, 0))
    sweep_until(DAY, DAY.replace(hour=14))  # New York's 09:00 is 13:00 UTC
    change_zone(e.patient, "Europe/London", DAY.replace(hour=15))
    sweep_until(DAY.replace(hour=15), DAY + timedelta(days=1, hours=12))
    assert fired("Europe/London") == [("2026-06-01", "14:00"), ("2026-06-02", "09:00")]


# ---------------------------------------------------------------- every path recomputes
NEW_YORK_NINE = datetime(2026, 6, 1, 13, 0, tzinfo=UTC)  # 09:00 EDT


def practice_schedule(enrollment) -> ReminderSchedule:
    return ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")


def test_the_time_zone_page_recomputes_the_schedule(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", time(9, 0))
    change_zone(e.patient, "America/New_York", DAY.replace(hour=5))
    e.patient.refresh_from_db()
    assert e.patient.timezone == "America/New_York"
    assert practice_schedule(e).next_due_at == NEW_YORK_NINE


def test_onboarding_a_second_program_in_a_new_zone_recomputes_the_first(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", time(9, 0))
    Membership.objects.create(user=e.patient, practice=cast.other_practice, role=Role.PATIENT)
    second = make_enrollment(
        e.patient,
        cast.outsider_clinician,
        cast.other_practice,
        version=program_version,
        onboarded=False,
    )
    with time_machine.travel(DAY.replace(hour=5), tick=False):
        program_services.onboarding_preferences(
            enrollment=second,
            timezone_name="America/New_York",
            practice_time=time(9, 0),
            checkin_weekday=0,
        )
    assert practice_schedule(e).next_due_at == NEW_YORK_NINE


def test_a_staff_member_sets_their_own_time_zone(client, cast):
    client.force_login(cast.clinician)
    page = client.get(reverse("account_time_zone"))
    assert page.status_code == 200 and 'name="timezone"' in page.content.decode()
    response = client.post(reverse("account_time_zone"), {"timezone": "Asia/Kolkata"})
    assert response.status_code == 302
    cast.clinician.refresh_from_db()
    assert cast.clinician.timezone == "Asia/Kolkata"


def test_an_unknown_zone_is_refused_with_a_clear_message(client, cast):
    client.force_login(cast.patient)
    response = client.post(reverse("account_time_zone"), {"timezone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "We do not know the time zone “Mars/Olympus”." in response.content.decode()
    cast.patient.refresh_from_db()
    assert cast.patient.timezone == "UTC"


def test_changing_the_zone_in_the_django_admin_recomputes_the_schedule(
    cast, program_version, superuser_client
):
    e = enroll(cast, program_version, "Europe/London", time(9, 0))
    with time_machine.travel(DAY.replace(hour=5), tick=False):
        response = superuser_client.post(
            reverse("admin:accounts_user_change", args=[e.patient.pk]),
            {
                "email": e.patient.email,
                "full_name": "Mover",
                "timezone": "America/New_York",
                "is_active": "on",
            },
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert practice_schedule(e).next_due_at == NEW_YORK_NINE
    sweep_until(DAY.replace(hour=5), DAY + timedelta(days=1, hours=6))
    assert fired("America/New_York") == [("2026-06-01", "09:00")]


def test_a_slot_sent_in_the_old_zone_does_not_block_the_new_zones_day(cast, program_version):
    """The recompute itself (whatever path calls it): Auckland's 2 June went out, and
    Los Angeles's 2 June is still to come."""
    e = enroll(cast, program_version, "Pacific/Auckland", time(9, 0))
    sweep_until(DAY, DAY.replace(hour=21, minute=30))
    e.patient.timezone = "America/Los_Angeles"
    e.patient.save(update_fields=["timezone"])
    schedules_sync(enrollment=e, now=DAY.replace(hour=22))
    sweep_until(DAY.replace(hour=22), DAY + timedelta(days=1, hours=17))
    assert fired("America/Los_Angeles") == [("2026-06-01", "14:00"), ("2026-06-02", "09:00")]
