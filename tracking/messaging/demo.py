"""The demo practice's conversation (tracking.demo seeds it)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from programs.models import Enrollment
from tracking.messaging.models import Message, MessageThread, ThreadRead


def demo_messages(enrollment: Enrollment) -> None:
    """A short conversation, the clinician's reply not yet read: the demo patient's menu
    shows one unread message. Rows, not the service: the demo sends no emails."""
    now = timezone.now()
    thread = MessageThread.objects.create(
        enrollment=enrollment, practice_id=enrollment.practice_id, last_message_at=now
    )
    Message.objects.create(
        thread=thread,
        author=enrollment.patient,
        from_patient=True,
        body="The walk to the shop felt easier this week. Is it normal that my back "
        "tingles after somatic tracking?",
        sent_at=now - timedelta(hours=20),
    )
    ThreadRead.objects.create(
        thread=thread, user=enrollment.patient, last_read_at=now - timedelta(hours=20)
    )
    Message.objects.create(
        thread=thread,
        author=enrollment.clinician,
        from_patient=False,
        body="That is great news about the walk. Yes, tingling is common: notice it with "
        "curiosity, as a safe sensation. We can talk about it at your next session.",
        sent_at=now,
    )
    ThreadRead.objects.create(thread=thread, user=enrollment.clinician, last_read_at=now)
