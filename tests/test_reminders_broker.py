"""The message broker goes away and comes back: reminders recorded meanwhile are
queued by the first minute sweep after it returns, and one that can no longer go out
in time is marked failed with the reason, on the practice admins' page — never left
waiting forever, shown to nobody."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine
from django.urls import reverse
from kombu.exceptions import OperationalError

import painapp.celery
from painapp.accounts.models import Role
from tests.factories import make_enrollment, make_member
from tracking import tasks
from tracking.models import Delivery
from tracking.reminders.schedules import preferences_for, schedules_sync

DUE = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)  # 09:00 in London


class Broker:
    """Stands in for Redis as a broker (the outside world): up or down, and what was
    published to it while up."""

    def __init__(self, monkeypatch) -> None:
        self.up = True
        self.sends: list[list[int]] = []
        self._monkeypatch = monkeypatch

    def send_task(self, name, args=(), kwargs=None, **options):
        if not self.up:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        if name == "tracking.tasks.send_deliveries":
            self.sends.append(list(args[0]))

    def back(self) -> None:
        self.up = True
        # A process that saw the broker fail waits 30 s before trying again; the next
        # minute sweep is later than that.
        self._monkeypatch.setattr(painapp.celery, "_broker_down_until", 0.0)

    def queued(self) -> set[int]:
        return {pk for ids in self.sends for pk in ids}


@pytest.fixture
def broker(monkeypatch):
    broker = Broker(monkeypatch)
    monkeypatch.setattr(painapp.celery.app, "send_task", broker.send_task)
    monkeypatch.setattr(painapp.celery, "_broker_down_until", 0.0)
    return broker


@pytest.fixture
def minute_sweep(django_capture_on_commit_callbacks):
    """Beat's minute task as a worker runs it, at `at` (its batches' on-commit sends
    run as they commit: the test's own transaction never does)."""

    def run(at: datetime) -> None:
        with time_machine.travel(at, tick=False), django_capture_on_commit_callbacks(execute=True):
            tasks.sweep_due_reminders()

    return run


@pytest.fixture
def due_patient(cast, program_version):
    patient = make_member(cast.practice, Role.PATIENT, "outage@example.org", tz="Europe/London")
    enrollment = make_enrollment(patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(enrollment)
    prefs.practice_time = time(9, 0)
    prefs.save()
    schedules_sync(enrollment=enrollment, now=DUE - timedelta(hours=2))
    return patient


def test_the_first_sweep_after_an_outage_queues_what_was_left(broker, minute_sweep, due_patient):
    broker.up = False
    minute_sweep(DUE)  # the reminders are recorded; their sends cannot be queued
    recorded = set(Delivery.objects.values_list("pk", flat=True))
    assert len(recorded) == 2 and broker.queued() == set()
    assert set(Delivery.objects.values_list("status", flat=True)) == {"pending"}

    broker.back()
    minute_sweep(DUE + timedelta(minutes=1))
    assert broker.queued() == recorded  # a minute later, not ten

    sends = len(broker.sends)
    minute_sweep(DUE + timedelta(minutes=2))
    assert len(broker.sends) == sends  # queued once, not again every minute


def test_a_send_whose_message_was_lost_is_queued_again_after_a_while(
    broker, minute_sweep, due_patient
):
    minute_sweep(DUE)  # queued; then the broker loses the message (a restart)
    recorded = set(Delivery.objects.values_list("pk", flat=True))
    assert broker.queued() == recorded
    broker.sends.clear()
    minute_sweep(DUE + timedelta(minutes=2))
    assert broker.sends == []
    minute_sweep(DUE + timedelta(minutes=6))
    assert broker.queued() == recorded


def test_a_reminder_that_cannot_go_out_in_time_is_failed_and_shown_to_admins(
    client, cast, broker, minute_sweep, due_patient
):
    broker.up = False
    minute_sweep(DUE)
    broker.back()
    # Back after more than six hours: too late for a 09:00 "time to practise".
    minute_sweep(DUE + timedelta(hours=6, minutes=1))
    assert broker.queued() == set()
    rows = list(Delivery.objects.values_list("status", "error"))
    assert [status for status, _ in rows] == ["failed", "failed"]
    assert all("within 6 hours" in error for _, error in rows)

    client.force_login(cast.admin)
    page = client.get(reverse("admin_failed_deliveries")).content.decode()
    assert "within 6 hours of its time" in page and due_patient.display_name in page
    # The limit is stated on the page, not only in each row.
    assert "cannot go out within 6 hours of its time is not sent late" in page
    client.force_login(cast.outsider_admin)
    page = client.get(reverse("admin_failed_deliveries")).content.decode()
    assert due_patient.display_name not in page and "No failed reminders" in page
