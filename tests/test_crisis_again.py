"""Crisis words again while the patient's self-harm alert waits unacknowledged
(tracking.rules.repeat_crisis_decision): the walk-through's patient sent "Ya no quiero
vivir" twice a minute apart and the clinician got two urgent alerts and two urgent
emails. Now the second hit is added to the open alert ("again at …", audited), with no
second email; once someone acknowledged (or resolved) it, a new hit raises a new alert.
The patient is shown crisis help every time. Real Postgres."""

from __future__ import annotations

import pytest
from django.urls import reverse

from painapp.accounts.models import AuditEvent
from programs.safety import Crisis
from tests.test_alerts_factories import CONTACTED
from tracking import rules
from tracking.alerts.services import alert_acknowledge, alert_resolve
from tracking.models import Alert, OutboxTask
from tracking.safety.scanner import scan_text

WORDS = "Ya no quiero vivir"


@pytest.mark.parametrize(
    ("status", "decision"),
    [(None, "raise"), ("open", "attach"), ("acknowledged", "raise"), ("resolved", "raise")],
)
def test_the_rule(status, decision):
    assert rules.repeat_crisis_decision(open_alert_status=status) == decision


def alerts(enrollment) -> list[Alert]:
    return list(Alert.objects.filter(enrollment=enrollment, kind="self_harm").order_by("pk"))


def emails() -> int:
    return OutboxTask.objects.filter(task="tracking.tasks_alerts.send_alert_email").count()


def message(enrollment, n: int) -> Crisis:
    return scan_text(enrollment, source=f"message:{n}", texts=[WORDS])[0]


def test_a_second_message_is_added_to_the_open_alert_not_a_second_email(client, cast, enrollment):
    assert message(enrollment, 1) == Crisis.TOLD
    assert message(enrollment, 2) == Crisis.TOLD  # the patient still sees crisis help
    assert message(enrollment, 2) == Crisis.TOLD  # the same message scanned again
    (alert,) = alerts(enrollment)
    assert emails() == 1
    assert len(alert.details["again"]) == 1
    assert AuditEvent.objects.filter(action="alert.again", object_id=str(alert.pk)).count() == 1
    client.force_login(cast.clinician)
    page = client.get(reverse("alert_detail", args=[alert.pk])).content.decode()
    assert "The same concern came up 1 more time while this alert was waiting" in page
    inbox = client.get(reverse("alert_inbox")).content.decode()
    assert "The same concern again at" in inbox


@pytest.mark.parametrize("then", ["acknowledged", "resolved"])
def test_after_acknowledging_or_resolving_a_new_hit_raises_a_new_alert(cast, enrollment, then):
    message(enrollment, 1)
    (first,) = alerts(enrollment)
    alert_acknowledge(alert=first, by=cast.clinician)
    if then == "resolved":
        alert_resolve(alert=first, by=cast.clinician, outcome=CONTACTED)
    assert message(enrollment, 2) == Crisis.TOLD
    assert len(alerts(enrollment)) == 2
    assert emails() == 2
