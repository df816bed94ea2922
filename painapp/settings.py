"""painapp settings. Everything that differs between machines comes from the environment.

Read painapp/env.py for the helpers: a malformed value stops start-up with a message
naming the variable. With no DATABASE_URL the app uses the embedded PostgreSQL under
var/postgres (painapp/embedded_db.py; bin/run starts and stops it), and with no
REDIS_URL an embedded (filesystem) Celery broker: what the README's run command uses
on a fresh machine. docker compose and CI set both.
"""

from __future__ import annotations

from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from painapp import embedded_db
from painapp.env import (
    database_from_url,
    env_bool,
    env_int,
    env_list,
    env_networks,
    env_secret,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PAINAPP_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_secret(
    "SECRET_KEY", required=not DEBUG, dev_default="dev-only-insecure-key-never-use-in-production"
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"] if DEBUG else [])
# Used to build absolute links in emails (invitations, reminders, unsubscribe). Unset,
# it follows PORT, the port bin/run serves on.
SITE_URL = env_str("SITE_URL", f"http://localhost:{env_int('PORT', 8000)}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "csp",
    "django_htmx",
    "template_partials",
    "painapp.accounts",
    "painapp.health",
    "programs",
    "tracking",
]

MIDDLEWARE = [
    # First: the client's address and scheme, believed from our proxies only.
    "painapp.proxies.TrustedProxyMiddleware",
    "painapp.metrics.MetricsMiddleware",  # only with METRICS_TOKEN: times whole requests
    "painapp.accounts.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Outside everything that answers for a logged-in person (MFA and session-policy
    # redirects included): no-store on their pages, and the Permissions-Policy.
    "painapp.headers.PrivacyHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "painapp.accounts.middleware.UserLanguageMiddleware",
    "painapp.accounts.middleware.UserTimezoneMiddleware",
    # A patient's clock times on their country's clock (12- or 24-hour: programs.clock).
    "programs.clock.PatientClockMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Outside the session policy: its timeout, like login_required, sends to the login
    # page, which an htmx request must never swap into the page.
    "painapp.accounts.security.SignedOutMiddleware",
    "painapp.accounts.security.SessionPolicyMiddleware",
    "painapp.accounts.mfa.StaffMfaMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "painapp.drafts.DraftSavedMiddleware",
    # Inside the session: a crisis phrase a patient just saved opens their next page
    # with the crisis panel.
    "programs.safety.CrisisHelpMiddleware",
]

ROOT_URLCONF = "painapp.urls"
WSGI_APPLICATION = "painapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "painapp.accounts.context_processors.membership",
                "tracking.context_processors.alert_counts",
                "tracking.context_processors.message_counts",
                "tracking.context_processors.patient_gate",
                "tracking.context_processors.crisis_help",
                "tracking.context_processors.symptoms_help",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    },
    {
        # Django's Jinja2 backend, for the charts of the patient detail and progress
        # pages only (templates/jinja2/, tracking/charts.py): a 52-week record's eight
        # charts and their tables, which Django's templates drew several times slower.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {
            "autoescape": True,
            "trim_blocks": True,
            "lstrip_blocks": True,
            # Django's gettext in the templates: `{{ _("…") }}` (painapp/jinja2_env.py).
            "extensions": ["jinja2.ext.i18n"],
            "environment": "painapp.jinja2_env.environment",
        },
    },
]

# Postgres is the only database. An empty DATABASE_URL counts as unset.
DATABASES = {"default": database_from_url(env_str("DATABASE_URL", "") or embedded_db.url(VAR_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# auth.W004: User.email is unique among accounts only (a partial unique constraint), so
# that an invitation's invitee row can repeat an address that has an account elsewhere;
# both login backends find accounts only (UserManager.get_by_natural_key, and allauth's
# look-up sees invitee rows inactive and without a password).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Audit events of pages that only read patient data (painapp.accounts.audit.async_commit)
# commit without waiting for the disk when this is on: if the database server crashes,
# up to ~0.6 s of such events may be lost (SECURITY.md, "What is logged"). Off: durable.
AUDIT_READS_ASYNC_COMMIT = env_bool("AUDIT_READS_ASYNC_COMMIT", False)

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "painapp.accounts.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "painapp.accounts.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "painapp.accounts.password_validation.CommonPasswordValidator"},
    {"NAME": "painapp.accounts.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; nobody signs up on their own (invitations only).
ACCOUNT_ADAPTER = "painapp.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"  # an accepted invitation already proves the address
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "painapp: "
ACCOUNT_FORMS = {"login": "painapp.accounts.auth_forms.LoginForm"}  # first field focused
MFA_FORMS = {"authenticate": "painapp.accounts.auth_forms.AuthenticateForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "painapp"
# A code typed in the last seconds of its 30-second step still works in the next one
# (RFC 6238 §6 allows one step of delay; a phone's clock may also drift a little).
MFA_TOTP_TOLERANCE = 1

INVITATION_MAX_AGE_DAYS = env_int("INVITATION_MAX_AGE_DAYS", 7)

# The benchmark's pages (/bench/…) are served only when the bench turns them on for the
# server it measures (bench.environ()); everywhere else, production included, they are a
# 404 for everyone.
BENCH_VIEWS = env_bool("BENCH_VIEWS", False)

# Flash messages ("Invitation sent to pat@example.org", "<patient> is now with <clinician>")
# can name a patient: kept in the session, which lives in the database (Django's default
# database session engine: the cookie holds only the session's key), never in Django's
# default cookie storage, which signs its messages but does not encrypt them.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Sessions: patients stay logged in for 14 days; staff time out (painapp/accounts/security.py).
SESSION_COOKIE_AGE = 14 * 24 * 3600
STAFF_IDLE_TIMEOUT_SECONDS = 30 * 60
STAFF_ABSOLUTE_TIMEOUT_SECONDS = 12 * 3600
# Throttling on the shared cache (Redis when REDIS_URL is set); allauth's limits.
# login_failed: per client address (10 a minute, 100 an hour) and per (address,
# account) — the adapter puts the address into allauth's "key" — with waits that grow
# as failures mount (5 in 5 minutes, 15 an hour, 30 a day). Never per account alone:
# then anyone who knows an address could keep its owner out. The right password is
# refused only where that address failed too much; staff still need their TOTP code.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,100/h/ip,5/5m/key,15/h/key,30/d/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
ACCOUNT_REAUTHENTICATION_TIMEOUT = 300
# The owner is emailed once a window when this many passwords typed for their account
# fail, from anywhere (painapp/accounts/login_alerts.py).
LOGIN_ALERT_FAILURES = env_int("LOGIN_ALERT_FAILURES", 10)
LOGIN_ALERT_WINDOW_SECONDS = env_int("LOGIN_ALERT_WINDOW_SECONDS", 3600)
# allauth's own sensitive pages ask for the password again too (data export and account
# deletion do so in painapp/accounts/views/data_rights.py; a password change needs the
# old password anyway). Its email pages are switched off altogether (painapp/urls.py).
ACCOUNT_REAUTHENTICATION_REQUIRED = True

# Languages (README: "Languages"): each user's own choice (User.language) is used for
# every page and everything sent to them; before login, the language chosen in the header
# (set_language's cookie), else the browser's Accept-Language.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our named date formats per language (painapp/formats/): "Sun 6 Dec", "dom 6 dic".
FORMAT_MODULE_PATH = ["painapp.formats"]
# The language chosen on the logged-out pages (Django's set_language, /i18n/setlang/):
# kept a year, like the browser's own setting it replaces. A logged-in person's pages
# follow their account's language instead (UserLanguageMiddleware).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Stored and computed in UTC; each signed-in person's pages show their own zone
# (User.timezone, activated per request by UserTimezoneMiddleware).
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Served at the site's root by whitenoise: /favicon.ico, which browsers ask for anyway.
WHITENOISE_ROOT = BASE_DIR / "static" / "root"
# The same storage with DEBUG on or off, so collectstatic always writes the manifest
# (staticfiles.json) that production's {% static %} needs; with DEBUG on it serves the
# unhashed names and needs no manifest (bin/run).
# Uploaded files (the practices' recorded audio) go to the default storage, here the
# file system under MEDIA_ROOT. There is deliberately no MEDIA_URL: nothing in it is
# public; programs.audio.views.recording_file serves each file to its practice only.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# The largest recording a practice admin may upload, in megabytes.
AUDIO_MAX_UPLOAD_MB = env_int("AUDIO_MAX_UPLOAD_MB", 20)
if not 1 <= AUDIO_MAX_UPLOAD_MB <= 2000:
    raise ImproperlyConfigured(f"AUDIO_MAX_UPLOAD_MB={AUDIO_MAX_UPLOAD_MB} must be 1 to 2000.")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "painapp.storage.StaticFilesStorage"},  # whitenoise's, URLs kept
}

# Email. With no EMAIL_HOST, mail is printed to the console (development only).
EMAIL_HOST = env_str("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 15)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "painapp <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)

EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))

# SMS reminders (tracking/reminders/transports.py). Off unless a provider is set: then
# patients are not offered text messages at all. SMS_PROVIDER=twilio needs all three
# TWILIO_* values; TWILIO_API_URL is only changed by tests (a fake Twilio).
SMS_PROVIDER = env_str("SMS_PROVIDER", "").strip().lower()
SMS_TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
SMS_TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
SMS_TWILIO_FROM_NUMBER = env_str("TWILIO_FROM_NUMBER", "")
SMS_TWILIO_API_URL = env_str("TWILIO_API_URL", "https://api.twilio.com")
SMS_TIMEOUT_SECONDS = env_int("SMS_TIMEOUT_SECONDS", 10)
if SMS_PROVIDER not in ("", "twilio"):
    raise ImproperlyConfigured(
        f"SMS_PROVIDER={SMS_PROVIDER!r} is unknown: use twilio, or "
        "leave it empty for no text messages."
    )
if SMS_PROVIDER == "twilio" and not all(
    (SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN, SMS_TWILIO_FROM_NUMBER)
):
    raise ImproperlyConfigured(
        "SMS_PROVIDER=twilio needs TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and TWILIO_FROM_NUMBER."
    )

# Celery. Redis when REDIS_URL is set; otherwise kombu's filesystem transport, so a
# real worker and beat still run on a fresh machine with nothing but Python.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
CELERY_RESULT_BACKEND = REDIS_URL or f"file://{VAR_DIR / 'celery' / 'results'}"
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {"visibility_timeout": 3600, "socket_connect_timeout": 2, "socket_timeout": 5}
    if REDIS_URL
    else {
        "data_folder_in": str(VAR_DIR / "celery" / "queue"),
        "data_folder_out": str(VAR_DIR / "celery" / "queue"),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
        # Its exchange tables; kombu's default is ./control, in whatever folder the
        # worker was started from.
        "control_folder": str(VAR_DIR / "celery" / "control"),
    }
)
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celery" / "beat-schedule")

# Security headers. CSP: no inline script or style anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
# Powerful browser features no page of ours uses, switched off for every page and frame
# (painapp/headers.py), so an injected script could not ask for them either. The
# somatic-tracking player speaks with speech synthesis, which no policy governs, and
# may start sound after a tap: autoplay stays allowed for our own pages, and playback
# while the screen is off is left alone. WebAuthn (publickey-credentials-*) is left
# alone too, for two-step login with a security key. Every name here is one Chromium
# recognises (an unknown name is a console warning): checked with Chromium 156.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    **{
        feature: []
        for feature in (
            "camera",
            "microphone",
            "geolocation",
            "payment",
            "usb",
            "serial",
            "hid",
            "midi",
            "accelerometer",
            "gyroscope",
            "magnetometer",
            "display-capture",
            "captured-surface-control",
            "screen-wake-lock",
            "idle-detection",
            "local-fonts",
            "window-management",
            "xr-spatial-tracking",
            "encrypted-media",
            "fullscreen",
            "picture-in-picture",
            "otp-credentials",
            "identity-credentials-get",
            "browsing-topics",
            "gamepad",
            "compute-pressure",
            "clipboard-read",
        )
    },
    "autoplay": ["self"],
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# Reverse proxies (painapp/proxies.py): the addresses or networks (CIDR) of the proxies
# in front of painapp, as painapp sees them. Only from these are X-Forwarded-For (the
# client's address, for rate limits and the audit trail) and X-Forwarded-Proto believed;
# from anyone else they are dropped. docker/web.sh gives gunicorn the same list.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")
if TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
if env_bool("TRUST_X_FORWARDED_PROTO", False):
    # It trusted the header from any client that reached the app directly.
    raise ImproperlyConfigured(
        "TRUST_X_FORWARDED_PROTO is replaced by TRUSTED_PROXIES: remove it and set "
        "TRUSTED_PROXIES to your proxy's address or network (CIDR), e.g. 172.18.0.0/16."
    )
# Health probes come over plain HTTP from inside (compose, a load balancer): never
# redirected to HTTPS. They show no data.
SECURE_REDIRECT_EXEMPT = [r"^healthz/"]
# The minute reminder sweep's heartbeat (painapp/health): not run for longer than this,
# and the readiness probe and the practice overview say reminders have stopped.
REMINDERS_STALE_AFTER_MINUTES = env_int("REMINDERS_STALE_AFTER_MINUTES", 10)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "painapp.views.csrf_failure"  # our 403 page, with the request id

# Logs: "plain" lines or, with LOG_FORMAT=json, one JSON object a line (time, level,
# logger, request_id, message). Web, workers and beat all log this way, with request
# ids carried into the tasks a request queues (painapp/observability.py).
LOG_FORMAT = env_str("LOG_FORMAT", "plain").strip().lower()
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r} is unknown: use plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "painapp.accounts.middleware.RequestIdLogFilter"},
        # Invitation links, reset keys and unsubscribe tokens out of logged paths.
        "secret_paths": {"()": "painapp.logfilters.SecretPathFilter"},
    },
    "formatters": {
        "plain": {
            "()": "painapp.observability.PlainLogFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
        },
        "json": {"()": "painapp.observability.JsonLogFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            # On the handler, so every record that reaches it is redacted, whichever
            # logger it came from: runserver's request lines (django.server) included.
            "filters": ["request_id", "secret_paths"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's own console handler (debug only) printed every line twice.
        "django": {"handlers": []},
        # Never log request bodies or template context: they hold health data.
        "django.request": {"level": "ERROR", "filters": ["secret_paths"]},
        # A refused request is logged with its path, which may hold a token.
        "django.security.csrf": {"filters": ["secret_paths"]},
        # runserver's request lines (bin/run), redacted before any handler sees them,
        # as gunicorn's are; on to the console (Django's own handler for it goes).
        "django.server": {"filters": ["secret_paths"], "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        # At DEBUG it logs every missing template variable with the exception, whose
        # text is the whole template context (names, answers, notes): never that low.
        "django.template": {"level": "INFO"},
    },
}

# Prometheus metrics at /metrics (painapp/metrics.py): off unless a token is set, then
# scraped with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_TOKEN = env_str("METRICS_TOKEN", "")

# Error tracking (optional). Sentry gets no request bodies, local variables, cookies,
# headers or user data (painapp/observability.py scrubs every event).
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "production")
if SENTRY_DSN:
    from painapp.observability import sentry_init

    sentry_init(SENTRY_DSN, environment=SENTRY_ENVIRONMENT)
