"""Where reminders go: email, the in-app list, SMS. One interface, swappable providers.

A transport raises TransientError for failures worth retrying (a busy or unreachable
server) and PermanentError for ones that are not (a rejected address).
"""

from __future__ import annotations

import contextlib
import smtplib
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils.module_loading import import_string

from painapp.accounts.emails import build_email


class TransientError(Exception):
    pass


class PermanentError(Exception):
    pass


@dataclass
class Message:
    """What to say, in every shape a channel may need. No health data in any of it."""

    to_user_id: int
    email: str
    phone: str
    subject: str
    template_dir: str  # emails/<name>: subject.txt, body.txt, body.html
    context: dict
    sms_text: str
    in_app_title: str
    in_app_url: str
    headers: dict = field(default_factory=dict)


class Transport(Protocol):
    """A channel. `transactional` transports write only to our own database, so the
    caller may run `send` in the same transaction as recording the outcome. `close`
    ends whatever connection the transport kept between sends."""

    transactional: bool

    def send(self, message: Message, delivery=None) -> None: ...

    def close(self) -> None: ...


class TransactionalTransport(Transport, Protocol):
    """A transport that writes only our own rows, so many messages can be sent and
    recorded as one transaction."""

    def send_many(self, items: list[tuple[Message, Any]]) -> None: ...


class EmailTransport:
    """Sends through Django's email backend, on one connection for every message this
    transport sends (a worker's chunk of deliveries: one SMTP session, not one per
    message). The connection is opened with the first message and closed by `close`,
    or at once after a failure that may have left it unusable."""

    transactional = False

    def __init__(self) -> None:
        self._connection: BaseEmailBackend | None = None

    def send(self, message: Message, delivery=None) -> None:
        email = build_email(
            message.template_dir, to=message.email, context=message.context, headers=message.headers
        )
        try:
            self._open().send_messages([email])
        except smtplib.SMTPResponseException as error:
            self.close()
            if 400 <= error.smtp_code < 500:
                raise TransientError(f"SMTP {error.smtp_code}") from error
            raise PermanentError(f"SMTP {error.smtp_code}") from error
        except smtplib.SMTPRecipientsRefused as error:
            # Refused at RCPT TO. smtplib raises this one exception for every reply
            # code, so read the code: 4xx (421 closing, 450/451/452 busy, greylisted,
            # out of space) means "try again later"; 5xx means "never".
            self.close()
            codes = sorted({code for code, _ in error.recipients.values()})
            reason = f"recipient refused (SMTP {', '.join(map(str, codes))})"
            if codes and all(400 <= code < 500 for code in codes):
                raise TransientError(reason) from error
            raise PermanentError(reason) from error
        except (
            TimeoutError,
            smtplib.SMTPServerDisconnected,
            smtplib.SMTPConnectError,
            ConnectionError,
            OSError,
        ) as error:
            self.close()
            raise TransientError(type(error).__name__) from error

    def _open(self):
        if self._connection is None:
            connection = mail.get_connection()
            # Any object with send_messages() will do (test doubles); Django's backends
            # also have open(), which keeps the connection across send_messages calls.
            if hasattr(connection, "open"):
                connection.open()
            self._connection = connection
        return self._connection

    def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and hasattr(connection, "close"):
            with contextlib.suppress(smtplib.SMTPException, OSError):  # already broken
                connection.close()


class InAppTransport:
    transactional = True  # only writes Notification rows

    def send(self, message: Message, delivery=None) -> None:
        self.send_many([(message, delivery)])

    def send_many(self, items: list[tuple[Message, Any]]) -> None:
        """One INSERT for them all; the unique delivery makes a repeat a no-op."""
        from tracking.models import Notification

        Notification.objects.bulk_create(
            [
                Notification(
                    delivery=delivery,
                    user_id=message.to_user_id,
                    title=message.in_app_title,
                    url=message.in_app_url,
                )
                for message, delivery in items
            ],
            ignore_conflicts=True,
        )

    def close(self) -> None:
        pass


class SmsProvider:
    """Adapter for an SMS service. Subclass and name it in settings.SMS_PROVIDER."""

    def send_sms(self, to: str, text: str) -> None:
        raise NotImplementedError


class LogSmsProvider(SmsProvider):
    """Development provider: keeps messages in memory (no real SMS is sent)."""

    sent: list[tuple[str, str]] = []

    def send_sms(self, to: str, text: str) -> None:
        self.sent.append((to, text))


class SmsTransport:
    transactional = False

    def __init__(self, provider: SmsProvider | None = None):
        self.provider = (
            provider
            or import_string(
                getattr(settings, "SMS_PROVIDER", "tracking.reminders.transports.LogSmsProvider")
            )()
        )

    def send(self, message: Message, delivery=None) -> None:
        if not message.phone:
            raise PermanentError("no phone number")
        if len(message.sms_text) > 320:
            raise PermanentError("SMS text too long")
        self.provider.send_sms(message.phone, message.sms_text)

    def close(self) -> None:
        pass


def transport_for(channel: str) -> Transport:
    transports: dict[str, type[Transport]] = {
        "email": EmailTransport, "in_app": InAppTransport, "sms": SmsTransport}
    return transports[channel]()
