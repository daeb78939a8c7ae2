"""Reference data every report step reads (categories, governorates, units), kept
per process instead of queried on every request.

These tables change a few times a year, through the console. A save or delete
in this process forgets the copy at once (signals, connected in
``CaseworkConfig.ready``); other gunicorn workers and servers pick the change
up within ``REFERENCE_DATA_SECONDS``. Names stay translated: the cached rows
are model instances, and modeltranslation reads the active language's column
when a name is shown. No shared cache (Redis) is involved.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from casework.models import Category, Governorate, Unit

REFERENCE_DATA_SECONDS = 60

_copies: dict[str, tuple[float, list]] = {}


def _kept(key: str, load: Callable[[], list]) -> list:
    now = time.monotonic()
    kept = _copies.get(key)
    if kept is not None and now - kept[0] < REFERENCE_DATA_SECONDS:
        return kept[1]
    rows = load()
    _copies[key] = (now, rows)
    return rows


def categories_active() -> list[Category]:
    """Active categories, in their order."""
    return _kept("categories", lambda: list(Category.objects.filter(is_active=True)))


def governorates_all() -> list[Governorate]:
    """Every governorate, in its order."""
    return _kept("governorates", lambda: list(Governorate.objects.all()))


def units_all() -> list[Unit]:
    """Every unit (filing routes each report to one)."""
    return _kept("units", lambda: list(Unit.objects.all()))


def category_by_code(code: str) -> Category | None:
    """The category ``code`` names, active or not: active ones from the kept copy."""
    for category in categories_active():
        if category.code == code:
            return category
    return Category.objects.filter(code=code).first()


def reference_data_forget(**_signal) -> None:
    """Drop this process's copies (after a save or delete of either model)."""
    _copies.clear()
