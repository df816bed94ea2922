"""Reminders at volume: `python -m bench.reminders`.

1. Makes 100,000 × SCALE reminder schedules due one minute ago: a "Reminder bench"
   practice whose patients (active, onboarded, email and in-app reminders on) each
   have a practice reminder and a check-in reminder for an open check-in (two kinds,
   one schedule of each kind per enrollment, so 50,000 enrollments at scale 1). Every
   other schedule in the database is moved a day ahead, so exactly these are due.
2. Times `tracking.reminders.sweep_due_reminders(now)` claiming them all, recording
   the deliveries and queueing the sends on Redis (no worker running yet).
3. Starts ONE `celery worker --concurrency=1` (one process doing the work) with
   Django's file email backend, and counts finished deliveries for
   BENCH_DELIVERY_SECONDS (default 60) or until none are left: deliveries per second.
4. Peak RSS (VmHWM) of the Celery processes; then stops the worker and purges what is
   left in the queue. Running it again resets the same rows.
"""

from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta

import bench
from bench import Timer, memory

PRACTICE_NAME = "Reminder bench"
DELIVERY_SECONDS = float(os.environ.get("BENCH_DELIVERY_SECONDS") or "60")
SWEEP_TIMEOUT = float(os.environ.get("BENCH_SWEEP_TIMEOUT") or "300")


def scale() -> float:
    if os.environ.get("SCALE"):
        return float(os.environ["SCALE"])
    data = bench.read_phase("data") or {}
    return float(data.get("scale", 1))


def prepare(count: int, now: datetime, timings: dict) -> list[int]:
    """Make sure `count` due schedules exist in the reminder practice; return their ids."""
    from django.contrib.auth.hashers import make_password

    from bench.db import copy_rows, execute, reserve_ids
    from painapp.accounts.models import Membership, Practice, Role, User
    from programs.models import Enrollment, EnrollmentStatus, ProgramVersion, Screening
    from tracking.checkins.schedule import checkin_config
    from tracking.models import CheckIn, ReminderPreferences, ReminderSchedule

    enrollments_needed = math.ceil(count / 2)
    practice, _ = Practice.objects.get_or_create(name=PRACTICE_NAME)
    have = Enrollment.objects.filter(practice=practice).count()
    missing = enrollments_needed - have
    if missing > 0:
        with Timer(f"create {missing:,} patients with enrollments and schedules", timings):
            version = ProgramVersion.objects.filter(language="en").order_by("-pk").first()
            keys = checkin_config(version)["weekly"]
            clinician = User.objects.filter(email=f"clin-reminders@{bench.EMAIL_DOMAIN}").first()
            if clinician is None:
                clinician = User.objects.create_user(f"clin-reminders@{bench.EMAIL_DOMAIN}")
                Membership.objects.create(
                    user=clinician, practice=practice, role=Role.CLINICIAN, is_active=True
                )
            password = make_password(bench.PASSWORD)
            zones = [
                "Europe/London",
                "America/New_York",
                "America/Los_Angeles",
                "Australia/Sydney",
                "Asia/Kolkata",
            ]
            user_ids = reserve_ids(User, missing)
            enrollment_ids = reserve_ids(Enrollment, missing)
            start = now.date() - timedelta(days=20)
            began = now - timedelta(days=20)
            copy_rows(
                User,
                (
                    {
                        "id": uid,
                        "email": f"rem-{have + i:06d}@{bench.EMAIL_DOMAIN}",
                        "password": password,
                        "timezone": zones[i % len(zones)],
                        "full_name": f"Reminder patient {have + i}",
                        "date_joined": began,
                    }
                    for i, uid in enumerate(user_ids)
                ),
            )
            copy_rows(
                Membership,
                (
                    {
                        "user_id": uid,
                        "practice_id": practice.pk,
                        "role": Role.PATIENT,
                        "is_active": True,
                    }
                    for uid in user_ids
                ),
            )
            copy_rows(
                Enrollment,
                (
                    {
                        "id": eid,
                        "patient_id": uid,
                        "practice_id": practice.pk,
                        "program_version_id": version.pk,
                        "clinician_id": clinician.pk,
                        "start_date": start,
                        "status": EnrollmentStatus.ACTIVE,
                        "checkin_weekday": start.weekday(),
                        "consented_at": began,
                        "onboarded_at": began,
                        "screening": Screening.CLEAR,
                    }
                    for eid, uid in zip(enrollment_ids, user_ids, strict=True)
                ),
            )
            copy_rows(ReminderPreferences, ({"enrollment_id": eid} for eid in enrollment_ids))
            copy_rows(
                CheckIn,
                (
                    {
                        "enrollment_id": eid,
                        "slot": "week-3",
                        "kind": CheckIn.Kind.WEEKLY,
                        "week": 3,
                        "due_date": now.date(),
                        "opens_at": now,
                        "closes_at": now,
                        "status": CheckIn.Status.OPEN,
                        "instrument_keys": keys,
                    }
                    for eid in enrollment_ids
                ),
            )
            copy_rows(
                ReminderSchedule,
                (
                    {"enrollment_id": eid, "kind": kind, "active": True}
                    for eid in enrollment_ids
                    for kind in (ReminderSchedule.Kind.PRACTICE, ReminderSchedule.Kind.CHECKIN)
                ),
            )
            execute("ANALYZE")

    with Timer("reset deliveries and make the schedules due", timings):
        bench_enrollments = (
            "SELECT id FROM programs_enrollment WHERE practice_id = %(p)s ORDER BY id LIMIT %(n)s"
        )
        params = {
            "p": practice.pk,
            "n": enrollments_needed,
            "now": now,
            "due": now - timedelta(minutes=1),
            "today": now.date().isoformat(),
        }
        execute(
            """DELETE FROM tracking_notification WHERE user_id IN (
                     SELECT patient_id FROM programs_enrollment WHERE practice_id = %(p)s)""",
            params,
        )
        execute(
            """DELETE FROM tracking_delivery WHERE schedule_id IN (
                     SELECT s.id FROM tracking_reminderschedule s
                     JOIN programs_enrollment e ON e.id = s.enrollment_id
                     WHERE e.practice_id = %(p)s)""",
            params,
        )
        # Every other schedule: not due during this run.
        execute(
            """UPDATE tracking_reminderschedule SET next_due_at = %(now)s + interval '1 day'
                   WHERE active AND next_due_at <= %(now)s + interval '1 hour'
                     AND enrollment_id NOT IN (SELECT id FROM programs_enrollment
                                               WHERE practice_id = %(p)s)""",
            params,
        )
        execute(
            """UPDATE tracking_reminderschedule SET active = false
                   WHERE enrollment_id IN (SELECT id FROM programs_enrollment
                                           WHERE practice_id = %(p)s)""",
            params,
        )
        execute(
            f"""UPDATE tracking_checkin SET status = 'open', completed_at = NULL,
                       opens_at = %(now)s - interval '1 hour',
                       closes_at = %(now)s + interval '3 days', due_date = %(today)s::date
                    WHERE enrollment_id IN ({bench_enrollments})""",
            params,
        )
        execute(
            f"""UPDATE tracking_reminderschedule s SET active = true, next_due_at = %(due)s,
                      next_slot = 'practice:' || %(today)s
                    WHERE s.kind = 'practice' AND s.enrollment_id IN ({bench_enrollments})""",
            params,
        )
        execute(
            f"""UPDATE tracking_reminderschedule s SET active = true, next_due_at = %(due)s,
                      next_slot = 'checkin:' || c.id || ':open'
                    FROM tracking_checkin c
                    WHERE s.kind = 'checkin' AND c.enrollment_id = s.enrollment_id
                      AND s.enrollment_id IN ({bench_enrollments})""",
            params,
        )
        if count % 2:  # an odd count: one check-in schedule fewer
            execute(
                f"""UPDATE tracking_reminderschedule SET active = false WHERE id = (
                          SELECT max(s.id) FROM tracking_reminderschedule s
                          WHERE s.kind = 'checkin' AND s.enrollment_id IN ({bench_enrollments}))""",
                params,
            )
        execute("VACUUM ANALYZE tracking_reminderschedule")
        execute("VACUUM ANALYZE tracking_delivery")
    return list(
        ReminderSchedule.objects.filter(active=True, next_due_at__lte=now).values_list(
            "pk", flat=True
        )
    )


def purge_queue() -> int:
    from painapp.celery import app

    return app.control.purge() or 0


def queue_length() -> int:
    import redis

    return int(redis.Redis.from_url(bench.REDIS_URL).llen("celery"))


def finished_deliveries(schedule_ids_sql: str) -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT status, count(*) FROM tracking_delivery "
            f"WHERE schedule_id IN ({schedule_ids_sql}) GROUP BY status"
        )
        return dict(cursor.fetchall())


def main() -> None:
    bench.setup_django()
    from django.db import connection

    count = int(round(100_000 * scale()))
    timings: dict[str, float] = {}
    print(f"Reminders: {count:,} due schedules")
    now = datetime.now(UTC).replace(microsecond=0)
    due_ids = prepare(count, now, timings)
    purged = purge_queue()
    if len(due_ids) != count:
        print(f"  note: {len(due_ids):,} schedules are due (expected {count:,})")

    from painapp.accounts.models import Practice

    practice_id = Practice.objects.get(name=PRACTICE_NAME).pk
    schedules_sql = (
        f"SELECT s.id FROM tracking_reminderschedule s JOIN programs_enrollment e"
        f" ON e.id = s.enrollment_id WHERE e.practice_id = {practice_id}"
    )
    connection.close()
    sweep = run_sweep(now, schedules_sql)
    timings["sweep: claim, record deliveries, enqueue"] = sweep["seconds"]
    claimed = sweep["claimed"]
    by_status = finished_deliveries(schedules_sql)
    deliveries = sum(by_status.values())
    queued = queue_length()
    rate = claimed / max(sweep["seconds"], 1e-9)
    if sweep["finished"]:
        print(
            f"  sweep claimed {claimed:,} schedules in {sweep['seconds']:.1f} s "
            f"({rate:,.0f}/s): {deliveries:,} deliveries, {queued:,} send tasks queued"
        )
    else:
        print(
            f"  sweep STOPPED after {sweep['seconds']:.0f} s (BENCH_SWEEP_TIMEOUT) with "
            f"{claimed:,} of {count:,} claimed ({rate:,.0f}/s): all {count:,} would take "
            f"about {count / max(rate, 1e-9):,.0f} s"
        )
    connection.close()

    mail_dir = bench.WORK_DIR / "mail"
    shutil.rmtree(mail_dir, ignore_errors=True)
    mail_dir.mkdir(parents=True)
    log_path = bench.WORK_DIR / "celery-worker.log"
    command = [
        str(bench.ROOT / ".venv" / "bin" / "celery"),
        "-A",
        "painapp",
        "worker",
        "--loglevel=INFO",
        "--concurrency=1",
        "--hostname",
        "bench@%h",
    ]
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command,
            cwd=bench.ROOT,
            env=bench.environ(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        # Count from the first finished delivery (the worker is up), for a fixed time.
        deadline = time.time() + 120
        done0 = 0
        while time.time() < deadline:
            if worker.poll() is not None:
                raise SystemExit(f"celery worker exited ({worker.returncode}); see {log_path}")
            counts = finished_deliveries(schedules_sql)
            done0 = deliveries - counts.get("pending", 0) - counts.get("sending", 0)
            if done0 > 0:
                break
            time.sleep(0.2)
        t0 = time.perf_counter()
        done = done0
        while time.perf_counter() - t0 < DELIVERY_SECONDS and done < deliveries:
            time.sleep(1)
            counts = finished_deliveries(schedules_sql)
            done = deliveries - counts.get("pending", 0) - counts.get("sending", 0)
        elapsed = time.perf_counter() - t0
        per_second = (done - done0) / elapsed
        pids = [worker.pid, *memory.children(worker.pid)]
        rss = {pid: memory.peak_rss_mb(pid) for pid in pids}
    finally:
        stop(worker)
    connection.close()
    final = finished_deliveries(schedules_sql)
    # The file backend appends messages to a file per connection: count the messages.
    mails = sum(f.read_bytes().count(b"\nSubject: ") for f in mail_dir.iterdir())
    left = purge_queue()
    shutil.rmtree(mail_dir, ignore_errors=True)
    print(
        f"  one worker: {per_second:,.1f} deliveries/s over {elapsed:.1f} s "
        f"({done - done0:,} finished; {final.get('sent', 0):,} sent, "
        f"{final.get('skipped', 0):,} skipped, {final.get('failed', 0):,} failed so far; "
        f"{mails:,} emails written)"
    )
    print(
        "  peak RSS of the Celery worker: "
        + ", ".join(f"{mb:.0f} MB" for mb in rss.values() if mb is not None)
        + " (main process, then the pool process)"
    )
    bench.write_phase(
        "reminders",
        {
            "due": count,
            "claimed": claimed,
            "sweep_seconds": sweep["seconds"],
            "sweep_finished": sweep["finished"],
            "sweep_projected_seconds": round(count / max(rate, 1e-9), 1),
            "claimed_per_second": round(rate, 1),
            "deliveries_recorded": deliveries,
            "send_tasks_queued": queued,
            "deliveries_per_second": round(per_second, 1),
            "delivery_window_seconds": round(elapsed, 1),
            "deliveries_finished_in_window": done - done0,
            "deliveries_by_status": final,
            "emails_written": mails,
            "worker_command": " ".join(command[1:]),
            "celery_worker_peak_rss_mb": max((v for v in rss.values() if v), default=None),
            "celery_processes_peak_rss_mb": list(rss.values()),
            "purged_before": purged,
            "purged_after": left,
            "steps": timings,
        },
    )


def run_sweep(now: datetime, schedules_sql: str) -> dict:
    """The sweep in its own process, as beat's task runs it, stopped after
    BENCH_SWEEP_TIMEOUT seconds if it has not finished (then the schedules it did
    claim are counted, and the time for all of them projected)."""
    import json
    import sys

    from django.db import connection

    command = [sys.executable, "-m", "bench.reminders", "--sweep", now.isoformat()]
    print(
        f"  sweep: claim, record deliveries, enqueue (at most {SWEEP_TIMEOUT:g} s) …",
        end="",
        flush=True,
    )
    started = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=bench.ROOT, env=bench.environ(), stdout=subprocess.PIPE, start_new_session=True
    )
    try:
        out, _ = process.communicate(timeout=SWEEP_TIMEOUT)
        result = json.loads(out.decode().strip().splitlines()[-1])
        result["finished"] = True
    except subprocess.TimeoutExpired:
        stop(process)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM tracking_reminderschedule WHERE id IN "
                f"({schedules_sql}) AND (next_due_at > %s OR NOT active)",
                [now],
            )
            result = {
                "claimed": cursor.fetchone()[0],
                "finished": False,
                "seconds": round(time.perf_counter() - started, 2),
            }
    print(f" {result['seconds']:.1f} s")
    return result


def sweep_child(now_iso: str) -> None:
    import json

    bench.setup_django()
    from tracking.reminders.sweep import sweep_due_reminders

    started = time.perf_counter()
    claimed = sweep_due_reminders(datetime.fromisoformat(now_iso))
    print(json.dumps({"claimed": claimed, "seconds": round(time.perf_counter() - started, 2)}))


def stop(process: subprocess.Popen) -> None:
    """Stop the worker this bench started (warm shutdown, then its process group)."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["--sweep"]:
        sweep_child(sys.argv[2])
    else:
        main()
