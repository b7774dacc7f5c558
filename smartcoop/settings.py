"""SmartCoop settings: one file, configured by environment variables only.

Unset variables give the embedded default used by `make run` on a fresh machine
(SQLite under var/, tasks run in-process). CI and production set DATABASE_URL and
REDIS_URL (PostgreSQL + Redis).
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
import dj_email_url
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str = "0") -> bool:
    return os.environ.get(name, default).strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def envlist(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG")
# Without SECRET_KEY the project runs with a development key; `check --deploy`
# reports it (smartcoop.E001) so that no production set-up can forget it.
SECRET_KEY_FROM_ENV = bool(os.environ.get("SECRET_KEY"))
SECRET_KEY = os.environ.get("SECRET_KEY") or "django-insecure-development-key-only"
# With DEBUG off (production) the application refuses to start on the development key.
# SMARTCOOP_ALLOW_DEV_SECRET=1 lets the test suite and the Makefile's development targets run
# with DEBUG off and no secret (`check --deploy` still reports it: smartcoop.E001).
if not SECRET_KEY_FROM_ENV and not DEBUG and not envbool("SMARTCOOP_ALLOW_DEV_SECRET"):
    raise ImproperlyConfigured(
        "SECRET_KEY is not set and DEBUG is off: set SECRET_KEY to a long random value "
        "(or DEBUG=1 for development)."
    )
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost")

# National numbers and IBANs are encrypted at rest (core/encryption.py): Fernet keys,
# comma-separated, newest first, and the HMAC key of their look-up hashes. Development keys
# only while SECRET_KEY is the development one or with DEBUG; a production set-up refuses
# to start without them (and `check --deploy` reports smartcoop.E003).
FIELD_ENCRYPTION_KEYS_FROM_ENV = bool(
    os.environ.get("FIELD_ENCRYPTION_KEYS") and os.environ.get("FIELD_HASH_KEY")
)
if SECRET_KEY_FROM_ENV and not DEBUG and not FIELD_ENCRYPTION_KEYS_FROM_ENV:
    raise ImproperlyConfigured(
        "Set FIELD_ENCRYPTION_KEYS (Fernet keys, newest first) and FIELD_HASH_KEY: "
        "national numbers and IBANs are encrypted with them (docs/operations.md)."
    )
FIELD_ENCRYPTION_KEYS = envlist("FIELD_ENCRYPTION_KEYS") or [
    "c21hcnRjb29wLWRldmVsb3BtZW50LWtleS1vbmx5ISE="
]
FIELD_HASH_KEY = os.environ.get("FIELD_HASH_KEY") or "smartcoop-development-hash-key-only"
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "core.apps.CoopAdminConfig",  # django.contrib.admin with core/admin_site.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "core",
    "members",
    "production_units",
    "invoicing",
    "payroll",
    "governance",
    "reports",
    "portal",
    "devtools",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.headers.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.uploads.UploadLimitMiddleware",  # before anything reads the body (CSRF)
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After CsrfViewMiddleware: reads the form in process_view as it does (core/bad_input.py).
    "core.bad_input.RejectNullCharactersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.middleware.StaffMFARequiredMiddleware",
    "core.middleware.RefusedFormStatusMiddleware",
]

ROOT_URLCONF = "smartcoop.urls"
WSGI_APPLICATION = "smartcoop.wsgi.application"

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
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded SQLite file under var/.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'var' / 'smartcoop.sqlite3'}",
        conn_max_age=envint("DB_CONN_MAX_AGE", 60),
    )
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis: the Celery broker and the cache (allauth's rate limits need a real, shared cache).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Sessions read on every page: from Redis when there is one, written through to the database
# (a Redis restart logs no one out). Without Redis each process would keep its own copy.
if REDIS_URL:
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
# A task whose worker dies (SIGKILL, OOM) goes back to the queue instead of being lost; one
# message reserved at a time, so a killed worker takes back only the one it was running.
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis hands an unacknowledged message to another worker after this many seconds: longer
# than any countdown or ETA (sending retries: 1 h at most, retry_backoff: 10 min), so a
# retry waiting in a worker is never delivered twice.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": envint("CELERY_VISIBILITY_TIMEOUT", 7200)}
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "Europe/Brussels"
CELERY_BEAT_SCHEDULE = {
    "health-ping": {"task": "core.tasks.health_ping", "schedule": 300.0},
    "send-due-reminders": {
        "task": "invoicing.tasks.send_due_reminders",
        "schedule": crontab(hour=8, minute=0),  # daily, Europe/Brussels
    },
    # The payroll run writes the employment costs the contribution run reads: it goes first.
    "payroll-run": {
        "task": "payroll.tasks.payroll_run_task",
        "schedule": crontab(day_of_month=2, hour=2, minute=0),  # the previous month
    },
    "compute-contributions": {
        "task": "payroll.tasks.compute_monthly_contributions",
        "schedule": crontab(day_of_month=5, hour=3, minute=0),  # the previous month
    },
    # Dimona declarations go out before the work starts: every 10 minutes (and after each
    # contract), whatever was left pending.
    "send-pending-dimonas": {"task": "payroll.work.tasks.send_pending_dimonas", "schedule": 600.0},
    "make-recurring-drafts": {
        "task": "invoicing.tasks.make_recurring_drafts",
        "schedule": crontab(hour=6, minute=30),
    },
    "read-dimona-acknowledgements": {
        "task": "payroll.work.tasks.read_dimona_acknowledgements",
        "schedule": 600.0,
    },
    # The outbox sweeper: transmissions whose task was lost are queued again (docs/operations.md).
    "requeue-overdue-transmissions": {
        "task": "invoicing.tasks.requeue_overdue_transmissions",
        "schedule": float(envint("OUTBOX_SWEEP_SECONDS", 60)),
    },
    # Salaries within 7 working days: payout batches twice a week (docs/payouts.md).
    "prepare-payouts": {
        "task": "payroll.tasks.prepare_scheduled_payouts",
        "schedule": crontab(day_of_week="tue,fri", hour=6, minute=0),
    },
    # Online votes open and close on time; the one reminder before closing.
    "advance-assemblies": {"task": "governance.tasks.advance_assemblies", "schedule": 300.0},
    "expire-worker-invitations": {
        "task": "payroll.tasks.expire_worker_invitations",
        "schedule": crontab(hour=3, minute=10),
    },
    # The board's key figures: the snapshots of the year, every night (reports/tasks.py).
    "compute-report-snapshots": {
        "task": "reports.tasks.compute_nightly_snapshots",
        "schedule": crontab(hour=4, minute=0),
    },
}

AUTH_USER_MODEL = "members.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
# Argon2id (core/hashers.py) first; the others only verify older hashes, upgraded at login.
PASSWORD_HASHERS = [
    "core.hashers.Argon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: log in by email, verified email, rate limits on (backed by CACHES).
ACCOUNT_ADAPTER = "core.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[SmartCoop] "
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "SmartCoop"
# Staff must have a second factor before they reach the back-office. Only the local
# demo (`make run`) relaxes this; the production default is on.
SMARTCOOP_STAFF_MFA_REQUIRED = envbool("SMARTCOOP_STAFF_MFA_REQUIRED", "1")

# API tokens (django-rest-knox): stored as SHA-512 digests, expiring after API_TOKEN_TTL_DAYS,
# listed and revoked by their owner in the portal; revoked on password change/reset and MFA removal.
KNOX_TOKEN_MODEL = "members.ApiToken"  # noqa: S105 (a model name, not a secret)
# knox's own migrations would create its (swapped-out) table, which `flush` can't truncate.
MIGRATION_MODULES = {"knox": None}
API_TOKEN_TTL_DAYS = envint("API_TOKEN_TTL_DAYS", 90)
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=API_TOKEN_TTL_DAYS),
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_PREFIX": "sc_",
    "AUTO_REFRESH": False,
}

# Re-authentication after 12 h (OWASP ASVS V3.3.2).
SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", "0" if DEBUG else "1")
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", "0" if DEBUG else "1")
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "0" if DEBUG else "1")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "1")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (django-csp): scripts and styles from this site only, no inline
# script (a template that needs one gives it nonce="{{ request.csp_nonce }}"); images also as
# data: URIs (the favicon, the TOTP QR code, the logo preview). No 'unsafe-inline' anywhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Browser features (core/headers.py): the camera for the receipt photo, nothing else.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "camera": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "payment": [],
    "usb": [],
}

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("nl", _("Dutch")), ("en", _("English"))]
# The languages of invoices, credit notes, quotes and their e-mails: the portal's and German
# (a client's language; German is not offered by the portal's language switch).
DOCUMENT_LANGUAGES = [*LANGUAGES, ("de", _("German"))]
# Belgian date formats in every language (Django's own are American for English).
FORMAT_MODULE_PATH = ["smartcoop.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Brussels"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploads: a request body over this is refused (413) before it is read; each file field has
# its own, smaller limit, enforced while the file comes in (core/uploads.py).
UPLOAD_MAX_REQUEST_BYTES = envint("UPLOAD_MAX_REQUEST_BYTES", 52 * 2**20)
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Behind nginx: the `internal` location that serves MEDIA_ROOT once the view checked access
# (e.g. "/protected-media/"); unset, the application sends the file itself.
PRIVATE_FILES_X_ACCEL_PREFIX = os.environ.get("PRIVATE_FILES_X_ACCEL_PREFIX", "")
STORAGES = {
    # No public media URL: file URLs go through core.files.private_file (access-checked).
    "default": {"BACKEND": "core.files.PrivateFileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

_email = dj_email_url.parse(os.environ.get("EMAIL_URL") or "console://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email["EMAIL_HOST"]
EMAIL_PORT = _email["EMAIL_PORT"]
EMAIL_HOST_USER = _email["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = _email["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = _email["EMAIL_USE_TLS"]
EMAIL_USE_SSL = _email["EMAIL_USE_SSL"]
EMAIL_FILE_PATH = _email["EMAIL_FILE_PATH"]
if EMAIL_BACKEND.endswith(".filebased.EmailBackend"):
    # dj-email-url drops the leading slash of file:///abs/path: file:///abs/path is the
    # absolute path /abs/path, file://var/mail the folder var/mail under the project.
    _file_url = urlsplit(os.environ["EMAIL_URL"])
    EMAIL_FILE_PATH = str(BASE_DIR / (_file_url.netloc + _file_url.path))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "SmartCoop <noreply@smartcoop.test>")
# The address of the site in e-mails that link to it (convocations to an assembly).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "members.token_auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Behind one reverse proxy in production: throttling keys on the client's address.
    "NUM_PROXIES": int(os.environ["NUM_PROXIES"]) if os.environ.get("NUM_PROXIES") else None,
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # A general limit per user and per anonymous address (core/throttling.py).
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttling.UserThrottle",
        "core.throttling.AnonThrottle",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
# DRF rates ("number/s|min|hour|day"): generous for a person or an accounting tool, a wall
# for a script walking the API.
API_THROTTLE_USER = os.environ.get("API_THROTTLE_USER", "600/min")
API_THROTTLE_ANON = os.environ.get("API_THROTTLE_ANON", "60/min")
# allauth's rate limits (logins) key on the client's address as well: behind the same
# proxies, the address the last one appended to X-Forwarded-For, not the proxy's own (shared by
# every member: 100 members logging in at once would be refused as one).
ALLAUTH_TRUSTED_PROXY_COUNT = REST_FRAMEWORK["NUM_PROXIES"] or 0
SPECTACULAR_SETTINGS = {
    "TITLE": "SmartCoop API",
    "DESCRIPTION": (
        "A member's own units, ledger, clients, invoices, credit notes, quotes and payments, "
        "with the portal's permissions."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Choice sets that share a field name ("kind", "status") get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "AssemblyKindEnum": "governance.models.GeneralAssembly.Kind",
        "AssemblyStatusEnum": "governance.models.GeneralAssembly.Status",
        "AgendaItemKindEnum": "governance.models.AgendaItem.Kind",
        "ResultOutcomeEnum": "governance.models.ItemResult.Outcome",
        "ClientKindEnum": "invoicing.models.Client.Kind",
    },
}

# Folder holding the official Peppol/EN16931 validation artefacts (XSD + XSLT), for
# run-time validation and the tests. Not part of the repository.
# The official Peppol and EN16931 rules the tests validate UBL against: PEPPOL_RULES_DIR, else
# ../shared/peppol beside the checkout, else the team's shared folder on the build machines.
PEPPOL_RULES_DIR = next(
    (
        path
        for path in (
            Path(os.environ.get("PEPPOL_RULES_DIR") or BASE_DIR.parent / "shared" / "peppol"),
            Path("/work/shared/peppol"),
        )
        if path.is_dir()
    ),
    BASE_DIR.parent / "shared" / "peppol",
)

# Peppol sending: "file" writes each UBL + envelope JSON to an outbox folder that a connector
# forwards; "http" posts to a REST access point (PEPPOL_AP_URL + "/documents", bearer token).
PEPPOL_ACCESS_POINT = os.environ.get("PEPPOL_ACCESS_POINT", "file")
PEPPOL_OUTBOX_DIR = Path(os.environ.get("PEPPOL_OUTBOX_DIR") or BASE_DIR / "var" / "peppol-outbox")
PEPPOL_AP_URL = os.environ.get("PEPPOL_AP_URL", "")
PEPPOL_AP_TOKEN = os.environ.get("PEPPOL_AP_TOKEN", "")
PEPPOL_AP_TIMEOUT = envint("PEPPOL_AP_TIMEOUT", 30)
# A transmission due for this long without being sent had its task lost: the sweeper queues
# it again (and the back-office lists it as stuck).
OUTBOX_STALE_SECONDS = envint("OUTBOX_STALE_SECONDS", 600)
# A mail server that doesn't answer fails the attempt (retried) instead of hanging a worker.
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", 30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint logs each rendering step at INFO: noise in workers rendering thousands.
    # fontTools (WeasyPrint's font subsetting without libharfbuzz-subset0) logs every glyph
    # table at INFO: quiet, the system check says when the library is missing.
    "loggers": {
        "weasyprint.progress": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
