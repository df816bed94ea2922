"""The embedded demo (`bin/run` with no DATABASE_URL) runs on SQLite: the screens whose
reads are tuned for Postgres (JSONB folding, upserts, SQL sorting and paging) must
still work there. Everything else in the suite runs on Postgres, so this one drives a
child process with its own settings."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_it_opens_every_roles_main_screens_on_the_sqlite_demo(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_demo_check", str(tmp_path / "demo.sqlite3")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    lines = result.stdout.split("\n")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    assert "caseload sort=week 200" in lines and "patient detail 200" in lines
    assert "outcomes report 200" in lines and "today 200" in lines
    assert "checkin submit 302" in lines and "checkin results 200" in lines
