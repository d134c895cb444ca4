"""Gonghui settings: one module, configured only from environment variables.

GONGHUI_MODE=development (the default) gives safe local defaults: SQLite in ./var, a database
cache, console SMS/e-mail, and fixed development keys that are refused in production.
GONGHUI_MODE=production requires real secrets and turns on every deployment hardening so that
`manage.py check --deploy` reports nothing. See README.md "Configuration" for every variable.
"""

from __future__ import annotations

import base64
import hashlib
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("GONGHUI_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = env_str(name)
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    raw = env_str(name)
    return [item.strip() for item in raw.split(",") if item.strip()] if raw else default


MODE = env_str("GONGHUI_MODE", "development")
if MODE not in {"development", "production"}:
    raise ImproperlyConfigured("GONGHUI_MODE must be 'development' or 'production'")
PRODUCTION = MODE == "production"


def _secret(name: str, dev_seed: str) -> str:
    value = env_str(name)
    if value:
        return value
    if PRODUCTION:
        raise ImproperlyConfigured(f"{name} must be set when GONGHUI_MODE=production")
    # Development only: stable so that the demo database keeps working across restarts.
    return "insecure-development-" + hashlib.sha256(dev_seed.encode()).hexdigest()


SECRET_KEY = _secret("SECRET_KEY", "django-secret")
DEBUG = env_bool("DEBUG", not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when GONGHUI_MODE=production")
ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])


def _field_encryption_keys() -> dict[str, bytes]:
    """FIELD_ENCRYPTION_KEY: comma-separated `key_id:base64(32 bytes)`; the first one encrypts,
    all of them decrypt, so a key can be rotated without rewriting every row at once."""
    raw = env_str("FIELD_ENCRYPTION_KEY")
    if not raw:
        if PRODUCTION:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY must be set when GONGHUI_MODE=production")
        return {"dev1": hashlib.sha256(b"gonghui-development-field-key").digest()}
    keys: dict[str, bytes] = {}
    for item in raw.split(","):
        key_id, sep, b64 = item.strip().partition(":")
        if not sep or not key_id:
            raise ImproperlyConfigured("FIELD_ENCRYPTION_KEY entries must look like key_id:base64key")
        try:
            key = base64.b64decode(b64, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY {key_id}: not valid base64") from exc
        if len(key) != 32:
            raise ImproperlyConfigured(f"FIELD_ENCRYPTION_KEY {key_id}: must decode to 32 bytes")
        keys[key_id] = key
    return keys


FIELD_ENCRYPTION_KEYS = _field_encryption_keys()
# The blind index key must never rotate with the encryption keys, or exact lookups break.
BLIND_INDEX_KEY = _secret("BLIND_INDEX_KEY", "blind-index").encode()

INSTALLED_APPS = [
    "whitenoise.runserver_nostatic",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "django_htmx",
    "ninja",
    "treebeard",
    "django_tasks",
    "django_tasks_db",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.jobs",
    "gonghui.founding",
    "gonghui.ratings",
    "gonghui.benefits",
    "gonghui.mutualaid",
    "gonghui.assistance",
    "gonghui.events",
    "gonghui.services",
    "gonghui.courses",
    "gonghui.counselling",
    "gonghui.workdays",
    "gonghui.rights",
    "gonghui.legal",
    "gonghui.supervision",
    "gonghui.contracts",
    "gonghui.portal",
    "gonghui.console",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "gonghui.core.middleware.RequestContextMiddleware",
    "gonghui.core.middleware.PermissionsPolicyMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "gonghui" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "gonghui.core.context_processors.site",
            ],
            "builtins": ["gonghui.core.templatetags.money"],
        },
    }
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while one writer commits; IMMEDIATE makes writers queue on the
    # busy timeout instead of failing with "database is locked" halfway through a transaction.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "gonghui")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "gonghui.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            # A hung Redis must fail fast, not hang every request (and /healthz) with it.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # Shared by every process that uses the same database, unlike the local-memory cache.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "gonghui_cache",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }

TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "imports", "reports"],
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "gonghui.accounts.backends.MobileOrUsernameBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# django-axes: lock a (username, IP) pair after 5 failures for 15 minutes. Locking on the
# username alone would let anyone lock a member out of their own account.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.lockout"
AXES_USERNAME_CALLABLE = "gonghui.accounts.backends.axes_username"
AXES_IPWARE_PROXY_COUNT = env_int("PROXY_COUNT", 0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = env_str("OTP_ISSUER", "工会 Gonghui")

# How long the QR code of an electronic member card stays valid after it was issued (seconds);
# the card page fetches a new one halfway through (gonghui.members.card).
MEMBER_CARD_TOKEN_SECONDS = env_int("MEMBER_CARD_TOKEN_SECONDS", 120)

# Roster import limits (docs/members-roster-import.md). The proxy must accept uploads of
# ROSTER_IMPORT_MAX_BYTES (README, production deployment).
ROSTER_IMPORT_MAX_BYTES = env_int("ROSTER_IMPORT_MAX_BYTES", 200 * 2**20)
ROSTER_IMPORT_MAX_ROWS = env_int("ROSTER_IMPORT_MAX_ROWS", 1_000_000)
# python-calamine holds a whole sheet in memory, so workbooks get a lower row limit than CSV.
ROSTER_IMPORT_MAX_WORKBOOK_ROWS = env_int("ROSTER_IMPORT_MAX_WORKBOOK_ROWS", 300_000)
ROSTER_IMPORT_MAX_UNPACKED_BYTES = env_int("ROSTER_IMPORT_MAX_UNPACKED_BYTES", 400 * 2**20)
# On PostgreSQL a second connection writes one chunk while the next is checked.
ROSTER_IMPORT_WRITER_THREAD = env_bool("ROSTER_IMPORT_WRITER_THREAD", True)

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # /healthz is probed over plain HTTP by load balancers inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Strict CSP: no inline script or style anywhere; Alpine uses its CSP build and htmx runs
# with eval and inline indicator styles switched off (see templates/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
PERMISSIONS_POLICY = "geolocation=(self), camera=(self), microphone=(), payment=()"

LANGUAGE_CODE = "zh-hans"
# The UI is Chinese whatever the browser asks for: a half-translated English UI would serve nobody.
LANGUAGES = [("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "gonghui" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")
STATICFILES_DIRS = [BASE_DIR / "gonghui" / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or VAR_DIR / "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_MAX_AGE = 60 * 60 if not PRODUCTION else 60 * 60 * 24 * 30

# Production must name its gateway adapter: the outbox default would keep every message
# (verification codes included) in the database and never deliver one.
SMS_BACKEND = env_str("SMS_BACKEND", "" if PRODUCTION else "gonghui.core.sms.OutboxSmsBackend")
if not SMS_BACKEND:
    raise ImproperlyConfigured("SMS_BACKEND must be set when GONGHUI_MODE=production")
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")

GONGHUI_SITE_NAME = env_str("GONGHUI_SITE_NAME", "工会 Gonghui")
GONGHUI_CITY_NAME = env_str("GONGHUI_CITY_NAME", "示范市")
# Workplaces with at least this many employees are listed as due to found a union (工会法第十一条:
# 25 members or more must have a union committee).
FOUNDING_EMPLOYEE_THRESHOLD = env_int("FOUNDING_EMPLOYEE_THRESHOLD", 25)
if FOUNDING_EMPLOYEE_THRESHOLD < 1:
    raise ImproperlyConfigured("FOUNDING_EMPLOYEE_THRESHOLD must be a positive number of employees")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Axes logs usernames (mobile numbers for members): personal data stays out of logs.
        "axes": {"level": "WARNING"},
        "django.db.backends": {"level": "WARNING"},
        # WeasyPrint reports each rendering step of every PDF at INFO.
        "weasyprint": {"level": "WARNING"},
    },
}

# Texted verification codes (online joining, change of mobile number): minutes a code stays
# valid, and how many codes one number may receive a day.
VERIFICATION_CODE_MINUTES = env_int("VERIFICATION_CODE_MINUTES", 10)
VERIFICATION_CODES_PER_DAY = env_int("VERIFICATION_CODES_PER_DAY", 10)
