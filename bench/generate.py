"""Build the bench data set, quickly and repeatably: `python -m bench.generate [--scale S]`.

Drops and recreates the bench database (BENCH_DATABASE_URL), migrates, loads the
curriculum and instruments, then loads, with a fixed seed:

per practice (20 at scale 1; SCALE multiplies the number of practices, so every page
keeps its size at any scale):
- 1 practice admin and 10 clinicians (every staff account has a TOTP authenticator);
- 1,000 patients, each with an active, onboarded enrollment on the 8-week program;
  clinician c0 has 200 of them (the caseload page), c1 has 5 (query counts at a small
  size), c2–c9 share the other 795;
- 52 weeks of history for every patient (5 weeks for c1's five): one check-in a week
  (baseline, weeks, end, 1- and 3-month follow-ups, then weekly ones) of which about
  85% are done, with one Response per instrument scored by the real scoring code;
  somatic-tracking sessions on 5 days out of 7 (~260 a patient); activity
  completions, reflections, three "causes" attributions; 6 fear-ladder rungs and
  20 planned or done exposures; 0–3 alerts (about 15% open); reminder preferences
  and both reminder schedules;
- issue 19's data: 2–4 pain and fear diary episodes a week (~150 a patient); a PRT
  session note every other week for a third of the patients; a message thread of
  8–12 messages for half of them (~30% with patient messages the clinician has not
  read); three saved caseload filters per clinician; tailoring (about two activities
  skipped or moved, half with a custom exercise) for about 10%. The patients the
  patient-detail page visits (the first 25 of c0 and c1) always have a diary, session
  notes and a thread, and c0's and c1's first three threads are unread.

Small tables go through `bench.db.copy_rows` (COPY, with model defaults filled in);
the big ones (check-ins, responses, practice sessions, …) are built inside Postgres
with INSERT … SELECT over generate_series, with a seeded hash instead of random() so
the same seed gives the same rows. Foreign-key triggers are off while loading
(session_replication_role = replica): every key is generated consistent.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dtime
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import bench
from bench import Timer

PATIENTS_PER_PRACTICE = 1000
CLINICIANS_PER_PRACTICE = 10
BIG_CASELOAD = 200  # clinician c0
SMALL_CASELOAD = 5  # clinician c1
WEEKS = 52
SHORT_WEEKS = 5  # history of c1's patients
SAMPLES = 64  # answer sets kept per multi-item instrument
TIMEZONES = [
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
    "Europe/Berlin",
    "Australia/Sydney",
    "Pacific/Auckland",
    "Asia/Kolkata",
]

LAYOUT_TABLE = "bench_layout"


def patient_email(practice_no: int, n: int) -> str:
    return f"pat-p{practice_no:02d}-{n:04d}@{bench.EMAIL_DOMAIN}"


def clinician_email(practice_no: int, c: int) -> str:
    return f"clin-p{practice_no:02d}-c{c}@{bench.EMAIL_DOMAIN}"


def admin_email(practice_no: int) -> str:
    return f"admin-p{practice_no:02d}@{bench.EMAIL_DOMAIN}"


def clinician_of(n: int) -> int:
    if n < BIG_CASELOAD:
        return 0
    if n < BIG_CASELOAD + SMALL_CASELOAD:
        return 1
    return 2 + (n - BIG_CASELOAD - SMALL_CASELOAD) % (CLINICIANS_PER_PRACTICE - 2)


def practices_for(scale: float) -> int:
    return max(1, round(20 * scale))


# ---------------------------------------------------------------- the database


def recreate_database() -> None:
    import psycopg

    url = urlparse(bench.DATABASE_URL)
    name = url.path.lstrip("/")
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def prepare_schema() -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_program", "--all", verbosity=0)
    call_command("load_instruments", verbosity=0)


# ---------------------------------------------------------------- the data


def generate(*, scale: float, seed: int, timings: dict) -> dict:
    from allauth.mfa.models import Authenticator
    from django.contrib.auth.hashers import make_password
    from django.db import connection
    from django.utils import timezone

    from bench.db import copy_rows, execute, reserve_ids
    from painapp.accounts.models import Membership, Practice, Role, User
    from programs.models import (
        Activity,
        Enrollment,
        EnrollmentStatus,
        ProgramVersion,
        Screening,
    )
    from tracking.checkins.schedule import checkin_config
    from tracking.models import PracticeSettings, ReminderPreferences, ReminderSchedule

    rng = random.Random(seed)
    now = timezone.now().replace(microsecond=0)
    today = now.date()
    n_practices = practices_for(scale)
    version = (
        ProgramVersion.objects.filter(language="en")
        .select_related("program")
        .order_by("-pk")
        .first()
    )
    if version is None:
        raise SystemExit("No program loaded: load_program --all found nothing.")
    cfg = checkin_config(version)
    window = int(cfg.get("window_days") or 3)

    loading_session(seed)

    with Timer("practices, people, memberships, authenticators", timings):
        password = make_password(bench.PASSWORD)
        practice_ids = reserve_ids(Practice, n_practices)
        copy_rows(
            Practice,
            (
                {
                    "id": pid,
                    "name": f"Bench practice {p:02d}",
                    "timezone": TIMEZONES[p % 4],
                    "created_at": now,
                }
                for p, pid in enumerate(practice_ids)
            ),
        )
        copy_rows(PracticeSettings, ({"practice_id": pid} for pid in practice_ids))
        staff_per = 1 + CLINICIANS_PER_PRACTICE
        staff_ids = reserve_ids(User, n_practices * staff_per)
        patient_ids = reserve_ids(User, n_practices * PATIENTS_PER_PRACTICE)
        users, memberships, authenticators = [], [], []
        admin_of, clinicians_of = {}, {}
        for p, pid in enumerate(practice_ids):
            block = staff_ids[p * staff_per : (p + 1) * staff_per]
            admin_of[p], clinicians_of[p] = block[0], block[1:]
            for k, uid in enumerate(block):
                email = admin_email(p) if k == 0 else clinician_email(p, k - 1)
                role = Role.ADMIN if k == 0 else Role.CLINICIAN
                users.append(
                    {
                        "id": uid,
                        "email": email,
                        "password": password,
                        "full_name": f"{'Admin' if k == 0 else 'Clinician'} {p:02d}-{k}",
                        "timezone": TIMEZONES[p % 4],
                        "date_joined": now,
                    }
                )
                memberships.append(
                    {
                        "user_id": uid,
                        "practice_id": pid,
                        "role": role,
                        "is_active": True,
                        "created_at": now,
                    }
                )
                authenticators.append(
                    {
                        "user_id": uid,
                        "type": Authenticator.Type.TOTP,
                        "data": {"secret": bench.TOTP_SECRET},
                        "created_at": now,
                    }
                )
        layout = []  # one row per enrollment
        for p, pid in enumerate(practice_ids):
            for n in range(PATIENTS_PER_PRACTICE):
                uid = patient_ids[p * PATIENTS_PER_PRACTICE + n]
                c = clinician_of(n)
                tz = TIMEZONES[rng.randrange(len(TIMEZONES))]
                users.append(
                    {
                        "id": uid,
                        "email": patient_email(p, n),
                        "password": password,
                        "full_name": f"Patient {p:02d}-{n:04d}",
                        "timezone": tz,
                        "date_joined": now,
                    }
                )
                memberships.append(
                    {
                        "user_id": uid,
                        "practice_id": pid,
                        "role": Role.PATIENT,
                        "is_active": True,
                        "created_at": now,
                    }
                )
                weeks = SHORT_WEEKS if c == 1 else WEEKS
                start = today - timedelta(days=7 * (weeks - 1) + rng.randrange(7))
                practice_time = dtime(7 + rng.randrange(13), rng.choice((0, 30)))
                layout.append(
                    {
                        "patient_id": uid,
                        "practice_id": pid,
                        "practice_no": p,
                        "patient_no": n,
                        "clinician_no": c,
                        "clinician_id": clinicians_of[p][c],
                        "weeks": weeks,
                        "start_date": start,
                        "tz": tz,
                        "practice_time": practice_time,
                    }
                )
        copy_rows(User, users)
        copy_rows(Membership, memberships)
        copy_rows(Authenticator, authenticators)

    with Timer("enrollments, reminder preferences and schedules", timings):
        enrollment_ids = reserve_ids(Enrollment, len(layout))
        rows = []
        for row, eid in zip(layout, enrollment_ids, strict=True):
            row["enrollment_id"] = eid
            began = datetime.combine(row["start_date"], dtime(8), tzinfo=UTC)
            rows.append(
                {
                    "id": eid,
                    "patient_id": row["patient_id"],
                    "practice_id": row["practice_id"],
                    "program_version_id": version.pk,
                    "clinician_id": row["clinician_id"],
                    "start_date": row["start_date"],
                    "status": EnrollmentStatus.ACTIVE,
                    "checkin_weekday": row["start_date"].weekday(),
                    "preferred_practice_time": row["practice_time"],
                    "consented_at": began,
                    "settings_saved_at": began,
                    "onboarded_at": began,
                    "screening": Screening.CLEAR,
                    "created_at": began,
                    "updated_at": began,
                }
            )
        copy_rows(Enrollment, rows)
        copy_rows(
            ReminderPreferences,
            (
                {
                    "enrollment_id": r["enrollment_id"],
                    "practice_time": r["practice_time"],
                    "updated_at": now,
                }
                for r in layout
            ),
        )
        tomorrow = today + timedelta(days=1)
        schedules = []
        for r in layout:
            due = datetime.combine(tomorrow, r["practice_time"], tzinfo=ZoneInfo(r["tz"]))
            schedules.append(
                {
                    "enrollment_id": r["enrollment_id"],
                    "kind": ReminderSchedule.Kind.PRACTICE,
                    "next_due_at": due.astimezone(UTC),
                    "next_slot": f"practice:{tomorrow.isoformat()}",
                    "active": True,
                    "updated_at": now,
                }
            )
            # No check-in is scheduled ahead in this data set (the last one is open or
            # done), so the check-in schedule rests, as schedules_sync would leave it.
            schedules.append(
                {
                    "enrollment_id": r["enrollment_id"],
                    "kind": ReminderSchedule.Kind.CHECKIN,
                    "next_due_at": None,
                    "next_slot": "",
                    "active": False,
                    "updated_at": now,
                }
            )
        copy_rows(ReminderSchedule, schedules)
        execute(f"DROP TABLE IF EXISTS {LAYOUT_TABLE}")
        execute(f"""CREATE TABLE {LAYOUT_TABLE} (
                      enrollment_id bigint PRIMARY KEY, patient_id bigint, practice_id bigint,
                      practice_no int, patient_no int, clinician_no int, clinician_id bigint,
                      weeks int, start_date date, tz text, practice_time time)""")
        cols = [
            "enrollment_id",
            "patient_id",
            "practice_id",
            "practice_no",
            "patient_no",
            "clinician_no",
            "clinician_id",
            "weeks",
            "start_date",
            "tz",
            "practice_time",
        ]
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {LAYOUT_TABLE} ({', '.join(cols)}) FROM STDIN") as copy,
        ):
            for r in layout:
                copy.write_row([r[c] for c in cols])
        execute(f"ANALYZE {LAYOUT_TABLE}")

    params = {
        "now": now,
        "today": today,
        "window": window,
        "version": version.pk,
        "baseline": json.dumps(cfg["baseline"]),
        "weekly": json.dumps(cfg["weekly"]),
        "end": json.dumps(cfg["end"]),
        "followup": json.dumps(cfg["followup"]),
        "full_weeks": [int(n) for n in cfg.get("full_weeks") or []],
        "activities": max(1, Activity.objects.filter(week__version=version).count()),
    }
    with Timer("check-ins (SQL)", timings):
        execute(CHECKINS_SQL, params)
    with Timer("answer samples scored by the instruments' own code", timings):
        answer_samples(rng)
    # The big tables do not depend on each other: two connections at once use both
    # cores of a small machine.
    with Timer(
        "responses, diary ‖ sessions, completions, ladders, alerts, notes, messages (SQL)",
        timings,
    ):
        run_parallel(
            seed,
            params,
            timings,
            [
                [("responses", RESPONSES_SQL), ("diary entries", DIARY_SQL)],
                [
                    ("somatic-tracking sessions", PRACTICE_SESSIONS_SQL),
                    ("activity completions", COMPLETIONS_SQL),
                    ("reflections", REFLECTIONS_SQL),
                    ("attributions", ATTRIBUTIONS_SQL),
                    ("attribution causes", CAUSES_SQL),
                    ("fear ladders", FEAR_ITEMS_SQL),
                    ("exposures", EXPOSURES_SQL),
                    ("alerts", ALERTS_SQL),
                    ("session notes", SESSION_NOTES_SQL),
                    ("message threads", MESSAGE_THREADS_SQL),
                    ("messages", MESSAGES_SQL),
                    ("thread read marks", THREAD_READS_SQL),
                    ("saved caseload filters", SAVED_FILTERS_SQL),
                    ("tailoring: activity adjustments", ADJUSTMENTS_SQL),
                    ("tailoring: custom exercises", CUSTOM_EXERCISES_SQL),
                ],
            ],
        )
    execute("SET session_replication_role = DEFAULT")
    with Timer(
        "derived figures: sessions, mind-brain scores, check-in summaries (services)", timings
    ):
        from programs.services import enrollment_figures_refresh
        from tracking.checkins.summaries import summaries_refresh_all

        enrollment_figures_refresh()
        summaries_refresh_all()
    with Timer("VACUUM ANALYZE", timings):
        execute("VACUUM ANALYZE")
    return {"practices": n_practices, "today": today.isoformat(), "now": now.isoformat()}


def loading_session(seed: int) -> None:
    """Settings for this connection while loading, and the seeded hash the SQL uses
    in place of random(): pg_temp.h(a, b) is a fixed pseudo-random 0 … 2³¹−1."""
    from bench.db import execute

    execute("SET session_replication_role = replica")  # no FK triggers: keys are consistent
    execute("SET synchronous_commit = off")
    execute(f"""CREATE OR REPLACE FUNCTION pg_temp.h(a bigint, b bigint) RETURNS bigint
                LANGUAGE sql IMMUTABLE PARALLEL SAFE
                AS $$ SELECT hashint8extended(a * 1000003 + b, {int(seed)}) & 2147483647 $$""")


def run_parallel(
    seed: int, params: dict, timings: dict, groups: list[list[tuple[str, str]]]
) -> None:
    """Run each group's statements in order, the groups at the same time, each on its
    own connection."""
    import threading

    from django.db import connection

    from bench.db import execute

    errors: list[BaseException] = []

    def worker(group: list[tuple[str, str]]) -> None:
        try:
            loading_session(seed)
            for label, sql in group:
                started = time.perf_counter()
                execute(sql, params)
                timings[label] = round(time.perf_counter() - started, 2)
                print(f"\n    {label}: {timings[label]:.1f} s", end="", flush=True)
        except BaseException as error:  # reported by the main thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(g,)) for g in groups]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    print()
    if errors:
        raise errors[0]


def answer_samples(rng: random.Random) -> None:
    """A table of answer sets with their scores, computed by tracking's own scoring:
    every value 0–10 for the single-item scales (picked by a trend in SQL), and
    SAMPLES seeded random sets for each multi-item questionnaire (never a positive
    safety item: a self-harm answer would start the safety workflow on every page)."""
    from django.db import connection

    from bench.db import execute
    from programs.models import AttributionCategory
    from tracking.instruments import registry
    from tracking.instruments.scoring import score
    from tracking.models import Instrument

    execute("DROP TABLE IF EXISTS bench_answer")
    execute("""CREATE TABLE bench_answer (key text, idx int, instrument_id bigint,
               version int, answers jsonb, scores jsonb, PRIMARY KEY (key, idx))""")
    categories = [c.value for c in AttributionCategory]
    rows = []
    for instrument in Instrument.objects.filter(practice__isnull=True, is_current=True):
        spec = registry.spec_of(instrument)
        safety = (instrument.scoring or {}).get("safety_item")
        items = spec.items
        if len(items) == 1 and items[0].get("type") != "cause":
            item = items[0]
            sets = [
                {item["key"]: v}
                for v in range(int(item.get("min", 0)), int(item.get("max", 10)) + 1)
            ]
        else:
            sets = []
            for _ in range(SAMPLES):
                answers: dict = {}
                for item in items:
                    if item.get("type") == "cause":
                        category = rng.choice(categories)
                        answers[item["key"]] = {
                            "text": str(AttributionCategory(category).label),
                            "category": category,
                        }
                    elif item["key"] == safety:
                        answers[item["key"]] = 0
                    else:
                        lo, hi = int(item.get("min", 0)), int(item.get("max", 10))
                        answers[item["key"]] = rng.randint(lo, lo + (hi - lo) * 2 // 3)
                sets.append(answers)
        for idx, answers in enumerate(sets):
            rows.append(
                [
                    instrument.key,
                    idx,
                    instrument.pk,
                    instrument.version,
                    json.dumps(answers),
                    json.dumps(score(spec, answers)),
                ]
            )
    with connection.cursor() as cursor, cursor.cursor.copy("COPY bench_answer FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


# Check-in i (0-based) of an enrollment is due on start + 7·i: 0 is the baseline, 8 the
# end of the program, 12 and 21 the 1- and 3-month follow-ups, the others weekly.
CHECKINS_SQL = """
INSERT INTO tracking_checkin (enrollment_id, slot, kind, week, due_date, opens_at, closes_at,
                              status, instrument_keys, draft, answered_before, completed_at)
SELECT id, slot, kind, week, due_date, opens_at, closes_at,
       CASE WHEN opens_at > %(now)s THEN 'scheduled'
            WHEN closes_at > %(now)s THEN 'open'
            WHEN done THEN 'completed' ELSE 'missed' END,
       keys, '{}'::jsonb, '{}'::jsonb,
       CASE WHEN closes_at <= %(now)s AND done
            THEN opens_at + make_interval(hours => 6 + (pg_temp.h(id * 64 + i, 12) %% 48)::int)
       END
FROM (
  SELECT b.enrollment_id AS id, i,
         pg_temp.h(b.enrollment_id * 64 + i, 11) %% 100 < 85 AS done,
         CASE i WHEN 0 THEN 'baseline' WHEN 8 THEN 'end' WHEN 12 THEN 'followup-1m'
                WHEN 21 THEN 'followup-3m' ELSE 'week-' || (i + 1) END AS slot,
         CASE i WHEN 0 THEN 'baseline' WHEN 8 THEN 'end' WHEN 12 THEN 'followup'
                WHEN 21 THEN 'followup' ELSE 'weekly' END AS kind,
         CASE WHEN i IN (0, 8, 12, 21) THEN NULL ELSE i + 1 END AS week,
         b.start_date + 7 * i AS due_date,
         (b.start_date + 7 * i)::timestamp AT TIME ZONE b.tz AS opens_at,
         (b.start_date + 7 * i + %(window)s)::timestamp AT TIME ZONE b.tz AS closes_at,
         CASE WHEN i = 0 THEN %(baseline)s::jsonb
              WHEN i = 8 THEN %(end)s::jsonb
              WHEN i IN (12, 21) THEN %(followup)s::jsonb
              WHEN (i + 1) = ANY(%(full_weeks)s::int[]) THEN %(baseline)s::jsonb
              ELSE %(weekly)s::jsonb END AS keys
  FROM bench_layout b CROSS JOIN LATERAL generate_series(0, b.weeks - 1) AS i
) s
"""

# Average pain starts at 5–8 and falls by 0–6 points over the 8 program weeks, with
# ±1 of week-to-week noise; worst pain sits 1–2 above it; fear of movement likewise.
RESPONSES_SQL = (
    """
INSERT INTO tracking_response (checkin_id, instrument_id, instrument_key, instrument_version,
                               answers, scores, created_at, language)
SELECT c.id, a.instrument_id, a.key, a.version, a.answers, a.scores, c.completed_at, 'en'
FROM tracking_checkin c
JOIN bench_layout b ON b.enrollment_id = c.enrollment_id
CROSS JOIN LATERAL (SELECT (c.due_date - b.start_date) / 7 AS i) w
CROSS JOIN LATERAL (
  SELECT greatest(0, least(10, 5 + pg_temp.h(b.enrollment_id, 1) %% 4
           - (pg_temp.h(b.enrollment_id, 2) %% 7) * least(w.i, 8) / 8
           + pg_temp.h(b.enrollment_id * 64 + w.i, 3) %% 3 - 1))::int AS pain,
         greatest(0, least(10, 6 + pg_temp.h(b.enrollment_id, 4) %% 4
           - (pg_temp.h(b.enrollment_id, 5) %% 7) * least(w.i, 8) / 8
           + pg_temp.h(b.enrollment_id * 64 + w.i, 6) %% 3 - 1))::int AS fear
) v
CROSS JOIN LATERAL jsonb_array_elements_text(c.instrument_keys) AS k(key)
JOIN bench_answer a ON a.key = k.key AND a.idx = CASE k.key
     WHEN 'pain_avg' THEN v.pain
     WHEN 'pain_worst' THEN least(10, v.pain + 1 + (pg_temp.h(c.id, 7) %% 2)::int)
     WHEN 'fear_movement' THEN v.fear
     ELSE (pg_temp.h(c.id, hashtext(k.key)) %% """
    + str(SAMPLES)
    + """)::int END
WHERE c.status = 'completed'
"""
)

PRACTICE_SESSIONS_SQL = """
INSERT INTO programs_practicesession (enrollment_id, client_token, practiced_at, local_date,
    duration_seconds, pain_before, threat_before, pain_after, threat_after, sensations, note)
SELECT b.enrollment_id,
       md5(b.enrollment_id::text || ':' || d::text)::uuid,
       ((b.start_date + d)::timestamp + make_interval(mins => 420 + (x.h %% 780)::int))
           AT TIME ZONE b.tz,
       b.start_date + d,
       180 + (x.h %% 720)::int,
       3 + (x.h %% 6)::int, 3 + (x.h / 7 %% 6)::int,
       greatest(0, 3 + (x.h %% 6)::int - (x.h / 11 %% 3)::int),
       greatest(0, 3 + (x.h / 7 %% 6)::int - (x.h / 13 %% 4)::int),
       ('[["tight"], ["warm", "tingling"], [], ["pressure"], ["buzzing", "heavy"], '
        '["aching"], ["tight", "pulsing"]]'::jsonb) -> (x.h / 17 %% 7)::int,
       ''
FROM bench_layout b
CROSS JOIN LATERAL generate_series(0, %(today)s::date - b.start_date - 1) AS d
CROSS JOIN LATERAL (SELECT pg_temp.h(b.enrollment_id * 1000 + d, 21) AS h) x
WHERE x.h %% 7 < 5
"""

# Activities of the weeks the patient has been through, 90% done.
COMPLETIONS_SQL = """
INSERT INTO programs_activitycompletion (enrollment_id, activity_id, completed_at)
SELECT b.enrollment_id, a.id,
       ((b.start_date + (w.number - 1) * 7
         + (pg_temp.h(b.enrollment_id * 100 + a.id, 31) %% 6)::int)::timestamp
        + interval '19 hours') AT TIME ZONE b.tz
FROM bench_layout b
JOIN programs_week w ON w.version_id = %(version)s
JOIN programs_activity a ON a.week_id = w.id
WHERE b.start_date + (w.number - 1) * 7 + 6 < %(today)s::date
  AND pg_temp.h(b.enrollment_id * 100 + a.id, 32) %% 10 < 9
"""

REFLECTIONS_SQL = """
INSERT INTO programs_reflection (enrollment_id, activity_id, text, checked, created_at, updated_at,
                                 private, answers)
SELECT c.enrollment_id, c.activity_id,
       (ARRAY['I noticed the pain eased when I stopped bracing.',
              'Stress at work seems to turn the volume up.',
              'The pain moved around, which surprised me.',
              'I walked further than I expected and felt fine.'])
         [1 + (pg_temp.h(c.id, 33) %% 4)::int],
       '[]'::jsonb, c.completed_at, c.completed_at, false, '{}'::jsonb
FROM programs_activitycompletion c
JOIN programs_activity a ON a.id = c.activity_id
WHERE a.kind IN ('reflection', 'evidence')
"""

ATTRIBUTIONS_SQL = """
INSERT INTO programs_attribution (enrollment_id, activity_id, mind_brain_score, recorded_at)
SELECT c.enrollment_id, c.activity_id,
       least(3, (pg_temp.h(c.enrollment_id, 34) %% 2)::int
                + (row_number() OVER (PARTITION BY c.enrollment_id
                                      ORDER BY c.completed_at))::int - 1),
       c.completed_at
FROM programs_activitycompletion c
JOIN programs_activity a ON a.id = c.activity_id
WHERE a.kind = 'attribution'
"""

CAUSES_SQL = """
INSERT INTO programs_attributioncause (attribution_id, position, text, category, clinician_category)
SELECT t.id, p,
       CASE WHEN p <= t.mind_brain_score
            THEN (ARRAY['Stress', 'Emotions I hold in', 'My brain learned the pain'])[p]
            ELSE (ARRAY['A disc in my back', 'Bad posture', 'An old injury'])[p] END,
       CASE WHEN p <= t.mind_brain_score
            THEN (ARRAY['stress', 'psychological', 'brain'])[p]
            ELSE (ARRAY['spinal', 'posture', 'injury'])[p] END,
       ''
FROM programs_attribution t CROSS JOIN generate_series(1, 3) AS p
"""

FEAR_ITEMS_SQL = """
INSERT INTO programs_fearitem (enrollment_id, label, harm_rating, first_rating, position,
                               created_at, updated_at)
SELECT b.enrollment_id,
       (ARRAY['Bending to pick something up', 'Sitting for an hour', 'Carrying shopping',
              'Running for a bus', 'Lifting a child', 'Gardening'])[n + 1],
       greatest(0, 40 + (pg_temp.h(b.enrollment_id * 8 + n, 41) %% 60)::int
                   - (pg_temp.h(b.enrollment_id * 8 + n, 42) %% 40)::int),
       40 + (pg_temp.h(b.enrollment_id * 8 + n, 41) %% 60)::int,
       n,
       (b.start_date + 14)::timestamp AT TIME ZONE b.tz,
       (b.start_date + 14)::timestamp AT TIME ZONE b.tz
FROM bench_layout b CROSS JOIN generate_series(0, 5) AS n
"""

EXPOSURES_SQL = """
INSERT INTO programs_exposure (enrollment_id, fear_item_id, activity, predicted_pain,
    predicted_harm, expectation, planned_at, actual_pain, actual_harm, fear_after, note,
    completed_at)
SELECT e.enrollment_id, f.id, f.label, e.pp, e.ph,
       'It will hurt a lot and I might damage my back.',
       e.planned_at,
       CASE WHEN e.done THEN greatest(0, e.pp - (e.h %% 4)::int) END,
       CASE WHEN e.done THEN greatest(0, e.ph - 10 - (e.h %% 30)::int) END,
       CASE WHEN e.done THEN greatest(0, e.ph - 20 - (e.h %% 30)::int) END,
       '',
       CASE WHEN e.done THEN e.planned_at + interval '1 hour' END
FROM (
  SELECT b.enrollment_id, n, x.h,
         4 + (x.h %% 6)::int AS pp, 30 + (x.h / 7 %% 60)::int AS ph,
         ((b.start_date + 14 + n * greatest(1, (b.weeks * 7 - 21) / 20))::timestamp
            + interval '18 hours') AT TIME ZONE b.tz AS planned_at,
         (b.start_date + 15 + n * greatest(1, (b.weeks * 7 - 21) / 20)) < %(today)s::date
            AND x.h %% 10 < 8 AS done
  FROM bench_layout b CROSS JOIN generate_series(0, 19) AS n
  CROSS JOIN LATERAL (SELECT pg_temp.h(b.enrollment_id * 32 + n, 43) AS h) x
) e
JOIN programs_fearitem f ON f.enrollment_id = e.enrollment_id AND f.position = e.n %% 6
"""

# 0–3 alerts a patient; the newest is open for about 15% of them. One in 200 patients
# also has an acknowledged self-harm alert.
ALERTS_SQL = """
INSERT INTO tracking_alert (enrollment_id, practice_id, kind, severity, status, details, source,
    created_at, acknowledged_by_id, acknowledged_at, resolved_by_id, resolved_at, escalated_at,
    escalation_tier, escalated_to)
SELECT b.enrollment_id, b.practice_id,
       (ARRAY['pain_up', 'fear_high', 'missed_checkins'])[1 + (x.h %% 3)::int],
       (ARRAY['high', 'routine', 'routine'])[1 + (x.h %% 3)::int],
       CASE WHEN n = 0 AND x.h / 3 %% 100 < 15 THEN 'open' ELSE 'resolved' END,
       '{}'::jsonb, 'bench:' || n,
       x.at,
       CASE WHEN n = 0 AND x.h / 3 %% 100 < 15 THEN NULL ELSE b.clinician_id END,
       CASE WHEN n = 0 AND x.h / 3 %% 100 < 15 THEN NULL ELSE x.at + interval '5 hours' END,
       CASE WHEN n = 0 AND x.h / 3 %% 100 < 15 THEN NULL ELSE b.clinician_id END,
       CASE WHEN n = 0 AND x.h / 3 %% 100 < 15 THEN NULL ELSE x.at + interval '1 day' END,
       NULL::timestamptz, 0, '{}'::integer[]
FROM bench_layout b
CROSS JOIN LATERAL generate_series(0, (pg_temp.h(b.enrollment_id, 44) %% 4)::int - 1) AS n
CROSS JOIN LATERAL (
  SELECT pg_temp.h(b.enrollment_id * 4 + n, 45) AS h,
         %(now)s::timestamptz - make_interval(days => n * 30 + 1
            + (pg_temp.h(b.enrollment_id * 4 + n, 46) %% 25)::int) AS at
) x
UNION ALL
SELECT b.enrollment_id, b.practice_id, 'self_harm', 'urgent', 'acknowledged',
       '{}'::jsonb, 'bench:self-harm', %(now)s::timestamptz - interval '2 days',
       b.clinician_id, %(now)s::timestamptz - interval '2 days' + interval '20 minutes',
       NULL::bigint, NULL::timestamptz, NULL::timestamptz, 0, '{}'::integer[]
FROM bench_layout b WHERE pg_temp.h(b.enrollment_id, 47) %% 200 = 0
"""


# ---------------------------------------------------------------- issue 19's data
# The patients the "Patient detail" page visits (the first 25 of clinicians c0 and c1,
# by patient number) always have a diary, session notes and a message thread, so that
# page pays for them; the others have them as the rates below say.
DETAIL_PATIENT = "(b.clinician_no <= 1 AND b.patient_no %% 200 < 25)"

# The pain and fear diary: 2–4 episodes a week (the rate differs per patient) over the
# whole history, pain and fear falling as the check-ins' do.
DIARY_SQL = """
INSERT INTO tracking_diaryentry (enrollment_id, occurred_at, activity, activity_note, place,
    sleep, stress, pain, fear, self_talk, clue_reflection_id, clue_key, created_at, updated_at)
SELECT b.enrollment_id, t.at,
       (ARRAY['sitting', 'standing', 'walking', 'bending', 'housework', 'work', 'exercise',
              'driving', 'resting', 'waking'])[1 + (x.h %% 10)::int],
       '',
       (ARRAY['home', 'work', 'outside', 'travel', 'social', 'home'])[1 + (x.h / 11 %% 6)::int],
       (ARRAY['well', 'ok', 'poorly', ''])[1 + (x.h / 67 %% 4)::int],
       CASE WHEN x.h / 13 %% 4 = 0 THEN NULL ELSE (x.h / 17 %% 9)::int END,
       greatest(0, least(10, 5 + pg_temp.h(b.enrollment_id, 1) %% 4
           - (pg_temp.h(b.enrollment_id, 2) %% 7) * least(d / 7, 8) / 8
           + x.h / 19 %% 3 - 1))::int,
       greatest(0, least(10, 6 + pg_temp.h(b.enrollment_id, 4) %% 4
           - (pg_temp.h(b.enrollment_id, 5) %% 7) * least(d / 7, 8) / 8
           + x.h / 23 %% 3 - 1))::int,
       (ARRAY['', 'This is a false alarm; my back is safe.',
              'I told myself it would pass, and it did.',
              'I worried I had hurt something again.', ''])[1 + (x.h / 29 %% 5)::int],
       NULL, '', t.at, t.at
FROM bench_layout b
CROSS JOIN LATERAL generate_series(0, %(today)s::date - b.start_date - 1) AS d
CROSS JOIN LATERAL (SELECT pg_temp.h(b.enrollment_id * 1000 + d, 51) AS h) x
CROSS JOIN LATERAL (
  SELECT ((b.start_date + d)::timestamp + make_interval(mins => 360 + (x.h / 31 %% 900)::int))
           AT TIME ZONE b.tz AS at
) t
WHERE x.h %% 7 < 2 + pg_temp.h(b.enrollment_id, 52) %% 3
"""

# Structured PRT session notes: one every other week for about a third of the patients
# (and every detail-page patient), by their clinician; one in 50 records a risk.
SESSION_NOTES_SQL = (
    """
INSERT INTO tracking_sessionnote (enrollment_id, author_id, session_date, minutes, mode,
    components, somatic_response, exposure_set, exposure_outcome, risk_identified,
    risk_actions, risk_note, homework, notes, created_at)
SELECT b.enrollment_id, b.clinician_id, b.start_date + 14 * k + 1,
       (ARRAY[45, 50, 60])[1 + (x.h %% 3)::int],
       (ARRAY['in_person', 'video', 'phone', 'video'])[1 + (x.h / 3 %% 4)::int],
       ('[["education", "evidence"], ["somatic_tracking"], '
        '["somatic_tracking", "emotional_threats"], ["positive_affect", "exposure"], '
        '["evidence", "somatic_tracking", "exposure"]]'::jsonb) -> (x.h / 7 %% 5)::int,
       (ARRAY['safer', 'same', 'safer', 'more_threat', ''])[1 + (x.h / 11 %% 5)::int],
       CASE WHEN x.h / 13 %% 2 = 0 THEN 'Walk to the shop without the brace' ELSE '' END,
       CASE WHEN x.h / 13 %% 2 = 0
            THEN (ARRAY['better', 'as_predicted', 'worse', 'not_yet'])[1 + (x.h / 17 %% 4)::int]
            ELSE '' END,
       x.h %% 50 = 0,
       CASE WHEN x.h %% 50 = 0 THEN '["safety_plan", "follow_up"]'::jsonb ELSE '[]'::jsonb END,
       CASE WHEN x.h %% 50 = 0 THEN 'Low mood this week; made a safety plan together.'
            ELSE '' END,
       'Somatic tracking twice a day; note what turns the volume up.',
       'Pain eased when they stopped bracing. Fear of bending still high.',
       ((b.start_date + 14 * k + 1)::timestamp + interval '17 hours') AT TIME ZONE b.tz
FROM bench_layout b
CROSS JOIN LATERAL generate_series(0, (%(today)s::date - b.start_date - 2) / 14) AS k
CROSS JOIN LATERAL (SELECT pg_temp.h(b.enrollment_id * 64 + k, 53) AS h) x
WHERE pg_temp.h(b.enrollment_id, 54) %% 3 = 0 OR """
    + DETAIL_PATIENT
    + """
"""
)

# Secure messages: a thread for half the patients (and every detail-page patient) of
# 8–12 messages, one every day and a half up to yesterday, the patient first. About
# 30% of the threads have patient messages the clinician has not read yet (and the
# first three patients of c0 and c1 always do); patients have read everything.
MESSAGE_THREADS_SQL = (
    """
INSERT INTO tracking_messagethread (enrollment_id, practice_id, created_at, last_message_at)
SELECT b.enrollment_id, b.practice_id,
       %(now)s::timestamptz - make_interval(hours => 36 * n),
       %(now)s::timestamptz - interval '36 hours'
FROM bench_layout b
CROSS JOIN LATERAL (SELECT 8 + (pg_temp.h(b.enrollment_id, 56) %% 5)::int AS n) c
WHERE pg_temp.h(b.enrollment_id, 55) %% 2 = 0 OR """
    + DETAIL_PATIENT
    + """
"""
)

MESSAGES_SQL = """
INSERT INTO tracking_message (thread_id, author_id, from_patient, body, sent_at)
SELECT t.id, CASE WHEN j %% 2 = 0 THEN b.patient_id ELSE b.clinician_id END, j %% 2 = 0,
       CASE WHEN j %% 2 = 0
            THEN (ARRAY['I had a flare after gardening. Is that a setback?',
                        'The somatic tracking helped today, the pain felt less scary.',
                        'Can we talk about the bending exercise next time?',
                        'I missed my check-in this week, work was busy.'])
                 [1 + (pg_temp.h(t.id * 16 + j, 57) %% 4)::int]
            ELSE (ARRAY['Thanks for telling me. A flare is not damage: try the tracking.',
                        'Well done. Notice that feeling of safety when it comes.',
                        'Yes, let us plan it together at our next session.'])
                 [1 + (pg_temp.h(t.id * 16 + j, 58) %% 3)::int] END,
       %(now)s::timestamptz - make_interval(hours => 36 * (n - j))
FROM tracking_messagethread t
JOIN bench_layout b ON b.enrollment_id = t.enrollment_id
CROSS JOIN LATERAL (SELECT 8 + (pg_temp.h(b.enrollment_id, 56) %% 5)::int AS n) c
CROSS JOIN LATERAL generate_series(0, c.n - 1) AS j
"""

THREAD_READS_SQL = """
INSERT INTO tracking_threadread (thread_id, user_id, last_read_at)
SELECT t.id, b.clinician_id,
       CASE WHEN pg_temp.h(b.enrollment_id, 59) %% 10 < 3
                 OR (b.clinician_no <= 1 AND b.patient_no %% 200 < 3)
            THEN %(now)s::timestamptz - interval '5 days'
            ELSE %(now)s::timestamptz - interval '30 hours' END
FROM tracking_messagethread t JOIN bench_layout b ON b.enrollment_id = t.enrollment_id
UNION ALL
SELECT t.id, b.patient_id, %(now)s::timestamptz - interval '30 hours'
FROM tracking_messagethread t JOIN bench_layout b ON b.enrollment_id = t.enrollment_id
"""

# Three saved caseload filters for every clinician.
SAVED_FILTERS_SQL = """
INSERT INTO tracking_savedcaseloadfilter (user_id, practice_id, name, status, has_alerts,
    not_improving, missed, sort, direction, created_at)
SELECT m.user_id, m.practice_id, f.name, '', f.has_alerts, f.not_improving, f.missed, f.sort,
       f.direction, %(now)s::timestamptz - interval '20 days'
FROM accounts_membership m
CROSS JOIN (VALUES ('Open alerts', true, false, false, 'alerts', 'desc'),
                   ('Not improving', false, true, false, 'pain', 'asc'),
                   ('Missed check-ins', false, false, true, 'last', 'asc'))
     AS f(name, has_alerts, not_improving, missed, sort, direction)
WHERE m.role = 'clinician'
"""

# Tailoring for about 10% of the patients (and every fourth detail-page patient): about
# two of the program's activities skipped or moved a week later, and for half of them
# one custom exercise.
TAILORED = (
    "(pg_temp.h(b.enrollment_id, 60) %% 10 = 0"
    " OR (" + DETAIL_PATIENT + " AND b.patient_no %% 4 = 0))"
)
ADJUSTMENTS_SQL = (
    """
INSERT INTO programs_activityadjustment (enrollment_id, activity_id, action, to_week, reason,
    created_by_id, created_at)
SELECT b.enrollment_id, a.id,
       CASE WHEN w.number < 8 AND pg_temp.h(b.enrollment_id * 1000 + a.id, 62) %% 2 = 0
            THEN 'move' ELSE 'skip' END,
       CASE WHEN w.number < 8 AND pg_temp.h(b.enrollment_id * 1000 + a.id, 62) %% 2 = 0
            THEN w.number + 1 END,
       'We will come back to this when the flare settles.',
       b.clinician_id,
       ((b.start_date + 7 * (w.number - 1))::timestamp + interval '9 hours') AT TIME ZONE b.tz
FROM bench_layout b
JOIN programs_week w ON w.version_id = %(version)s
JOIN programs_activity a ON a.week_id = w.id
WHERE """
    + TAILORED
    + """
  AND pg_temp.h(b.enrollment_id * 1000 + a.id, 61) %% %(activities)s < 2
"""
)

CUSTOM_EXERCISES_SQL = (
    """
INSERT INTO programs_customexercise (enrollment_id, week, title, instructions, reason, minutes,
    created_by_id, created_at, withdrawn_at, completed_at, patient_note)
SELECT b.enrollment_id, 3, 'Five minutes of slow walking',
       'Walk slowly for five minutes. Notice the sensations with curiosity, not fear.',
       'Walking felt scary last week; a small, safe step.', 5, b.clinician_id,
       (b.start_date + 14)::timestamp AT TIME ZONE b.tz, NULL,
       CASE WHEN b.start_date + 20 < %(today)s::date
            THEN (b.start_date + 18)::timestamp AT TIME ZONE b.tz END,
       ''
FROM bench_layout b
WHERE """
    + TAILORED
    + """ AND pg_temp.h(b.enrollment_id, 63) %% 2 = 0
"""
)


def row_counts() -> dict[str, int]:
    from django.apps import apps

    from bench.db import scalar

    counts = {}
    for label in [
        "accounts.Practice",
        "accounts.User",
        "accounts.Membership",
        "programs.Enrollment",
        "tracking.CheckIn",
        "tracking.Response",
        "programs.PracticeSession",
        "programs.ActivityCompletion",
        "programs.Reflection",
        "programs.Attribution",
        "programs.AttributionCause",
        "programs.FearItem",
        "programs.Exposure",
        "tracking.Alert",
        "tracking.ReminderPreferences",
        "tracking.ReminderSchedule",
        "tracking.DiaryEntry",
        "tracking.SessionNote",
        "tracking.MessageThread",
        "tracking.Message",
        "tracking.ThreadRead",
        "tracking.SavedCaseloadFilter",
        "programs.ActivityAdjustment",
        "programs.CustomExercise",
    ]:
        model = apps.get_model(label)
        counts[label] = scalar(f"SELECT count(*) FROM {model._meta.db_table}")
    counts["database_size"] = scalar("SELECT pg_size_pretty(pg_database_size(current_database()))")
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=float(os.environ.get("SCALE") or 1))
    parser.add_argument("--seed", type=int, default=bench.SEED)
    args = parser.parse_args()
    timings: dict[str, float] = {}
    print(
        f"Generating the bench data set (scale {args.scale}, seed {args.seed}) "
        f"in {urlparse(bench.DATABASE_URL).path.lstrip('/')}"
    )
    started = time.perf_counter()
    bench.setup_django()
    with Timer("recreate database", timings):
        recreate_database()
    with Timer("migrate, load curriculum and instruments", timings):
        prepare_schema()
    info = generate(scale=args.scale, seed=args.seed, timings=timings)
    total = round(time.perf_counter() - started, 1)
    counts = row_counts()
    print(f"Done in {total} s.")
    for label, count in counts.items():
        print(
            f"  {label:32} {count:>12,}" if isinstance(count, int) else f"  {label:32} {count:>12}"
        )
    bench.write_phase(
        "data",
        {
            "scale": args.scale,
            "seed": args.seed,
            "seconds": total,
            "steps": timings,
            "rows": counts,
            **info,
        },
    )


if __name__ == "__main__":
    main()
