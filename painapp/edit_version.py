"""Saving a row the patient edits in place, without losing a change made meanwhile.

A form that edits one existing row (the safety plan: one per enrollment) carries, in a
hidden field, the version of the row it was filled in from: the row's `updated_at`,
or "" when there was no row yet. The service compares it with the row's version now,
with the row locked (`is_current`): equal, the save goes ahead as before; different
(the row was saved from another tab or device after this form was opened), the save is
refused with `EditConflict`, nothing is written, and the page shows the patient what
they typed next to what is saved now, so they can put the two together and save again
(the form sent back carries the new version).

Optimistic concurrency, the plain way: no lock is held while the patient types. A form
posted without the field at all (a page cached from before the field existed, a
hand-made POST) carries MISSING, which no row's version equals: it is refused as a
conflict like a stale one (what is saved now beside what was sent), never saved blind.
Every page that shows such a form renders the field, so a normal save always sends it.

A row that also changes for other reasons (the enrollment: the patient's safety details
sit on it beside what clinicians, pauses and weeks change) is versioned by the saved
values of the fields the form edits instead (`fields`): a digest of them, so a change
to anything else never refuses the patient's save.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime, time
from typing import Any

from django import forms
from django.utils import dateformat
from django.utils.translation import gettext

from painapp.formats.clock import clock_time

VERSION_FIELD = "edited_from"
# The version of a posted form that did not carry one: equal to no row's version (an
# isoformat time, a hex digest or "" for no row), so is_current refuses it.
MISSING = "missing"


class EditConflict(Exception):
    """The row changed since the form was opened; `row` is what is saved now (None:
    it is gone)."""

    def __init__(self, row: object | None) -> None:
        super().__init__("changed since the form was opened")
        self.row = row


def version_of(row: object | None, fields: Sequence[str] | None = None) -> str:
    """The version a form carries: the row's last save to the microsecond, or "" for
    no row yet; with `fields`, a digest of those fields' saved values (a dict's by its
    keys in order: a JSON column reads back in its own order)."""
    if fields is not None:
        if row is None:
            return ""
        saved = json.dumps([getattr(row, name) for name in fields], default=str, sort_keys=True)
        return hashlib.sha256(saved.encode()).hexdigest()[:32]
    updated: datetime | None = getattr(row, "updated_at", None) if row is not None else None
    return updated.isoformat() if updated else ""


def is_current(row: object | None, sent: str | None, fields: Sequence[str] | None = None) -> bool:
    """Whether a form filled in from version `sent` may be saved over `row` as it is
    now. None: the caller does not check (not a form's save); a form posted without a
    version sends MISSING (sent_version), which is never current."""
    return sent is None or sent == version_of(row, fields)


def sent_version(data: Mapping[str, Any]) -> str | None:
    """The version a posted form carries, or MISSING when it has none."""
    value = data.get(VERSION_FIELD)
    return MISSING if value is None else str(value)[:64]


class VersionedForm(forms.Form):
    """A form that edits one row in place: it carries that row's version (of
    `VERSION_OF`, the fields it edits, when the row changes for other reasons too)."""

    VERSION_OF: Sequence[str] | None = None

    edited_from = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, row: object | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields[VERSION_FIELD].initial = version_of(row, self.VERSION_OF)

    def edited_version(self) -> str | None:
        """The version this form was filled in from (MISSING: it did not say; None: the
        form is not bound)."""
        return sent_version(self.data) if self.is_bound else None

    def rebase(self, row: object | None) -> None:
        """After a conflict: what was typed stays, and the form now carries the version
        saved now, so saving it again (once the patient has merged) goes through."""
        data: Any = copy.copy(self.data)  # a QueryDict's copy can be changed
        data[VERSION_FIELD] = version_of(row, self.VERSION_OF)
        self.data = data


def saved_now(form: forms.BaseForm, saved: Mapping[str, Any] | None) -> dict[str, str | None]:
    """After a refused stale save: for each box of `form` the patient sees, what is
    saved now, as the page shows it, where it is not what they typed (None: the same,
    or no conflict; "" for an empty box). `saved`: the row as it is now, as the form's
    initial values (None: no conflict). Templates show it with partials/saved_now.html."""
    shown: dict[str, str | None] = dict.fromkeys(form.fields)
    if saved is None:
        return shown
    for name, field in form.fields.items():
        if field.widget.is_hidden or name not in saved:
            continue
        value, typed = saved[name], form[name].data
        if isinstance(value, str) and isinstance(typed, str):
            if " ".join(value.split()) == " ".join(typed.split()):
                continue
        elif not field.has_changed(value, typed):
            continue
        shown[name] = _as_shown(field, value)
    return shown


def _as_shown(field: forms.Field, value: Any) -> str:
    """A saved value as the patient reads it: a tick box ticked or not, a choice's
    label (several: their labels), a day or a clock time in their format, else the
    text."""
    if isinstance(value, bool):
        return gettext("Ticked") if value else gettext("Not ticked")
    if isinstance(value, (list, tuple)) and not value:
        return gettext("None ticked")
    if value is None or value == "":
        return ""
    choices: Iterable[Any] = (
        getattr(field, "choices", None) or getattr(field.widget, "choices", None) or ()
    )
    if choices:  # a choice field, or a text one shown as choices (a check-in's answers)
        labels: dict[str, Any] = {}
        for key, label in choices:
            if isinstance(label, (list, tuple)):  # a group of choices
                labels.update((str(k), v) for k, v in label)
            else:
                labels[str(key)] = label
        several = value if isinstance(value, (list, tuple)) else [value]
        return ", ".join(str(labels.get(str(one), one)) for one in several)
    if isinstance(value, date) and not isinstance(value, datetime):
        return dateformat.format(value, gettext("j F Y"))
    if isinstance(value, time):
        return clock_time(value)
    return str(value)
