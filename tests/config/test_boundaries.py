"""The import contracts in .importlinter hold for the tree, and they really
fail on a violation (a copy of the contracts run on a tiny tree that breaks them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def _lint(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(cwd)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_import_contracts__hold_for_the_tree():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "0 broken" in result.stdout


def test_import_contracts__fail_when_the_core_imports_the_public_site(tmp_path):
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    layout = {
        "casework": ["admin", "console", "console_work", "services", "selectors", "models"],
        "reporting": ["views", "journey", "followup", "urls", "services", "models"],
        "outreach": ["views", "admin", "urls", "services", "selectors", "models"],
        "config": [],
    }
    for package, modules in layout.items():
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        for module in modules:
            (tmp_path / package / f"{module}.py").write_text("")
    (tmp_path / "casework" / "models.py").write_text("import reporting.journey\n")
    (tmp_path / "casework" / "selectors.py").write_text("from casework import services\n")
    result = _lint(tmp_path)
    assert result.returncode != 0
    assert "imports neither the public site nor outreach BROKEN" in result.stdout
    assert "casework layers: console -> services -> selectors -> models BROKEN" in result.stdout
