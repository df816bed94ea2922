"""A form as its page sends it: with the version of the row it edits
(painapp.edit_version), which a post without it is refused for."""

from __future__ import annotations

import re
from typing import Any

VERSION = re.compile(r'<input type="hidden" name="edited_from"(?: value="([^"]*)")?')


def with_version(client: Any, url: str, data: dict, page_url: str | None = None) -> dict:
    """`data` with the version the form on `page_url` (default `url`) carries now, if
    that page has one."""
    if "edited_from" in data:
        return data
    response = client.get(page_url or url)
    found = VERSION.findall(response.content.decode()) if response.status_code == 200 else []
    if len(found) != 1:
        return data
    return {**data, "edited_from": found[0]}
