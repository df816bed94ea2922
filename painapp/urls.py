from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path, re_path

from painapp import metrics, views

# The Django admin logs in through allauth: the same login, throttling and two-step code.
# (allauth's documented way; mypy flags any assignment to a method.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("painapp.accounts.urls")),
    path("", include("programs.urls")),
    path("", include("tracking.urls")),
    # allauth's email management (add, remove, make primary, verify) is switched off:
    # an address is set by the practice's invitation, which proves it, and is changed
    # only by the site's admins (Django admin). Adding an address here would let anyone
    # attach someone else's address to their account and email that person in their
    # name. Listed before allauth's own URLs, so these win; allauth's other pages stay.
    path("accounts/email/", views.switched_off),
    path("accounts/confirm-email/", views.switched_off),
    path("accounts/confirm-email/<path:key>/", views.switched_off),
    path("accounts/", include("allauth.urls")),
    # Django's set_language (POST, with CSRF): the language choice on the logged-out pages.
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz/", views.healthz, name="healthz"),
    # Probes (docker/healthcheck.py, docs/operations.md): the process alone; and the
    # database, the broker and the reminder heartbeat. With or without a final slash.
    re_path(r"^healthz/live/?$", views.healthz_live, name="healthz_live"),
    re_path(r"^healthz/ready/?$", views.healthz_ready, name="healthz_ready"),
    path("metrics", metrics.metrics, name="metrics"),  # a 404 without METRICS_TOKEN
    # The benchmark's minimal page (make bench; see bench/__init__.py).
    path("bench/baseline/", views.bench_baseline, name="bench_baseline"),
    path("django-admin/", admin.site.urls),
]

handler400 = "painapp.views.bad_request"
handler403 = "painapp.views.permission_denied"
handler404 = "painapp.views.page_not_found"
handler500 = "painapp.views.server_error"
