"""Secure messaging writes: send a message, mark a thread read, and the email that
tells the other side a message is waiting (never what it says).

Sending is one transaction: the message, the thread's newest time, the sender's own
read mark, an in-app notification for the patient when their care team writes (staff
see a patient's message in the menu's Messages count and their inbox) and an outbox row
for the email (sent by the worker after commit, retried by the outbox sweep if the
broker is down).
A patient's message then goes through the crisis-word scanner like every text a
patient writes (tracking.safety.scanner), which raises the urgent alert.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from painapp.accounts.audit import audit
from painapp.accounts.badges import badges_changed
from painapp.accounts.emails import send_email
from painapp.accounts.models import User
from painapp.submit_once import create_once
from programs.models import Enrollment
from tracking.messaging.models import MESSAGE_MAX_LENGTH, Message, MessageThread, ThreadRead
from tracking.models import Alert, Notification, OutboxTask, PracticeSettings
from tracking.outbox import outbox_add
from tracking.safety.scanner import scan

logger = logging.getLogger(__name__)

EMAIL_TASK = "tracking.tasks_messaging.send_message_email"


class MessagingOff(Exception):
    """The practice has turned messaging off: nothing is sent."""


class MessageInvalid(ValueError):
    """An empty or too long message (the form catches these first)."""


@dataclass(frozen=True)
class Sent:
    message: Message
    # The urgent alert a crisis phrase in a patient's message raised (None otherwise):
    # the view shows the patient where to get help at once.
    alert: Alert | None = None


def messaging_enabled(practice_id: int) -> bool:
    return PracticeSettings.for_practice(practice_id).messaging_enabled


def thread_for(enrollment: Enrollment) -> MessageThread:
    """The enrollment's thread, created the first time anyone writes."""
    thread, _created = MessageThread.objects.get_or_create(
        enrollment=enrollment, defaults={"practice_id": enrollment.practice_id}
    )
    return thread


def _mark_read(thread: MessageThread, user: User, when) -> None:
    ThreadRead.objects.update_or_create(thread=thread, user=user, defaults={"last_read_at": when})
    badges_changed(thread.practice_id)


def thread_mark_read(*, thread: MessageThread, user: User) -> None:
    """Everything in the thread so far is read by `user` (their own read mark only)."""
    if thread.last_message_at is None:
        return
    _mark_read(thread, user, max(thread.last_message_at, timezone.now()))


def message_send(
    *,
    enrollment: Enrollment,
    author: User,
    body: str,
    request: HttpRequest | None = None,
    client_token: uuid.UUID | None = None,
) -> Sent:
    """Send `body` in the enrollment's thread, as the patient (when `author` is the
    enrollment's patient) or as a member of their care team (the caller has checked
    access through tracking.access). Raises MessagingOff when the practice has
    messaging turned off, MessageInvalid for an empty or too long body.

    The other side gets an email that says only that a message is waiting, in their own
    language; a patient also gets an in-app notification (their Notifications page),
    staff the menu's unread count and their inbox. A patient's message is scanned for
    crisis phrases after it is saved; a hit raises the urgent self-harm alert (the
    clinician's alert inbox) and is returned, so the patient is shown help at once.

    The same `client_token` (the form's, painapp.submit_once) sent again returns the
    message it sent, and nothing is sent, told or raised again; the first send's crisis
    alert comes back with it, so the patient sees the help again.
    """
    body = (body or "").strip()
    if not body or len(body) > MESSAGE_MAX_LENGTH:
        raise MessageInvalid
    if not messaging_enabled(enrollment.practice_id):
        raise MessagingOff
    from_patient = author.pk == enrollment.patient_id
    now = timezone.now()
    with transaction.atomic():
        thread = thread_for(enrollment)
        message, created = create_once(
            Message,
            client_token=client_token,
            thread=thread,
            author=author,
            from_patient=from_patient,
            body=body,
            sent_at=now,
        )
        if not created:
            return Sent(message=message, alert=_crisis_alert_of(enrollment, message))
        MessageThread.objects.filter(pk=thread.pk).update(last_message_at=now)
        thread.last_message_at = now
        badges_changed(thread.practice_id)  # the recipient's unread count
        _mark_read(thread, author, now)
        recipient = enrollment.clinician if from_patient else enrollment.patient
        if recipient.is_active:
            if not from_patient:
                _notify_patient_in_app(enrollment, recipient)
            outbox_add(EMAIL_TASK, message_id=message.pk)
        if not from_patient:
            audit(
                request,
                "messages.sent",
                practice=enrollment.practice,
                subject=enrollment.patient,
                obj=message,
                actor=author,
            )
    alert = None
    if from_patient:
        alert = scan(enrollment, source=f"message:{message.pk}", texts=[body])
    return Sent(message=message, alert=alert)


def _crisis_alert_of(enrollment: Enrollment, message: Message) -> Alert | None:
    """The crisis alert a patient's message raised (the scanner's, by its source), for a
    resend of the same form. A scan that never ran (the first send died after saving)
    runs now: it raises the alert at most once."""
    if not message.from_patient:
        return None
    source = f"message:{message.pk}"
    found = Alert.objects.filter(
        enrollment=enrollment, kind=Alert.Kind.SELF_HARM, source=source
    ).first()
    return found or scan(enrollment, source=source, texts=[message.body])


def _notify_patient_in_app(enrollment: Enrollment, patient: User) -> None:
    """The patient's in-app notification, in their language: that their care team sent
    a message, never what it says. Staff get none (no page shows staff notifications):
    the menu's Messages count and their inbox tell them."""
    with translation.override(patient.language or settings.LANGUAGE_CODE):
        title = _("New message from your care team")
        body = _("Your care team sent you a message. Open Messages to read it.")
    Notification.objects.create(
        user=patient,
        title=title,
        body=body,
        url=reverse("messages"),
        practice_id=enrollment.practice_id,
        audience=Notification.Audience.PATIENT,
    )


# ------------------------------------------------------------------ the email
def _outbox_pending(outbox_id: int | None) -> bool:
    if not outbox_id:
        return True
    return OutboxTask.objects.filter(pk=outbox_id, done_at__isnull=True).exists()


def message_email_send(*, message_id: int, outbox_id: int | None = None) -> bool:
    """Email the other side of a message that one is waiting: no name of the patient
    and no word of the message, just the link (the email may be read on a shared
    screen). Skipped if already sent, if the recipient has read it since, if they
    already had unread messages from this side (they were told then), if messaging
    is off, if their account is inactive, or if they turned these emails off
    (User.message_emails, checked here at sending time: the unread count, and a
    patient's in-app notification, are theirs either way). Returns whether an email went out."""
    if not _outbox_pending(outbox_id):
        return False
    message = (
        Message.objects.select_related(
            "thread__enrollment__patient",
            "thread__enrollment__clinician",
            "thread__enrollment__practice",
        )
        .filter(pk=message_id)
        .first()
    )
    if message is None:
        return False
    enrollment = message.thread.enrollment
    recipient = enrollment.clinician if message.from_patient else enrollment.patient
    if not recipient.is_active or not recipient.message_emails:
        return False
    if not messaging_enabled(enrollment.practice_id):
        return False
    read_mark = (
        ThreadRead.objects.filter(thread_id=message.thread_id, user=recipient)
        .values_list("last_read_at", flat=True)
        .first()
    )
    if read_mark is not None and read_mark >= message.sent_at:
        return False  # read already
    earlier_unread = Message.objects.filter(
        thread_id=message.thread_id,
        from_patient=message.from_patient,
        sent_at__lt=message.sent_at,
    )
    if read_mark is not None:
        earlier_unread = earlier_unread.filter(sent_at__gt=read_mark)
    if recipient.message_emails_changed_at is not None:
        # Messages that came while the emails were off were never emailed: the first
        # one since they were turned back on is news.
        earlier_unread = earlier_unread.filter(sent_at__gt=recipient.message_emails_changed_at)
    if earlier_unread.exists():
        return False  # told about the first unread one already
    if message.from_patient:
        path = reverse("patient_messages", args=[enrollment.pk])
    else:
        path = reverse("messages")
    send_email(
        "emails/message_new",
        to=recipient.email,
        context={
            "name": recipient.display_name,
            "practice": enrollment.practice,
            "to_staff": message.from_patient,
            "url": f"{settings.SITE_URL}{path}",
        },
        language=recipient.language,
    )
    return True
