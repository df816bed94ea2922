"""`bin/run` with no DATABASE_URL runs on an embedded PostgreSQL started from the pinned
wheel. Everything else in the suite uses the configured Postgres, so this one drives a
child process (tests/embedded_demo_check.py) with no DATABASE_URL and a fresh var
folder, as on a clean clone, and checks that it leaves no server running."""

from __future__ import annotations

import os
import subprocess
import sys

import psutil

from painapp import embedded_db
from tests.conftest import ROOT


def servers_on(data_dir) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        if str(data_dir) in (proc.info["cmdline"] or []):
            found.append(proc)
    return found


def test_it_serves_every_roles_main_screens_on_embedded_postgres(tmp_path):
    var_dir = tmp_path / "var"
    data_dir = embedded_db.data_dir(var_dir)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "tests.embedded_demo_check", str(var_dir)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            # No DATABASE_URL or REDIS_URL, as on a fresh machine. PATH keeps /usr/sbin:
            # started by root, the wheel creates its system user with useradd.
            env={
                "PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
                "HOME": str(tmp_path),
            },
        )
        left_running = servers_on(data_dir)
    finally:
        embedded_db.stop(var_dir)  # Whatever happened, never leave a server behind.

    lines = result.stdout.splitlines()
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    # The wheel's PostgreSQL 18 (not the machine's), reached on a Unix socket.
    word, host, version = lines[0].split()
    assert word == "database" and host.startswith("/") and version.startswith("18"), lines[0]
    assert lines[1:] == [
        "patient today 200",
        "clinician caseload 200",
        "patient detail 200",
        "practice overview 200",
        "outcomes report 200",
    ]
    assert (data_dir / "PG_VERSION").read_text().strip() == "18"
    assert left_running == [], "the embedded PostgreSQL was still running"
