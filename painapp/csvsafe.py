"""CSV downloads that a spreadsheet cannot turn into formulas.

Excel, LibreOffice and Google Sheets run a cell that starts with `=`, `+`, `-` or `@`
(and some also a leading tab or carriage return) as a formula — "CSV injection". Any
text a patient or staff member typed (a cause of pain, an exposure's name, an imported
name) could do that on a colleague's computer. `safe_cell` puts a single quote in front
of such text, which spreadsheets show as plain text; numbers are left alone, so a
negative score stays a number.

Use `csv_response` for every CSV download, e.g.
    return csv_response("patient-12-measurements.csv", ["when", "value"], rows)
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_cell(value: Any) -> str:
    """The text to write for one cell: empty for None, numbers as they are, and any
    other text that a spreadsheet would read as a formula prefixed with `'`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    text = str(value)
    # Leading spaces do not protect a formula in every spreadsheet, so look past them.
    if text.lstrip(" ").startswith(FORMULA_STARTS):
        return "'" + text
    return text


def csv_response(
    filename: str, header: Sequence[Any], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    """A CSV download with every cell made safe. Not cached anywhere on the way: these
    files hold patient data."""
    name = _FILENAME_UNSAFE.sub("-", filename).strip("-") or "export.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    writer.writerow([safe_cell(cell) for cell in header])
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return response
