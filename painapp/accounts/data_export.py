"""A patient's data download: everything held about them (`person_tables`, in
data_rights), as a zip of my-data.json (every table, with its codes, for another
program) and, for reading, one spreadsheet file per table, columns.csv and README.txt in
the patient's language. What is in it, and why, is written up for people in
docs/data-retention.md; deleting the account is data_rights'."""

from __future__ import annotations

import csv
import io
import json
import zipfile
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import HttpRequest
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from painapp.accounts.audit import audit
from painapp.accounts.data_columns import column_header
from painapp.accounts.data_rights import Readable, RowWords, Table, person_tables, personal_data
from painapp.accounts.models import Practice, User
from painapp.csvsafe import safe_cell

FORMAT_VERSION = 1


@dataclass
class Export:
    filename: str
    content: bytes
    tables: dict[str, int]  # label -> rows exported


def _value(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _table_rows(table: Table, user: User) -> tuple[list[str], list[dict]]:
    queryset = table.export_rows(user) if table.export_rows else table.rows_for(user)
    # Forward foreign keys only: the joins never repeat a row, so no DISTINCT.
    queryset = queryset.select_related(*table.select_related).order_by("pk")
    columns = list(table.columns)
    rows = []
    for obj in queryset:
        row = {c: _value(getattr(obj, c)) for c in table.columns}
        if table.extras:
            row.update(table.extras(obj, user))
        rows.append(row)
    if rows:
        columns += [k for k in rows[0] if k not in table.columns]
    return columns, rows


def _choices(model: type[models.Model] | None) -> dict[str, dict]:
    """{column: {code: words}} for the model's fields that have choices."""
    if model is None:
        return {}
    return {f.attname: dict(f.flatchoices) for f in model._meta.concrete_fields if f.choices}


def _yes_no(value: bool) -> str:
    return (
        pgettext("data download value", "Yes") if value else pgettext("data download value", "No")
    )


def in_words(values: Iterable, choices: Iterable[tuple[Any, Any]]) -> str:
    """A list of an enum's values in words, in the active language ("" for none; a value
    the enum no longer knows as stored). For an app's `Readable`."""
    words = dict(choices)
    return ", ".join(str(words.get(v, v)) for v in values)


def _in_words(row: dict, choices: dict[str, dict], readable: list[RowWords]) -> dict:
    """One exported row as the spreadsheet shows it, in the active language: yes/no as
    Yes or No, a value with choices as its words, and the apps' words (`Readable`).
    Ids, numbers, dates and typed text stay as they are; my-data.json keeps the codes."""
    out = {}
    for key, value in row.items():
        if isinstance(value, bool):
            out[key] = _yes_no(value)
        elif key in choices and isinstance(value, str | int) and value in choices[key]:
            out[key] = str(choices[key][value])
        else:
            out[key] = value
    for words in readable:
        out.update(words(row))
    return out


def _csv_bytes(columns: list[str], rows: Iterable[dict]) -> bytes:
    """One table as CSV: headers in the active language (see data_columns)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_cell(column_header(c)) for c in columns])
    for row in rows:
        writer.writerow([safe_cell(_csv_value(row.get(c))) for c in columns])
    return out.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8


def _csv_value(value):
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder)
    return value


def _codes_in_words(choices: dict | None) -> str:
    """columns.csv's "values": what each code in my-data.json means ("open = Open; …")."""
    return "; ".join(f"{code} = {words}" for code, words in (choices or {}).items())


def _readme(when: str, withheld: list[dict]) -> str:
    """README.txt, in the active language (the patient's)."""
    title = _("Your data from painapp")
    notes = "".join(
        "\n"
        + ngettext(
            "Not included (%(count)s record): %(why)s",
            "Not included (%(count)s records): %(why)s",
            w["rows"],
        )
        % {"count": w["rows"], "why": w["why"]}
        + "\n"
        for w in withheld
        if w["rows"]
    )
    parts = [
        f"{title}\n{'=' * len(title)}\n",
        _("This download holds everything painapp keeps about you, made on %(when)s (UTC).")
        % {"when": when},
        "",
        "my-data.json   " + _("Everything in one file, table by table."),
        "csv/           " + _("The same, one spreadsheet file per table."),
        "",
        _(
            "The spreadsheet files are for reading: the column names and the answers are in "
            "your language (for example Yes or No). my-data.json uses fixed English names "
            "and short codes for the same columns and answers (for example true, open or "
            "self_harm), so that another program can read it."
        ),
        "",
        _(
            "columns.csv lists every column of every spreadsheet file: its name in your "
            "language, its fixed name in my-data.json and, for a column that holds codes, "
            "what each code means."
        ),
        "",
        _(
            "Dates are written year-month-day (like 2026-03-31) and times are in UTC. Ids "
            "(like enrollment_id) are numbers that link rows in one table to rows in "
            "another: they are the same in every file."
        ),
        notes,
        _("If something looks wrong or missing, please contact your practice."),
        "",
    ]
    return "\n".join(parts)


def _local_date(now: datetime, user: User) -> date:
    """Today's date in the person's time zone (UTC's when theirs is not one we know)."""
    try:
        zone = zoneinfo.ZoneInfo(user.timezone or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return timezone.localdate(now, zone)


def data_export_build(*, user: User, request: HttpRequest | None = None) -> Export:
    """Everything held about `user`, as a zip of one JSON file and one CSV per table.

    Writes a `data.exported` audit event (actor and subject: the person). Nothing
    about anyone else is included: every row is reached from this person. README.txt
    and the CSV headers are in the person's language; the JSON keys stay English.
    """
    with translation.override(user.language or settings.LANGUAGE_CODE):
        return _data_export_build(user=user, request=request)


def _data_export_build(*, user: User, request: HttpRequest | None) -> Export:
    now = timezone.now()
    tables: dict[str, list[dict]] = {}
    columns: dict[str, list[str]] = {}
    withheld = []
    words: dict[str, tuple[dict[str, dict], tuple[Readable, ...]]] = {}
    for table in person_tables():
        if table.withheld:
            withheld.append(
                {
                    "table": table.label,
                    "name": str(table.model._meta.verbose_name_plural),
                    "rows": table.rows_for(user).count(),
                    "why": str(table.withheld),
                }
            )
            continue
        columns[table.label], tables[table.label] = _table_rows(table, user)
        words[table.label] = (_choices(table.model), table.readable)
    for provider in personal_data:
        for label, rows in (provider.export(user) if provider.export else {}).items():
            if rows:
                tables[label] = [{k: _value(v) for k, v in row.items()} for row in rows]
                columns[label] = list(rows[0])

    document = {
        "format_version": FORMAT_VERSION,
        "exported_at": now.isoformat(),
        "person": tables["accounts.user"][0],
        "tables": tables,
        "not_included": withheld,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "my-data.json",
            json.dumps(document, indent=2, ensure_ascii=False, cls=DjangoJSONEncoder),
        )
        for label, rows in tables.items():
            choices, readable = words.get(label, ({}, ()))
            # Each app's words for the table, given all its rows at once (one query each
            # at most, however many rows), then row by row.
            row_words = [table_words(rows) for table_words in readable]
            readable_rows = [_in_words(row, choices, row_words) for row in rows]
            archive.writestr(f"csv/{label}.csv", _csv_bytes(columns[label], readable_rows))
        guide = [
            {
                "file": f"csv/{label}.csv",
                "header": column_header(c),
                "key": c,
                "values": _codes_in_words(words.get(label, ({}, ()))[0].get(c)),
            }
            for label in tables
            for c in columns[label]
        ]
        archive.writestr("columns.csv", _csv_bytes(["file", "header", "key", "values"], guide))
        archive.writestr("README.txt", _readme(f"{now:%Y-%m-%d %H:%M}", withheld))
    practice = (
        getattr(request, "practice", None)
        or Practice.objects.filter(memberships__user=user)
        .order_by("memberships__created_at")
        .first()
    )
    audit(
        request,
        "data.exported",
        actor=user,
        subject=user,
        practice=practice,
        object_type="accounts.user",
        object_id=str(user.pk),
    )
    # Named by the day it is where they live (the UTC date is tomorrow in the evening
    # in the Americas, yesterday early in the morning in Europe).
    return Export(
        filename=f"painapp-my-data-{_local_date(now, user):%Y-%m-%d}.zip",
        content=buffer.getvalue(),
        tables={label: len(rows) for label, rows in tables.items()},
    )
