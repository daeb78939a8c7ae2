"""Sanad settings: one module, driven by environment variables.

Development (``SANAD_DEBUG=1``) gets convenient defaults. Production refuses to
start when a secret is missing: a default secret in production is a leak.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("SANAD_DEBUG")

# Only ever used when SANAD_DEBUG=1; production must bring its own.
_DEVELOPMENT_SECRET_KEY = "sanad-development-only-key-never-use-in-production-0123456789abcdef"  # noqa: S105 - development only, refused in production
SECRET_KEY = os.environ.get("SANAD_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SANAD_SECRET_KEY is not set. Production refuses to start without a real secret key; "
            "set SANAD_DEBUG=1 only on a development machine."
        )
    SECRET_KEY = _DEVELOPMENT_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # modeltranslation must precede the admin so its admin tabs register.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "casework",
    "reporting",
    "outreach",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "csp.context_processors.nonce",
                "config.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite file in the project by default so a newcomer needs nothing installed;
# PostgreSQL in CI and production through DATABASE_URL.
if "DATABASE_URL" not in os.environ:
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'sanad.sqlite3'}"),
        # A new connection per request costs ~8x on this hardware (STACK-NOTES).
        conn_max_age=env_int("SANAD_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {"transaction_mode": "IMMEDIATE", "timeout": 20, "init_command": "PRAGMA journal_mode=WAL;"}
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ---------------------------------------------------------------
# Anything that counts attempts must be shared by every gunicorn worker and app
# server: Redis when configured, otherwise the database. Never per-process memory.
_CACHE_URL = os.environ.get("SANAD_CACHE_URL", "")
if _CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _CACHE_URL,
            "KEY_PREFIX": os.environ.get("SANAD_CACHE_PREFIX", "sanad"),
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "sanad_cache",
        }
    }

# --- Sessions, cookies, auth ---------------------------------------------
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_NAME = "sid"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SANAD_SESSION_AGE", 60 * 60 * 8)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# The token's secret lives in a cookie, not in the session: a form page's GET
# writes nothing to the database, and no session exists before a first POST
# needs one. See config/csrf.py.
CSRF_USE_SESSIONS = False
# W003 looks for Django's CSRF middleware by its exact path; Sanad runs a
# subclass of it (config.csrf), asserted in tests/config/test_csrf.py.
SILENCED_SYSTEM_CHECKS = ["security.W003"]
CSRF_FAILURE_VIEW = "config.views.csrf_failure"
LANGUAGE_COOKIE_NAME = "lang"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "console:login"
OTP_TOTP_ISSUER = "Sanad"

# --- Languages -----------------------------------------------------------
LANGUAGE_CODE = "ar"
LANGUAGES = [
    ("ar", _("Arabic")),
    ("ckb", _("Central Kurdish")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
DISPLAY_TIME_ZONE = "Asia/Baghdad"
MODELTRANSLATION_DEFAULT_LANGUAGE = "ar"
MODELTRANSLATION_LANGUAGES = ("ar", "ckb", "en")
# What an editor has not translated yet falls back ckb -> ar -> en.
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("ar", "en"),
    "ckb": ("ar", "en"),
    "ar": ("en",),
    "en": ("ar",),
}

# --- Static files and evidence storage ------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Evidence is ciphertext under opaque names and never has a public URL: MEDIA_URL
# points nowhere that is routed, and nothing serves MEDIA_ROOT.
MEDIA_ROOT = Path(os.environ.get("SANAD_EVIDENCE_DIR", BASE_DIR / "var" / "evidence"))
MEDIA_URL = "/no-public-media/"

_EVIDENCE_BACKEND = os.environ.get("SANAD_EVIDENCE_STORAGE", "filesystem")
if _EVIDENCE_BACKEND == "s3":
    _evidence_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("SANAD_S3_BUCKET", ""),
            "endpoint_url": os.environ.get("SANAD_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("SANAD_S3_REGION") or None,
            "access_key": os.environ.get("SANAD_S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("SANAD_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": os.environ.get("SANAD_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
        },
    }
elif _EVIDENCE_BACKEND == "filesystem":
    _evidence_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": MEDIA_ROOT,
            "base_url": MEDIA_URL,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }
else:
    raise ImproperlyConfigured("SANAD_EVIDENCE_STORAGE must be 'filesystem' or 's3'.")

# Hashed, compressed names in production; plain storage where no collectstatic
# has run (tests, first development run).
_STATIC_BACKEND = (
    "whitenoise.storage.CompressedManifestStaticFilesStorage"
    if os.environ.get("SANAD_STATIC_STORAGE", "manifest") == "manifest"
    else "django.contrib.staticfiles.storage.StaticFilesStorage"
)
STORAGES = {
    "default": _evidence_storage,
    "evidence": _evidence_storage,
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
WHITENOISE_MAX_AGE = 60 * 60 * 24 * 365 if not DEBUG else 0

# Views that take evidence install casework's encrypting handler themselves;
# everywhere else an upload stays in memory and is never written in clear.
FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_NUMBER_FIELDS = 400

# --- Sanad's own knobs ----------------------------------------------------
SANAD_EVIDENCE_MAX_FILES = env_int("SANAD_EVIDENCE_MAX_FILES", 10)
SANAD_EVIDENCE_MAX_BYTES = env_int("SANAD_EVIDENCE_MAX_BYTES", 25 * 1024 * 1024)
SANAD_FILING_LIMIT_PER_CLIENT = env_int("SANAD_FILING_LIMIT_PER_CLIENT", 5)
SANAD_FILING_LIMIT_PER_CLIENT_WINDOW = env_int("SANAD_FILING_LIMIT_PER_CLIENT_WINDOW", 3600)
SANAD_FILING_LIMIT_SITE = env_int("SANAD_FILING_LIMIT_SITE", 300)
SANAD_FILING_LIMIT_SITE_WINDOW = env_int("SANAD_FILING_LIMIT_SITE_WINDOW", 3600)
SANAD_FOLLOWUP_MAX_FAILURES = env_int("SANAD_FOLLOWUP_MAX_FAILURES", 5)
SANAD_FOLLOWUP_LOCKOUT_SECONDS = env_int("SANAD_FOLLOWUP_LOCKOUT_SECONDS", 15 * 60)
SANAD_FOLLOWUP_CLIENT_MAX_FAILURES = env_int("SANAD_FOLLOWUP_CLIENT_MAX_FAILURES", 20)
SANAD_FOLLOWUP_IDLE_SECONDS = env_int("SANAD_FOLLOWUP_IDLE_SECONDS", 15 * 60)
# Argon2id for victims' passphrases (argon2-cffi): ~60 ms per check on the
# project's hardware. Checks are throttled BEFORE hashing (see reporting.services).
SANAD_PASSPHRASE_ARGON2 = {
    "time_cost": env_int("SANAD_ARGON2_TIME_COST", 3),
    "memory_cost": env_int("SANAD_ARGON2_MEMORY_KIB", 64 * 1024),
    "parallelism": env_int("SANAD_ARGON2_PARALLELISM", 2),
}
SANAD_DRAFT_MAX_AGE_SECONDS = env_int("SANAD_DRAFT_MAX_AGE_SECONDS", 6 * 3600)
SANAD_QUICK_EXIT_URL = os.environ.get(
    "SANAD_QUICK_EXIT_URL", "https://www.google.com/search?q=weather"
)
# Key-encryption keys, newest first: "id:base64(32 bytes),id2:...". The first
# wraps new data keys; all of them unwrap, so keys rotate without downtime.
SANAD_KEYS = os.environ.get("SANAD_KEYS", "")
# Separate key for suspect-identifier fingerprints (HMAC), so linking cases
# never needs the encryption keys.
SANAD_FINGERPRINT_KEY = os.environ.get("SANAD_FINGERPRINT_KEY", "")
if DEBUG:
    SANAD_KEYS = SANAD_KEYS or "dev1:ZGV2ZWxvcG1lbnQtb25seS1rZXktMzItYnl0ZXMhISE="
    SANAD_FINGERPRINT_KEY = SANAD_FINGERPRINT_KEY or "development-only-fingerprint-key"
elif not SANAD_KEYS or not SANAD_FINGERPRINT_KEY:
    raise ImproperlyConfigured(
        "SANAD_KEYS and SANAD_FINGERPRINT_KEY must be set in production: victim data is "
        "encrypted with them."
    )
# Clients behind a reverse proxy: number of trusted proxies in X-Forwarded-For.
# Client addresses are only ever used, hashed, as throttle keys; never stored.
SANAD_TRUSTED_PROXY_COUNT = env_int("SANAD_TRUSTED_PROXY_COUNT", 0)

# --- Security headers -----------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
# No referrer ever leaves for another site; same-origin requests carry one,
# so the browser sends a real Origin with Sanad's own form POSTs (CSRF).
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SANAD_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SANAD_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host-: the browser refuses this cookie from a subdomain or over HTTP,
    # so no one can plant a known CSRF secret.
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    LANGUAGE_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
        "manifest-src": ["'self'"],
    }
}

# --- Logging: never a client address, user agent, POST body or query string.
ADMINS: list[tuple[str, str]] = []
MANAGERS: list[tuple[str, str]] = []
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.logging.RedactingExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "config.logging.MinimalExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "scrub_request": {"()": "config.logging.ScrubRequestFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["scrub_request"],
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SANAD_LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's defaults, including mail_admins: no e-mailed reports.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django.server": {"handlers": [], "level": "CRITICAL", "propagate": False},
        "django.db.backends": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # Pillow logs EXIF tag values (names, GPS positions) at DEBUG while it
        # reads evidence images: never below WARNING, whatever SANAD_LOG_LEVEL.
        "PIL": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "sanad@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
