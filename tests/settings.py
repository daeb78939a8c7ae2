"""Test run: production settings with test secrets, nothing else changed.

Only environment defaults are set here, so the suite exercises config.settings
as production reads it. A real environment variable always wins.
"""

import os

os.environ.setdefault(
    "SANAD_SECRET_KEY", "test-secret-key-" + "x9Kq2vLm8Pz4Rt7Wb1Nc6Yd3Hf5Js0Ga" * 2
)
os.environ.setdefault("SANAD_KEYS", "test1:dGVzdC1rZXktb25lLWZvci1zYW5hZC10ZXN0cy0zMmI=")
os.environ.setdefault("SANAD_FINGERPRINT_KEY", "test-fingerprint-key")
os.environ.setdefault("SANAD_AUDIT_KEY", "test-audit-key")
os.environ.setdefault("SANAD_STATIC_STORAGE", "plain")
os.environ.setdefault("SANAD_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SANAD_EVIDENCE_DIR", "/tmp/sanad-test-evidence")
# Cheap Argon2 for victims' codes: the suite checks the rules around hashing,
# not its cost. tests/reporting/test_passphrase_params.py runs the production
# parameters once.
os.environ.setdefault("SANAD_ARGON2_TIME_COST", "1")
os.environ.setdefault("SANAD_ARGON2_MEMORY_KIB", "1024")
os.environ.setdefault("SANAD_ARGON2_PARALLELISM", "1")

from config.settings import *  # noqa: E402, F403
from config.settings import BASE_DIR  # noqa: E402, F401

# Staff passwords are not what is under test; victims' passphrases keep their
# own hasher (casework.passphrases) with its production parameters.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S303

# No collectstatic in the test run: serve from the finders, as in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# A file, not memory, for SQLite test databases: tests that fork worker
# processes (throttling across gunicorn workers) must see the same database.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": f"/tmp/sanad-test-{os.getpid()}.sqlite3"}  # noqa: F405, S108

# Each test process keeps its uploads in progress apart: purge_expired's sweep
# of stale temporary files in one xdist worker's test must not delete a file
# another worker is writing.
SANAD_EVIDENCE_TEMP_DIR = os.environ.get(
    "SANAD_EVIDENCE_TEMP_DIR",
    f"/tmp/sanad-evidence-{os.getpid()}",  # noqa: S108
)
