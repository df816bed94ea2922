"""Redis unavailable while a patient submits a check-in: the check-in is saved, the
patient sees success (and, for a self-harm answer, the crisis resources at once); the
follow-up work (the clinician's urgent email) happens once Redis is back. Nothing lost.
Against the app under gunicorn, with Redis reached through a proxy we cut."""

from __future__ import annotations

import re
import time
from urllib.parse import urlparse

import pytest
import requests

from tests.checkin_data import post_for, schedule_from_start
from tests.conftest import start_worker, stop_process, subprocess_env
from tests.factories import PASSWORD, make_enrollment
from tests.faults import AppServer, TcpProxy
from tracking import outbox
from tracking.models import Alert, CheckIn, OutboxTask, Response


def csrf(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)[1]


@pytest.mark.celery_worker
def test_a_checkin_survives_redis_being_down(transactional_db, cast, settings, tmp_path):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice, days_ago=0)
    baseline = schedule_from_start(enrollment)["baseline"]
    redis_url = urlparse(settings.CELERY_BROKER_URL)
    proxy = TcpProxy(redis_url.port or 6379).start()
    proxied = f"redis://127.0.0.1:{proxy.port}{redis_url.path}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    mail = {
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    server = AppServer(subprocess_env(REDIS_URL=proxied, ALLOWED_HOSTS="127.0.0.1", **mail))
    worker = None
    try:
        web = requests.Session()
        page = web.get(f"{server.url}/accounts/login/", timeout=10)
        web.post(
            f"{server.url}/accounts/login/",
            timeout=10,
            data={
                "login": cast.patient.email,
                "password": PASSWORD,
                "csrfmiddlewaretoken": csrf(page.text),
            },
            headers={"Referer": f"{server.url}/accounts/login/"},
        )
        url = f"{server.url}/checkin/{baseline.pk}/"
        form = web.get(url, timeout=10)
        assert form.status_code == 200

        proxy.cut()
        data = post_for(baseline.instrument_keys, phq9={"phq9": 1})
        data["csrfmiddlewaretoken"] = csrf(form.text)
        started = time.monotonic()
        done = web.post(url, data=data, timeout=30, headers={"Referer": url})
        assert time.monotonic() - started < 15, "the request hung on the dead broker"
        assert done.status_code == 200, done.text[:2000]
        assert "emergency" in done.text.lower()  # crisis resources shown at once
        baseline.refresh_from_db()
        assert baseline.status == CheckIn.Status.COMPLETED
        assert Response.objects.filter(checkin=baseline).count() == len(baseline.instrument_keys)
        alert = Alert.objects.get(kind="self_harm")
        pending = OutboxTask.objects.get(task="tracking.tasks_alerts.send_alert_email")
        assert pending.done_at is None and pending.enqueued_at is None

        # Redis returns; the minute sweep enqueues what was left, a worker sends it.
        proxy.restore()
        worker = start_worker("after-outage", **mail)
        assert outbox.outbox_sweep() >= 1
        deadline = time.monotonic() + 60
        while OutboxTask.objects.filter(pk=pending.pk, done_at__isnull=True).exists():
            assert time.monotonic() < deadline, "the follow-up never ran"
            time.sleep(0.3)
    finally:
        if worker is not None:
            stop_process(worker)
        server.stop()
        proxy.cut()
    emails = "".join(f.read_text() for f in mail_dir.iterdir())
    assert "Urgent: a patient needs a call " in emails  # then when (its due time)
    assert cast.clinician.email in emails
    assert alert.pk
