"""Typed readers for settings that come from the environment.

Each helper fails loudly, naming the variable, when a value cannot be understood:
a typo in production configuration must stop the process at start-up, not turn a
security switch silently off.
"""

from __future__ import annotations

import ipaddress
import os

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str:
    value = os.environ.get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a boolean. Use one of: true, false, 1, 0, yes, no, on, off."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_secret(name: str, *, required: bool, dev_default: str) -> str:
    """A secret that production must provide and that must not be a throwaway."""
    raw = os.environ.get(name, "")
    if raw:
        if required and len(raw) < 50:
            raise ImproperlyConfigured(
                f"{name} is too short for production: use at least 50 random characters."
            )
        return raw
    if required:
        raise ImproperlyConfigured(
            f"{name} must be set when DEBUG is off (production). "
            "Generate one with: python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    return dev_default


def database_from_url(url: str) -> dict:
    """Translate DATABASE_URL into Django's DATABASES entry. Postgres is the only database.

    Parsed by dj-database-url, so every form it knows works: percent-encoding in the
    password, `postgres://user@%2Frun%2Fpostgresql/name` for a Unix socket, and query
    parameters (sslmode=require, sslrootcert=..., connect_timeout=5, ...), which are
    passed to psycopg as they are and override the defaults below. A socket may also be
    given libpq's way, `postgres://user@/name?host=/socket/folder` (the embedded
    PostgreSQL's URL). An `options=-c ...` parameter is added to ours, not put instead.
    """
    try:
        parsed = dj_database_url.parse(url)
    except dj_database_url.UnknownSchemeError:
        parsed = {}
    except ValueError:  # never quote the URL: it holds the password
        raise ImproperlyConfigured(
            "DATABASE_URL is not a valid URL: check that special characters in the "
            "password are percent-encoded (@ as %40, / as %2F, : as %3A)."
        ) from None
    if parsed.get("ENGINE") != "django.db.backends.postgresql":
        scheme = url.partition("://")[0] if "://" in url else ""
        raise ImproperlyConfigured(
            f"DATABASE_URL scheme {scheme!r} is not supported: painapp runs only on "
            "PostgreSQL, so use postgres://user:password@host:5432/name (or unset "
            "DATABASE_URL to use the embedded PostgreSQL that bin/run starts)."
        )
    if not parsed.get("NAME"):
        raise ImproperlyConfigured("DATABASE_URL must name a database, e.g. .../painapp")
    query = parsed.get("OPTIONS", {})
    host = query.pop("host", None)
    port = query.pop("port", None)
    options = " ".join(filter(None, [_PG_OPTIONS, query.pop("options", None)]))
    return {
        "ENGINE": parsed["ENGINE"],
        "NAME": parsed["NAME"],
        "USER": parsed["USER"],
        "PASSWORD": parsed["PASSWORD"],
        "HOST": parsed["HOST"] or str(host or ""),
        "PORT": str(parsed["PORT"] or port or ""),
        # psycopg 3's pool: connections are reused inside each process, and each is
        # checked when taken, so after a database outage no request gets a dead one.
        # A request waits at most 5 s for a connection, then gets the 503 page.
        # server_side_binding + prepare_threshold (Django's supported options, psycopg's
        # automatic preparation): a statement run 5 times on a connection is prepared,
        # so Postgres stops parsing and planning the pages' repeated queries; the pool
        # keeps connections, so once per process and connection. Measured on the
        # patient and caseload pages: -14 to -17% median time per request. It needs a
        # direct connection or PgBouncer in session mode (or with
        # max_prepared_statements), one command per statement (migrations run each
        # once), and no parameters inside GROUP BY expressions (Django #34255).
        "OPTIONS": {
            "pool": {"timeout": 5},
            "options": options,
            "server_side_binding": True,
            "prepare_threshold": 5,
            **query,
        },
        "CONN_HEALTH_CHECKS": True,
    }


# Postgres's JIT compiler spends seconds compiling the reports' one big query and gains
# nothing for an app of short queries: off for our sessions. random_page_cost 1.1
# (default 4, for spinning disks): on SSD or in memory an index probe is nearly as cheap
# as a sequential read, and with the default the planner hash-joins a whole 20,000-row
# table to find a caseload's 200 patients (bench: caseload SQL 37 -> 15 ms).
_PG_OPTIONS = "-c jit=off -c random_page_cost=1.1"


def env_networks(name: str) -> list[str]:
    """Comma-separated IP networks in CIDR form (a bare address is one host), such as
    TRUSTED_PROXIES. Parsed the way gunicorn's --forwarded-allow-ips parses them, so
    the two never disagree: a network written with host bits set (10.0.0.5/24) is a
    mistake, and "*" (everyone) is refused."""
    networks = []
    for item in env_list(name, []):
        try:
            networks.append(str(ipaddress.ip_network(item)))
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: {item!r} is not an IP address or network (CIDR), "
                "e.g. 10.0.0.0/8 or 172.18.0.1."
            ) from None
    return networks
