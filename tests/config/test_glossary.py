"""The glossary check: catalogue and advice wording that must stay fixed.

The rules live in ``locale/glossary.toml`` (a data file translators can read);
this test applies them to every translation in the ar and ckb catalogues and to
the advice pages an installation starts with.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import polib
import pytest

from reporting.advice_content import ADVICE_PAGES

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = tomllib.loads((ROOT / "locale" / "glossary.toml").read_text(encoding="utf-8"))


def _is_victim_side(entry: polib.POEntry) -> bool:
    return any(path.startswith(("reporting/", "templates/")) for path, _line in entry.occurrences)


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [text for text in entry.msgstr_plural.values() if text]
    return [entry.msgstr] if entry.msgstr else []


def glossary_violations(catalogue: polib.POFile, lang: str, glossary: dict) -> list[str]:
    found = []
    for entry in catalogue:
        if entry.obsolete:
            continue
        for rule in glossary.get("forbid", []):
            if rule["lang"] != lang:
                continue
            if rule.get("scope") == "victim" and not _is_victim_side(entry):
                continue
            for text in _translations(entry):
                if re.search(rule["pattern"], text):
                    found.append(f"{lang}: {entry.msgid[:50]!r} -> {text[:60]!r}: {rule['why']}")
        for rule in glossary.get("require", []):
            if rule["lang"] != lang:
                continue
            if not re.search(rule["source"], entry.msgid + " " + (entry.msgid_plural or "")):
                continue
            for text in _translations(entry):
                if not re.search(rule["use"], text):
                    found.append(f"{lang}: {entry.msgid[:50]!r} -> {text[:60]!r}: {rule['why']}")
    return found


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_catalogue__follows_the_glossary(lang):
    catalogue = polib.pofile(str(ROOT / "locale" / lang / "LC_MESSAGES" / "django.po"))
    assert glossary_violations(catalogue, lang, GLOSSARY) == []


@pytest.mark.parametrize("lang", ["ar", "ckb"])
def test_advice_content__follows_the_glossary(lang):
    catalogue = polib.POFile()
    for page in ADVICE_PAGES:
        for part in ("title", "summary", "body"):
            catalogue.append(
                polib.POEntry(
                    msgid=page[part]["en"],
                    msgstr=page[part][lang],
                    occurrences=[("reporting/advice_content.py", "")],
                )
            )
    assert glossary_violations(catalogue, lang, GLOSSARY) == []


def test_glossary_violations__reports_forbidden_and_missing_terms():
    catalogue = polib.POFile()
    catalogue.append(
        polib.POEntry(
            msgid="Your case",
            msgstr="حالتك",
            occurrences=[("reporting/templates/reporting/followup_case.html", "")],
        )
    )
    catalogue.append(polib.POEntry(msgid="Two-factor authentication", msgstr="الاستيثاق بخطوتين"))
    ckb = polib.POFile()
    ckb.append(polib.POEntry(msgid="Password", msgstr="تێپەڕەوشە"))
    ckb.append(polib.POEntry(msgid="Sanad", msgstr="سند"))

    arabic = glossary_violations(catalogue, "ar", GLOSSARY)
    sorani = glossary_violations(ckb, "ckb", GLOSSARY)

    assert any("حالتك" in problem for problem in arabic)
    assert sum("Two-factor" in problem for problem in arabic) == 2  # forbidden + required
    assert sum("Password" in problem for problem in sorani) == 2
    assert any("Sanad" in problem for problem in sorani)


def test_glossary_violations__console_may_say_case():
    catalogue = polib.POFile()
    catalogue.append(
        polib.POEntry(
            msgid="Case awaiting officer",
            msgstr="الحالة بانتظار ضابط",
            occurrences=[("casework/models.py", "")],
        )
    )
    assert glossary_violations(catalogue, "ar", GLOSSARY) == []
