"""Run the reminder sweep by hand, or over a stretch of simulated time.

manage.py sweep_reminders                      # once, now
manage.py sweep_reminders --from 2026-03-07T00:00Z --to 2026-03-14T00:00Z --step 15
    # replay a week in 15-minute steps (used by the concurrency test and benchmarks)
"""

from __future__ import annotations

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from tracking.reminders.sweep import sweep_due_reminders


class Command(BaseCommand):
    help = "Claim due reminders and queue their sends (optionally over simulated time)."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="start")
        parser.add_argument("--to", dest="end")
        parser.add_argument("--step", type=int, default=1, help="minutes per step")

    def handle(self, *args, start, end, step, **options):
        if not start:
            self.stdout.write(f"claimed {sweep_due_reminders()}")
            return
        now, stop = (
            parse_datetime(start.replace("Z", "+00:00")),
            parse_datetime((end or start).replace("Z", "+00:00")),
        )
        if now is None or stop is None or now.tzinfo is None:
            raise CommandError(
                "Give --from/--to as ISO datetimes with a zone, e.g. 2026-03-07T00:00Z"
            )
        total = 0
        while now <= stop:
            total += sweep_due_reminders(now)
            now += timedelta(minutes=step)
        self.stdout.write(f"claimed {total}")
