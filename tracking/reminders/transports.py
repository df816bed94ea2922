"""Where reminders go: email, the in-app list, SMS (Twilio, or none). One interface.

A transport raises TransientError for failures worth retrying (a busy or unreachable
server) and PermanentError for ones that are not (a rejected address).
"""

from __future__ import annotations

import base64
import contextlib
import json
import smtplib
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import quote, urlencode, urlsplit

import phonenumbers
from django.conf import settings
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend

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
    language: str = "en"  # the recipient's (User.language): the email is rendered in it
    practice_id: int | None = None  # the enrollment's: its in-app notification's practice


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
            message.template_dir,
            to=message.email,
            context=message.context,
            headers=message.headers,
            language=message.language,
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
                    audience=Notification.Audience.PATIENT,
                    practice_id=message.practice_id,
                    title=message.in_app_title,
                    url=message.in_app_url,
                )
                for message, delivery in items
            ],
            ignore_conflicts=True,
        )

    def close(self) -> None:
        pass


class SmsProvider(Protocol):
    """An SMS service. `send_sms` raises TransientError or PermanentError as above."""

    def send_sms(self, to: str, text: str) -> None: ...


class TwilioSmsProvider:
    """Twilio's Messages API over plain HTTPS (no SDK: one form-encoded POST).

    Twilio answers 201 once it has accepted the message. 429 (too many requests) and
    5xx are worth retrying, as is a timeout or a refused connection; any other 4xx
    (an unknown or unreachable number, a bad sender, bad credentials) will not get
    better by itself. The error recorded on the delivery keeps Twilio's status and
    error code only: its message text quotes the phone number.
    """

    def __init__(
        self, *, account_sid: str, auth_token: str, from_number: str, api_url: str, timeout: float
    ) -> None:
        base = urlsplit(api_url)
        # urllib would open file:// too. Plain http only to this machine (the tests'
        # fake Twilio): credentials and phone numbers never cross a network unencrypted.
        if not (base.scheme == "https" or (base.scheme == "http" and base.hostname in _LOCAL)):
            raise ImproperlyConfigured("TWILIO_API_URL must be an https:// URL.")
        self.url = (
            f"{api_url.rstrip('/')}/2010-04-01/Accounts/{quote(account_sid, safe='')}/Messages.json"
        )
        credentials = base64.b64encode(f"{account_sid}:{auth_token}".encode()).decode()
        self.headers = {
            "Authorization": f"Basic {credentials}",
            "Accept": "application/json",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.from_number, self.timeout = from_number, timeout

    @classmethod
    def from_settings(cls) -> TwilioSmsProvider:
        return cls(
            account_sid=settings.SMS_TWILIO_ACCOUNT_SID,
            auth_token=settings.SMS_TWILIO_AUTH_TOKEN,
            from_number=settings.SMS_TWILIO_FROM_NUMBER,
            api_url=settings.SMS_TWILIO_API_URL,
            timeout=settings.SMS_TIMEOUT_SECONDS,
        )

    def send_sms(self, to: str, text: str) -> None:
        body = urlencode({"To": to, "From": self.from_number, "Body": text}).encode()
        request = urllib.request.Request(  # noqa: S310 (scheme checked above)
            self.url, data=body, headers=self.headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                response.read()
        except urllib.error.HTTPError as error:
            reason = f"Twilio HTTP {error.code}{_twilio_code(error)}"
            if error.code == 429 or error.code >= 500:
                raise TransientError(reason) from error
            raise PermanentError(reason) from error
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            raise TransientError(f"Twilio unreachable ({type(error).__name__})") from error


_LOCAL = {"127.0.0.1", "localhost", "::1"}


def _twilio_code(error: urllib.error.HTTPError) -> str:
    """Twilio's own error code from its JSON answer (e.g. 21211, an invalid 'To')."""
    try:
        code = json.loads(error.read() or b"{}").get("code")
    except (ValueError, AttributeError, OSError):
        return ""
    return f", error {int(code)}" if isinstance(code, int) else ""


SMS_PROVIDERS = {"twilio": TwilioSmsProvider}


def sms_available() -> bool:
    """Whether this server can send text messages. With no provider configured the
    option is not offered to patients at all, rather than offered and never sent."""
    return bool(settings.SMS_PROVIDER)


def e164(phone: str) -> str | None:
    """The number in E.164 form (+447911123456), or None if it cannot be a mobile
    number: unparseable, not a valid number, or a landline."""
    try:
        number = phonenumbers.parse(phone, None)  # no default region: "+" and country code
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number) or (
        phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE
    ):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsTransport:
    transactional = False

    def __init__(self, provider: SmsProvider | None = None):
        if provider is None and sms_available():
            provider = SMS_PROVIDERS[settings.SMS_PROVIDER].from_settings()
        self.provider = provider

    def send(self, message: Message, delivery=None) -> None:
        # Never "sent" without a real provider: recorded as failed, shown to the admin.
        if self.provider is None:
            raise PermanentError("text messages are not set up on this server")
        to = e164(message.phone) if message.phone else None
        if to is None:
            raise PermanentError("no valid mobile number")
        if len(message.sms_text) > 320:
            raise PermanentError("SMS text too long")
        self.provider.send_sms(to, message.sms_text)

    def close(self) -> None:
        pass


def transport_for(channel: str) -> Transport:
    transports: dict[str, type[Transport]] = {
        "email": EmailTransport,
        "in_app": InAppTransport,
        "sms": SmsTransport,
    }
    return transports[channel]()
