"""One page's cost per request, next to the baseline's: `python -m bench.profile PAGE …`.

The quick loop for work on issue 7's p95 ratios. Under the HTTP load the two cores are
saturated, so a page's p95 over the baseline's p95 follows its total cost per request
(Python in the web worker plus Postgres) over the baseline's; one request at a time
through Django's test client predicts the ratio `make bench` reports within about 10%,
in a few seconds and without gunicorn.

For each page named (keys in bench.pages; default: the four with a ratio budget), the
page and the baseline are requested alternately (so a busy machine slows both alike)
and the medians are printed: wall time, CPU time of this process, time in SQL, queries,
and the page's wall time as a ratio to the baseline's. `--profile` adds a cProfile of
the page, sorted by cumulative time (`--sort tottime` for the other view).

Runs on the bench database (`make bench-data` first) with production settings.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import itertools
import pstats
import statistics
import time

import bench


def _client_for(page, target):
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(email=target.email))
    return client


def _measure(client, request) -> tuple[float, float, float, int, int]:
    """(wall ms, cpu ms, sql ms, queries, status) of one request."""
    from django.db import connection

    sql = [0.0, 0]

    def timer(execute, statement, params, many, context):
        started = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            sql[0] += time.perf_counter() - started
            sql[1] += 1

    wall, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timer):
        if request.method == "POST":
            response = client.post(request.path, request.data, secure=True)
        else:
            response = client.get(request.path, secure=True)
    return (
        (time.perf_counter() - wall) * 1000,
        (time.process_time() - cpu) * 1000,
        sql[0] * 1000,
        sql[1],
        response.status_code,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*")
    parser.add_argument("-n", type=int, default=60, help="requests per page (default 60)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of each page")
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument(
        "--callers", metavar="PATTERN", help="with --profile: who calls the functions matching"
    )
    args = parser.parse_args()

    bench.setup_django()
    bench.collectstatic()
    from bench.pages import PAGES, remove_bench_checkins

    by_key = {p.key: p for p in PAGES}
    keys = args.pages or [p.key for p in PAGES if p.p95_ratio_budget]
    base_page = by_key["baseline"]
    base_target = base_page.targets(base_page.url_name()[0], "large", 1)[0]
    base_client = _client_for(base_page, base_target)

    made_checkins = False
    print(
        f"{'page':16} {'wall ms':>8} {'cpu ms':>7} {'sql ms':>7} {'queries':>7} "
        f"{'base ms':>8} {'ratio':>6}  status"
    )
    for key in keys:
        page = by_key[key]
        name, reason = page.url_name()
        if name is None:
            print(f"{key:16} not available: {reason}")
            continue
        # Enough requests for the warm-up, the measured loop and the profile (a check-in
        # is submitted once, so one_use targets need a fresh one per request).
        # (three users: below that the check-in page makes only three check-ins each)
        target = page.targets(name, "large", 3)[0]
        made_checkins |= target.one_use
        client = _client_for(page, target)
        need = 3 + args.n * (2 if args.profile else 1)
        if target.one_use and len(target.requests) < need:
            raise SystemExit(f"{key}: only {len(target.requests)} one-use requests; lower -n")
        queue = itertools.cycle(target.requests)
        next_request = queue.__next__

        for _ in range(3):  # warm caches, sessions, the connection
            _measure(client, next_request())
            _measure(base_client, base_target.requests[0])
        page_runs, base_runs, statuses = [], [], set()
        for _ in range(args.n):
            run = _measure(client, next_request())
            statuses.add(run[4])
            page_runs.append(run)
            base_runs.append(_measure(base_client, base_target.requests[0]))
        med = [statistics.median(r[i] for r in page_runs) for i in range(4)]
        base_wall = statistics.median(r[0] for r in base_runs)
        flag = "" if statuses == {page.expect} else f"  (expected {page.expect})"
        print(
            f"{key:16} {med[0]:8.2f} {med[1]:7.2f} {med[2]:7.2f} {med[3]:7.0f} "
            f"{base_wall:8.2f} {med[0] / base_wall:6.2f}  {sorted(statuses)}{flag}"
        )
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.n):
                _measure(client, next_request())
            profiler.disable()
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).sort_stats(args.sort)
            if args.callers:
                stats.print_callers(args.callers)
            else:
                stats.print_stats(args.lines)
            print(out.getvalue())
    if made_checkins:
        remove_bench_checkins()


if __name__ == "__main__":
    main()
