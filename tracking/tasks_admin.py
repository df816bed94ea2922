"""Celery tasks for the practice admin screens: thin wrappers, each safe to run twice.

Registered through tracking/tasks.py (Celery autodiscovers only tasks.py), which
imports this module.
"""

from __future__ import annotations

from celery import shared_task

from tracking.bulk_import import import_invitations_send
from tracking.outbox import outbox_done


@shared_task(name="tracking.tasks_admin.send_import_invitations", acks_late=True)
def send_import_invitations(invitation_ids: list[int], outbox_id: int | None = None) -> int:
    """Outbox: email the invitations made by one bulk import (one chunk of them).

    If some could not be sent, the outbox row stays open and the minute sweep runs this
    again later; invitations already sent are skipped. Returns how many are unsent.
    """
    unsent = import_invitations_send(invitation_ids)
    if not unsent:
        outbox_done(outbox_id)
    return unsent
