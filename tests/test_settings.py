"""Settings come from the environment and fail loudly on bad values."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from painapp.env import database_from_url, env_bool, env_int, env_secret

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "PATH": os.environ["PATH"],
    "DJANGO_SETTINGS_MODULE": "painapp.settings",
    "DEBUG": "false",
    "SECRET_KEY": "k" * 20 + "Zq8#vL2!pR7@xW4$" * 4,
    "ALLOWED_HOSTS": "painapp.example.org",
    "SITE_URL": "https://painapp.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/painapp",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_reads_booleans(monkeypatch):
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True
    monkeypatch.setenv("X_FLAG", "off")
    assert env_bool("X_FLAG", True) is False


def test_it_rejects_a_bad_boolean_naming_the_variable(monkeypatch):
    monkeypatch.setenv("DEBUG", "ture")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='ture' is not a boolean"):
        env_bool("DEBUG")


def test_it_rejects_a_bad_number(monkeypatch):
    monkeypatch.setenv("EMAIL_PORT", "twenty-five")
    with pytest.raises(
        ImproperlyConfigured, match="EMAIL_PORT='twenty-five' is not a whole number"
    ):
        env_int("EMAIL_PORT", 25)


def test_it_requires_a_secret_key_in_production(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY must be set when DEBUG is off"):
        env_secret("SECRET_KEY", required=True, dev_default="x")


def test_it_rejects_a_short_secret_key_in_production(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="too short"):
        env_secret("SECRET_KEY", required=True, dev_default="x")


def test_it_parses_database_urls():
    db = database_from_url("postgres://app:s%40cret@db.internal:5433/painapp")
    assert db["NAME"] == "painapp" and db["USER"] == "app" and db["PASSWORD"] == "s@cret"
    assert db["HOST"] == "db.internal" and db["PORT"] == "5433"
    assert db["OPTIONS"]["pool"] == {"timeout": 5} and db["CONN_HEALTH_CHECKS"]
    assert db["OPTIONS"]["options"] == "-c jit=off -c random_page_cost=1.1"
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        database_from_url("mysql://x/y")


def test_it_reads_a_unix_socket_and_query_options_from_database_url():
    db = database_from_url(
        "postgres://postgres@/painapp?host=/srv/var/postgres&sslmode=disable&connect_timeout=3"
    )
    assert db["HOST"] == "/srv/var/postgres" and db["PORT"] == "" and db["NAME"] == "painapp"
    assert db["OPTIONS"]["sslmode"] == "disable" and db["OPTIONS"]["connect_timeout"] == 3
    assert "host" not in db["OPTIONS"] and db["OPTIONS"]["pool"] == {"timeout": 5}


def test_start_up_refuses_sqlite_naming_the_variable():
    result = run_manage("check", env={**PROD_ENV, "DATABASE_URL": "sqlite:///db.sqlite3"})
    assert result.returncode != 0
    assert "DATABASE_URL scheme 'sqlite' is not supported" in result.stderr
    assert "runs only on PostgreSQL" in result.stderr


def test_production_start_fails_with_a_clear_message_without_secret_key():
    env = {k: v for k, v in PROD_ENV.items() if k != "SECRET_KEY"}
    result = run_manage("check", env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off" in result.stderr


def test_production_start_fails_with_a_clear_message_on_a_bad_boolean():
    result = run_manage("check", env={**PROD_ENV, "DEBUG": "maybe"})
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
