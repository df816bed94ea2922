"""docker-compose.yml is validated offline against the Compose specification."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent


def test_compose_file_matches_the_compose_spec():
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(ROOT / "docker-compose.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_every_process_with_healthchecks_and_ordered_start():
    services = compose()["services"]
    assert {"migrate", "web", "worker", "beat", "db", "redis", "mail"} <= set(services)
    for name in ("web", "worker", "beat", "db", "redis", "mail"):
        assert "healthcheck" in services[name], name
    for name in ("migrate", "web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["db"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
    web_command = services["web"]["command"]
    assert web_command == ["docker/web.sh"]
    assert "exec gunicorn painapp.wsgi" in (ROOT / "docker" / "web.sh").read_text()


def test_one_migrate_service_runs_before_web_worker_and_beat_and_exits():
    services = compose()["services"]
    migrate = services["migrate"]
    assert migrate["command"] == ["docker/migrate.sh"]
    # A one-shot: restarted, it would migrate forever.
    assert migrate["restart"] == "no"
    script = (ROOT / "docker" / "migrate.sh").read_text()
    for step in (
        "manage.py migrate --noinput",
        "manage.py load_program --all",
        "manage.py load_instruments",
    ):
        assert step in script
    for name in ("web", "worker", "beat"):
        assert services[name]["depends_on"]["migrate"] == {
            "condition": "service_completed_successfully"
        }, name
    # Replicas of web never race to migrate.
    assert "manage.py migrate" not in (ROOT / "docker" / "web.sh").read_text()


def test_the_mail_catcher_is_for_development_only_and_this_machine_only():
    services = compose()["services"]
    mail = services["mail"]
    assert mail["profiles"] == ["dev"]
    assert mail["ports"] == ["127.0.0.1:8025:8025"]
    for name in ("migrate", "web", "worker", "beat"):
        assert "mail" not in services[name]["depends_on"], name


def test_no_service_offers_a_port_to_the_network():
    for name, service in compose()["services"].items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), (name, port)


def test_email_and_proxy_settings_come_from_the_environment():
    services = compose()["services"]
    for name in ("migrate", "web", "worker", "beat"):
        service = services[name]
        environment = service["environment"]
        for variable in (
            "EMAIL_HOST",
            "EMAIL_PORT",
            "EMAIL_HOST_USER",
            "EMAIL_HOST_PASSWORD",
            "EMAIL_USE_TLS",
            "EMAIL_TIMEOUT",
            "DEFAULT_FROM_EMAIL",
            "TRUSTED_PROXIES",
            "SECRET_KEY",
        ):
            assert f"${{{variable}" in str(environment[variable]), (name, variable)
        assert "TRUST_X_FORWARDED_PROTO" not in environment
        # Anything else set in .env (as .env.example shows) reaches the app too.
        assert service["env_file"] == [{"path": ".env", "required": False}]


def test_the_env_example_names_every_variable_compose_asks_for():
    text = (ROOT / "docker-compose.yml").read_text()
    example = (ROOT / ".env.example").read_text()
    asked = set(re.findall(r"\$\{(\w+)", text))
    documented = set(re.findall(r"^#? ?(\w+)=", example, flags=re.MULTILINE))
    assert asked - documented == set()


def test_the_probes_send_a_host_that_allowed_hosts_accepts():
    services = compose()["services"]
    assert services["web"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "docker/healthcheck.py",
        "/healthz/ready",
    ]
    assert services["beat"]["healthcheck"]["test"] == [
        "CMD",
        "python",
        "manage.py",
        "reminders_heartbeat",
    ]
    env = {"PATH": os.environ["PATH"], "ALLOWED_HOSTS": ".example.org,other.example.net"}
    code = "import sys; sys.path.insert(0, 'docker'); import healthcheck; print(healthcheck.host())"
    found = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=30
    )
    assert found.stdout.strip() == "example.org"
