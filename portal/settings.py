"""Settings of the portal, read from the environment only (12-factor).

Every variable is documented in `.env.example`. Unset `DATABASE_URL` means the embedded
SQLite file under `var/`; unset `REDIS_URL` means a local-memory cache and Celery tasks
running in-process, so `make run` needs nothing but Python.
"""

import contextlib
import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def local_secret_key(var_dir: Path) -> str:
    """The embedded default's own key: generated once into var/secret_key, read from there afterwards.

    Only for the embedded default (no DATABASE_URL): a production setup passes SECRET_KEY.
    """
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # another process wrote it first
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(50))
    key = path.read_text().strip()
    if not key:
        raise ImproperlyConfigured(f"{path} is empty: delete it to have a new local key generated")
    return key


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if env_bool("PORTAL_ALLOW_INSECURE_KEY", False) or (DEBUG and os.environ.get("DATABASE_URL")):
        SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # noqa: S105
    elif not os.environ.get("DATABASE_URL"):
        SECRET_KEY = local_secret_key(VAR_DIR)
    else:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG=0 and DATABASE_URL is set")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text and trigram search lookups of the catalog
    "allauth",
    "allauth.account",
    "guardian",
    "portal.apps.LockoutConfig",  # django-axes with a Russian heading
    "django_htmx",
    "template_partials",
    "portal.apps.PeriodicTasksConfig",  # django-celery-beat with Russian headings
    "csp",
    "base",  # reference data below every app: regions, warehouses, currencies, price types
    "accounts",
    "catalog",
    "orders",
    "sync",
    "portal",  # wiring: the demo data command (seed_demo)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.RussianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.AdminIPRestrictionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.RequestInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # AxesMiddleware last: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

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
                "portal.context_processors.shell",
                "orders.context_processors.cart",
                "orders.context_processors.approvals",
            ],
        },
    },
    {
        # The body of the hot catalog pages (templates/jinja2/; see portal/jinja_env.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "portal.jinja_env.environment"},
    },
]

# Database: PostgreSQL from DATABASE_URL, else the embedded SQLite file.
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "portal.sqlite3",
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache and Celery: Redis from REDIS_URL, else in-process.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    # Short socket timeouts: a Redis that hangs is a cache miss after a second, not a hung page (portal/cache.py).
    CACHES = {"default": {"BACKEND": "portal.cache.RedisCache", "LOCATION": REDIS_URL,
                          "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    # Sessions are read from Redis and written through to the database: no query for the session on a page.
    # (Not with the in-process cache: a sign-out in one process would not reach another's copy.)
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
    CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A broker that is down is given about half a second; then the task is recorded for retry (portal/celery.py).
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = "Europe/Moscow"
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "portal.beat:PortalScheduler"
# Named entries of the ERP, escalation and reorder digest schedule. django-celery-beat copies them into the
# database on beat start; from then on they are edited in admin (Periodic tasks).
CELERY_BEAT_SCHEDULE = {
    "sync-stock": {"task": "sync.tasks.sync_stream", "schedule": timedelta(minutes=5), "args": ("stock",)},
    "sync-prices": {
        "task": "sync.tasks.sync_stream",
        "schedule": crontab(hour=2, minute=0),
        "args": ("prices",),
    },
    "sync-counterparties": {
        "task": "sync.tasks.sync_stream",
        "schedule": crontab(minute=10),
        "args": ("counterparties",),
    },
    "sync-contracts": {
        "task": "sync.tasks.sync_stream",
        "schedule": crontab(minute=20),
        "args": ("contracts",),
    },
    "sync-balances": {
        "task": "sync.tasks.sync_stream",
        "schedule": crontab(minute=30),
        "args": ("balances",),
    },
    "sync-order-export": {
        "task": "sync.tasks.sync_stream",
        "schedule": timedelta(minutes=1),
        "args": ("order_export",),
    },
    "portal-deferred-tasks": {"task": "portal.tasks.deferred_tasks_send", "schedule": timedelta(minutes=1)},
    "orders-escalation-check": {
        "task": "sync.tasks.escalation_check",
        "schedule": timedelta(minutes=5),
    },
    # Monday morning, before buyers plan the week's orders.
    "orders-reorder-digest": {
        "task": "sync.tasks.reorder_digest",
        "schedule": crontab(day_of_week=1, hour=7, minute=0),
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.PasswordBackend",
    "accounts.backends.EmailBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: e-mail login, no open sign-up (registration of a company comes separately).
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# One login address per account, verified before it signs in or replaces the current one: a new
# address waits unverified until its link is opened (ACCOUNT_CHANGE_EMAIL), and an address another
# account uses is refused (accounts.forms.AddEmailForm, accounts.adapters.AccountAdapter).
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_FORMS = {"add_email": "accounts.forms.AddEmailForm"}
ACCOUNT_ADAPTER = "accounts.adapters.AccountAdapter"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_PREVENT_ENUMERATION = True
# Per-account lockout is django-axes' job (5 failures, 15 minutes); allauth only caps per IP.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip", "reset_password": "5/m/ip,3/m/key"}
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"

# django-guardian
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# django-axes: lock an account after repeated failed logins, on every door (accounts/lockout.py).
AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOGIN_COOLOFF_MINUTES", 15))
# By account from any address, and so by account+address too (listed as well: axes' check W006 wants
# a parameter with the address); never by address alone, so one person's typos do not lock out
# everybody behind the same office NAT.
AXES_LOCKOUT_PARAMETERS = ["username", ["username", "ip_address"]]
AXES_USERNAME_FORM_FIELD = "login"
# The login field differs per door (allauth `login`/`email`, admin and 1C `username`).
AXES_USERNAME_CALLABLE = "accounts.lockout.login_username"
AXES_RESET_ON_SUCCESS = True
# Attempts refused during a lock are not counted, so the end time the user was shown holds.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_IPWARE_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0) or None

# Internationalisation: Russian by default, English on request.
LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", _("Russian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
USE_TZ = True

# Static and media files, served by the app itself (WhiteNoise): no CDN.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env_bool("PORTAL_MANIFEST_STATIC", True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# E-mail: console backend unless configured.
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "portal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Security: strict by default outside DEBUG; behind a TLS-terminating proxy set
# SECURE_PROXY_SSL_HEADER via PORTAL_BEHIND_PROXY=1.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("PORTAL_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14)
# The language cookie travels like the session cookie: HTTPS only outside DEBUG, never to scripts.
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline
# script, no eval (htmx runs with allowEval off and injects no indicator <style>, see base.html). The
# Django admin passes the same policy: its scripts are static files and its inline data rides in data-*
# attributes. Styles take no 'unsafe-inline' either: no template of ours nor of the admin carries a style
# attribute, and scripts that move things (admin widgets, select2) set styles through the DOM, which
# the policy allows. The admin's only <style> block is on a change list with actions_on_top and
# actions_on_bottom both off: no admin of ours does that (it would need that block's hash here).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Business settings of the portal.
PORTAL_NAME = os.environ.get("PORTAL_NAME", "Оптовый портал")
PORTAL_DEFAULT_CURRENCY = os.environ.get("PORTAL_DEFAULT_CURRENCY", "RUB")
PORTAL_STOCK_STALE_MINUTES = env_int("PORTAL_STOCK_STALE_MINUTES", 15)
PORTAL_GUEST_CATALOG = env_bool("PORTAL_GUEST_CATALOG", False)
PORTAL_SYNC_INBOX = Path(os.environ.get("PORTAL_SYNC_INBOX", VAR_DIR / "inbox"))
# Order lists uploaded as .xlsx/.csv (and quick-order text): the largest file and the most lines accepted.
PORTAL_UPLOAD_MAX_MB = env_int("PORTAL_UPLOAD_MAX_MB", 5)
PORTAL_UPLOAD_MAX_LINES = env_int("PORTAL_UPLOAD_MAX_LINES", 5000)
# ERP exchange (docs/erp-exchange.md): region of warehouses the ERP gives no region for, the
# warehouse that takes stock given only as a total, the orders export charset, the 1C exchange upload limits.
PORTAL_ERP_DEFAULT_REGION = os.environ.get("PORTAL_ERP_DEFAULT_REGION", "erp-default")
PORTAL_ERP_TOTAL_WAREHOUSE = os.environ.get("PORTAL_ERP_TOTAL_WAREHOUSE", "erp-total")
PORTAL_ERP_ORDER_ENCODING = os.environ.get("PORTAL_ERP_ORDER_ENCODING", "utf-8")
PORTAL_ERP_FILE_LIMIT = env_int("PORTAL_ERP_FILE_LIMIT", 2 * 1024 * 1024)
PORTAL_ERP_MAX_UPLOAD = env_int("PORTAL_ERP_MAX_UPLOAD", 1024 * 1024 * 1024)
PORTAL_SYNC_RUN_TIMEOUT_MINUTES = env_int("PORTAL_SYNC_RUN_TIMEOUT_MINUTES", 120)
# 1C imports in a thread of the web process instead of the Celery worker: the embedded default (no Redis).
PORTAL_SYNC_IMPORT_THREAD = env_bool("PORTAL_SYNC_IMPORT_THREAD", not REDIS_URL)
# 1C exchange session folders (var/exchange/sN) of sessions silent this long are removed.
PORTAL_ERP_SESSION_EXPIRE_HOURS = env_int("PORTAL_ERP_SESSION_EXPIRE_HOURS", 24)
PORTAL_ADMIN_ALLOWED_IPS = env_list("PORTAL_ADMIN_ALLOWED_IPS")
# Company registrations accepted per client IP and hour (a cache counter).
PORTAL_REGISTRATION_RATE_LIMIT = env_int("PORTAL_REGISTRATION_RATE_LIMIT", 10)
PORTAL_SUPPORT_EMAIL = os.environ.get("PORTAL_SUPPORT_EMAIL", DEFAULT_FROM_EMAIL)
PORTAL_SUPPORT_PHONE = os.environ.get("PORTAL_SUPPORT_PHONE", "")
# The supplier's requisites printed on invoices for payment (счёт на оплату).
PORTAL_SUPPLIER_NAME = os.environ.get("PORTAL_SUPPLIER_NAME", "")
PORTAL_SUPPLIER_INN = os.environ.get("PORTAL_SUPPLIER_INN", "")
PORTAL_SUPPLIER_KPP = os.environ.get("PORTAL_SUPPLIER_KPP", "")
PORTAL_SUPPLIER_ADDRESS = os.environ.get("PORTAL_SUPPLIER_ADDRESS", "")
PORTAL_SUPPLIER_BANK = os.environ.get("PORTAL_SUPPLIER_BANK", "")
PORTAL_SUPPLIER_BIK = os.environ.get("PORTAL_SUPPLIER_BIK", "")
PORTAL_SUPPLIER_ACCOUNT = os.environ.get("PORTAL_SUPPLIER_ACCOUNT", "")
PORTAL_SUPPLIER_CORRESPONDENT_ACCOUNT = os.environ.get("PORTAL_SUPPLIER_CORRESPONDENT_ACCOUNT", "")
PORTAL_SUPPLIER_DIRECTOR = os.environ.get("PORTAL_SUPPLIER_DIRECTOR", "")
PORTAL_SUPPLIER_ACCOUNTANT = os.environ.get("PORTAL_SUPPLIER_ACCOUNTANT", "")
# Absolute links in e-mails (notifications, invitations, e-mail confirmation).
PORTAL_BASE_URL = os.environ.get("PORTAL_BASE_URL", "http://localhost:8000")
