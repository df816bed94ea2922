"""`{% message_emails_form %}`: the person's own "email me when I get a new message"
switch, as a small form of its own (accounts/message_emails_form.html) that posts to
the account_message_emails view and comes back to this page. For the pages that show
it beside other settings: the patient's Reminders page and the account page (allauth's
view, whose context we do not build). No query: the choice is on request.user."""

from __future__ import annotations

from django import template

from painapp.accounts.forms import MessageEmailsForm

register = template.Library()


@register.inclusion_tag("accounts/message_emails_form.html", takes_context=True)
def message_emails_form(context) -> dict:
    request = context["request"]
    return {
        "form": MessageEmailsForm(initial={"message_emails": request.user.message_emails}),
        "next": request.path,
        "csrf_token": context.get("csrf_token"),
    }
