from __future__ import annotations

from django.db import models


class Heartbeat(models.Model):
    """When a periodic job last finished, one row per job (the reminder sweep is
    "reminders"). A row in Postgres rather than a key in Redis: it survives a Redis
    restart, which would otherwise show a healthy beat as stopped."""

    name = models.CharField(max_length=50, primary_key=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M:%S}"
