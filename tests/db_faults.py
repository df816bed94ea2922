"""A real database failure in the middle of a service, for all-or-nothing tests.

`writes_refused(Model)` has Postgres refuse every insert, update and delete on the
model's table (a trigger that raises), as a full disk or a broken constraint would
mid-transaction. Nothing of ours is mocked: the service meets a genuine database error
on its Nth write, and the test checks that its earlier writes were rolled back too.

The trigger is created inside the test's transaction and dropped on leaving the block
(DDL is transactional in Postgres, so a failing test leaves nothing behind either).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection, models

REFUSED = "refused by the test"


@contextmanager
def writes_refused(model: type[models.Model]) -> Iterator[None]:
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"""
            CREATE FUNCTION test_refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'writes to % {REFUSED}', TG_TABLE_NAME; END $$;
            CREATE TRIGGER test_refuse_write BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION test_refuse_write();
        """)
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                f"DROP TRIGGER test_refuse_write ON {table};DROP FUNCTION test_refuse_write();"
            )
