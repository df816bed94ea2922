"""SQL queries per page, at each of its sizes (small → large): `python -m bench.queries`.

Django's test client (no HTTP server), logged in with force_login as the page's real
role, on the bench database with production settings. Each page is requested once to
warm the session and caches, then once more inside CaptureQueriesContext. When the
count is over budget or grows with the size, the statements repeated most are
printed; every page's statements are kept in var/bench/queries-<page>-<size>.sql,
which is where an N+1 shows.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import bench

_NUMBERS = re.compile(r"\b\d+\b")
_STRINGS = re.compile(r"'(?:[^']|'')*'")
_IN_LISTS = re.compile(r"IN \((?:%s|\?|, )+\)")


def normalise(sql: str) -> str:
    sql = _STRINGS.sub("'?'", sql)
    sql = _NUMBERS.sub("?", sql)
    return _IN_LISTS.sub("IN (…)", sql)


def count_queries(page, target) -> dict:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = get_user_model().objects.get(email=target.email)
    client = Client()
    client.force_login(user)
    warm, measured = (
        (target.requests[0], target.requests[1])
        if target.one_use
        else (target.requests[0], target.requests[-1])
    )

    def send(request):
        if request.method == "POST":
            return client.post(request.path, request.data, secure=True)
        return client.get(request.path, secure=True)

    timed: list[tuple[float, str]] = []

    def timer(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            timed.append(((time.perf_counter() - started) * 1000, sql))

    send(warm)
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timer):
        response = send(measured)
    total_ms = (time.perf_counter() - started) * 1000
    statements = [q["sql"] for q in ctx.captured_queries]
    repeated = Counter(normalise(s) for s in statements).most_common()
    control = sum(
        1
        for q in statements
        if q.split(None, 1)[0].upper() in {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
    )
    return {
        # Counted as the test suite's django_assert_num_queries counts them (with BEGIN
        # and COMMIT); "transaction_statements" says how many of them those are.
        "queries": len(statements),
        "transaction_statements": control,
        "status": response.status_code,
        "expected_status": page.expect,
        "who": f"{target.role} {target.email} ({target.note})",
        "path": measured.path,
        "repeated": [{"times": n, "sql": sql[:300]} for sql, n in repeated if n > 1][:5],
        # One request, no concurrency: where its time goes (DB vs the rest).
        "request_ms": round(total_ms, 1),
        "sql_ms": round(sum(ms for ms, _ in timed), 1),
        "slowest": [
            {"ms": round(ms, 1), "sql": sql[:400]}
            for ms, sql in sorted(timed, key=lambda t: t[0], reverse=True)[:3]
        ],
        "statements": statements,
    }


def main() -> None:
    bench.setup_django()
    bench.collectstatic()
    from bench.pages import remove_bench_checkins, selected

    print("Queries per page (small → large):")
    results = {}
    for page in selected():
        name, reason = page.url_name()
        if name is None:
            print(f"  {page.title:45} not available: {reason}")
            results[page.key] = {"available": False, "reason": reason}
            continue
        entry: dict = {"available": True, "url_name": name, "sizes": {}}
        for size in page.sizes:
            targets = page.targets(name, size, 1)
            if not targets:
                entry["sizes"][size] = {"error": "no bench data for this size"}
                continue
            try:
                found = count_queries(page, targets[0])
            except Exception as error:  # report it with the others, do not stop
                found = {"error": f"{type(error).__name__}: {error}"[:500]}
            statements = found.pop("statements", [])
            if statements:
                (bench.WORK_DIR / f"queries-{page.key}-{size}.sql").write_text(
                    ";\n\n".join(statements) + ";\n"
                )
            entry["sizes"][size] = found
        sizes = entry["sizes"]
        counts = [s.get("queries") for s in sizes.values()]
        entry["same_at_every_size"] = len(set(counts)) == 1 and None not in counts
        # Grows: some bigger size needs more queries than a smaller one (an N+1).
        known = [c for c in counts if c is not None]
        entry["grows_with_size"] = any(b > a for i, a in enumerate(known) for b in known[i + 1 :])
        entry["queries"] = max(known, default=None)
        entry["budget"] = page.queries_budget
        results[page.key] = entry
        line = " → ".join(
            f"{s['queries']}" + ("" if s.get("status") == page.expect else f" (HTTP {s['status']})")
            if "queries" in s
            else f"error: {s['error']}"
            for s in sizes.values()
        )
        flag = ""
        if page.queries_budget is not None and entry["queries"] is not None:
            over = entry["queries"] > page.queries_budget
            flag = "  OVER BUDGET" if over else ""
            if entry["grows_with_size"]:
                flag += "  GROWS WITH SIZE"
        large = list(sizes.values())[-1]
        timing = (
            f"   [largest: {large['request_ms']:,.0f} ms, {large['sql_ms']:,.0f} ms in SQL]"
            if "request_ms" in large
            else ""
        )
        print(f"  {page.title:45} {line}{flag}{timing}")
        if flag:
            for s in sizes.values():
                for r in s.get("repeated", [])[:3]:
                    print(f"      ×{r['times']}: {r['sql'][:160]}")
    remove_bench_checkins()
    bench.write_phase("queries", {"pages": results})


if __name__ == "__main__":
    main()
