"""Someone else's request landing in the middle of ours, at a chosen moment.

`meanwhile(when, then)` runs `then()` once, on the same database connection, just
before the first query whose SQL `when` picks: what a second admin (or a second tab)
wrote between this request's checks and its own locked read. Nothing of ours is
mocked: the view, form and service run as they are and meet a real row that changed
under them, as they would with two people at two computers. The queries `then` makes
pass straight through.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import connection


@contextmanager
def meanwhile(when: Callable[[str], bool], then: Callable[[], object]) -> Iterator[list[str]]:
    """Yields a list that holds the SQL `then` ran before, once it has run (a test
    asserts it did, so a query that changed shape cannot make the race silently vanish)."""
    fired: list[str] = []

    def wrapper(execute, sql, params, many, context):
        if not fired and when(sql):
            fired.append(sql)
            then()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield fired


def locking(table: str) -> Callable[[str], bool]:
    """The moment a service locks a row of `table` (SELECT ... FOR UPDATE) to check it."""
    return lambda sql: (
        sql.lstrip().startswith("SELECT") and "FOR UPDATE" in sql and (f'FROM "{table}"' in sql)
    )
