"""The database itself refuses to change or delete audit events (Postgres only)."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION painapp_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS audit_append_only ON accounts_auditevent;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON accounts_auditevent
    FOR EACH ROW EXECUTE FUNCTION painapp_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON accounts_auditevent;
DROP FUNCTION IF EXISTS painapp_audit_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_audit_no_constraints")]
    operations = [migrations.RunPython(forwards, backwards)]
