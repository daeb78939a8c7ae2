"""Fail when a catalogue is incomplete, fuzzy, stale, or broken.

1. ar and ckb: no untranslated or fuzzy entry (the plural forms included).
2. Every catalogue holds every string in the code: `makemessages` is run into a
   temporary copy and any msgid it would add is reported (strings that were
   never extracted).
3. Placeholders agree between msgid and msgstr (``%(name)s``, ``%s``).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ("ar", "ckb")
ALL = ("ar", "ckb", "en")
PLACEHOLDER = re.compile(r"%\([a-z_]+\)[sd]|%[sd]")


def problems_in(path: Path, lang: str) -> list[str]:
    catalogue = polib.pofile(str(path))
    found = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        where = f"{lang}: {entry.msgid[:60]!r}"
        if "fuzzy" in entry.flags:
            found.append(f"{where} is fuzzy")
        if lang in REQUIRED and not entry.translated():
            found.append(f"{where} is untranslated")
        targets = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        expected = set(PLACEHOLDER.findall(entry.msgid)) | set(
            PLACEHOLDER.findall(entry.msgid_plural or "")
        )
        for target in targets:
            if target and not set(PLACEHOLDER.findall(target)) <= expected:
                found.append(f"{where} has placeholders not in the source")
    if "fuzzy" in (catalogue.metadata_is_fuzzy or []):
        found.append(f"{lang}: header is fuzzy")
    return found


def missing_from_code() -> list[str]:
    """Run makemessages on a throwaway copy of the tree and compare.

    makemessages writes into any ``locale`` directory above the sources, so it
    must never run on the real tree from here.
    """
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "src"
        shutil.copytree(
            ROOT,
            copy,
            ignore=shutil.ignore_patterns(
                ".venv", "var", "node_modules", ".git", "__pycache__", "*.mo"
            ),
        )
        subprocess.run(  # noqa: S603 - our own interpreter and a fixed command
            [
                sys.executable,
                "manage.py",
                "makemessages",
                "-l",
                "ar",
                "-l",
                "ckb",
                "-l",
                "en",
                "--no-obsolete",
                "--ignore=tests",
                "--ignore=bench",
                "--verbosity=0",
            ],
            cwd=copy,
            env={**os.environ, "SANAD_DEBUG": "1", "DJANGO_SETTINGS_MODULE": "config.settings"},
            check=True,
        )
        found = []
        for lang in ALL:
            committed = {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))
                if not e.obsolete
            }
            fresh = {
                (e.msgctxt, e.msgid)
                for e in polib.pofile(str(copy / "locale" / lang / "LC_MESSAGES" / "django.po"))
                if not e.obsolete
            }
            for _ctxt, msgid in sorted(fresh - committed, key=str):
                found.append(
                    f"{lang}: not in the committed catalogue (run makemessages): {msgid[:60]!r}"
                )
            for _ctxt, msgid in sorted(committed - fresh, key=str):
                found.append(f"{lang}: stale entry no longer in the code: {msgid[:60]!r}")
        return found


def main() -> int:
    problems = []
    for lang in ALL:
        problems += problems_in(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po", lang)
    problems += missing_from_code()
    for problem in problems:
        print(problem)
    for lang in ALL:
        catalogue = polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))
        print(
            f"{lang}: {len([e for e in catalogue if not e.obsolete])} entries, {catalogue.percent_translated()}% translated"
        )
    if problems:
        print(f"catalogue check FAILED: {len(problems)} problem(s)")
        return 1
    print("catalogue check passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
