"""Container health probe: ask this container's gunicorn for one of the /healthz/ pages.

    python docker/healthcheck.py /healthz/ready

Exits 0 only on a 200. It sends a Host header that ALLOWED_HOSTS accepts (its first
entry; a ".example.org" wildcard gives example.org), or Django would answer 400 to
127.0.0.1 wherever ALLOWED_HOSTS names the real site. It never follows a redirect: a
301 (to HTTPS) is not the page, and fails. The /healthz/ pages are exempt from the
HTTPS redirect (settings.SECURE_REDIRECT_EXEMPT). Standard library only.
"""

from __future__ import annotations

import http.client
import os
import sys


def host() -> str:
    for entry in os.environ.get("ALLOWED_HOSTS", "").split(","):
        entry = entry.strip()
        if entry and entry != "*":
            return entry.lstrip(".")
    return "localhost"


def main(path: str) -> int:
    connection = http.client.HTTPConnection(
        "127.0.0.1", int(os.environ.get("PORT") or 8000), timeout=8
    )
    try:
        connection.request("GET", path, headers={"Host": host()})
        response = connection.getresponse()
        body = response.read(2000).decode(errors="replace")
    except OSError as error:
        print(f"{path}: {error}", file=sys.stderr)
        return 1
    finally:
        connection.close()
    print(response.status, body)
    return 0 if response.status == 200 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/healthz/ready"))
