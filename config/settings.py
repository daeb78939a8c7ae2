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
    # Outermost, so every response gets them: the redirect LocaleMiddleware
    # makes for "/", a DisallowedHost 400 raised further in, static files.
    "config.middleware.PrivacyHeadersMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.sessions.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "reporting.middleware.VictimTimeZoneMiddleware",
    "django.middleware.common.CommonMiddleware",
    "config.middleware.BadInputMiddleware",
    "config.csrf.NoReferrerCsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
# Nothing in Sanad keeps state in a cache: throttles, lockouts, sessions and
# drafts live in PostgreSQL, which every app server shares and which keeps
# them across restarts. The database cache is only Django's default; there is
# no Redis to run (docs/deploy.md says why).
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
# One date and decimal format per language (config/formats/<lang>/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]
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


def s3_evidence_storage(environ=os.environ) -> dict:
    """S3-compatible evidence storage (django-storages): private objects, no URLs.

    Objects are ciphertext already (casework.uploads encrypts as it receives).
    Large files go up in parts of ``SANAD_S3_PART_MB`` with at most two parts
    in memory at once (s3transfer reads each part into memory before sending).
    """
    from boto3.s3.transfer import TransferConfig

    part_bytes = int(environ.get("SANAD_S3_PART_MB", "8")) * 1024 * 1024
    transfer = TransferConfig(
        multipart_threshold=part_bytes,
        multipart_chunksize=part_bytes,
        max_concurrency=1,
        use_threads=True,
    )
    # Not among boto3's keyword arguments, but read by s3transfer: how many
    # parts may wait for a sender (each one held in memory).
    transfer.max_request_queue_size = 1
    transfer.max_in_memory_upload_chunks = 1
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": environ.get("SANAD_S3_BUCKET", ""),
            "endpoint_url": environ.get("SANAD_S3_ENDPOINT_URL") or None,
            "region_name": environ.get("SANAD_S3_REGION") or None,
            "access_key": environ.get("SANAD_S3_ACCESS_KEY_ID") or None,
            "secret_key": environ.get("SANAD_S3_SECRET_ACCESS_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
            "addressing_style": environ.get("SANAD_S3_ADDRESSING", "path"),
            "signature_version": "s3v4",
            "transfer_config": transfer,
        },
    }


_EVIDENCE_BACKEND = os.environ.get("SANAD_EVIDENCE_STORAGE", "filesystem")
if _EVIDENCE_BACKEND == "s3":
    _evidence_storage = s3_evidence_storage()
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
# Evidence storage quotas (casework.evidence_limits), bytes per window: per
# client address, per network (IPv4 /24, IPv6 /64: one phone network's
# customers may share it) and for the whole site; plus free space kept on the
# evidence and temporary volumes, below which new uploads are refused.
SANAD_EVIDENCE_QUOTA_WINDOW = env_int("SANAD_EVIDENCE_QUOTA_WINDOW", 3600)
SANAD_EVIDENCE_CLIENT_BYTES = env_int("SANAD_EVIDENCE_CLIENT_BYTES", 300 * 1024 * 1024)
SANAD_EVIDENCE_NETWORK_BYTES = env_int("SANAD_EVIDENCE_NETWORK_BYTES", 1024 * 1024 * 1024)
SANAD_EVIDENCE_SITE_BYTES = env_int("SANAD_EVIDENCE_SITE_BYTES", 10 * 1024 * 1024 * 1024)
SANAD_EVIDENCE_DISK_RESERVE_BYTES = env_int(
    "SANAD_EVIDENCE_DISK_RESERVE_BYTES", 2 * 1024 * 1024 * 1024
)
# Temporary ciphertext of uploads in progress; files older than the max age
# were left by a killed worker and are swept by purge_expired.
SANAD_EVIDENCE_TEMP_DIR = os.environ.get("SANAD_EVIDENCE_TEMP_DIR", "")
SANAD_EVIDENCE_TEMP_MAX_AGE_SECONDS = env_int("SANAD_EVIDENCE_TEMP_MAX_AGE_SECONDS", 3600)
# Previews: images above this many pixels get none ("preview not available"),
# except baseline JPEGs, which decode at 1/8 scale up to the upload limit.
# 6 MP holds the largest phone and tablet screenshots (1440 x 3200, 2048 x 2732).
SANAD_EVIDENCE_PREVIEW_MAX_PIXELS = env_int("SANAD_EVIDENCE_PREVIEW_MAX_PIXELS", 6_000_000)
# Zip exports: refused beyond these (zip bombs).
SANAD_EVIDENCE_ARCHIVE_MAX_ENTRIES = env_int("SANAD_EVIDENCE_ARCHIVE_MAX_ENTRIES", 2000)
SANAD_EVIDENCE_ARCHIVE_MAX_UNCOMPRESSED = env_int(
    "SANAD_EVIDENCE_ARCHIVE_MAX_UNCOMPRESSED", 200 * 1024 * 1024
)
SANAD_EVIDENCE_ARCHIVE_MAX_RATIO = env_int("SANAD_EVIDENCE_ARCHIVE_MAX_RATIO", 100)
SANAD_FILING_LIMIT_PER_CLIENT = env_int("SANAD_FILING_LIMIT_PER_CLIENT", 5)
SANAD_FILING_LIMIT_PER_CLIENT_WINDOW = env_int("SANAD_FILING_LIMIT_PER_CLIENT_WINDOW", 3600)
SANAD_FILING_LIMIT_SITE = env_int("SANAD_FILING_LIMIT_SITE", 300)
SANAD_FILING_LIMIT_SITE_WINDOW = env_int("SANAD_FILING_LIMIT_SITE_WINDOW", 3600)
SANAD_FOLLOWUP_MAX_FAILURES = env_int("SANAD_FOLLOWUP_MAX_FAILURES", 5)
SANAD_FOLLOWUP_LOCKOUT_SECONDS = env_int("SANAD_FOLLOWUP_LOCKOUT_SECONDS", 15 * 60)
SANAD_FOLLOWUP_CLIENT_MAX_FAILURES = env_int("SANAD_FOLLOWUP_CLIENT_MAX_FAILURES", 20)
# Guessing victims' codes (reporting.login_guard): every window above is sliding.
# A network prefix is an IPv4 /24 or an IPv6 /64.
SANAD_FOLLOWUP_PREFIX_MAX_FAILURES = env_int("SANAD_FOLLOWUP_PREFIX_MAX_FAILURES", 100)
# A client or prefix blocked again within a day is blocked twice as long, up to this.
SANAD_FOLLOWUP_MAX_BLOCK_SECONDS = env_int("SANAD_FOLLOWUP_MAX_BLOCK_SECONDS", 24 * 3600)
# After this many locks in a day a reference is not locked again; each client
# address then gets only a few tries at it a day, so no attacker can keep the
# victim out for more than this many lock periods a day.
SANAD_FOLLOWUP_REFERENCE_LOCKS_PER_DAY = env_int("SANAD_FOLLOWUP_REFERENCE_LOCKS_PER_DAY", 3)
SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT = env_int("SANAD_FOLLOWUP_CAPPED_TRIES_PER_CLIENT", 3)
# Site-wide budget of code checks (hashes) per second, answered 429 before
# hashing; clients with recent failures share only the suspect part of it, so
# the rest stays free for people without failures.
SANAD_CODE_CHECKS_PER_SECOND = env_int("SANAD_CODE_CHECKS_PER_SECOND", 20)
SANAD_CODE_CHECKS_PER_SECOND_SUSPECT = env_int("SANAD_CODE_CHECKS_PER_SECOND_SUSPECT", 10)
SANAD_FOLLOWUP_SUSPECT_AFTER_FAILURES = env_int("SANAD_FOLLOWUP_SUSPECT_AFTER_FAILURES", 3)
SANAD_FOLLOWUP_PREFIX_SUSPECT_AFTER_FAILURES = env_int(
    "SANAD_FOLLOWUP_PREFIX_SUSPECT_AFTER_FAILURES", 10
)
SANAD_FOLLOWUP_IDLE_SECONDS = env_int("SANAD_FOLLOWUP_IDLE_SECONDS", 15 * 60)
# Argon2id for victims' codes (argon2-cffi), on top of an HMAC pepper (see
# casework.identifiers). The code is 66 random bits, not a chosen password, so
# the memory-hard cost that protects weak passwords buys nothing: with the
# pepper stolen too, trying half of 2^66 codes at this cost takes ~4e9
# CPU-years. Measured CPU per check on the 2-core machine: m=8 MiB, t=1 3.9 ms
# (this default); OWASP's minimum profiles m=12 MiB/t=3 19 ms and m=19 MiB/t=2
# 23 ms; the former m=64 MiB/t=3/p=2 175 ms. Online guessing is stopped by the
# guards (reporting.login_guard), which count every check BEFORE hashing.
SANAD_PASSPHRASE_ARGON2 = {
    "time_cost": env_int("SANAD_ARGON2_TIME_COST", 1),
    "memory_cost": env_int("SANAD_ARGON2_MEMORY_KIB", 8 * 1024),
    "parallelism": env_int("SANAD_ARGON2_PARALLELISM", 1),
}
# Server-side secret mixed into every code hash; derived from
# SANAD_FINGERPRINT_KEY when unset. Changing it makes every stored code fail.
SANAD_CODE_PEPPER = os.environ.get("SANAD_CODE_PEPPER", "")
SANAD_DRAFT_MAX_AGE_SECONDS = env_int("SANAD_DRAFT_MAX_AGE_SECONDS", 6 * 3600)
# An evidence object no row points at is deleted by purge_expired once older
# than this: far longer than any upload in flight (the object is written
# before its row).
SANAD_STORAGE_ORPHAN_MIN_AGE_SECONDS = env_int("SANAD_STORAGE_ORPHAN_MIN_AGE_SECONDS", 24 * 3600)
# Retention (purge_retention, daily): protected content and evidence of a
# closed case go this many days after closing; a withdrawn report's evidence
# goes at once unless a court referral holds it (then its content and
# evidence follow the same period after withdrawal).
SANAD_RETENTION_DAYS = env_int("SANAD_RETENTION_DAYS", 365)
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
# X-Forwarded-For is believed only when the direct peer is one of these
# (addresses or CIDRs); a client reaching gunicorn directly cannot forge it.
SANAD_TRUSTED_PROXIES = env_list("SANAD_TRUSTED_PROXIES", "127.0.0.1/32,::1/128")
# How long an administrator's enrolment code (casework.enrolment) stays valid.
SANAD_ENROLMENT_CODE_SECONDS = env_int("SANAD_ENROLMENT_CODE_SECONDS", 72 * 3600)
# A demo installation (seed_demo's accounts may log in) without DEBUG: set on
# purpose, never by default. Demo staff passwords and TOTP secrets are public.
SANAD_DEMO = env_bool("SANAD_DEMO")
# Key for the audit chain's MACs (casework.audit): kept outside the database so
# someone who can write the database cannot rewrite the chain unnoticed.
SANAD_AUDIT_KEY = os.environ.get("SANAD_AUDIT_KEY", "")
if not SANAD_AUDIT_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SANAD_AUDIT_KEY must be set in production: it anchors the audit log's hash chain."
        )
    SANAD_AUDIT_KEY = "development-only-audit-key"
# Append-only file where purge_expired writes the audit chain head (with its MAC);
# verify_audit checks the chain against the newest line.
SANAD_AUDIT_HEAD_LOG = Path(
    os.environ.get("SANAD_AUDIT_HEAD_LOG", BASE_DIR / "var" / "audit-heads.jsonl")
)

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
        # pikepdf (evidence PDF checks) bridges qpdf's messages, which may quote a PDF.
        "pikepdf": {"handlers": ["console"], "level": "WARNING", "propagate": False},
    },
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "sanad@localhost"
SERVER_EMAIL = DEFAULT_FROM_EMAIL
