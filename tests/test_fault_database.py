"""Postgres unavailable: a plain 503 page, nothing half-written, and back to normal
when it returns — against the app served by gunicorn through a proxy we cut."""

from __future__ import annotations

import re
import time

import requests

from programs.models import Reflection
from tests.conftest import subprocess_env
from tests.factories import PASSWORD
from tests.faults import AppServer, TcpProxy


def test_the_app_says_plainly_when_the_database_is_down(transactional_db, cast, settings):
    from tests.factories import make_enrollment

    enrollment = make_enrollment(cast.patient, cast.clinician, cast.practice)
    reflection = enrollment.program_version.weeks.get(number=2).activities.get(kind="reflection")
    db = settings.DATABASES["default"]
    proxy = TcpProxy(int(db["PORT"] or 5432)).start()
    server = AppServer(
        subprocess_env(
            DATABASE_URL=f"postgres://{db['USER']}@127.0.0.1:{proxy.port}/{db['NAME']}",
            DJANGO_SETTINGS_MODULE="painapp.settings_test",
            ALLOWED_HOSTS="127.0.0.1",
        )
    )
    try:
        web = requests.Session()
        login_page = web.get(f"{server.url}/accounts/login/", timeout=10)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page.text)[1]
        web.post(
            f"{server.url}/accounts/login/",
            timeout=10,
            data={"login": cast.patient.email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{server.url}/accounts/login/"},
        )
        page = web.get(f"{server.url}/program/{reflection.slug}/", timeout=10)
        assert page.status_code == 200
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)[1]

        proxy.cut()
        down = web.get(f"{server.url}/today/", timeout=30)
        assert down.status_code == 503
        assert "taking a short break" in down.text and "Nothing you saved is lost" in down.text
        assert down.headers["X-Request-ID"] in down.text
        assert "Traceback" not in down.text and "psycopg" not in down.text
        post = web.post(
            f"{server.url}/program/{reflection.slug}/",
            timeout=30,
            data={"text": "Written while the database was away", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{server.url}/program/{reflection.slug}/"},
        )
        assert post.status_code == 503
        assert not Reflection.objects.exists()

        proxy.restore()
        # The connection pool reconnects in the background (backoff up to 10 s).
        deadline = time.monotonic() + 60
        while (again := web.get(f"{server.url}/today/", timeout=30)).status_code == 503:
            assert time.monotonic() < deadline, "the app did not recover"
        assert again.status_code == 200
        saved = web.post(
            f"{server.url}/program/{reflection.slug}/",
            timeout=30,
            data={"text": "Written after it came back", "csrfmiddlewaretoken": token},
            headers={"Referer": f"{server.url}/program/{reflection.slug}/"},
        )
        assert saved.status_code == 200
        assert Reflection.objects.get().text == "Written after it came back"
    finally:
        output = server.stop()
        proxy.cut()
    assert "Traceback" not in output or "OperationalError" in output
