"""Reminders: at the patient's wall-clock time, exactly once, only to those who want them."""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db.models import Min
from django.urls import reverse

from painapp.accounts.models import Role
from programs import services as program_services
from tests.factories import make_enrollment, make_member
from tracking.models import CheckIn, Delivery, Notification, ReminderSchedule
from tracking.reminders.delivery import MAX_ATTEMPTS, deliver
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders
from tracking.tasks import _send_one


def enroll(cast, version, tz="Europe/London", email=None, at=time(9, 0)):
    email = email or f"p-{tz.replace('/', '-').lower()}@example.org"
    patient = make_member(cast.practice, Role.PATIENT, email, tz=tz)
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=version)
    prefs = preferences_for(enrollment)
    prefs.practice_time = at
    prefs.save()
    return enrollment


def practice_schedule(enrollment):
    return ReminderSchedule.objects.get(enrollment=enrollment, kind="practice")


def sweep_every(minutes, start, end):
    """Run the sweep every `minutes` from start to end, skipping stretches where
    nothing is due (a no-op sweep changes nothing, so skipping them is equivalent)."""
    now = start
    while now <= end:
        sweep_due_reminders(now)
        upcoming = ReminderSchedule.objects.filter(active=True).aggregate(at=Min("next_due_at"))[
            "at"
        ]
        now = max(now + timedelta(minutes=minutes), upcoming or end + timedelta(minutes=1))


def test_the_next_reminder_is_at_the_patients_local_time(cast, program_version):
    e = enroll(cast, program_version, "America/New_York", at=time(19, 30))
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 12, tzinfo=UTC))
    s = practice_schedule(e)
    assert s.next_due_at == datetime(2026, 6, 1, 23, 30, tzinfo=UTC)  # 19:30 EDT
    assert s.next_slot == "practice:2026-06-01:America/New_York"


def test_a_due_reminder_is_recorded_once_and_the_schedule_moves_on(cast, program_version):
    e = enroll(cast, program_version)
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    due = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 BST
    assert sweep_due_reminders(due - timedelta(seconds=1)) == 0
    assert sweep_due_reminders(due) == 1
    assert sweep_due_reminders(due) == 0
    slots = list(Delivery.objects.values_list("slot", "channel").order_by("channel"))
    today = "practice:2026-06-01:Europe/London"
    assert slots == [(today, "email"), (today, "in_app")]
    assert practice_schedule(e).next_slot == "practice:2026-06-02:Europe/London"


def test_resyncing_the_same_day_never_sends_a_slot_twice(cast, program_version):
    e = enroll(cast, program_version)
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    # the patient moves the time later the same day: the day's slot was already used
    prefs = e.reminder_preferences
    prefs.practice_time = time(11, 0)
    prefs.save()
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 8, 5, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 10, 0, tzinfo=UTC))
    assert (
        Delivery.objects.filter(slot__startswith="practice:2026-06-01:", channel="email").count()
        == 1
    )


@pytest.mark.parametrize(
    "change", ["pause_all", "paused", "withdrawn", "completed", "practice_off", "deleted"]
)
def test_nothing_is_sent_to_patients_who_should_not_get_it(cast, program_version, change):
    e = enroll(cast, program_version)
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    prefs = e.reminder_preferences
    if change == "pause_all":
        prefs.paused = True
        prefs.save()
    elif change == "practice_off":
        prefs.practice_enabled = False
        prefs.save()
    elif change == "paused":
        with time_machine.travel(datetime(2026, 6, 1, 6, tzinfo=UTC)):
            program_services.enrollment_pause(enrollment=e)
    elif change in ("withdrawn", "completed"):
        program_services.enrollment_set_status(enrollment=e, status=change)
    elif change == "deleted":
        e.patient.is_active = False
        e.patient.save()
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    assert not Delivery.objects.exists()


def test_a_delivery_sent_after_the_patient_paused_is_skipped(cast, program_version):
    e = enroll(cast, program_version)
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    e.reminder_preferences.paused = True
    e.reminder_preferences.save()
    for d in Delivery.objects.all():
        assert deliver(d.pk) == "skipped"
    assert mail.outbox == []


def test_an_email_reminder_has_text_html_and_one_click_unsubscribe(cast, program_version):
    e = enroll(cast, program_version)
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    for d in Delivery.objects.all():
        assert deliver(d.pk) == "sent"
    [message] = mail.outbox
    assert message.subject == "A few minutes for your practice"
    assert reverse("practice") in message.body
    assert message.alternatives[0][1] == "text/html"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.extra_headers["List-Unsubscribe"].startswith("<http")
    assert Notification.objects.get(user=e.patient).url == reverse("practice")
    # a second attempt at the same delivery sends nothing
    for d in Delivery.objects.all():
        assert deliver(d.pk) == "sent"
    assert len(mail.outbox) == 1


class FlakySmtp:
    """Stands in for an SMTP server (the outside world): fails, then works."""

    def __init__(self, failures, error):
        self.failures, self.error, self.sent = failures, error, []

    def __call__(self, *args, **kwargs):
        return self

    def send_messages(self, messages):
        if self.failures:
            self.failures -= 1
            raise self.error
        self.sent.extend(messages)
        return len(messages)


def _email_delivery(cast, program_version):
    e = enroll(cast, program_version)
    e.reminder_preferences.in_app_enabled = False
    e.reminder_preferences.save()
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, 6, tzinfo=UTC))
    sweep_due_reminders(datetime(2026, 6, 1, 8, 0, tzinfo=UTC))
    return Delivery.objects.get(channel="email")


def test_a_transient_smtp_failure_is_retried_and_sent_once(cast, program_version, monkeypatch):
    delivery = _email_delivery(cast, program_version)
    smtp = FlakySmtp(2, smtplib.SMTPServerDisconnected("gone"))
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    queued = []
    monkeypatch.setattr(
        "tracking.tasks.send_delivery.apply_async",
        lambda args, countdown: queued.append((args, countdown)),
    )
    assert _send_one(delivery.pk) == "retrying"
    assert _send_one(delivery.pk) == "retrying"
    assert [c for _, c in queued] == [30, 60]  # backoff
    assert _send_one(delivery.pk) == "sent"
    assert _send_one(delivery.pk) == "sent"
    assert len(smtp.sent) == 1
    delivery.refresh_from_db()
    assert delivery.status == "sent" and delivery.attempts == 3


def test_a_permanent_smtp_failure_is_recorded_not_retried(cast, program_version, monkeypatch):
    delivery = _email_delivery(cast, program_version)
    smtp = FlakySmtp(99, smtplib.SMTPRecipientsRefused({"x": (550, b"no such user")}))
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    assert _send_one(delivery.pk) == "failed"
    assert _send_one(delivery.pk) == "failed"
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.attempts == 1
    assert "refused" in delivery.error


def test_it_gives_up_after_too_many_transient_failures(cast, program_version, monkeypatch):
    delivery = _email_delivery(cast, program_version)
    monkeypatch.setattr(
        "django.core.mail.get_connection",
        FlakySmtp(99, smtplib.SMTPResponseException(421, b"busy")),
    )
    monkeypatch.setattr("tracking.tasks.send_delivery.apply_async", lambda *a, **k: None)
    results = [_send_one(delivery.pk) for _ in range(MAX_ATTEMPTS)]
    assert results[-1] == "failed" and results.count("retrying") == MAX_ATTEMPTS - 1


def test_checkin_reminders_fire_when_it_opens_and_48_hours_later(cast, program_version):
    e = enroll(cast, program_version, "Europe/London", at=time(18, 0))
    tz = ZoneInfo("Europe/London")
    checkin = CheckIn.objects.create(
        enrollment=e,
        slot="week-3",
        kind="weekly",
        week=3,
        due_date=datetime(2026, 6, 3).date(),
        opens_at=datetime(2026, 6, 3, tzinfo=tz),
        closes_at=datetime(2026, 6, 6, tzinfo=tz),
        status="open",
        instrument_keys=["pain_avg"],
    )
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, tzinfo=UTC))
    sweep_every(60, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    slots = sorted(
        set(Delivery.objects.filter(schedule__kind="checkin").values_list("slot", "due_at")),
        key=lambda row: row[1],
    )
    assert slots == [
        (f"checkin:{checkin.pk}:open", datetime(2026, 6, 3, 17, tzinfo=UTC)),
        (f"checkin:{checkin.pk}:followup", datetime(2026, 6, 5, 17, tzinfo=UTC)),
    ]


def test_no_followup_once_the_checkin_is_done(cast, program_version):
    e = enroll(cast, program_version, at=time(18, 0))
    checkin = CheckIn.objects.create(
        enrollment=e,
        slot="week-3",
        kind="weekly",
        week=3,
        due_date=datetime(2026, 6, 3).date(),
        opens_at=datetime(2026, 6, 2, 23, tzinfo=UTC),
        closes_at=datetime(2026, 6, 5, 23, tzinfo=UTC),
        status="open",
        instrument_keys=["pain_avg"],
    )
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, tzinfo=UTC))
    sweep_every(60, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 4, tzinfo=UTC))
    CheckIn.objects.filter(pk=checkin.pk).update(status="completed")
    sweep_every(60, datetime(2026, 6, 4, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    followups = Delivery.objects.filter(slot__endswith=":followup")
    assert all(deliver(d.pk) == "skipped" for d in followups)


@pytest.mark.parametrize(
    ("zone", "days"),
    [
        ("America/New_York", ("2026-03-07", "2026-03-10")),
        ("America/New_York", ("2026-10-31", "2026-11-03")),
        ("Europe/Berlin", ("2026-03-28", "2026-03-31")),
        ("Europe/Berlin", ("2026-10-24", "2026-10-27")),
        ("Australia/Sydney", ("2026-04-04", "2026-04-07")),
        ("Australia/Sydney", ("2026-10-03", "2026-10-06")),
    ],
)
@pytest.mark.parametrize("at", [time(2, 30), time(9, 0)])
def test_one_reminder_per_day_across_dst_changes(cast, program_version, zone, days, at):
    e = enroll(cast, program_version, zone, at=at)
    tz = ZoneInfo(zone)
    first, last = (datetime.fromisoformat(d).replace(tzinfo=tz) for d in days)
    schedules_sync(enrollment=e, now=first - timedelta(minutes=1))
    sweep_every(30, first.astimezone(UTC), (last + timedelta(days=1)).astimezone(UTC))
    fired = list(
        Delivery.objects.filter(channel="email").order_by("due_at").values_list("slot", "due_at")
    )
    expected_days = [(first + timedelta(days=n)).date().isoformat() for n in range(4)]
    assert [slot.split(":")[1] for slot, _ in fired][:4] == expected_days
    for slot, due in fired[:4]:
        local = due.astimezone(tz)
        wall = datetime.combine(datetime.fromisoformat(slot.split(":")[1]).date(), at)
        drift = local.replace(tzinfo=None) - wall
        # exactly on time, or in a spring-forward gap at the moment the clocks jump
        assert timedelta(0) <= drift <= timedelta(hours=1)


def test_failed_deliveries_are_shown_to_the_practice_admin_only(
    client, cast, program_version, monkeypatch
):
    delivery = _email_delivery(cast, program_version)
    smtp = FlakySmtp(99, smtplib.SMTPRecipientsRefused({"x": (550, b"no such user")}))
    monkeypatch.setattr("django.core.mail.get_connection", smtp)
    assert deliver(delivery.pk) == "failed"
    client.force_login(cast.admin)
    page = client.get(reverse("admin_failed_deliveries")).content.decode()
    assert "recipient refused" in page and delivery.schedule.enrollment.patient.display_name in page
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("admin_failed_deliveries")).content.decode()
    assert "recipient refused" not in page and "No failed reminders" in page


@pytest.mark.parametrize(
    ("kind", "language", "ready", "still_open", "name"),
    [
        (
            "interim",
            "en",
            "Your mid-program check-in (after week 4) is ready",
            "Your mid-program check-in (after week 4) is still open",
            "mid-program check-in",
        ),
        (
            "interim",
            "es",
            "Su control de mitad del programa (tras la semana 4) está listo",
            "Su control de mitad del programa (tras la semana 4) sigue abierto",
            "control de mitad del programa",
        ),
        (
            "end",
            "en",
            "Your end-of-program check-in is ready",
            "Your end-of-program check-in is still open",
            "end-of-program check-in",
        ),
        (
            "end",
            "es",
            "Su control final está listo",
            "Su control final sigue abierto",
            "control final",
        ),
    ],
)
def test_end_and_mid_program_checkins_reminders_name_them_so(
    cast, program_version, kind, language, ready, still_open, name
):
    # The end-of-program check-in, and the 4-week end check-in a switch to 8 weeks kept
    # as a mid-program one (tracking.clinic.tailoring): their reminders call them that,
    # not "weekly".
    e = enroll(cast, program_version, at=time(18, 0))
    e.patient.language = language
    e.patient.save(update_fields=["language"])
    CheckIn.objects.filter(enrollment=e, kind="end").delete()
    CheckIn.objects.create(
        enrollment=e,
        slot="interim-week-4" if kind == "interim" else "end",
        kind=kind,
        week=4 if kind == "interim" else None,
        due_date=datetime(2026, 6, 3).date(),
        opens_at=datetime(2026, 6, 2, 23, tzinfo=UTC),
        closes_at=datetime(2026, 6, 9, 23, tzinfo=UTC),
        status="open",
        instrument_keys=["pain_avg"],
    )
    schedules_sync(enrollment=e, now=datetime(2026, 6, 1, tzinfo=UTC))
    sweep_every(60, datetime(2026, 6, 1, tzinfo=UTC), datetime(2026, 6, 8, tzinfo=UTC))
    deliveries = Delivery.objects.filter(schedule__kind="checkin").order_by("due_at")
    assert {d.slot.rsplit(":", 1)[1] for d in deliveries} == {"open", "followup"}
    for d in deliveries:
        assert deliver(d.pk) == "sent"
    assert [m.subject for m in mail.outbox] == [ready, still_open]
    for message in mail.outbox:
        assert name in message.body and name in message.alternatives[0][0]
        assert "weekly" not in message.body and "semanal" not in message.body
    titles = Notification.objects.filter(user=e.patient).order_by("created_at")
    assert [n.title for n in titles] == [ready, still_open]
