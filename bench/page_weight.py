"""Page weight of the public journey: bytes a phone downloads, per page.

Prints HTML + CSS + JS per page, raw and gzip-compressed (what a reverse proxy
or whitenoise sends). Target: landing page and each form step under 30 KB
compressed in total, so a report can be started on a slow 3G connection
(~50 KB/s) in about a second.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import gzip
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/weight.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.staticfiles import finders  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402

TARGET_BYTES = 30 * 1024
PAGES = [
    ("landing", ""),
    ("step 1 what", "report/what/"),
    ("step 2 blackmailer", "report/blackmailer/"),
    ("step 3 threat", "report/threat/"),
    ("step 4 evidence", "report/evidence/"),
    ("step 5 safety", "report/safety/"),
    ("step 6 contact", "report/contact/"),
    ("step 7 check", "report/check/"),
    ("follow-up login", "follow-up/"),
]


def compressed(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=6))


def main() -> None:
    setup_test_environment()
    settings.ALLOWED_HOSTS = ["*"]
    call_command("migrate", verbosity=0)
    call_command(
        "seed_demo",
        "--quiet-logins",
        "--without-history",
        "--i-understand-this-is-a-demo",  # test settings (DEBUG off), a throwaway database
        stdout=open(os.devnull, "w"),  # noqa: SIM115
        stderr=open(os.devnull, "w"),  # noqa: SIM115
    )
    client = Client()
    assets = {}
    print(
        f"{'page':<20} {'lang':<4} {'html':>7} {'html.gz':>8} {'css+js.gz':>10} {'total.gz':>9}  target {TARGET_BYTES // 1024} KB"
    )
    worst = 0
    for lang in ("ar", "ckb", "en"):
        for name, path in PAGES:
            response = client.get(f"/{lang}/{path}")
            html = response.content
            static_total = 0
            for ref in re.findall(rb'(?:href|src)="/static/([^"]+)"', html):
                ref = ref.decode()
                if ref not in assets:
                    found = finders.find(ref)
                    assets[ref] = compressed(Path(found).read_bytes()) if found else 0
                static_total += assets[ref]
            total = compressed(html) + static_total
            worst = max(worst, total)
            print(
                f"{name:<20} {lang:<4} {len(html):>7} {compressed(html):>8} {static_total:>10} {total:>9}"
            )
    verdict = "OK" if worst <= TARGET_BYTES else "OVER TARGET"
    print(f"heaviest page: {worst} bytes compressed (target {TARGET_BYTES}): {verdict}")
    print(
        f"RESULT|public page weight, heaviest page (html+css+js gzip)|{worst / 1024:.1f} KB|"
        f"<= {TARGET_BYTES // 1024} KB|{worst / TARGET_BYTES:.2f} "
        f"{'pass' if worst <= TARGET_BYTES else 'FAIL'}"
    )


if __name__ == "__main__":
    main()
