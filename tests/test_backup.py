"""A backup restores: the demo practice is dumped with the real pg_dump, restored with
the real pg_restore into a second database, and the app, started on the restored
database, finds every row and shows a patient's overview.

The commands are the ones docs/operations.md gives, read from it and run as written,
so the guide and this test cannot drift apart.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
from django.apps import apps
from django.core.management import call_command

from programs.models import Enrollment

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "docs" / "operations.md"

# Run in a child process on the restored database: every model's row count, and one
# patient's overview as their clinician opens it (which also writes the read's audit
# events: the restored sequences hand out new ids).
READ_BACK = """
import json, sys, django
django.setup()
from django.apps import apps
from django.test import Client
from django.urls import reverse
from painapp.accounts.models import AuditEvent
from programs.models import Enrollment

counts = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
enrollment = Enrollment.objects.select_related("patient", "clinician").get(pk=int(sys.argv[1]))
client = Client()
client.force_login(enrollment.clinician)
before = AuditEvent.objects.count()
page = client.get(reverse("patient_detail", args=[enrollment.pk]))
print(json.dumps({"counts": counts, "status": page.status_code,
                  "page": page.content.decode(),
                  "audited": AuditEvent.objects.count() - before}))
"""


def guide_commands() -> str:
    text = GUIDE.read_text()
    block = re.search(r"<!-- backup-commands.*?-->\s*```sh\n(.*?)```", text, re.DOTALL)
    assert block, "docs/operations.md lost its backup commands block"
    return block[1]


@pytest.fixture
def server_url(settings) -> str:
    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"


@pytest.fixture
def restore_db(server_url, settings):
    name = f"{settings.DATABASES['default']['NAME']}_restored"
    drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(drop)
    yield name
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as admin:
        admin.execute(drop)


def test_a_backup_restores_into_a_database_the_app_reads(
    transactional_db, settings, server_url, restore_db, tmp_path
):
    assert shutil.which("pg_dump") and shutil.which("pg_restore")
    call_command("seed_demo", stdout=io.StringIO())
    expected = {m._meta.label: m._base_manager.count() for m in apps.get_models()}
    assert expected["programs.Enrollment"] >= 30 and expected["tracking.CheckIn"] > 100
    patient = Enrollment.objects.select_related("patient").get(
        patient__email="patient@demo.painapp.test"
    )

    source = f"{server_url}/{settings.DATABASES['default']['NAME']}"
    commands = guide_commands()
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", commands],
        env={
            "PATH": os.environ["PATH"],
            "DATABASE_URL": source,
            "BACKUP_FILE": str(tmp_path / "painapp.dump"),
            "RESTORE_DB": restore_db,
            "RESTORE_URL": f"{server_url}/{restore_db}",
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "painapp.dump").stat().st_size > 10_000

    from tests.conftest import subprocess_env

    restored = subprocess.run(
        [sys.executable, "-c", READ_BACK, str(patient.pk)],
        cwd=ROOT,
        env=subprocess_env(DATABASE_URL=f"{server_url}/{restore_db}"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restored.returncode == 0, restored.stderr
    found = json.loads(restored.stdout)
    assert found["counts"] == expected
    assert found["status"] == 200
    assert patient.patient.full_name in found["page"]
    assert found["audited"] >= 1
