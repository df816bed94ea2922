"""Prometheus metrics: off by default, behind a token, and telling the truth."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from django.test import Client
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from painapp.celery import app
from tests.factories import make_enrollment
from tracking.models import Delivery
from tracking.reminders.schedules import preferences_for, schedules_sync
from tracking.reminders.sweep import sweep_due_reminders

TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def token(settings):
    settings.METRICS_TOKEN = TOKEN
    return TOKEN


def scrape(client: Client, token: str = TOKEN) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def test_it_is_a_404_unless_configured_and_asked_with_the_token(client, db, settings):
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    settings.METRICS_TOKEN = TOKEN
    assert Client().get("/metrics").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert Client().get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_it_reports_failed_deliveries_and_how_late_the_sweep_is(
    cast, program_version, token, client
):
    now = timezone.now()
    due = make_enrollment(cast.patient, cast.clinician, cast.practice, version=program_version)
    prefs = preferences_for(due)
    prefs.practice_time = (now - timedelta(minutes=5)).astimezone(cast.patient.tzinfo).time()
    prefs.save()
    schedules_sync(enrollment=due, now=now - timedelta(minutes=10))
    values = scrape(client)
    # Due five minutes ago and not swept: the beat (or its workers) has stopped.
    assert 290 <= values[("painapp_reminder_sweep_lag_seconds", ())] <= 330
    assert values[("painapp_deliveries_failed", ())] == 0

    sweep_due_reminders(now)
    Delivery.objects.filter(channel="email").update(status=Delivery.Status.FAILED)
    values = scrape(client)
    assert values[("painapp_reminder_sweep_lag_seconds", ())] == 0
    assert values[("painapp_deliveries_failed", ())] == 1


def test_it_reports_the_tasks_waiting_in_the_broker(db, token, client, settings):
    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    for _ in range(3):  # no worker is running here: they wait
        app.send_task("painapp.ping", args=("x",), ignore_result=True)
    assert scrape(client)[("painapp_celery_queue_depth", ())] == 3


def test_it_times_requests_by_view(db, token):
    client = Client()  # a fresh handler: the middleware is on once the token is set
    before = scrape(client).get(("painapp_request_seconds_count", (("view", "account_login"),)), 0)
    for _ in range(2):
        assert client.get("/accounts/login/").status_code == 200
    after = scrape(client)
    assert after[("painapp_request_seconds_count", (("view", "account_login"),))] == before + 2
