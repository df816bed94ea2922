"""Health probes and the beat heartbeat.

/healthz/live answers from the process alone; /healthz/ready checks the database and the
broker (Redis) and names the one that failed, and reports when the minute reminder sweep
last ran. The practice overview shows that too, in red once it is too long ago.
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from painapp.health.heartbeat import REMINDERS, heartbeat_record
from painapp.health.models import Heartbeat
from tests.conftest import subprocess_env
from tests.faults import AppServer, TcpProxy, free_port
from tracking.reminders.sweep import sweep_due_reminders


def ready(client: Client) -> tuple[int, dict]:
    response = client.get("/healthz/ready")
    return response.status_code, json.loads(response.content)


# ---------------------------------------------------------------- probes
def test_liveness_answers_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz/live")
    assert response.status_code == 200 and json.loads(response.content) == {"status": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_readiness_is_ok_when_everything_answers_and_the_sweep_just_ran(client, db):
    heartbeat_record(REMINDERS)
    status, body = ready(client)
    assert status == 200
    assert body == {
        "status": "ok",
        "checks": {"database": "ok", "broker": "ok"},
        "reminders": {"status": "ok", "last_ran_minutes_ago": 0, "stale_after_minutes": 10},
    }


def test_readiness_names_the_broker_when_redis_is_unreachable(client, db, settings):
    heartbeat_record(REMINDERS)
    # Nothing listens there: a real refused connection.
    settings.CELERY_BROKER_URL = f"redis://:s3cret-pass@127.0.0.1:{free_port()}/0"
    response = client.get("/healthz/ready")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"] == {"database": "ok", "broker": "failed"}
    assert b"s3cret" not in response.content and b"127.0.0.1" not in response.content


def test_readiness_names_the_database_when_postgres_is_unreachable(transactional_db, settings):
    db = settings.DATABASES["default"]
    proxy = TcpProxy(int(db["PORT"] or 5432)).start()
    server = AppServer(
        subprocess_env(
            DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
            DJANGO_SETTINGS_MODULE="painapp.settings_test",
            ALLOWED_HOSTS="127.0.0.1",
        )
    )
    try:
        import requests

        assert requests.get(f"{server.url}/healthz/ready", timeout=20).status_code == 200
        proxy.cut()
        down = requests.get(f"{server.url}/healthz/ready", timeout=30)
        assert down.status_code == 503
        assert down.json()["checks"] == {"database": "failed", "broker": "ok"}
        assert "reminders" not in down.json()
        # The process itself is fine: liveness says so, so nothing restarts it.
        assert requests.get(f"{server.url}/healthz/live", timeout=10).status_code == 200
    finally:
        server.stop()
        proxy.cut()


def test_the_probes_are_never_redirected_to_https(client, db, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get(reverse("account_login")).status_code == 301
    for path in ("/healthz/", "/healthz/live", "/healthz/ready", "/healthz/live/"):
        assert client.get(path).status_code == 200, path


# ---------------------------------------------------------------- the heartbeat
def test_the_sweep_records_its_heartbeat_even_with_nothing_due(db):
    assert not Heartbeat.objects.exists()
    sweep_due_reminders()
    beat = Heartbeat.objects.get(name=REMINDERS)
    assert timezone.now() - beat.last_run_at < timedelta(seconds=5)


def test_readiness_says_degraded_when_the_sweep_has_not_run_for_too_long(client, db):
    with time_machine.travel(timezone.now() - timedelta(minutes=11)):
        sweep_due_reminders()
    status, body = ready(client)
    # Still 200: a stopped beat must not take the web out of the load balancer.
    assert status == 200
    assert body["status"] == "degraded"
    assert body["reminders"] == {
        "status": "stale",
        "last_ran_minutes_ago": 11,
        "stale_after_minutes": 10,
    }


def test_readiness_says_degraded_before_the_sweep_ever_ran(client, db):
    status, body = ready(client)
    assert status == 200 and body["status"] == "degraded"
    assert body["reminders"]["status"] == "stale"
    assert body["reminders"]["last_ran_minutes_ago"] is None


def test_the_threshold_is_a_setting(client, db, settings):
    settings.REMINDERS_STALE_AFTER_MINUTES = 30
    heartbeat_record(REMINDERS, at=timezone.now() - timedelta(minutes=20))
    assert ready(client)[1]["reminders"]["status"] == "ok"


def test_the_beat_healthcheck_command_fails_when_reminders_stopped(db):
    with pytest.raises(CommandError, match="not run yet"):
        call_command("reminders_heartbeat")
    heartbeat_record(REMINDERS, at=timezone.now() - timedelta(minutes=12))
    with pytest.raises(CommandError, match="last ran 12 minute"):
        call_command("reminders_heartbeat")
    heartbeat_record(REMINDERS)
    call_command("reminders_heartbeat")


# ---------------------------------------------------------------- practice overview
@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.admin)
    return client


def overview(client: Client) -> str:
    response = client.get(reverse("practice_overview"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_overview_says_when_reminders_last_ran(admin_client):
    heartbeat_record(REMINDERS, at=timezone.now() - timedelta(minutes=3, seconds=10))
    page = overview(admin_client)
    assert "Reminders last ran 3\xa0minutes ago." in page
    assert "message--error" not in page


def test_the_overview_says_less_than_a_minute_just_after_a_sweep(admin_client):
    sweep_due_reminders()
    assert "Reminders last ran less than a minute ago." in overview(admin_client)


def test_the_overview_turns_red_when_reminders_have_stopped(admin_client):
    heartbeat_record(REMINDERS, at=timezone.now() - timedelta(minutes=25))
    page = overview(admin_client)
    assert 'class="message message--error" id="reminders-heartbeat"' in page
    assert "Reminders last ran 25\xa0minutes ago." in page
    assert "patients may not be getting their reminders" in page


def test_the_overview_turns_red_when_reminders_never_ran(admin_client):
    page = overview(admin_client)
    assert "message--error" in page and "Reminders have not run yet." in page
