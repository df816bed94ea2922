"""Exit 0 if the reminder sweep ran recently, 1 if not: the beat container's
healthcheck (docker-compose.yml), or a cron job's monitor.

    python manage.py reminders_heartbeat
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from painapp.health.heartbeat import reminders_heartbeat


class Command(BaseCommand):
    help = "Exit 1 if the reminder sweep has not run recently (REMINDERS_STALE_AFTER_MINUTES)."

    def handle(self, *args, **options) -> None:
        beat = reminders_heartbeat()
        if beat.last_run_at is None:
            raise CommandError("Reminders have not run yet.")
        text = f"Reminders last ran {beat.minutes_ago} minute(s) ago."
        if beat.stale:
            raise CommandError(
                f"{text} They should run every minute: check beat, the workers and Redis."
            )
        self.stdout.write(text)
