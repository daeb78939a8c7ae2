"""Demo reports, filed through the same service the public form uses."""

from __future__ import annotations


def seed_demo_reports(stdout) -> None:
    """Filled in once the console can show them (see seed_demo)."""
    return None
