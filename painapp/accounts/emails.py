"""Emails come as three templates: subject.txt, body.txt and body.html."""

from __future__ import annotations

import smtplib
from datetime import tzinfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import timezone, translation


def build_email(
    template_dir: str,
    *,
    to: str,
    context: dict,
    headers: dict | None = None,
    language: str | None = None,
    tz: tzinfo | None = None,
) -> EmailMultiAlternatives:
    """The email in the recipient's `language` (User.language) and with its times in
    their zone `tz` (User.tzinfo; without one, TIME_ZONE), whichever language and zone
    the request or worker that sends it happens to be in: the `date` filter shows a
    datetime in the current zone."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(language or settings.LANGUAGE_CODE), timezone.override(tz):
        subject = render_to_string(f"{template_dir}/subject.txt", context).strip()
        text = render_to_string(f"{template_dir}/body.txt", context)
        html = render_to_string(f"{template_dir}/body.html", context)
    subject = " ".join(subject.split())  # a header cannot hold newlines
    message = EmailMultiAlternatives(
        subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {}
    )
    message.attach_alternative(html, "text/html")
    return message


class EmailNotSent(OSError):
    """Sending failed. Says what kind of failure (and the SMTP code), never the
    server's own words or the recipients: an SMTP error names the addresses it refused
    (`SMTPRecipientsRefused({'pat@example.org': (550, b'...<pat@example.org>...')})`),
    and the exception ends up in logs (ours, and Celery's for a failed task)."""


def _failure(error: Exception) -> str:
    code = getattr(error, "smtp_code", None)
    return type(error).__name__ + (f" {code}" if isinstance(code, int) else "")


def send_email(
    template_dir: str,
    *,
    to: str,
    context: dict,
    headers: dict | None = None,
    language: str | None = None,
    tz: tzinfo | None = None,
) -> None:
    """Build and send one email (in `language`, times in `tz`). Raises EmailNotSent (an
    OSError) if it could not be sent; the original exception is dropped, not chained,
    so no log shows it."""
    message = build_email(
        template_dir, to=to, context=context, headers=headers, language=language, tz=tz
    )
    try:
        message.send()
    except (smtplib.SMTPException, OSError) as error:
        raise EmailNotSent(_failure(error)) from None
