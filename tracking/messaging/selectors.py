"""Messaging reads: the menu's unread count, the staff inbox, one thread's messages.

Unread means: sent by the other side after the reader's own read mark (ThreadRead),
or ever if they have none. For a patient the other side is their care team; for a
member of staff it is the patient (a colleague's reply is not news to them).
Staff see the threads of the enrollments tracking.access lets them see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest

from painapp.accounts.middleware import membership_for
from painapp.accounts.models import Role, User
from tracking.access import EnrollmentScope
from tracking.messaging.models import Message, MessageThread, ThreadRead
from tracking.models import PracticeSettings

INBOX_LIMIT = 200  # threads on one inbox page; the page says when there are more
THREAD_LIMIT = 500  # the newest messages a thread page shows; older ones say so
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)  # "never read": before any message


def _read_mark(user_id: int, thread_ref: str = "thread_id"):
    """The reader's read mark for the thread at OuterRef(thread_ref), or the epoch."""
    return Coalesce(
        Subquery(
            ThreadRead.objects.filter(thread_id=OuterRef(thread_ref), user_id=user_id).values(
                "last_read_at"
            )[:1]
        ),
        Value(_EPOCH),
        output_field=DateTimeField(),
    )


def unread_messages(user: User, *, from_patient: bool) -> QuerySet[Message]:
    """Messages from the other side that `user` has not read (not yet scoped)."""
    return Message.objects.filter(from_patient=from_patient).filter(sent_at__gt=_read_mark(user.pk))


def staff_threads(scope: EnrollmentScope) -> QuerySet[MessageThread]:
    """The threads of the enrollments a member of staff may see."""
    qs = MessageThread.objects.filter(practice_id=scope.practice_id)
    if scope.clinician_id is not None:
        qs = qs.filter(enrollment__clinician_id=scope.clinician_id)
    return qs


@dataclass(frozen=True)
class MenuMessages:
    enabled: bool  # the practice has messaging on (else: no menu link)
    unread: int


def menu_messages(request: HttpRequest) -> MenuMessages | None:
    """The menu's Messages link and its unread count, for a patient or a member of
    staff of a practice: one query (the practice's switch and the count together).
    None for anyone else (no query)."""
    if not request.user.is_authenticated:
        return None
    membership = membership_for(request)
    if membership is None:
        return None
    user = request.user
    if membership.role == Role.PATIENT:
        unread = unread_messages(user, from_patient=False).filter(
            thread__enrollment__patient_id=user.pk,
            thread__practice_id=membership.practice_id,
        )
    elif membership.role in (Role.CLINICIAN, Role.ADMIN):
        scope = EnrollmentScope(
            membership.practice_id,
            user.pk if membership.role == Role.CLINICIAN else None,
        )
        unread = unread_messages(user, from_patient=True).filter(
            thread__in=staff_threads(scope).values("pk")
        )
    else:
        return None
    count = unread.order_by().values("from_patient").annotate(n=Count("pk")).values("n")[:1]
    row = (
        PracticeSettings.objects.filter(practice_id=membership.practice_id)
        .annotate(unread=Coalesce(Subquery(count, output_field=IntegerField()), 0))
        .values_list("messaging_enabled", "unread")
        .first()
    )
    if row is None:  # no settings yet: the defaults (messaging on), nothing unread
        return MenuMessages(enabled=True, unread=0)
    return MenuMessages(enabled=row[0], unread=row[1])


def inbox_threads(scope: EnrollmentScope, user: User) -> list[MessageThread]:
    """The staff inbox: the threads this person may see, those with messages from the
    patient they have not read first, then the newest. Each with `unread` (their own
    count) and the patient and clinician loaded. One query."""
    unread = (
        Message.objects.filter(
            thread_id=OuterRef("pk"),
            from_patient=True,
            sent_at__gt=_read_mark(user.pk, "thread_id"),
        )
        .order_by()
        .values("thread_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return list(
        staff_threads(scope)
        .filter(last_message_at__isnull=False)
        .select_related("enrollment__patient", "enrollment__clinician")
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .annotate(has_unread=Exists(unread.filter(n__gt=0)))
        .order_by(F("has_unread").desc(), F("last_message_at").desc(), "pk")[:INBOX_LIMIT]
    )


def thread_messages(thread: MessageThread | None) -> list[Message]:
    """A thread's messages, oldest first (the newest THREAD_LIMIT), with their authors.
    One query; none when there is no thread yet."""
    if thread is None:
        return []
    newest = list(
        Message.objects.filter(thread=thread)
        .select_related("author")
        .order_by("-sent_at", "-pk")[:THREAD_LIMIT]
    )
    newest.reverse()
    return newest


def unread_in_thread(thread: MessageThread | None, user: User, *, from_patient: bool) -> int:
    """How many messages from the other side `user` had not read in this thread."""
    if thread is None:
        return 0
    return unread_messages(user, from_patient=from_patient).filter(thread=thread).count()


def first_unread_id(
    messages: list[Message], read_at: datetime | None, *, from_patient: bool
) -> int | None:
    """The first message from the other side after the read mark (for "New" marker)."""
    for message in messages:
        if message.from_patient == from_patient and (read_at is None or message.sent_at > read_at):
            return message.pk
    return None
