"""Emails come as three templates: subject.txt, body.txt and body.html."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def build_email(
    template_dir: str, *, to: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {"site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template_dir}/subject.txt", context).strip()
    subject = " ".join(subject.split())  # a header cannot hold newlines
    text = render_to_string(f"{template_dir}/body.txt", context)
    html = render_to_string(f"{template_dir}/body.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to],
                                     headers=headers or {})
    message.attach_alternative(html, "text/html")
    return message


def send_email(template_dir: str, *, to: str, context: dict, headers: dict | None = None) -> None:
    build_email(template_dir, to=to, context=context, headers=headers).send()
