"""The image works: its Dockerfile, replayed step by step, serves pages with DEBUG off.

Images cannot be built on these machines (no registry for base images), so the build
is replayed as written: ENV, WORKDIR, COPY (of the build context as .dockerignore
leaves it) and RUN, parsed from the Dockerfile, in a clean virtualenv (the base image's
Python) and a temporary folder (the image's file system, WORKDIR mapped into it). Then
the compose file's `migrate` command runs on a fresh database and the Dockerfile's CMD
serves, as production does: DEBUG off, the README's ALLOWED_HOSTS, HTTPS redirect on,
behind a trusted proxy. A page with {% static %} must answer 200 (the login page: it
failed with "Missing staticfiles manifest entry" when collectstatic ran with DEBUG on),
and the web container's healthcheck must pass.

Left out of the replay, on purpose: FROM (the virtualenv stands in), RUN steps that
create the image's system user or install Debian packages (useradd, apt-get: they would
change this machine), and the
`--mount` of pip's cache (pip uses this machine's own cache, which keeps the test fast).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
import pytest
import yaml

from tests.faults import free_port

ROOT = Path(__file__).resolve().parent.parent
# System set-up: the image's user, and Debian packages (gettext), which this machine's
# own set-up already gives it (.ci/run).
USER_SETUP = ("useradd", "groupadd", "adduser", "addgroup", "apt-get")
HOST = "painapp.example.org"  # the README's ALLOWED_HOSTS


# ---------------------------------------------------------------- Dockerfile
@dataclass
class Instruction:
    name: str  # upper case: RUN, COPY, ...
    args: str


def instructions(text: str) -> list[Instruction]:
    """The Dockerfile's instructions, continuation lines joined, comments dropped."""
    found: list[Instruction] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        name, _, args = (pending + stripped).partition(" ")
        found.append(Instruction(name.upper(), args.strip()))
        pending = ""
    return found


def without_flags(args: str) -> tuple[list[str], str]:
    """Split `--mount=... --chown=... rest` into the flags and the rest."""
    flags = []
    while args.startswith("--"):
        flag, _, args = args.partition(" ")
        flags.append(flag)
        args = args.lstrip()
    return flags, args


# ---------------------------------------------------------------- .dockerignore
def _pattern(glob: str) -> re.Pattern[str]:
    """Docker's pattern syntax: * and ? within one path segment, ** across segments."""
    out, i = "", 0
    while i < len(glob):
        if glob.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif glob.startswith("**", i):
            out, i = out + ".*", i + 2
        elif glob[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif glob[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(glob[i]), i + 1
    return re.compile(out + r"\Z")


def ignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    rules = []
    ignore = ROOT / ".dockerignore"
    for line in (ignore.read_text() if ignore.exists() else "").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        rules.append((negated, _pattern(line.lstrip("!").strip("/"))))
    return rules


def ignored(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether the build context leaves `path` (relative, with /) out: as Docker does,
    a pattern matches the path or any folder it is in, and the last match decides."""
    parts = path.split("/")
    prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    result = False
    for negated, pattern in rules:
        if any(pattern.match(prefix) for prefix in prefixes):
            result = not negated
    return result


def context_files(rules) -> list[str]:
    """Every file of the build context (this checkout as .dockerignore leaves it)."""
    files = []
    for folder, dirs, names in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if here == "." else here + "/"
        dirs[:] = [d for d in dirs if not ignored(prefix + d, rules)]
        files += [prefix + n for n in names if not ignored(prefix + n, rules)]
    return files


def test_the_build_context_leaves_out_what_the_image_must_not_hold():
    rules = ignore_rules()
    for path in (
        ".venv/bin/python",
        "venv/lib/x.py",
        "var/postgres/PG_VERSION",
        "var/mail/20261206-a.log",
        "node_modules/htmx.org/package.json",
        ".git",
        ".git/HEAD",
        "test-artifacts/shot.png",
        "bench/results/latest.md",
        "bench/data/x.csv",
        "tests/test_x.py",
        "staticfiles/staticfiles.json",
        ".env",
        ".env.production",
        "painapp/__pycache__/settings.cpython-311.pyc",
        "painapp.egg-info/PKG-INFO",
        ".mypy_cache/3.11/x.json",
    ):
        assert ignored(path, rules), path
    for path in (
        "manage.py",
        "painapp/settings.py",
        "static/css/base.css",
        "static/vendor/htmx-2.0.11.min.js",
        "templates/base.html",
        "programs/content/prt-back-8wk/program.yml",
        "requirements/runtime.txt",
        "docker/web.sh",
        "docker/migrate.sh",
        "docker/healthcheck.py",
        "pyproject.toml",
    ):
        assert not ignored(path, rules), path


def test_dependencies_are_installed_before_the_source_is_copied_and_not_as_root():
    steps = instructions((ROOT / "Dockerfile").read_text())
    names = [(s.name, s.args) for s in steps]
    install = next(i for i, (n, a) in enumerate(names) if n == "RUN" and "--require-hashes" in a)
    source = next(
        i for i, (n, a) in enumerate(names) if n == "COPY" and a.split()[-2:] == [".", "."]
    )
    copied_before = [a for n, a in names[:install] if n == "COPY"]
    assert copied_before == ["requirements/runtime.txt requirements/runtime.txt"]
    assert install < source
    users = [a for n, a in names if n == "USER"]
    assert users and users[-1] not in ("root", "0")
    assert any(n == "RUN" and a.startswith("useradd") and users[-1] in a for n, a in names)


# ---------------------------------------------------------------- the replay
@dataclass
class Image:
    root: Path  # the image's file system
    env: dict[str, str]
    workdir: Path
    cmd: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def path(self, container_path: str) -> Path:
        return self.root / container_path.lstrip("/")

    def map_paths(self, text: str, workdirs: list[str]) -> str:
        for container_path in workdirs:
            text = re.sub(
                rf"(?<![\w/.-]){re.escape(container_path)}(?=/|:|\s|$)",
                str(self.path(container_path)),
                text,
            )
        return text


def replay(dockerfile: Path, root: Path, venv: Path) -> Image:
    env = {
        "PATH": f"{venv / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "HOME": os.environ["HOME"],
        "LANG": "C.UTF-8",
        # How this machine reaches the package registry (mirrors, certificates).
        **{k: v for k, v in os.environ.items() if k.startswith("PIP_")},
    }
    image = Image(root=root, env=env, workdir=root)
    workdirs: list[str] = []
    rules = ignore_rules()
    for step in instructions(dockerfile.read_text()):
        if step.name in ("FROM", "EXPOSE", "USER", "LABEL", "ARG"):
            continue
        if step.name == "ENV":
            for token in shlex.split(step.args):
                key, _, value = token.partition("=")
                value = re.sub(r"\$\{?(\w+)\}?", lambda m: image.env.get(m[1], ""), value)
                image.env[key] = image.map_paths(value, workdirs)
        elif step.name == "WORKDIR":
            workdirs.append(step.args)
            image.workdir = image.path(step.args)
            image.workdir.mkdir(parents=True, exist_ok=True)
        elif step.name == "COPY":
            _, args = without_flags(step.args)
            *sources, dest = shlex.split(args)
            target = image.workdir / dest if not dest.startswith("/") else image.path(dest)
            for source in sources:
                if (ROOT / source).is_dir():  # its contents, as .dockerignore leaves them
                    inside = "" if source == "." else source.strip("/") + "/"
                    for name in context_files(rules):
                        if name.startswith(inside):
                            to = target / name.removeprefix(inside)
                            to.parent.mkdir(parents=True, exist_ok=True)
                            shutil.copy2(ROOT / name, to, follow_symlinks=False)
                else:
                    assert not ignored(source, rules), f"COPY {source}: left out by .dockerignore"
                    to = target / Path(source).name if dest.endswith("/") else target
                    to.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(ROOT / source, to)
        elif step.name == "RUN":
            _, command = without_flags(step.args)
            if command.split()[0] in USER_SETUP:
                image.skipped.append(command)
                continue
            result = subprocess.run(
                ["sh", "-c", image.map_paths(command, workdirs)],
                cwd=image.workdir,
                env=image.env,
                capture_output=True,
                text=True,
                timeout=900,
            )
            assert result.returncode == 0, f"RUN {command}\n{result.stdout}\n{result.stderr}"
        elif step.name == "CMD":
            image.cmd = json.loads(step.args)
        else:
            raise AssertionError(f"the replay does not know {step.name}: teach it")
    return image


@pytest.fixture(scope="module")
def image(tmp_path_factory) -> Image:
    root = tmp_path_factory.mktemp("image")
    venv = tmp_path_factory.mktemp("base-python") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    return replay(ROOT / "Dockerfile", root, venv)


@pytest.fixture(scope="module")
def fresh_database() -> str:
    """An empty database of its own, for the `migrate` service to build."""
    from django.conf import settings

    db = settings.DATABASES["default"]
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    server = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    name = f"test_{db['NAME'].removeprefix('test_')}_image_{worker}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"{server}/{name}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def get(port: int, path: str, *, source: str = "127.0.0.1", **headers: str):
    connection = http.client.HTTPConnection(
        "127.0.0.1", port, timeout=30, source_address=(source, 0)
    )
    connection.request("GET", path, headers={"Host": HOST, **headers})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, response.headers, body.decode(errors="replace")


def test_the_image_migrates_then_serves_pages_with_static_files(image, fresh_database):
    assert image.skipped and all(c.startswith(USER_SETUP) for c in image.skipped)
    app = image.workdir
    for left_out in (".venv", "node_modules", "var", ".git", "tests", "bench", ".env"):
        assert not (app / left_out).exists(), left_out
    assert (app / "staticfiles" / "staticfiles.json").exists()

    port = free_port()
    runtime = {
        **image.env,
        "DEBUG": "false",
        "SECRET_KEY": "image-test-" + "k" * 60,
        "ALLOWED_HOSTS": HOST,
        "SITE_URL": f"https://{HOST}",
        "TRUSTED_PROXIES": "127.0.0.1/32",
        "DATABASE_URL": fresh_database,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/14"),
        "EMAIL_HOST": "mail.invalid",
        "WEB_CONCURRENCY": "1",
        "PORT": str(port),
    }
    migrate = compose()["services"]["migrate"]["command"]
    result = subprocess.run(
        migrate, cwd=app, env=runtime, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, result.stdout + result.stderr

    server = subprocess.Popen(
        image.cmd,
        cwd=app,
        env=runtime,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)

        # Through the proxy (HTTPS): the login page, and the hashed stylesheets it links,
        # in their cascade order.
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
        status, _, page = get(port, "/accounts/login/", **proxied)
        assert status == 200, page[-2000:]
        stylesheets = re.findall(r'href="(/static/css/([a-z]+)\.[0-9a-f]{12}\.css)"', page)
        assert [name for _, name in stylesheets][:4] == ["base", "patient", "staff", "features"]
        for url, _ in stylesheets:
            status, headers, _ = get(port, url, **proxied)
            assert status == 200 and headers["Content-Type"].startswith("text/css"), url

        # Anyone else who reaches the port claims HTTPS in vain: sent to https://.
        status, headers, _ = get(
            port, "/accounts/login/", source="127.0.0.2", **{"X-Forwarded-Proto": "https"}
        )
        assert (status, headers["Location"]) == (301, f"https://{HOST}/accounts/login/")

        # The web container's healthcheck, as compose runs it, in the container.
        probe = compose()["services"]["web"]["healthcheck"]["test"]
        assert probe[0] == "CMD"
        result = subprocess.run(
            probe[1:], cwd=app, env=runtime, capture_output=True, text=True, timeout=60
        )
        assert result.returncode == 0, result.stdout + result.stderr
        assert result.stdout.startswith("200 ")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
