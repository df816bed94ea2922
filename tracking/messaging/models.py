"""Secure messaging: one thread per enrollment, its messages, and who has read how far.

Imported at the bottom of tracking/models.py, so the app registry finds these models
under `tracking`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone as dj_timezone

from painapp.accounts.models import Practice
from programs.models import Enrollment

# The longest message a person may send (the form says so in plain words).
MESSAGE_MAX_LENGTH = 2000


class MessageThread(models.Model):
    """The conversation between a patient and their care team about one enrollment:
    the enrollment's clinician and the practice's staff who may see the patient
    (tracking.access). Created with the first message."""

    enrollment = models.OneToOneField(
        Enrollment, on_delete=models.CASCADE, related_name="message_thread"
    )
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=dj_timezone.now)
    # The newest message's time: the inbox sorts by it without reading the messages.
    last_message_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # the staff inbox: a practice's threads, newest first
            models.Index(fields=["practice", "-last_message_at"]),
        ]

    def __str__(self) -> str:
        return f"Thread {self.pk}"


class Message(models.Model):
    """One message in a thread, from the patient or from a member of their care team.

    Kept as written: nobody edits or deletes a message (it goes with the patient's
    account). `author` is kept empty when a staff account is removed; `from_patient`
    still says which side wrote it."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_patient = models.BooleanField()
    body = models.TextField(max_length=MESSAGE_MAX_LENGTH)
    sent_at = models.DateTimeField(default=dj_timezone.now)
    # The message form's one-time token (painapp.submit_once): sent again (Back, then
    # Send), it finds this message rather than sending a second. None for older ones.
    client_token = models.UUIDField(null=True, blank=True)

    class Meta:
        ordering = ["sent_at", "pk"]
        indexes = [
            # a thread's messages in order, and the unread counts (sent after a read mark)
            models.Index(fields=["thread", "from_patient", "sent_at"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["thread", "client_token"], name="message_once"),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk}"


class ThreadRead(models.Model):
    """How far one reader (the patient, or one member of staff) has read a thread:
    messages from the other side sent after `last_read_at` are unread for them."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField(default=dj_timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="thread_read_once_per_reader")
        ]

    def __str__(self) -> str:
        return f"Read mark {self.pk}"
