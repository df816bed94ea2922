"""Reminders, exactly once, at the patient's own wall-clock time.

How it works (see ARCHITECTURE.md, "Scheduling, exactly once"):
1. Each ReminderSchedule stores `next_due_at` (UTC) and `next_slot` — the local day in
   its zone ("practice:2026-03-08:Europe/London") or the check-in stage
   ("checkin:42:open") it is for. `schedules_sync` recomputes it on every change of
   time, days or zone (one reminder per local day, in the zone in force at that day's
   reminder time).
2. `sweep_due_reminders` (beat, every minute) claims due schedules with
   SELECT … FOR UPDATE SKIP LOCKED, inserts one Delivery per (schedule, slot, channel)
   — a unique constraint makes a repeat insert nothing — advances the schedule, commits,
   and only then queues the sends.
   Each batch is a fixed number of queries (see its docstring).
3. `deliver_many` (a worker's chunk; `deliver` for one) claims deliveries with a
   conditional UPDATE, keeps the claims alive with a heartbeat, re-checks that the
   patient still wants each, sends, and records each outcome; transient failures retry
   with backoff, permanent ones are recorded and shown to admins.
4. The same minute task requeues what nobody finished (`requeue_stale_deliveries`):
   sends the broker refused, messages it lost, claims of workers that died; and marks
   failed what is too late to send.
Two sweeps, two beats or two workers at once cannot send a slot twice; a worker that
dies after the mail server accepted a message and before recording it causes one
duplicate.
"""
