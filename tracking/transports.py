"""Where reminders go: email, the in-app list, SMS. One interface, swappable providers.

A transport raises TransientError for failures worth retrying (a busy or unreachable
server) and PermanentError for ones that are not (a rejected address).
"""

from __future__ import annotations

import smtplib
from dataclasses import dataclass, field

from django.conf import settings
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


class EmailTransport:
    def send(self, message: Message, delivery=None) -> None:
        email = build_email(message.template_dir, to=message.email, context=message.context,
                            headers=message.headers)
        try:
            email.send()
        except smtplib.SMTPResponseException as error:
            if 400 <= error.smtp_code < 500:
                raise TransientError(f"SMTP {error.smtp_code}") from error
            raise PermanentError(f"SMTP {error.smtp_code}") from error
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentError("recipient refused") from error
        except (TimeoutError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                ConnectionError, OSError) as error:
            raise TransientError(type(error).__name__) from error


class InAppTransport:
    def send(self, message: Message, delivery=None) -> None:
        from tracking.models import Notification

        Notification.objects.get_or_create(
            delivery=delivery,
            defaults={"user_id": message.to_user_id, "title": message.in_app_title,
                      "url": message.in_app_url},
        )


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
    def __init__(self, provider: SmsProvider | None = None):
        self.provider = provider or import_string(
            getattr(settings, "SMS_PROVIDER", "tracking.transports.LogSmsProvider"))()

    def send(self, message: Message, delivery=None) -> None:
        if not message.phone:
            raise PermanentError("no phone number")
        if len(message.sms_text) > 320:
            raise PermanentError("SMS text too long")
        self.provider.send_sms(message.phone, message.sms_text)


def transport_for(channel: str):
    return {"email": EmailTransport, "in_app": InAppTransport, "sms": SmsTransport}[channel]()
