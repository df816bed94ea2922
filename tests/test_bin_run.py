"""`bin/run` as a newcomer uses it: a quiet start, then a stop that leaves nothing behind.

It runs for real (setup, migrate, curriculum, demo data, runserver, a Celery worker with
beat) against the test database and Redis, so the embedded PostgreSQL is not involved
here (tests/test_embedded_demo.py covers that).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from contextlib import suppress

import psutil
import pytest

from tests.conftest import ROOT, subprocess_env
from tests.faults import free_port


def wait_for_output(out_path, needles, proc, timeout=150) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = out_path.read_text()
        if all(n in text for n in needles):
            return text
        assert proc.poll() is None, f"bin/run exited early:\n{text[-3000:]}"
        time.sleep(0.5)
    raise AssertionError(f"bin/run did not start in time:\n{out_path.read_text()[-3000:]}")


@pytest.mark.celery_worker
@pytest.mark.parametrize("stop", ["ctrl-c in its terminal", "TERM to bin/run alone"])
def test_bin_run_starts_quietly_and_stops_everything_within_10_seconds(
    transactional_db, tmp_path, stop
):
    port = free_port()
    child = subprocess_env()
    # A newcomer's shell: the database and broker it points at, nothing of the tests'.
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "PORT": str(port),
        "DATABASE_URL": child["DATABASE_URL"],
        "REDIS_URL": child["REDIS_URL"],
        "PAINAPP_VAR_DIR": str(tmp_path / "var"),
        # Written as it comes, as on a terminal (a file would hold it in a buffer).
        "PYTHONUNBUFFERED": "1",
    }
    out_path = tmp_path / "run.log"
    with out_path.open("w") as out:
        proc = subprocess.Popen(
            ["bin/run"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Its own process group, as a terminal gives it, with Ctrl-C not ignored.
            start_new_session=True,
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )  # noqa: PLW1509
    try:
        text = wait_for_output(out_path, ["Quit the server with CONTROL-C", " ready."], proc)
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/accounts/login/",  # noqa: S310
            timeout=10,
        ) as response:
            assert response.status == 200
        # Quiet: one line for the migrations, no Celery banner, no line printed twice.
        assert "database ready (" in text and "Applying " not in text
        assert "[tasks]" not in text and "-------------- celery@" not in text
        assert text.count("Watching for file changes") == 1, text
        assert f"http://127.0.0.1:{port}/" in text

        family = [proc.pid, *(p.pid for p in psutil.Process(proc.pid).children(recursive=True))]
        assert len(family) >= 3  # the script, runserver (and its reloader), the worker
        started = time.monotonic()
        if stop.startswith("ctrl-c"):
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.terminate()
        proc.wait(timeout=10)
        took = time.monotonic() - started
        time.sleep(0.5)
        left = [
            pid
            for pid in family
            if psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        ]
        assert left == [], [psutil.Process(p).cmdline() for p in left]
        assert took < 10
    finally:
        if proc.poll() is None:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
