#!/usr/bin/env python3
"""The README's two commands, with nothing but Python 3.11+ and git needed.

    python3 dev.py run    set up, migrate, seed the demo, serve on SQLite
    python3 dev.py test   set up and run the whole test suite

Everything is installed into ./.venv from the hash-pinned lock files; GNU
gettext is not needed (catalogues are compiled with Babel).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PYTHON = BIN / ("python.exe" if os.name == "nt" else "python")


def say(message: str) -> None:
    print(f"==> {message}", flush=True)


def run(*args: str | Path, env: dict[str, str] | None = None) -> None:
    subprocess.run([str(a) for a in args], cwd=ROOT, env=env, check=True)


def ensure_environment(lock: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be started by an older python3
        sys.exit("Sanad needs Python 3.11 or newer.")
    if not PYTHON.exists():
        say("creating .venv")
        venv.EnvBuilder(with_pip=True).create(VENV)
    lock_path = ROOT / lock
    stamp = VENV / f".installed-{lock}"
    digest = hashlib.sha256(lock_path.read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != digest:
        say(f"installing {lock} (hash-checked)")
        run(
            PYTHON,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--require-hashes",
            "--no-deps",
            "-r",
            lock_path,
        )
        stamp.write_text(digest)
    compile_catalogues()


def compile_catalogues() -> None:
    # Statistics for the translated languages only: English msgids are their
    # own text, so "17 of 855 messages translated" for en would read like an error.
    for locale in ("ar", "ckb", "en"):
        run(
            PYTHON,
            "-m",
            "babel.messages.frontend",
            "compile",
            "--domain",
            "django",
            "--directory",
            ROOT / "locale",
            "--locale",
            locale,
            *(["--statistics"] if locale != "en" else []),
        )


def cmd_run() -> None:
    ensure_environment("requirements.lock")
    env = dict(os.environ)
    env.setdefault("SANAD_DEBUG", "1")
    manage = [PYTHON, ROOT / "manage.py"]
    say("migrating the SQLite database in var/")
    run(*manage, "migrate", "--verbosity", "0", env=env)
    say("seeding the demo")
    run(*manage, "seed_demo", env=env)
    port = env.get("SANAD_PORT", "8000")
    print()
    print(f"Sanad is running at http://127.0.0.1:{port}/ar/  (also /ckb/ and /en/)")
    print(f"Caseworker console: http://127.0.0.1:{port}/ar/console/")
    print("Stop it with Ctrl+C.", flush=True)
    run(*manage, "runserver", "--noreload", f"127.0.0.1:{port}", env=env)


def ensure_browser_tools() -> None:
    """axe-core for the browser tests, from the npm lock file (test-only, never served)."""
    e2e = ROOT / "tests" / "e2e"
    if (e2e / "node_modules" / "axe-core").exists():
        return
    npm = shutil.which("npm")
    if npm is None:
        say("npm not found: accessibility checks in tests/e2e will be skipped")
        return
    say("installing axe-core for the browser tests")
    run(npm, "ci", "--no-audit", "--no-fund", "--silent", "--prefix", e2e)


def cmd_test(extra: list[str]) -> None:
    ensure_environment("requirements-dev.lock")
    ensure_browser_tools()
    args = extra or ["-n", os.environ.get("SANAD_TEST_WORKERS", "2")]
    run(PYTHON, "-m", "pytest", *args)


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in {"run", "test"}:
        sys.exit(__doc__)
    try:
        if sys.argv[1] == "run":
            cmd_run()
        else:
            cmd_test(sys.argv[2:])
    except subprocess.CalledProcessError as error:
        sys.exit(error.returncode)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
