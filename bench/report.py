"""Collect the phases' figures into bench/results/<timestamp>.json and
bench/results/latest.md, with the machine and versions: `python -m bench.report`."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from pathlib import Path

import bench

SWEEP_BUDGET_SECONDS = 60
SWEEP_BUDGET_COUNT = 100_000
REPORT_P95_BUDGET_MS = 250
WEB_RSS_BUDGET_MB = 200
QUERY_BUDGET = 12


def _run(*command: str) -> str:
    try:
        return subprocess.run(
            command, capture_output=True, text=True, timeout=10, cwd=bench.ROOT
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine() -> dict:
    import celery
    import django
    import gunicorn
    import psycopg
    import redis

    from bench.db import scalar

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    redis_version = redis.Redis.from_url(bench.REDIS_URL).info("server").get("redis_version")
    status = _run("git", "status", "--porcelain")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "os": _run("sh", "-c", ". /etc/os-release && echo $PRETTY_NAME"),
        "load_average_at_report": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": scalar("SHOW server_version"),
        "redis": redis_version,
        "gunicorn": gunicorn.__version__,
        "celery": celery.__version__,
        "psycopg": psycopg.__version__,
        "git_commit": _run("git", "rev-parse", "HEAD"),
        "git_dirty_files": len(status.splitlines()) if status else 0,
    }


def budgets(
    data: dict | None, queries: dict | None, http: dict | None, reminders: dict | None
) -> list[dict]:
    from bench.pages import PAGES

    out = []

    def add(name: str, figure: str, ok: bool | None, note: str = "") -> None:
        out.append({"budget": name, "figure": figure, "pass": ok, "note": note})

    pages_http = (http or {}).get("pages", {})
    base = pages_http.get("baseline", {}).get("p95_ms")
    for page in PAGES:
        found = pages_http.get(page.key, {})
        if page.p95_ratio_budget is not None:
            name = f"{page.title}: p95 ≤ {page.p95_ratio_budget:g}× baseline p95"
            if not found.get("available", True) or "p95_ratio" not in found:
                add(name, "—", None, found.get("reason") or found.get("error") or "not measured")
            else:
                clean = found["ok"] == found["requests"]
                add(
                    name,
                    f"{found['p95_ratio']:.2f}× ({found['p95_ms']:.0f} ms vs {base:.0f} ms)",
                    found["p95_ratio"] <= page.p95_ratio_budget and clean,
                    "" if clean else f"{found['requests'] - found['ok']} unexpected responses",
                )
        if page.p95_ms_budget is not None:
            name = f"{page.title}: p95 < {page.p95_ms_budget:g} ms"
            if found.get("p95_ms") is None:
                add(name, "—", None, found.get("reason") or found.get("error") or "not measured")
            else:
                add(
                    name,
                    f"{found['p95_ms']:.0f} ms",
                    found["p95_ms"] < page.p95_ms_budget and found["ok"] == found["requests"],
                )
    for page in PAGES:
        q = (queries or {}).get("pages", {}).get(page.key, {})
        if page.queries_budget is None:
            continue
        name = f"{page.title}: ≤ {page.queries_budget} queries, not growing with size"
        counts = [s.get("queries") for s in q.get("sizes", {}).values()]
        if not q.get("available") or None in counts or not counts:
            add(name, "—", None, q.get("reason", "not measured"))
            continue
        sizes = " → ".join(f"{c} ({size})" for size, c in zip(q["sizes"], counts, strict=True))
        ok = max(counts) <= page.queries_budget and not q.get("grows_with_size")
        if page.key == "caseload":  # the issue: "the same at 5 and at 200 patients"
            ok = ok and len(set(counts)) == 1
        add(name, sizes, ok)
    if reminders:
        rate = reminders.get("claimed_per_second") or 0
        projected = SWEEP_BUDGET_COUNT / rate if rate else None
        measured = f"{reminders['claimed']:,} in {reminders['sweep_seconds']:.1f} s"
        if not reminders.get("sweep_finished", True):
            measured += " (stopped, unfinished)"
        add(
            f"Reminder sweep: {SWEEP_BUDGET_COUNT:,} claimed and enqueued in < "
            f"{SWEEP_BUDGET_SECONDS} s",
            f"{measured}; {rate:,.0f}/s → {SWEEP_BUDGET_COUNT:,} in ~{projected:,.0f} s"
            if projected
            else measured,
            projected is not None and projected < SWEEP_BUDGET_SECONDS,
            ""
            if reminders["due"] == SWEEP_BUDGET_COUNT
            else f"measured on {reminders['due']:,} (reduced scale); projected at the same rate",
        )
    else:
        add("Reminder sweep", "—", None, "not measured")
    rss = (http or {}).get("web_worker_peak_rss_mb")
    add(
        f"Web worker peak RSS < {WEB_RSS_BUDGET_MB} MB",
        f"{rss:.0f} MB" if rss else "—",
        rss < WEB_RSS_BUDGET_MB if rss else None,
    )
    return out


def _fmt(value, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def markdown(result: dict) -> str:
    from bench.pages import PAGES

    m, data, http = result["machine"], result.get("data") or {}, result.get("http") or {}
    queries, rem = result.get("queries") or {}, result.get("reminders") or {}
    lines = [f"# painapp bench — {result['timestamp']}", ""]
    lines.append(
        f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, {m['os']} "
        f"(kernel {m['kernel']}); load average at the end {m['load_average_at_report']}."
    )
    lines.append(
        f"Versions: Python {m['python']}, Django {m['django']}, PostgreSQL "
        f"{m['postgres']}, Redis {m['redis']}, gunicorn {m['gunicorn']}, Celery "
        f"{m['celery']}, psycopg {m['psycopg']}. Commit `{m['git_commit'][:12]}`"
        + (f" with {m['git_dirty_files']} uncommitted files." if m["git_dirty_files"] else ".")
    )
    if data:
        rows = data.get("rows", {})
        lines.append(
            f"Data (scale {data.get('scale')}, seed {data.get('seed')}, generated in "
            f"{_fmt(data.get('seconds'))} s): {_fmt(rows.get('accounts.Practice'))} practices, "
            f"{_fmt(rows.get('programs.Enrollment'))} enrollments, "
            f"{_fmt(rows.get('tracking.CheckIn'))} check-ins, "
            f"{_fmt(rows.get('tracking.Response'))} responses, "
            f"{_fmt(rows.get('programs.PracticeSession'))} practice sessions, "
            f"{_fmt(rows.get('programs.Exposure'))} exposures, "
            f"{_fmt(rows.get('tracking.Alert'))} alerts, "
            f"{_fmt(rows.get('tracking.DiaryEntry'))} diary entries, "
            f"{_fmt(rows.get('tracking.SessionNote'))} session notes, "
            f"{_fmt(rows.get('tracking.Message'))} messages in "
            f"{_fmt(rows.get('tracking.MessageThread'))} threads, "
            f"{_fmt(rows.get('tracking.SavedCaseloadFilter'))} saved filters, "
            f"{_fmt(rows.get('programs.ActivityAdjustment'))} tailoring changes, "
            f"{_fmt(rows.get('tracking.ReminderSchedule'))} reminder schedules "
            f"({rows.get('database_size', '?')})."
        )
    lines += [
        "",
        f"## HTTP — {http.get('users', '?')} users per page, {_fmt(http.get('seconds'))}"
        f" s counted after {_fmt(http.get('warmup'))} s warm-up, gunicorn "
        f"{http.get('web_concurrency', '?')} workers",
        "",
    ]
    lines.append("Ratios are what we track; absolute times on a shared 2-core machine are noisy.")
    lines.append(
        '"Alone" is one request with nothing else running (Django\'s test client, '
        "bench/queries.py): its time, and how much of it was SQL."
    )
    lines += [
        "",
        "| Page | p50 ms | p95 ms | p99 ms | req/s | p95 ÷ baseline | server CPU ms/req "
        "| alone ms (SQL) | SQL queries (small → large) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for page in PAGES:
        h = http.get("pages", {}).get(page.key, {})
        q = queries.get("pages", {}).get(page.key, {})
        qs = " → ".join(_fmt(s.get("queries")) for s in q.get("sizes", {}).values()) or "—"
        large = list(q.get("sizes", {}).values())[-1] if q.get("sizes") else {}
        alone = (
            f"{large['request_ms']:,.0f} ({large['sql_ms']:,.0f})" if "request_ms" in large else "—"
        )
        if not h.get("available", True):
            lines.append(
                f"| {page.title} | not available: {h.get('reason')} | | | | | | {alone} | {qs} |"
            )
            continue
        if "error" in h:
            lines.append(f"| {page.title} | error: {h['error']} | | | | | | {alone} | {qs} |")
            continue
        bad = h.get("requests", 0) - h.get("ok", 0)
        note = f" ({bad} unexpected)" if bad else ""
        lines.append(
            f"| {page.title}{note} | {_fmt(h.get('p50_ms'))} | {_fmt(h.get('p95_ms'))} | "
            f"{_fmt(h.get('p99_ms'))} | {_fmt(h.get('rps'))} | "
            f"{_fmt(h.get('p95_ratio'), 2)} | {_fmt(h.get('server_cpu_ms_per_request'))} "
            f"| {alone} | {qs} |"
        )
    if rem:
        lines += [
            "",
            "## Reminders",
            "",
            f"- Sweep: {rem['claimed']:,} of {rem['due']:,} due schedules claimed, "
            f"deliveries recorded and sends enqueued in {rem['sweep_seconds']:.1f} s "
            f"({rem['claimed_per_second']:,.0f}/s)"
            + (
                ""
                if rem.get("sweep_finished", True)
                else ", stopped unfinished; all would take "
                f"~{rem['sweep_projected_seconds']:,.0f} s"
            )
            + f"; {rem['deliveries_recorded']:,} deliveries, "
            f"{rem['send_tasks_queued']:,} send tasks on Redis.",
            f"- One Celery worker (`{rem['worker_command']}`, file email backend): "
            f"{rem['deliveries_per_second']:,.1f} deliveries/s over "
            f"{rem['delivery_window_seconds']:.0f} s "
            f"({rem['deliveries_finished_in_window']:,} finished).",
        ]
    lines += [
        "",
        "## Memory (peak RSS, VmHWM)",
        "",
        "- Web (gunicorn) workers: "
        + ", ".join(f"{x:.0f} MB" for x in http.get("web_workers_peak_rss_mb", []) if x)
        + f" (master {_fmt(http.get('web_master_peak_rss_mb'), 0)} MB)",
        "- Celery worker: "
        + ", ".join(f"{x:.0f} MB" for x in rem.get("celery_processes_peak_rss_mb", []) if x)
        + " (main process, pool process)"
        if rem
        else "- Celery worker: not measured",
    ]
    lines += [
        "",
        "## Budgets (issues 7 and 13)",
        "",
        "| Budget | Figure | Result |",
        "|---|---|---|",
    ]
    for b in result["budgets"]:
        verdict = {True: "pass", False: "**FAIL**", None: "not measured"}[b["pass"]]
        figure = b["figure"] if b["figure"] != "—" else ""
        note = (" — " if figure else "") + b["note"] if b["note"] else ""
        lines.append(f"| {b['budget']} | {figure or ('—' if not note else '')}{note} | {verdict} |")
    lines += [
        "",
        f'Reproduce: `make bench` (see README, "Benchmark"). Raw figures: `{result["json_name"]}`.',
        "",
    ]
    return "\n".join(lines)


def main() -> None:
    bench.setup_django()
    data, queries = bench.read_phase("data"), bench.read_phase("queries")
    http, reminders = bench.read_phase("http"), bench.read_phase("reminders")
    stamp = time.strftime("%Y%m%d-%H%M%S")
    bench.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    json_path = bench.RESULTS_DIR / f"{stamp}.json"
    result = {
        "timestamp": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
        "json_name": json_path.name,
        "machine": machine(),
        "data": data,
        "queries": queries,
        "http": http,
        "reminders": reminders,
        "budgets": budgets(data, queries, http, reminders),
    }
    # The statements themselves stay in var/bench/queries-*.sql; keep the JSON small.
    json_path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    md = markdown(result)
    (bench.RESULTS_DIR / "latest.md").write_text(md)
    print(md)
    print(f"Wrote {json_path.relative_to(bench.ROOT)} and bench/results/latest.md")


if __name__ == "__main__":
    main()
