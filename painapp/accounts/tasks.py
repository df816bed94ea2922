"""Background work for accounts (thin: each task calls one service)."""

from __future__ import annotations

from celery import shared_task

from painapp.accounts.login_alerts import ALERT_TASK, login_alert_send


@shared_task(name=ALERT_TASK, ignore_result=True)
def send_login_alert(user_id: int) -> bool:
    # At most one per account and window is queued (login_failure_record's claim); a
    # redelivery after a worker crash could send it twice, which is harmless.
    return login_alert_send(user_id=user_id)
