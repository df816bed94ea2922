"""The one messaging form, for patients and staff alike."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from painapp.submit_once import SubmitOnceForm
from painapp.widgets import LongTextarea
from programs.safety import PatientTextForm
from tracking.messaging.models import MESSAGE_MAX_LENGTH


class MessageForm(PatientTextForm, SubmitOnceForm):
    body = forms.CharField(
        label=_("Your message"),
        max_length=MESSAGE_MAX_LENGTH,
        strip=True,
        widget=LongTextarea(attrs={"rows": 4}),
        error_messages={
            "required": _("Write your message before sending it."),
            "max_length": _(
                "Please keep a message under %(limit_value)d characters "
                "(this one has %(show_value)d). You can send it in two parts."
            ),
        },
    )
