"""People's names as typed: one normaliser for every name field and the bulk import.

A name pasted from a document or a message can carry characters nobody sees: the
right-to-left override (U+202E) turns "José Ñúñez‮Álvarez" round on every page that shows
it, and zero-width spaces make two names that look the same differ. They are format
characters (Unicode category Cf) and control characters (Cc); a name never needs them,
so they are dropped, but for the joiners some scripts need (JOINERS). Letters, accents
and combining marks stay ("José", "Zoë", "O'Neil", "Nguyễn"); the name is stored in
composed form (NFC), with single spaces.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

from painapp.widgets import TOO_LONG

NAME_MAX_LENGTH = 150  # User.full_name, Enrollment.emergency_contact_name


# The zero-width non-joiner and joiner are format characters that names written in
# Persian and several Indic scripts need ("می‌خواهم"): they change how letters join,
# never the text's direction, so they stay.
JOINERS = frozenset("\u200c\u200d")


def _invisible(char: str) -> bool:
    return unicodedata.category(char) in ("Cf", "Cc") and char not in JOINERS


def clean_person_name(text: str) -> str:
    """The name without invisible format and control characters, composed (NFC), with
    runs of spaces (tabs, line breaks) made one space and none at either end."""
    kept = "".join(c if not _invisible(c) or c.isspace() else "" for c in text)
    return " ".join(unicodedata.normalize("NFC", kept).split())


class PersonNameField(forms.CharField):
    """A person's name: cleaned by clean_person_name before it is checked (required,
    length), with the plain message of our other forms when it is too long
    (painapp.widgets.TOO_LONG: how long it may be and how long it is)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", NAME_MAX_LENGTH)
        messages = {"max_length": TOO_LONG, **kwargs.pop("error_messages", {})}
        super().__init__(error_messages=messages, **kwargs)

    def to_python(self, value: Any) -> str | None:
        text = super().to_python(value)
        return clean_person_name(text) if text else text
