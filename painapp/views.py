"""Project-wide views: health probes and plain-language error pages."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from painapp.accounts.middleware import current_request_id
from painapp.accounts.security import htmx_notice
from painapp.health.checks import broker_ok, database_ok
from painapp.health.heartbeat import reminders_heartbeat

logger = logging.getLogger(__name__)


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def healthz_live(request: HttpRequest) -> HttpResponse:
    """Liveness: this process answers. Touches nothing else, so a database or Redis
    outage never makes an orchestrator restart web processes that would recover."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_safe
def healthz_ready(request: HttpRequest) -> HttpResponse:
    """Readiness: 503 unless the database and the broker (Redis) answer, naming the one
    that failed (never the error: it may hold a host or user name).

    It also reports when the reminder sweep last ran (the beat heartbeat) and, past
    settings.REMINDERS_STALE_AFTER_MINUTES, says "degraded" with the reminders check
    "stale" — but stays 200: a stopped beat must not take every web process out of the
    load balancer, when the web itself is fine. The beat container's own healthcheck
    fails on it instead (manage.py reminders_heartbeat).
    """
    checks = {"database": database_ok(), "broker": broker_ok()}
    body: dict = {
        "status": "ok",
        "checks": {name: "ok" if ok else "failed" for name, ok in checks.items()},
    }
    if checks["database"]:
        try:
            beat = reminders_heartbeat()
        except DatabaseError as error:  # e.g. migrations not applied yet
            logger.warning("Readiness: no reminder heartbeat (%s)", type(error).__name__)
            body["reminders"] = {"status": "unknown"}
        else:
            body["reminders"] = {
                "status": "stale" if beat.stale else "ok",
                "last_ran_minutes_ago": beat.minutes_ago,
                "stale_after_minutes": beat.stale_after_minutes,
            }
            if beat.stale:
                body["status"] = "degraded"
    if not all(checks.values()):
        body["status"] = "unavailable"
        return JsonResponse(body, status=503)
    return JsonResponse(body)


def bench_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page for `make bench` only: a 404 for everyone, logged in or not, unless the
    bench enabled it (settings.BENCH_VIEWS), so production never serves it."""

    @wraps(view)
    def only_for_the_bench(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.BENCH_VIEWS:
            raise Http404
        return view(request, *args, **kwargs)

    return only_for_the_bench


@bench_view
@login_required
def bench_baseline(request: HttpRequest) -> HttpResponse:
    """The floor `make bench` measures every page against: the full middleware stack
    (session, authentication, session policy, CSP …), a logged-in user and one trivial
    template, nothing else. Pages are reported as a ratio of their p95 to this one's."""
    return render(request, "bench/baseline.html")


@csrf_exempt  # it changes nothing: every method, with or without a token, gets the 404
def switched_off(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    """A page of allauth's we do not offer (painapp/urls.py): a 404 for everyone."""
    raise Http404


def _error(request: HttpRequest, status: int) -> HttpResponse:
    # Rendered without the request context processors: an error page must not make
    # queries that might themselves fail (the database may be the reason we are here).
    html = render_to_string(f"errors/{status}.html", {"request_id": current_request_id()})
    response = HttpResponse(html, status=status)
    if request.headers.get("HX-Request"):
        # base.html has htmx swap a 400 (a form sent back with its mistakes): never
        # this page, which would replace the form and what was typed in it.
        response["HX-Reswap"] = "none"
    return response


def bad_request(request, exception=None):
    return _error(request, 400)


def permission_denied(request, exception=None):
    return _error(request, 403)


def page_not_found(request, exception=None):
    return _error(request, 404)


def csrf_failure(request, reason=""):
    """A form refused by the CSRF check (CSRF_FAILURE_VIEW): our plain page with the
    request id, never Django's reason (it names the check, not what to do).

    On an htmx request, a short notice instead (htmx_notice): the page and what was typed
    in it stay as they were. Signed out, it says so (signing in again is what helps)."""
    if request.headers.get("HX-Request"):
        signed_in = request.user.is_authenticated
        return htmx_notice(request, "stale" if signed_in else "signed_out", status=403)
    html = render_to_string("403_csrf.html", {"request_id": current_request_id()})
    return HttpResponse(html, status=403)


def server_error(request):
    """500, or 503 when the cause is the database being unreachable (a calmer message,
    and a Retry-After): nothing was saved half-way, since requests are transactional."""
    error = sys.exc_info()[1]
    if isinstance(error, OperationalError | InterfaceError):
        logger.error("Database unavailable: %s", type(error).__name__)
        response = _error(request, 503)
        response["Retry-After"] = "30"
        return response
    return _error(request, 500)
