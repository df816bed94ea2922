from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from painapp import metrics, views

# The Django admin logs in through allauth: the same login, throttling and two-step code.
# (allauth's documented way; mypy flags any assignment to a method.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("", include("painapp.accounts.urls")),
    path("", include("programs.urls")),
    path("", include("tracking.urls")),
    path("accounts/", include("allauth.urls")),
    path("healthz/", views.healthz, name="healthz"),
    path("metrics", metrics.metrics, name="metrics"),  # a 404 without METRICS_TOKEN
    # The benchmark's minimal page (make bench; see bench/__init__.py).
    path("bench/baseline/", views.bench_baseline, name="bench_baseline"),
    path("django-admin/", admin.site.urls),
]

handler400 = "painapp.views.bad_request"
handler403 = "painapp.views.permission_denied"
handler404 = "painapp.views.page_not_found"
handler500 = "painapp.views.server_error"
