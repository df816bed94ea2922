"""The benchmark's own parts that can be checked quickly: the baseline page, the
load generator's TOTP codes, cookies and percentiles, and that the data set still loads
into today's schema (make bench runs the rest)."""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import urlparse

import psycopg
import pytest
from django.urls import reverse

from bench.http import Reply, Session, _pct, totp


def test_it_serves_no_bench_page_unless_the_bench_enables_it(client, cast):
    # The default, production's included: a 404 like any page that does not exist.
    assert client.get(reverse("bench_baseline")).status_code == 404
    client.force_login(cast.patient)
    response = client.get(reverse("bench_baseline"))
    assert response.status_code == 404
    assert b"Baseline" not in response.content


def test_the_bench_enables_its_pages_for_the_servers_it_measures():
    import bench

    assert bench.environ()["BENCH_VIEWS"] == "true"


def test_it_serves_the_baseline_page_to_a_logged_in_person(client, cast, settings):
    settings.BENCH_VIEWS = True
    client.force_login(cast.patient)
    response = client.get(reverse("bench_baseline"))
    assert response.status_code == 200
    assert b"<h1>Baseline</h1>" in response.content
    assert "Content-Security-Policy" in response.headers


def test_it_sends_a_stranger_to_the_login_page_from_the_baseline(client, db, settings):
    settings.BENCH_VIEWS = True
    response = client.get(reverse("bench_baseline"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("at", [0, 59, 1_111_111_109, 1_795_323_857.25])
def test_it_computes_the_code_an_authenticator_app_shows(at):
    from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    assert totp(secret, at) == format_hotp_value(hotp_value(secret, int(at // 30)))


def test_it_keeps_cookies_and_forgets_deleted_ones():
    session = Session("someone@example.test")
    session.remember(
        Reply(
            200,
            [
                (
                    "Set-Cookie",
                    "csrftoken=abc; expires=Sat, 20 Nov 2027 10:00:00 GMT; Path=/; Secure",
                ),
                ("Set-Cookie", "sessionid=xyz; HttpOnly; Path=/; SameSite=Lax; Secure"),
            ],
            b"",
            0.0,
        )
    )
    assert session.cookie_header == "csrftoken=abc; sessionid=xyz"
    session.remember(
        Reply(
            302,
            [
                (
                    "Set-Cookie",
                    'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT; Max-Age=0; Path=/',
                ),
            ],
            b"",
            0.0,
        )
    )
    assert session.cookie_header == "csrftoken=abc"


def test_it_takes_nearest_rank_percentiles():
    times = [float(n) for n in range(1, 101)]
    assert (_pct(times, 50), _pct(times, 95), _pct(times, 99)) == (50.0, 95.0, 99.0)
    assert _pct([7.0], 99) == 7.0
    assert _pct([], 50) is None


def test_the_bench_data_set_still_loads_into_the_current_schema(tmp_path):
    """The generator writes our tables column by column in SQL, so a new column it does
    not know can break `make bench` without any other test noticing (a NOT NULL column
    on alerts once did). The smallest data set, on a database of its own, as make runs it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    url = urlparse(os.environ.get("DATABASE_URL") or "postgres://postgres@127.0.0.1:5432/x")
    bench_url = url._replace(path=f"/painapp_bench_check_{worker}").geturl()
    env = {**os.environ, "BENCH_DATABASE_URL": bench_url, "BENCH_WORK_DIR": str(tmp_path)}
    try:
        run = subprocess.run(
            [sys.executable, "-m", "bench.generate", "--scale", "0.05"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
    finally:
        with psycopg.connect(url._replace(path="/postgres").geturl(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "painapp_bench_check_{worker}" WITH (FORCE)')
    assert run.returncode == 0, run.stderr[-3000:]
    counts = dict(line.split()[:2] for line in run.stdout.splitlines() if line.startswith("  "))
    for table in ("programs.Enrollment", "tracking.Alert", "tracking.Message"):
        assert int(counts[table].replace(",", "")) > 0, table
    assert (tmp_path / "data.json").exists()
