# painapp developer tasks.
#
# make bench            everything, from a clean clone: set up .venv (bin/setup --dev),
#                       build the bench data set, count queries, load-test gunicorn, time
#                       the reminder sweep and deliveries, write bench/results/.
# make bench SCALE=0.05 the same on a twentieth of the data (1 practice, 5,000 reminders):
#                       every page keeps its size, so it is a quick check of the harness.
#
# Pieces: bench-data, bench-queries, bench-http, bench-reminders, bench-report (each
# phase keeps its figures in var/bench/; bench-report collects whatever is there).
#
# Knobs (environment or make variables):
#   SCALE=1                 data size (× 20 practices, × 100,000 due reminders)
#   BENCH_SEED=20260307     the generator's seed
#   BENCH_USERS=8           concurrent users per page
#   BENCH_SECONDS=20        counted seconds per page (after BENCH_WARMUP=3)
#   WEB_CONCURRENCY=2       gunicorn workers (docker/web.sh's variable)
#   BENCH_PAGES=caseload,…  only these pages (keys in bench/pages.py; baseline always)
#   BENCH_DELIVERY_SECONDS=60, BENCH_SWEEP_TIMEOUT=300
#   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/painapp_bench (dropped and rebuilt)
#   BENCH_REDIS_URL=redis://127.0.0.1:6379/10
#   BENCH_WORK_DIR=var/bench  scratch: each phase's figures, logs, mail

PY := .venv/bin/python
SCALE ?= 1
WEB_CONCURRENCY ?= 2
export SCALE WEB_CONCURRENCY BENCH_SEED BENCH_USERS BENCH_SECONDS BENCH_WARMUP BENCH_PAGES \
	BENCH_DELIVERY_SECONDS BENCH_SWEEP_TIMEOUT BENCH_DATABASE_URL BENCH_REDIS_URL BENCH_PORT BENCH_WORK_DIR

.PHONY: bench bench-setup bench-data bench-queries bench-http bench-reminders bench-report

# A measurement that fails does not stop the others; the report marks what is missing.
bench: bench-setup
	rm -f $(or $(BENCH_WORK_DIR),var/bench)/*.json
	$(MAKE) bench-data
	-$(MAKE) bench-queries
	-$(MAKE) bench-http
	-$(MAKE) bench-reminders
	$(MAKE) bench-report

bench-setup:
	bin/setup --dev

bench-data:
	$(PY) -m bench.generate --scale $(SCALE)

bench-queries:
	$(PY) -m bench.queries

bench-http:
	$(PY) -m bench.http

bench-reminders:
	$(PY) -m bench.reminders

bench-report:
	$(PY) -m bench.report
