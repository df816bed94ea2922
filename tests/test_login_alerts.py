"""The owner of an account hears about repeated failed logins on it (issue 14, point 6):
once a window, in plain words, with no health data, and whether or not the failures
came from one address."""

from __future__ import annotations

import email
import time
from datetime import UTC, datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from painapp.accounts.login_alerts import login_alert_send
from tests.conftest import start_worker, stop_process
from tests.factories import PASSWORD

WRONG = "not-the-password-0"


def fail(login: str, ip: str) -> None:
    response = Client(REMOTE_ADDR=ip).post(
        reverse("account_login"), {"login": login, "password": WRONG}
    )
    assert response.status_code == 200


def mails_in(folder) -> list[email.message.Message]:
    return [email.message_from_string(p.read_text()) for p in sorted(folder.glob("*.log"))]


@pytest.mark.celery_worker
def test_the_owner_is_told_once_when_failures_cross_the_threshold(
    transactional_db, cast, settings, tmp_path
):
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    worker = start_worker(
        "alerts",
        TEST_EMAIL_BACKEND=("django.core.mail.backends.filebased.EmailBackend"),
        EMAIL_FILE_PATH=str(mail_dir),
    )
    start = datetime.fromtimestamp((time.time() // 3600 + 1) * 3600 + 60, UTC)
    try:
        with time_machine.travel(start):
            # Nine failures from nine addresses: no address is throttled, nobody told yet.
            for n in range(9):
                fail(cast.patient.email, f"10.0.3.{n}")
            time.sleep(2)
            assert mails_in(mail_dir) == []
            # The tenth crosses the threshold; twenty more in the same hour add nothing.
            for n in range(21):
                fail(cast.patient.email.upper(), f"10.0.4.{n}")
            # An address without an account: nobody to tell, and nothing else differs.
            for n in range(12):
                fail("nobody-here@example.org", f"10.0.5.{n}")
        deadline = time.monotonic() + 30
        while not mails_in(mail_dir):
            assert time.monotonic() < deadline, "the owner was never told"
            time.sleep(0.3)
        time.sleep(2)  # room for a second, wrong, email to arrive
    finally:
        stop_process(worker)
    sent = mails_in(mail_dir)
    assert [m["To"] for m in sent] == [cast.patient.email]
    assert "tried to log in" in sent[0]["Subject"]
    # and the owner still logs in: failures elsewhere never lock them out
    assert (
        Client(REMOTE_ADDR="10.0.9.9")
        .post(reverse("account_login"), {"login": cast.patient.email, "password": PASSWORD})
        .status_code
        == 302
    )


def test_the_notice_is_short_plain_and_carries_no_health_data(cast, mailoutbox):
    assert login_alert_send(user_id=cast.patient.pk) is True
    [message] = mailoutbox
    assert message.to == [cast.patient.email]
    body = message.body
    assert "wrong password" in body and "not locked" in body
    assert "/accounts/password/reset/" in body
    for health_word in ("pain", "check-in", "score", "clinician", "Riverside"):
        assert health_word not in body.replace("painapp", "")
    assert len(body) < 800


def test_a_switched_off_account_is_not_emailed(cast, mailoutbox):
    cast.patient.is_active = False
    cast.patient.save()
    assert login_alert_send(user_id=cast.patient.pk) is False
    assert mailoutbox == []


def test_the_notice_says_the_time_in_the_owners_zone(cast, mailoutbox):
    # 23:30 UTC is already 12:30 the next day in Auckland (NZDT, UTC+13).
    cast.patient.timezone = "Pacific/Auckland"
    cast.patient.save(update_fields=["timezone"])
    with time_machine.travel(datetime(2026, 1, 14, 23, 30, tzinfo=UTC), tick=False):
        assert login_alert_send(user_id=cast.patient.pk) is True
    [message] = mailoutbox
    # A patient in New Zealand reads the 12-hour clock (painapp.formats.clock).
    assert "by 12:30\u00a0PM on 15 January 2026, your time" in message.body
    html = message.alternatives[0][0]
    assert "12:30\u00a0PM" in html and "11:30" not in html and "11:30" not in message.body


def test_staff_keep_the_24_hour_clock_in_the_notice(cast, mailoutbox):
    # A clinician in New York (a 12-hour country): staff pages and emails stay on 24h.
    cast.clinician.timezone = "America/New_York"
    cast.clinician.save(update_fields=["timezone"])
    with time_machine.travel(datetime(2026, 1, 14, 18, 30, tzinfo=UTC), tick=False):
        assert login_alert_send(user_id=cast.clinician.pk) is True
    [message] = mailoutbox
    assert "by 13:30 on 14 January 2026, your time" in message.body
