"""A form as its page sends it: with the version of the row it edits
(painapp.edit_version), which a post without it is refused for."""

from __future__ import annotations

import re
from typing import Any

VERSION = re.compile(r'<input type="hidden" name="edited_from"(?: value="([^"]*)")?')
FORM = re.compile(r"<form\b.*?</form>", re.S)


def versions_in(page: str, section: str | None = None) -> list[str]:
    """The versions the page's forms send; on a page of several forms told apart by a
    `section` (the practice safety settings), only the one posting `section`."""
    found = VERSION.findall(page)
    if len(found) > 1 and section is not None:
        mark = f'name="section" value="{section}"'
        found = [v for form in FORM.findall(page) if mark in form for v in VERSION.findall(form)]
    return found


def with_version(client: Any, url: str, data: dict, page_url: str | None = None) -> dict:
    """`data` with the version the form on `page_url` (default `url`) carries now, if
    that page has one."""
    if "edited_from" in data:
        return data
    response = client.get(page_url or url)
    page = response.content.decode() if response.status_code == 200 else ""
    found = versions_in(page, data.get("section"))
    if len(found) != 1:
        return data
    return {**data, "edited_from": found[0]}
