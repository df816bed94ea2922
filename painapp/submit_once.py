"""Saving a new thing once, however often its form is sent.

A form for something new (a diary entry, a fear-ladder step, a planned exposure, a
message) carries a one-time token in a hidden field, made when the empty form is
served. A double tap, or a retry after a lost response, sends the same token; a
unique constraint on (enrollment, token) lets the first save create the row and every
later one find it (`create_once`). The
somatic-tracking player's `client_token` (PracticeSession) was the first of these.

Back is different: pages to a logged-in person are no-store, so Back fetches the form
again, with a new token, and the browser then puts back what was typed (not the
hidden token). So each of these forms is `autocomplete="off"` (in its template): the
browser leaves the fetched form empty, and Save again has nothing to save twice
(tests/browser/test_back_and_save_again_browser.py).

A fresh form gets a fresh token. A form sent back with a mistake keeps the token it
was sent with (nothing was saved), so fixing it and sending again saves once.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from django import forms
from django.db import models

M = TypeVar("M", bound=models.Model)

# What a token is unique with, by model: the enrollment, a message thread, or an alert
# (a contact attempt).
OWNERS = ("enrollment", "thread", "alert")


def parse_token(raw: object) -> uuid.UUID:
    """The posted token, or a fresh one if it is missing or not ours (then only a
    resend of that one post loses its protection: the save still works)."""
    try:
        return uuid.UUID(str(raw or ""))
    except ValueError:
        return uuid.uuid4()


class SubmitOnceForm(forms.Form):
    """A form whose hidden `client_token` names one attempt to create one thing."""

    client_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_token"].initial = str(uuid.uuid4())

    def clean_client_token(self) -> uuid.UUID:
        return parse_token(self.cleaned_data.get("client_token"))


def made_by(model: type[M], client_token: uuid.UUID | None, **owner: Any) -> M | None:
    """The row this token already made for `owner` (enrollment, thread or alert), if any: a
    view says "already saved" and shows it, rather than saying "saved" again."""
    if client_token is None:
        return None
    return model._default_manager.filter(client_token=client_token, **owner).first()


def create_once(model: type[M], *, client_token: uuid.UUID | None, **fields: Any) -> tuple[M, bool]:
    """Create `model(**fields)`, or find the row this token already made: (row,
    created). `fields` must hold the owner the token is unique with (the enrollment or
    thread), so a token only ever finds its owner's row. Without a token, just create.
    Call it inside the caller's transaction: get_or_create's savepoint catches the
    loser of two racing sends."""
    if client_token is None:
        return model._default_manager.create(**fields), True
    owner = {k: v for k, v in fields.items() if k in OWNERS}
    rest = {k: v for k, v in fields.items() if k not in owner}
    return model._default_manager.get_or_create(client_token=client_token, **owner, defaults=rest)
