"""What a newcomer types from the README works as written."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys

from tests.conftest import ROOT

# A fresh terminal: none of the test suite's settings (no SECRET_KEY, no DEBUG).
FRESH = {"PATH": os.environ["PATH"], "HOME": str(ROOT)}


def test_the_readme_demo_code_command_prints_the_current_code():
    readme = (ROOT / "README.md").read_text()
    # The command as the "Demo logins" section gives it.
    section = readme.split("## Demo logins", 1)[1].split("\n## ", 1)[0]
    [command] = re.findall(r"run `([^`]*demo_code)`", section)
    argv = shlex.split(command)
    assert argv[:2] == [".venv/bin/python", "manage.py"], argv
    result = subprocess.run(
        [sys.executable, *argv[1:]], cwd=ROOT, env=FRESH, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from painapp.accounts.management.commands.seed_demo import DEMO_TOTP_SECRET

    # The code of this 30-second step or of the one just before (the clock moved on).
    codes = {
        format_hotp_value(hotp_value(DEMO_TOTP_SECRET, counter))
        for base in yield_hotp_counters_from_time()
        for counter in (base, base - 1)
    }
    assert result.stdout.strip() in codes


def site_url(**env) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; print(settings.SITE_URL)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**FRESH, "DEBUG": "true", "DJANGO_SETTINGS_MODULE": "painapp.settings", **env},
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_in_emails_follow_the_port_bin_run_serves_on():
    assert site_url() == "http://localhost:8000"
    assert site_url(PORT="8123") == "http://localhost:8123"
    assert site_url(PORT="8123", SITE_URL="https://clinic.example.org/") == (
        "https://clinic.example.org"
    )


def test_the_readme_documents_port():
    readme = (ROOT / "README.md").read_text()
    [row] = [line for line in readme.splitlines() if line.startswith("| `WEB_CONCURRENCY`, `PORT`")]
    assert "`bin/run` serves on `PORT`" in row
    assert "`PORT=8080 bin/run`" in readme


def test_the_favicon_is_served_where_browsers_ask_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x00\x00\x01\x00")  # an icon
    page = client.get("/accounts/login/").content.decode()
    assert '<link rel="icon" href="/favicon.ico"' in page
