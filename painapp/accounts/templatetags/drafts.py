"""`{% draft_owner user %}`: whose drafts a page's text boxes may bring back
(static/js/drafts.js). An opaque value, not the account id: on a shared device, a draft
left in a tab is never put into the form of someone else who signs in there."""

from __future__ import annotations

from django import template
from django.utils.crypto import salted_hmac

register = template.Library()


@register.simple_tag
def draft_owner(user) -> str:
    return salted_hmac("painapp.drafts.owner", str(user.pk)).hexdigest()[:20]
