"""Searching for a person by name the way people type it: any case, with or without
accents and apostrophes ("O’Brien", "O'Brien" and "Obrien" are one name; "José" is
"jose"), every word in any order ("vance liam" finds Liam Vance).

One table folds both sides: `fold` the typed words in Python, `Folded` the stored
name in SQL (Postgres `translate(lower(...))`), so the two always agree and a search
stays one query.
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Func, Value
from django.db.models.functions import Lower

# Letters with accents → without (lower case: both sides are lower-cased first).
_ACCENTED = "áàâäãåéèêëíìîïóòôöõúùûüýÿñç"
_PLAIN = "aaaaaaeeeeiiiiooooouuuuyync"
# Apostrophes and look-alikes: dropped (no partner in `_PLAIN`, so translate deletes).
_DROPPED = "'’‘`´ʼ"
_TABLE = str.maketrans(_ACCENTED, _PLAIN, _DROPPED)


def fold(text: str) -> str:
    """`text` lower-cased, without accents or apostrophes."""
    return text.lower().translate(_TABLE)


def search_words(query: str) -> list[str]:
    """The typed search as folded words (empty ones dropped)."""
    return [w for w in fold(query).split() if w]


class Folded(Func):
    """`fold` in SQL: the expression lower-cased, accents and apostrophes folded."""

    function = "TRANSLATE"
    output_field = CharField()

    def __init__(self, expression: Any, **extra: Any) -> None:
        super().__init__(
            Lower(expression),
            Value(_ACCENTED + _DROPPED, output_field=CharField()),
            Value(_PLAIN, output_field=CharField()),
            **extra,
        )
