"""tracking 0031 (Alert.escalated_to: who the chain told, the access rule's record),
forward and back with Django's migration executor on the real database: an alert
escalated before it keeps, for the people who could open it then (the named steps at
or below the one it reached), the access they had, and nobody else gains any."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from tests.factories import Role, make_member
from tracking.alerts.services import alert_raise
from tracking.models import Alert, EscalationStep

BEFORE = ("tracking", "0030_delete_staff_notifications")
AFTER = ("tracking", "0031_alert_escalated_to")


def _migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps


@pytest.mark.django_db(transaction=True)
def test_it_records_the_named_steps_an_escalated_alert_had_reached(cast, enrollment):
    first = make_member(cast.practice, Role.CLINICIAN, "first@riverside.test")
    later = make_member(cast.practice, Role.CLINICIAN, "later@riverside.test")
    EscalationStep.objects.filter(practice=cast.practice).delete()
    for position, target, user in (
        (1, "clinician", None),
        (2, "staff", first),
        (3, "admins", None),
        (4, "staff", later),
    ):
        EscalationStep.objects.create(
            practice=cast.practice, position=position, target=target, user=user
        )
    escalated = alert_raise(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity="urgent", source="a:1"
    )
    waiting = alert_raise(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, severity="urgent", source="a:2"
    )
    assert escalated is not None and waiting is not None
    try:
        old = _migrate(BEFORE)
        old.get_model("tracking", "Alert").objects.filter(pk=escalated.pk).update(
            escalation_position=3, escalation_tier=2
        )
        new = _migrate(AFTER)
        told = dict(new.get_model("tracking", "Alert").objects.values_list("pk", "escalated_to"))
        assert told == {escalated.pk: [first.pk], waiting.pk: []}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
