"""Prometheus metrics at /metrics, for the clinic's monitoring. Off unless METRICS_TOKEN
is set; then a scrape must send `Authorization: Bearer <token>`, and anyone else gets
the same 404 as for a page that does not exist.

- `painapp_request_seconds{view}`: how long each view took to answer (a histogram).
  With several gunicorn workers, set PROMETHEUS_MULTIPROC_DIR to an empty folder
  (emptied at each start) so that every worker's figures are added up.
- `painapp_celery_queue_depth`: tasks waiting in the broker (Redis only).
- `painapp_deliveries_failed`: reminders that could not be delivered, for good.
- `painapp_reminder_sweep_lag_seconds`: how long the oldest due reminder schedule has
  waited for the sweep (0 when none is due). It grows when beat or the workers stop.

Figures about the database and the broker are read when scraped, so whichever web
process answers gives the same numbers. None of them names a patient.
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

REQUEST_SECONDS = Histogram(
    "painapp_request_seconds",
    "Time taken to answer a request, by view.",
    ["view"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=None,  # added to each scrape's registry (multiprocess mode reads files instead)
)


class MetricsMiddleware:
    """Times every request, by the view that answered it (a bounded set of names)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not settings.METRICS_TOKEN:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match is not None else "unmatched"
        REQUEST_SECONDS.labels(view=view).observe(time.perf_counter() - started)
        return response


class _StateCollector(Collector):
    def collect(self) -> Iterator[Metric]:
        from tracking.models import Delivery, ReminderSchedule

        depth = _queue_depth()
        if depth is not None:
            yield GaugeMetricFamily(
                "painapp_celery_queue_depth",
                "Tasks waiting in the broker's default queue.",
                value=depth,
            )
        # Both reads use a partial index (failed deliveries; active schedules' due time).
        yield GaugeMetricFamily(
            "painapp_deliveries_failed",
            "Reminder deliveries that failed for good.",
            value=Delivery.objects.filter(status=Delivery.Status.FAILED).count(),
        )
        now = timezone.now()
        oldest = (
            ReminderSchedule.objects.filter(active=True, next_due_at__lte=now)
            .order_by("next_due_at")
            .values_list("next_due_at", flat=True)
            .first()
        )
        yield GaugeMetricFamily(
            "painapp_reminder_sweep_lag_seconds",
            "How long the oldest due reminder schedule has waited for the sweep.",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )


def _queue_depth() -> int | None:
    broker = settings.CELERY_BROKER_URL
    if not broker.startswith(("redis://", "rediss://")):
        return None  # the embedded filesystem broker: nothing to watch in a demo
    import redis

    try:
        client = redis.Redis.from_url(broker, socket_timeout=2, socket_connect_timeout=2)
        return int(client.llen("celery"))
    except redis.RedisError:
        return None  # left out rather than reported as an empty queue


def metrics(request: HttpRequest) -> HttpResponse:
    token = settings.METRICS_TOKEN
    sent = request.headers.get("Authorization", "")
    if not token or not hmac.compare_digest(sent.encode(), f"Bearer {token}".encode()):
        raise Http404
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUEST_SECONDS)
    registry.register(_StateCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
