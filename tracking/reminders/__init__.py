"""Reminders, exactly once, at the patient's own wall-clock time.

How it works (see ARCHITECTURE.md, "Scheduling, exactly once"):
1. Each ReminderSchedule stores `next_due_at` (UTC) and `next_slot` — the local day
   ("practice:2026-03-08") or check-in stage ("checkin:42:open") it is for.
2. `sweep_due_reminders` (beat, every minute) claims due schedules with
   SELECT … FOR UPDATE SKIP LOCKED, inserts one Delivery per (schedule, slot, channel)
   — a unique constraint makes a repeat insert nothing — advances the schedule, commits,
   and only then queues the sends.
   Each batch is a fixed number of queries (see its docstring).
3. `deliver_many` (a worker's chunk; `deliver` for one) claims deliveries with a
   conditional UPDATE, re-checks that the patient still wants each, sends, and records
   each outcome; transient failures retry with backoff, permanent ones are recorded
   and shown to admins.
Two sweeps, two beats or two workers at once cannot send a slot twice.
"""
