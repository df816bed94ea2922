"""Server-prepared statements for the few hot reads written out as SQL.

Postgres plans a statement every time it receives it as text, and for the statements
every patient and caseload page sends (a five-table look-up of the enrollment, the
overview's one statement of a dozen subqueries, the caseload's windowed page) planning
cost more than running them: bench, on Postgres 15, the enrollment look-up took 0.28 ms
as text and 0.09 ms prepared, the overview 0.83 ms and 0.50 ms. A prepared statement is
planned once per connection (the pool keeps connections, so once per process and
connection) and then run from its generic plan; these statements have the same best
plan for every patient, so nothing is lost.

Only the statements that ask for it are prepared: Django's own queries keep its
default client-side binding (the psycopg backend's `Cursor`), which never prepares.
Values are sent as parameters rather than written into the text, so each must have a
type Postgres can infer: a value that may be None, where nothing else fixes its type
(an INSERT … SELECT list, say), carries a cast in the SQL.

`prepared_cursor()` returns the same wrapped cursor `connection.cursor()` does (queries
counted, logged and passed through execute wrappers as any other); on other databases
it is simply `connection.cursor()`.
"""

from __future__ import annotations

from django.db import connection
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper


def prepared_cursor() -> CursorWrapper:
    """A cursor whose statements Postgres prepares (planned once per connection)."""
    if connection.vendor != "postgresql":
        return connection.cursor()
    # What connection.cursor() does (BaseDatabaseWrapper._cursor), with our cursor class.
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = _cursor_class()(connection.connection)
        _use_connection_timezone(cursor)
        connection.validate_thread_sharing()
        if connection.queries_logged:
            return _DebugCursor(cursor, connection)
        return connection.make_cursor(cursor)


class _DebugCursor(CursorDebugWrapper):
    """Logs a statement (DEBUG, CaptureQueriesContext) as written, with its placeholders:
    Django reads the SQL it logs back from psycopg, which keeps no text for a prepared
    statement (and the values would be patient data anyway)."""

    def execute(self, sql, params=None):
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


_CLASS = None


def _cursor_class():
    """Django's server-side-binding cursor, made to prepare every statement."""
    global _CLASS
    if _CLASS is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                return super().execute(query, params, prepare=True, binary=binary)

        _CLASS = PreparingCursor
    return _CLASS


def _use_connection_timezone(cursor) -> None:
    """As Django's create_cursor: timestamps load in the connection's time zone."""
    from django.db.backends.postgresql.base import TIMESTAMPTZ_OID
    from django.db.backends.postgresql.psycopg_any import register_tzloader
    from psycopg.pq import Format

    tzloader = connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    if connection.timezone != tzloader.timezone:
        register_tzloader(connection.timezone, cursor)
