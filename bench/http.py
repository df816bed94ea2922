"""HTTP load against gunicorn, one page at a time: `python -m bench.http`.

gunicorn is started the way docker/web.sh starts it (``painapp.wsgi:application``,
``--workers $WEB_CONCURRENCY``, access log on stdout, ``--forwarded-allow-ips "*"``),
bound to 127.0.0.1 only, with production settings (DEBUG off) on the bench database.
The load generator plays the TLS proxy the README puts in front: it sends
``X-Forwarded-Proto: https``.

For each page in bench.pages.PAGES, in turn: BENCH_USERS virtual users (default 8)
each log in once through the real login form as the page's role (passing the TOTP
step for staff), then loop on their page with no think time — a closed loop with fixed
concurrency — for BENCH_WARMUP seconds (not counted) and then BENCH_SECONDS (default
20) counted. Every request opens its own connection: gunicorn's sync workers close
after each response, as behind a proxy.

Why not Locust: on a 2-core machine the load generator shares the CPUs with gunicorn
and Postgres, so it has to be as cheap as possible per request. This one is a few
dozen lines of asyncio on raw sockets (no HTTP library, no gevent), keeps every
latency (exact percentiles, no histogram buckets), and handles the Secure session
cookie over plain-HTTP loopback itself, which cookie jars refuse to send. It reports
its own CPU time so its share of the machine is visible.

Figures per page: p50/p95/p99 and mean latency, requests/s, status counts, the p95 as
a ratio to the baseline page's p95, and the gunicorn workers' CPU ms per request. At
the end: the peak RSS (VmHWM) of each gunicorn worker.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import os
import re
import signal
import struct
import subprocess
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import bench
from bench import memory

HOST = "127.0.0.1"  # never anything else
PORT = int(os.environ.get("BENCH_PORT") or "8765")
USERS = int(os.environ.get("BENCH_USERS") or "8")
SECONDS = float(os.environ.get("BENCH_SECONDS") or "20")
WARMUP = float(os.environ.get("BENCH_WARMUP") or "3")
WEB_CONCURRENCY = os.environ.get("WEB_CONCURRENCY") or "2"
TIMEOUT = float(os.environ.get("BENCH_TIMEOUT") or "60")

_CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


# ---------------------------------------------------------------- a minimal HTTP client


@dataclass
class Reply:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    seconds: float

    def header(self, name: str) -> str:
        name = name.lower()
        return next((v for k, v in self.headers if k.lower() == name), "")


@dataclass
class Session:
    """One browser: its cookies (by name), sent back on every request."""

    email: str
    cookies: dict[str, str] = field(default_factory=dict)

    def remember(self, reply: Reply) -> None:
        for key, value in reply.headers:
            if key.lower() != "set-cookie":
                continue
            pair, _, attributes = value.partition(";")
            name, _, val = pair.strip().partition("=")
            attrs = attributes.lower()
            if "max-age=0" in attrs or "expires=thu, 01 jan 1970" in attrs:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = val

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())


async def send(session: Session, method: str, path: str, data: dict | None = None) -> Reply:
    origin = f"https://{HOST}:{PORT}"
    body = urlencode(data).encode() if data is not None else b""
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: {HOST}:{PORT}",
        "X-Forwarded-Proto: https",
        "Connection: close",
        "User-Agent: painapp-bench",
        "Accept: text/html",
    ]
    if session.cookies:
        lines.append(f"Cookie: {session.cookie_header}")
    if method == "POST":
        lines += [
            f"Origin: {origin}",
            f"Referer: {origin}{path}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(body)}",
        ]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
    started = time.perf_counter()
    reader, writer = await asyncio.open_connection(HOST, PORT)
    try:
        writer.write(raw)
        data_in = await reader.read(-1)  # the server closes after the response
    finally:
        writer.close()
    seconds = time.perf_counter() - started
    if not data_in.startswith(b"HTTP/"):
        # e.g. gunicorn killed the worker at its --timeout (30 s) mid-request.
        raise ConnectionError("connection closed without a response")
    head, _, payload = data_in.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = [tuple(h.split(":", 1)) for h in header_lines if ":" in h]
    headers = [(k.strip(), v.strip()) for k, v in headers]
    reply = Reply(int(status_line.split()[1]), headers, payload, seconds)
    if reply.header("transfer-encoding").lower() == "chunked":
        reply.body = _dechunk(payload)
    session.remember(reply)
    return reply


def _dechunk(payload: bytes) -> bytes:
    out, rest = [], payload
    while rest:
        size_line, _, rest = rest.partition(b"\r\n")
        size = int(size_line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out.append(rest[:size])
        rest = rest[size + 2 :]
    return b"".join(out)


def totp(secret: str, at: float | None = None) -> str:
    """RFC 6238 code (SHA-1, 30 s, 6 digits), as an authenticator app shows it."""
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(base64.b32decode(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


class LoginFailed(Exception):
    pass


async def login(email: str, urls: dict[str, str]) -> Session:
    """Log in through the real form, and the two-factor form if the server asks."""
    session = Session(email)
    page = await send(session, "GET", urls["login"])
    token = _CSRF_INPUT.search(page.body)
    if page.status != 200 or not token:
        raise LoginFailed(f"login page: HTTP {page.status}")
    reply = await send(
        session,
        "POST",
        urls["login"],
        {
            "csrfmiddlewaretoken": token.group(1).decode(),
            "login": email,
            "password": bench.PASSWORD,
        },
    )
    location = urlsplit(reply.header("location")).path
    if reply.status == 302 and location == urls["mfa"]:
        page = await send(session, "GET", location)
        token = _CSRF_INPUT.search(page.body)
        for _attempt in range(3):
            # A code is accepted once per person per 30 s; wait for the next on a clash.
            reply = await send(
                session,
                "POST",
                location,
                {
                    "csrfmiddlewaretoken": token.group(1).decode() if token else "",
                    "code": totp(bench.TOTP_SECRET),
                },
            )
            if reply.status == 302:
                break
            await asyncio.sleep(30 - time.time() % 30 + 0.5)
        location = urlsplit(reply.header("location")).path
    if reply.status != 302 or location in (urls["login"], urls["mfa"]):
        raise LoginFailed(f"{email}: HTTP {reply.status} to {location or 'nowhere'}")
    return session


# ---------------------------------------------------------------- one page under load


@dataclass
class Sample:
    started: float
    finished: float
    status: int  # 0: no answer (timeout, connection error)

    @property
    def ms(self) -> float:
        return (self.finished - self.started) * 1000


async def run_page(page, targets, urls: dict[str, str], server_pids) -> dict:
    # One login per person: virtual users that share a person (only at small scales)
    # share that browser session.
    sessions: dict[str, Session] = {}
    for email in dict.fromkeys(t.email for t in targets):
        sessions[email] = await login(email, urls)
    samples: list[Sample] = []
    errors: list[str] = []
    exhausted = 0
    loop_start = time.perf_counter()
    measure_from = loop_start + WARMUP
    end = measure_from + SECONDS
    used: dict[int, int] = {}  # one-use targets shared by users: next request index

    async def user(i: int) -> None:
        nonlocal exhausted
        target = targets[i]
        session = sessions[target.email]
        n = 0
        while time.perf_counter() < end:
            if target.one_use:
                key = id(target)
                n = used.get(key, 0)
                if n >= len(target.requests):
                    exhausted += 1
                    return
                used[key] = n + 1
            request = target.requests[n % len(target.requests)]
            n += 1
            data = dict(request.data)
            if request.method == "POST":
                data["csrfmiddlewaretoken"] = session.cookies.get("csrftoken", "")
            started = time.perf_counter()
            try:
                reply = await asyncio.wait_for(
                    send(session, request.method, request.path, data if data else None), TIMEOUT
                )
                status = reply.status
            except (TimeoutError, OSError) as error:
                status, reply = 0, None
                if len(errors) < 20:
                    errors.append(
                        f"{request.method} {request.path}: {type(error).__name__}"
                        + (f" after {TIMEOUT:g} s" if isinstance(error, TimeoutError) else "")
                    )
            finished = time.perf_counter()
            if status != page.expect and reply is not None and len(errors) < 20:
                errors.append(
                    f"{request.method} {request.path}: HTTP {status} "
                    f"{reply.header('location')}".strip()
                )
            samples.append(Sample(started, finished, status))

    cpu_before = memory.cpu_seconds(server_pids())
    own_before = time.process_time()
    await asyncio.gather(*(user(i) for i in range(len(targets))))
    finished = time.perf_counter()
    server_cpu = memory.cpu_seconds(server_pids()) - cpu_before
    own_cpu = time.process_time() - own_before

    # Latencies: every request that finished after the warm-up and started before the
    # end (so on a page slower than the window the first wave still counts).
    # Throughput: requests finished inside the counted window, per second.
    window = [s for s in samples if s.finished >= measure_from and s.started < end]
    times = sorted(s.ms for s in window)
    done_in_window = sum(1 for s in samples if measure_from <= s.finished <= end)
    ok = sum(1 for s in window if s.status == page.expect)
    statuses: dict[str, int] = {}
    for s in window:
        statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    return {
        "users": len(targets),
        "people": len(sessions),
        "who": targets[0].note,
        "seconds": SECONDS,
        "overrun_seconds": round(max(0.0, finished - end), 1),
        "requests": len(window),
        "ok": ok,
        "statuses": statuses,
        "rps": round(done_in_window / SECONDS, 1),
        "p50_ms": _pct(times, 50),
        "p95_ms": _pct(times, 95),
        "p99_ms": _pct(times, 99),
        "mean_ms": round(sum(times) / len(times), 1) if times else None,
        "max_ms": round(times[-1], 1) if times else None,
        "server_cpu_ms_per_request": round(1000 * server_cpu / len(samples), 1)
        if samples
        else None,
        "loadgen_cpu_share": round(own_cpu / max(finished - loop_start, 1e-9), 2),
        "ran_out_of_requests": exhausted,
        "errors": errors[:10],
    }


def _pct(sorted_ms: list[float], p: float) -> float | None:
    """Nearest-rank percentile."""
    if not sorted_ms:
        return None
    rank = max(1, -(-len(sorted_ms) * p // 100))  # ceil
    return round(sorted_ms[int(rank) - 1], 1)


# ---------------------------------------------------------------- gunicorn


def start_gunicorn(log_path) -> subprocess.Popen:
    command = [
        str(bench.ROOT / ".venv" / "bin" / "gunicorn"),
        "painapp.wsgi:application",
        "--bind",
        f"{HOST}:{PORT}",
        "--workers",
        WEB_CONCURRENCY,
        "--access-logfile",
        "-",
        "--forwarded-allow-ips",
        "*",
    ]
    log = open(log_path, "wb")  # noqa: SIM115 (closed with the process)
    process = subprocess.Popen(
        command,
        cwd=bench.ROOT,
        env=bench.environ(),
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.time() + 60
    while time.time() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}); see {log_path}")
        try:
            reply = asyncio.run(send(Session("-"), "GET", "/healthz/"))
            if reply.status == 200 and len(memory.children(process.pid)) >= int(WEB_CONCURRENCY):
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise SystemExit(f"gunicorn did not answer on {HOST}:{PORT} within 60 s; see {log_path}")


def stop(process: subprocess.Popen) -> None:
    """Stop a process this bench started (and its children), by its id."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


# ---------------------------------------------------------------- main


def main() -> None:
    bench.setup_django()
    bench.collectstatic()
    # A fresh cache: login throttles and used authenticator codes left by an earlier
    # run would turn this run's logins away (HTTP 429). The bench has its own Redis
    # database (BENCH_REDIS_URL), so clearing it touches nothing else.
    from django.core.cache import cache
    from django.db import connections
    from django.urls import reverse

    from bench.pages import remove_bench_checkins, selected

    cache.clear()
    urls = {"login": reverse("account_login"), "mfa": reverse("mfa_authenticate")}
    plan = []
    for page in selected():
        name, reason = page.url_name()
        targets = page.targets(name, "large", USERS) if name else []
        if name and not targets:
            reason = "no bench data for it (run bench-data)"
        plan.append((page, targets, reason if not targets else ""))
    connections.close_all()

    log_path = bench.WORK_DIR / "gunicorn.log"
    print(
        f"HTTP load: gunicorn --workers {WEB_CONCURRENCY} on {HOST}:{PORT}; "
        f"{USERS} users per page, {WARMUP:g} s warm-up + {SECONDS:g} s counted"
    )
    process = start_gunicorn(log_path)
    results: dict[str, dict] = {}
    try:

        def server_pids() -> list[int]:
            return [process.pid, *memory.children(process.pid)]

        for page, targets, reason in plan:
            if reason:
                print(f"  {page.title:45} not available: {reason}")
                results[page.key] = {"available": False, "reason": reason}
                continue
            try:
                found = asyncio.run(run_page(page, targets, urls, server_pids))
            except LoginFailed as error:
                found = {"error": f"login failed: {error}"}
            except Exception as error:  # report it with the others, do not stop
                found = {"error": f"{type(error).__name__}: {error}"[:500]}
            found["available"] = True
            results[page.key] = found
            if "error" in found:
                print(f"  {page.title:45} ERROR {found['error']}")
                continue
            bad = found["requests"] - found["ok"]
            if not found["requests"]:
                print(
                    f"  {page.title:45} no request finished in the window "
                    f"(statuses {found['statuses']})"
                )
                continue
            print(
                f"  {page.title:45} p50 {found['p50_ms']:7.1f}  p95 {found['p95_ms']:7.1f}  "
                f"p99 {found['p99_ms']:7.1f} ms  {found['rps']:6.1f} req/s"
                + (f"  {bad} UNEXPECTED (see errors)" if bad else "")
            )
            for line in found["errors"][:3]:
                print(f"      {line}")
            time.sleep(1)
        # Workers killed on the way (gunicorn's timeout) took their peak with them; the
        # log says so ("WORKER TIMEOUT").
        workers = {
            pid: mb
            for pid in memory.children(process.pid)
            if (mb := memory.peak_rss_mb(pid)) is not None
        }
        master = memory.peak_rss_mb(process.pid) or 0.0
        restarts = log_path.read_text(errors="replace").count("WORKER TIMEOUT")
    finally:
        stop(process)
    base = results.get("baseline", {}).get("p95_ms")
    for found in results.values():
        if found.get("p95_ms") and base:
            found["p95_ratio"] = round(found["p95_ms"] / base, 2)
    peak = max(workers.values(), default=None)
    print(
        "  peak RSS of gunicorn workers: "
        + ", ".join(f"{mb:.0f} MB" for mb in workers.values())
        + f" (master {master:.0f} MB)"
        + (f"; {restarts} worker(s) killed by gunicorn's timeout" if restarts else "")
    )
    remove_bench_checkins()
    bench.write_phase(
        "http",
        {
            "users": USERS,
            "seconds": SECONDS,
            "warmup": WARMUP,
            "web_concurrency": WEB_CONCURRENCY,
            "command": f"gunicorn painapp.wsgi:application --bind {HOST}:{PORT} --workers "
            f"{WEB_CONCURRENCY} --access-logfile - --forwarded-allow-ips '*'",
            "pages": results,
            "web_worker_peak_rss_mb": peak,
            "web_workers_peak_rss_mb": list(workers.values()),
            "web_master_peak_rss_mb": master,
            "worker_timeouts": restarts,
        },
    )


if __name__ == "__main__":
    main()
